using Microsoft.Extensions.Options;

namespace Parley.Functions.Workflows;

/// <summary>
/// The local queue pump's settings (section <c>QueuePump</c>). The defaults mirror host.json's
/// <c>extensions.queues</c> so local runs behave as the Functions host does; a test keeps them in step.
/// </summary>
public sealed class QueuePumpOptions
{
    public const string SectionName = "QueuePump";

    /// <summary>Run the pump when not under the Functions host. Tests that drive handlers directly turn it off.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Poll only these queues (comma-separated); empty polls every work queue. Handy to debug one workflow.</summary>
    public string? Queues { get; set; }

    /// <summary>Messages fetched per poll (host.json batchSize; the service allows 1–32).</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>Receive loops per queue: while one batch runs, the next is fetched (like the host's newBatchThreshold).</summary>
    public int Receivers { get; set; } = 2;

    /// <summary>Deliveries before a message moves to the poison queue (host.json maxDequeueCount).</summary>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>How long a failed message stays hidden before its next attempt (host.json visibilityTimeout).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait between polls of an idle queue (host.json maxPollingInterval).</summary>
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>First wait after an empty poll; doubles up to <see cref="MaxPollingInterval"/>.</summary>
    public TimeSpan MinPollingInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a message is hidden while its handler runs; renewed at half-time, so a crash frees it within this time.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(1);

    internal sealed class Validator : IValidateOptions<QueuePumpOptions>
    {
        public ValidateOptionsResult Validate(string? name, QueuePumpOptions o)
        {
            var errors = new List<string>();
            if (o.BatchSize is < 1 or > 32) errors.Add($"{SectionName}__BatchSize must be 1–32.");
            if (o.Receivers is < 1 or > 8) errors.Add($"{SectionName}__Receivers must be 1–8.");
            if (o.MaxDequeueCount is < 1 or > 100) errors.Add($"{SectionName}__MaxDequeueCount must be 1–100.");
            if (o.RetryDelay < TimeSpan.Zero || o.RetryDelay > TimeSpan.FromDays(7)) errors.Add($"{SectionName}__RetryDelay must be 0 to 7 days.");
            if (o.MinPollingInterval <= TimeSpan.Zero || o.MaxPollingInterval < o.MinPollingInterval) errors.Add($"{SectionName}__MinPollingInterval must be positive and not above MaxPollingInterval.");
            if (o.Lease < TimeSpan.FromSeconds(2) || o.Lease > TimeSpan.FromDays(7)) errors.Add($"{SectionName}__Lease must be 2 seconds to 7 days.");
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
