using Parley.Functions.Workflows;

namespace Parley.Functions.Maintenance;

/// <summary>Runs the sweep task a message names. An unknown name fails (and is eventually poisoned) so version skew shows.</summary>
public sealed class SweepQueueHandler(IEnumerable<ISweepTask> tasks) : IQueueHandler
{
    public static string QueueName => "sweeps";

    public async Task HandleAsync(QueueWorkItem message, CancellationToken cancellationToken)
    {
        var request = message.ReadJson<SweepRequest>();
        var task = tasks.FirstOrDefault(t => t.Name == request.Task)
            ?? throw new InvalidOperationException($"No sweep task is called '{request.Task}'.");
        await task.RunAsync(request.ScheduledFor, cancellationToken);
    }
}
