using Parley.Functions.Storage;
using Parley.Functions.Workflows;

namespace Parley.Functions.Maintenance;

/// <summary>
/// Makes poison messages visible: counts what waits in every <c>&lt;queue&gt;-poison</c> and logs an error
/// per non-empty one (alerts hook onto these log entries in Application Insights).
/// </summary>
public sealed class PoisonQueueReport(StorageAccount storage, WorkflowInvoker invoker, ILogger<PoisonQueueReport> logger) : ISweepTask
{
    public string Name => "poison-report";

    public async Task RunAsync(DateTimeOffset scheduledFor, CancellationToken cancellationToken)
    {
        foreach (var queue in invoker.Queues)
        {
            var poisonName = QueuePump.PoisonQueueName(queue.QueueName);
            var count = (await storage.GetQueueClient(poisonName).GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
            if (count > 0)
            {
                logger.LogError("Poison queue {PoisonQueue} holds {Count} message(s) that failed {Queue} repeatedly; inspect and re-enqueue or discard them", poisonName, count, queue.QueueName);
            }
        }
    }
}
