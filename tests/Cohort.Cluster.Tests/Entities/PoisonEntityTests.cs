using Akka.Actor;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Entities;

/// <summary>
/// An entity that throws answers the command that did it as failed, tells the commands it could not finish to try
/// again, and restarts from its journal with its state intact.
/// </summary>
public sealed class PoisonEntityTests(JournalDatabase journal, ITestOutputHelper output)
    : ActorSpec(journal, output, CounterEntity.Formats())
{
    [Fact]
    public async Task A_command_the_entity_throws_on_is_answered_failed_and_the_entity_restarts_from_its_journal()
    {
        var id = NewId("counter");
        using var meter = new MeterReader(Metrics);
        var counter = StartCounter(id);
        var five = new CounterCommandEnvelope("r-1", new Add(5));
        var firstAnswer = await SendAsync(counter, five);
        Assert.Equal(new CounterAccepted("r-1", 1, 5), firstAnswer);
        Assert.Equal(new CounterAccepted("r-2", 2, 12), await SendAsync(counter, new CounterCommandEnvelope("r-2", new Add(7))));

        var failed = Assert.IsType<CommandFailed>(await SendAsync(counter, new CounterCommandEnvelope("r-3", new Explode())));
        Assert.Equal("r-3", failed.RequestId);
        Assert.Contains("poison command", failed.Reason);

        Assert.Equal(new CounterState(id, 12), await StateAsync(counter));
        Assert.Equal(1, meter.Total("cohort_entity_failures"));
        Assert.Equal(2, meter.Total("cohort_entities_recovered")); // the start, and the restart from the journal
        Assert.Equal(firstAnswer, await SendAsync(counter, five)); // the request log was rebuilt too
        Assert.Equal(new CounterAccepted("r-4", 3, 13), await SendAsync(counter, new CounterCommandEnvelope("r-4", new Add(1))));
        // A failure is not remembered: the same command fails the same way until its cause is fixed.
        Assert.IsType<CommandFailed>(await SendAsync(counter, new CounterCommandEnvelope("r-3", new Explode())));
        Assert.Equal(["r-1", "r-2", "r-4"], (await Journal.RowsAsync(CounterPid(id))).Select(r => r.Text("requestId")));
    }

    [Fact]
    public async Task An_event_that_breaks_an_invariant_is_never_written()
    {
        var id = NewId("counter");
        var counter = StartCounter(id);
        await SendAsync(counter, new CounterCommandEnvelope("r-1", new Add(5)));

        var failed = Assert.IsType<CommandFailed>(await SendAsync(counter, new CounterCommandEnvelope("r-2", new AddNegative())));
        Assert.StartsWith("InvariantViolationException", failed.Reason);

        Assert.Equal(new CounterState(id, 5), await StateAsync(counter));
        Assert.Equal(new CounterAccepted("r-3", 2, 6), await SendAsync(counter, new CounterCommandEnvelope("r-3", new Add(1))));
        Assert.Equal(["r-1", "r-3"], (await Journal.RowsAsync(CounterPid(id))).Select(r => r.Text("requestId")));
    }

    [Fact]
    public async Task Commands_not_yet_durable_when_it_throws_are_told_to_retry_and_apply_once_when_sent_again()
    {
        var id = NewId("counter");
        var counter = StartCounter(id);
        await StateAsync(counter);
        var one = new CounterCommandEnvelope("r-1", new Add(1));
        var two = new CounterCommandEnvelope("r-2", new Add(2));

        await using (await Journal.BlockJournalWritesAsync())
        {
            counter.Tell(one, TestActor); // written, held by the lock
            counter.Tell(two, TestActor); // decided, waiting behind that write
            counter.Tell(new CounterCommandEnvelope("r-3", new Explode()), TestActor);

            var answers = new List<CommandReply>();
            await foreach (var answer in ReceiveNAsync(3, TimeSpan.FromSeconds(15)))
            {
                answers.Add((CommandReply)answer);
            }
            Assert.Equal("r-3", Assert.IsType<CommandFailed>(answers[0]).RequestId);
            Assert.Equal(["r-1", "r-2"], answers.Skip(1).Select(a => Assert.IsType<CommandUnavailable>(a).RequestId).Order());
        }

        // r-1's write goes through once the lock is gone, though it was answered "unavailable" (it means "maybe"); the
        // restarted entity recovers it (the journal's recovery waits for the write in flight), so sending both again
        // applies each once: r-1 is answered from the journal, r-2 is new.
        await AwaitAssertAsync(async () => Assert.Equal(["r-1"], (await Journal.RowsAsync(CounterPid(id))).Select(r => r.Text("requestId"))));
        Assert.Equal(new CounterAccepted("r-1", 1, 1), await SendAsync(counter, one));
        Assert.Equal(new CounterAccepted("r-2", 2, 3), await SendAsync(counter, two));
        Assert.Equal(new CounterState(id, 3), await StateAsync(counter));
        Assert.Equal(["r-1", "r-2"], (await Journal.RowsAsync(CounterPid(id))).Select(r => r.Text("requestId")));
    }

    private static string CounterPid(string id) => PersistenceIds.Of("counter", id);

    private IActorRef StartCounter(string id) => Sys.ActorOf(CounterEntity.PropsFor(id, new EntityOptions(), Metrics));

    private async Task<CounterState> StateAsync(IActorRef counter)
    {
        counter.Tell(GetCounter.Instance, TestActor);
        return await ExpectMsgAsync<CounterState>();
    }
}
