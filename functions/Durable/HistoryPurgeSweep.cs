using Microsoft.Extensions.Options;
using Parley.Functions.Maintenance;

namespace Parley.Functions.Durable;

/// <summary>
/// Removes the histories of finished orchestrations created more than <see cref="DurableOptions.HistoryRetention"/> ago
/// (the backend selects by creation time; a reminder instance lives until its appointment, so its history stays at least
/// that long).
/// </summary>
public sealed class HistoryPurgeSweep(Orchestrations orchestrations, IOptions<DurableOptions> options, ILogger<HistoryPurgeSweep> logger) : ISweepTask
{
    public string Name => "durable-history-purge";

    public async Task RunAsync(DateTimeOffset scheduledFor, CancellationToken cancellationToken)
    {
        var before = (scheduledFor - options.Value.HistoryRetention).UtcDateTime;
        var purged = await orchestrations.PurgeFinishedAsync(before);
        logger.LogDebug("Purged {Count} durable histories of instances created before {Before:o}", purged, before);
    }
}
