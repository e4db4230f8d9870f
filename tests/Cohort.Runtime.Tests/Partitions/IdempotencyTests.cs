using Cohort.Domain;
using Cohort.Runtime.Tests.Support;

namespace Cohort.Runtime.Tests.Partitions;

[Collection(ClusterCollection.Name)]
public sealed class IdempotencyTests : NodeTestBase
{
    [Fact]
    public async Task A_request_id_is_applied_once_and_always_answered_with_its_first_result()
    {
        var node = await StartNodeAsync("node-a");
        await node.WaitForAllPartitionsAsync();

        var first = await node.AskAsync("deposit", "acc-1", "dep-1", "USDT", "10.50");
        var again = await node.AskAsync("deposit", "acc-1", "dep-1", "USDT", "10.50");
        var sameMeaning = await node.AskAsync("deposit", "acc-1", "dep-1", "USDT", "10.5");

        Assert.True(Answer.Parse(first).Ok);
        Assert.Equal(first, again);
        Assert.Equal(first, sameMeaning);
        Assert.Equal(1, await Db.EventCountAsync("acc-1"));
        Assert.Equal(10.50m, await Db.AvailableAsync("acc-1", "USDT"));
    }

    [Fact]
    public async Task Reusing_a_request_id_for_another_command_is_an_idempotency_conflict_that_changes_nothing()
    {
        var node = await StartNodeAsync("node-a");
        await node.WaitForAllPartitionsAsync();
        await node.AskAsync("deposit", "acc-2", "dep-1", "USDT", "10");

        var conflict = Answer.Parse(await node.AskAsync("deposit", "acc-2", "dep-1", "USDT", "11"));
        var otherType = Answer.Parse(await node.AskAsync("withdraw", "acc-2", "dep-1", "USDT", "10"));

        Assert.Equal(RejectionCodes.IdempotencyConflict, conflict.Code);
        Assert.Equal(RejectionCodes.IdempotencyConflict, otherType.Code);
        Assert.Equal(1, await Db.EventCountAsync("acc-2"));
        Assert.Equal(10m, await Db.AvailableAsync("acc-2", "USDT"));
    }

    [Fact]
    public async Task A_rejection_is_a_stored_answer_too_even_after_the_state_has_moved_on_and_the_node_restarted()
    {
        var node = await StartNodeAsync("node-a");
        await node.WaitForAllPartitionsAsync();

        var refused = Answer.Parse(await node.AskAsync("withdraw", "acc-3", "wd-1", "USDT", "100"));
        await node.AskAsync("deposit", "acc-3", "dep-1", "USDT", "500");
        await StopNodeAsync(node);
        var restarted = await StartNodeAsync("node-b");
        await restarted.WaitForAllPartitionsAsync();
        var replayed = Answer.Parse(await restarted.AskAsync("withdraw", "acc-3", "wd-1", "USDT", "100"));

        Assert.Equal(RejectionCodes.InsufficientFunds, refused.Code);
        Assert.Equal(RejectionCodes.InsufficientFunds, replayed.Code);
        Assert.Equal(500m, await Db.AvailableAsync("acc-3", "USDT"));
        Assert.Equal(1, await Db.EventCountAsync("acc-3"));
    }

    [Fact]
    public async Task The_same_command_sent_many_times_at_once_is_applied_once()
    {
        var node = await StartNodeAsync("node-a");
        await node.WaitForAllPartitionsAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => node.AskAsync("deposit", "acc-4", "dep-1", "EUR", "1.25")));

        Assert.Single(answers.Distinct());
        Assert.Equal(1, await Db.EventCountAsync("acc-4"));
        Assert.Equal(1.25m, await Db.AvailableAsync("acc-4", "EUR"));
    }
}
