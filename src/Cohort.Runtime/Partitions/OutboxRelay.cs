using Cohort.Runtime.Entities;
using Cohort.Runtime.Kafka;

namespace Cohort.Runtime.Partitions;

/// <summary>
/// Sends what each committed batch's events publish, and learns when Kafka has all of them, batch by batch in
/// order, so the partition's outbox cursor only ever moves past messages Kafka confirmed.
/// </summary>
internal sealed class OutboxRelay(MessageProducer producer)
{
    private readonly Lock gate = new();
    private readonly Queue<Pending> pending = new();
    private long confirmed;
    private long persisted;
    private volatile bool failed;

    /// <summary>Kafka refused a message: the unconfirmed events must be sent again from the cursor.</summary>
    public bool Failed => failed;

    public void Send(long position, List<OutboundMessage> messages)
    {
        var batch = new Pending(position, messages.Count);
        lock (gate)
        {
            pending.Enqueue(batch);
        }
        foreach (var m in messages)
        {
            producer.Send(m, error =>
            {
                if (error is not null)
                {
                    failed = true;
                }
                Interlocked.Decrement(ref batch.Remaining);
            });
        }
    }

    /// <summary>Sends messages and waits until Kafka has them all.</summary>
    public async Task SendAndWaitAsync(List<OutboundMessage> messages, CancellationToken ct)
    {
        var remaining = messages.Count;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (remaining == 0)
        {
            return;
        }
        foreach (var m in messages)
        {
            producer.Send(m, error =>
            {
                if (error is not null)
                {
                    done.TrySetException(new Confluent.Kafka.KafkaException(error));
                }
                else if (Interlocked.Decrement(ref remaining) == 0)
                {
                    done.TrySetResult();
                }
            });
        }
        await done.Task.WaitAsync(ct);
    }

    /// <summary>The new cursor to write with the next transaction, or 0 when it has not moved.</summary>
    public long TakeConfirmed()
    {
        lock (gate)
        {
            while (pending.TryPeek(out var head) && Volatile.Read(ref head.Remaining) == 0)
            {
                pending.Dequeue();
                confirmed = Math.Max(confirmed, head.Position);
            }
            if (confirmed <= persisted)
            {
                return 0;
            }
            persisted = confirmed;
            return confirmed;
        }
    }

    /// <summary>Forgets what is in flight; the caller sends everything after the cursor again.</summary>
    public void Reset()
    {
        lock (gate)
        {
            pending.Clear();
            failed = false;
        }
    }

    private sealed class Pending(long position, int remaining)
    {
        public readonly long Position = position;
        public int Remaining = remaining;
    }
}
