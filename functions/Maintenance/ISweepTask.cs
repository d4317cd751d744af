namespace Parley.Functions.Maintenance;

/// <summary>
/// A periodic chore. <see cref="SweepTimer"/> enqueues one message per task on the <c>sweeps</c> queue every
/// five minutes, so each task runs on any instance, is retried on failure and is poisoned visibly when it
/// keeps failing, independently of the others. Tasks must be idempotent.
/// </summary>
public interface ISweepTask
{
    /// <summary>Stable kebab-case name carried in the queue message.</summary>
    string Name { get; }

    Task RunAsync(DateTimeOffset scheduledFor, CancellationToken cancellationToken);
}

/// <summary>The message on the <c>sweeps</c> queue.</summary>
public sealed record SweepRequest(string Task, DateTimeOffset ScheduledFor);
