using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Parley.Functions.Durable;

/// <summary>
/// Settings of the durable engine (section <c>Durable</c>). The defaults are what the measurements on Azurite showed to
/// recover quickly after a crash (30 s visibility timeouts, 15 s leases) and to react within a second or two when idle.
/// </summary>
public sealed partial class DurableOptions
{
    public const string SectionName = "Durable";

    /// <summary>Runs orchestrations and activities in this process. Off: the app still starts instances (they wait in storage).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>One task hub per environment: 3–45 letters and digits, starting with a letter.</summary>
    public string TaskHub { get; set; } = "parley";

    /// <summary>Control-queue partitions (1–16): how many instances can share the orchestration load.</summary>
    public int PartitionCount { get; set; } = 4;

    /// <summary>Longest wait between polls of an idle queue (the backend's default is 30 s).</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a dequeued message stays hidden; after a crash, unfinished work reappears after this.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Partition lease length; a crashed instance's partitions move to another after this.</summary>
    public TimeSpan LeaseInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Activities run at the same time in this process. They wait on storage and providers, not on the CPU, so many
    /// may run at once (the benchmark: 32 → 128 took reminder throughput from about a third to three quarters of the
    /// engine's ceiling on Azurite).
    /// </summary>
    public int MaxConcurrentActivities { get; set; } = 100;

    /// <summary>Orchestration episodes run at the same time in this process.</summary>
    public int MaxConcurrentOrchestrations { get; set; } = 32;

    /// <summary>Finished (completed, failed, terminated) instances created longer ago than this are purged by the sweep.</summary>
    public TimeSpan HistoryRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Longest single durable timer; longer waits are chained (the Azure Storage backend's queues hide a message for at most 7 days).</summary>
    public TimeSpan MaximumTimerInterval { get; set; } = TimeSpan.FromDays(3);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,44}$")]
    private static partial Regex TaskHubName();

    public sealed class Validator : IValidateOptions<DurableOptions>
    {
        public ValidateOptionsResult Validate(string? name, DurableOptions o)
        {
            var errors = new List<string>();
            if (!TaskHubName().IsMatch(o.TaskHub ?? ""))
            {
                errors.Add($"'{SectionName}__TaskHub' must be 3–45 letters and digits starting with a letter, not '{o.TaskHub}'.");
            }
            if (o.PartitionCount is < 1 or > 16)
            {
                errors.Add($"'{SectionName}__PartitionCount' must be 1 to 16, not {o.PartitionCount}.");
            }
            if (o.MaxQueuePollingInterval <= TimeSpan.Zero || o.MaxQueuePollingInterval > TimeSpan.FromMinutes(1))
            {
                errors.Add($"'{SectionName}__MaxQueuePollingInterval' must be more than 0 and at most 00:01:00.");
            }
            if (o.VisibilityTimeout < TimeSpan.FromSeconds(10))
            {
                errors.Add($"'{SectionName}__VisibilityTimeout' must be at least 00:00:10.");
            }
            if (o.LeaseInterval < TimeSpan.FromSeconds(5))
            {
                errors.Add($"'{SectionName}__LeaseInterval' must be at least 00:00:05.");
            }
            if (o.MaxConcurrentActivities < 1 || o.MaxConcurrentOrchestrations < 1)
            {
                errors.Add($"'{SectionName}__MaxConcurrentActivities' and '__MaxConcurrentOrchestrations' must be at least 1.");
            }
            if (o.HistoryRetention < TimeSpan.FromHours(1))
            {
                errors.Add($"'{SectionName}__HistoryRetention' must be at least 01:00:00.");
            }
            if (o.MaximumTimerInterval < TimeSpan.FromMinutes(1) || o.MaximumTimerInterval > TimeSpan.FromDays(6))
            {
                errors.Add($"'{SectionName}__MaximumTimerInterval' must be between 00:01:00 and 6.00:00:00 (the backend hides a queue message for at most 7 days).");
            }
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
