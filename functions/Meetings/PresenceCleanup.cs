using Parley.Functions.Maintenance;

namespace Parley.Functions.Meetings;

/// <summary>Sweep task: deletes presence rows of pages gone for an hour (Online is derived from LastSeen anyway; this keeps the table small).</summary>
public sealed class PresenceCleanup(CustomerPresence presence, ILogger<PresenceCleanup> logger) : ISweepTask
{
    public string Name => "stale-presence";

    public async Task RunAsync(DateTimeOffset scheduledFor, CancellationToken cancellationToken)
    {
        var deleted = await presence.DeleteStaleAsync(cancellationToken);
        if (deleted > 0)
        {
            logger.LogInformation("stale-presence deleted {Count} rows of pages long gone", deleted);
        }
    }
}
