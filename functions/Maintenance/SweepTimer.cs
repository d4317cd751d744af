using Parley.Functions.Storage;
using Parley.Functions.Workflows;

namespace Parley.Functions.Maintenance;

/// <summary>Every five minutes: one <see cref="SweepRequest"/> per registered sweep task onto the <c>sweeps</c> queue.</summary>
public sealed class SweepTimer(StorageAccount storage, IEnumerable<ISweepTask> tasks, ILogger<SweepTimer> logger) : ITimerHandler
{
    public static string FunctionName => "sweep-timer";

    public static string Schedule => "0 */5 * * * *";

    public async Task RunAsync(TimerInvocation invocation, CancellationToken cancellationToken)
    {
        var queue = storage.GetQueueClient(SweepQueueHandler.QueueName);
        foreach (var task in tasks)
        {
            await queue.SendJsonAsync(new SweepRequest(task.Name, invocation.FiredAt), cancellationToken: cancellationToken);
        }
        logger.LogInformation("Sweep {FiredAt:O}: queued {Tasks}", invocation.FiredAt, string.Join(", ", tasks.Select(t => t.Name)));
    }
}
