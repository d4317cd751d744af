using System.Collections.Concurrent;
using Parley.Functions.Workflows;

namespace Parley.Tests.Hosting;

/// <summary>
/// A queue handler for tests: records every delivery and fails while <see cref="Journal.FailuresLeft"/> is positive
/// (or always, with <see cref="Journal.AlwaysFail"/>). Each test gets its own instance through DI and its own queue name.
/// </summary>
public sealed class RecordingHandler(RecordingHandler.Journal journal) : IQueueHandler
{
    public static string QueueName => "recording";

    public async Task HandleAsync(QueueWorkItem message, CancellationToken cancellationToken)
    {
        journal.Deliveries.Enqueue(message);
        if (journal.Duration > TimeSpan.Zero)
        {
            await Task.Delay(journal.Duration, cancellationToken);
        }
        if (journal.AlwaysFail || Interlocked.Decrement(ref journal.FailuresLeft) >= 0)
        {
            throw new InvalidOperationException("Recording handler told to fail");
        }
    }

    public sealed class Journal
    {
        public ConcurrentQueue<QueueWorkItem> Deliveries { get; } = new();

        public int FailuresLeft;

        public bool AlwaysFail { get; set; }

        public TimeSpan Duration { get; set; }

        public async Task<QueueWorkItem[]> WaitForAsync(int count, TimeSpan? timeout = null)
        {
            var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
            while (Deliveries.Count < count && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
            return Deliveries.ToArray();
        }
    }
}
