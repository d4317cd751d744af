using Microsoft.Extensions.Options;
using Parley.Functions.Maintenance;

namespace Parley.Functions.Durable;

/// <summary>Removes the histories of orchestrations that finished more than <see cref="DurableOptions.HistoryRetention"/> ago.</summary>
public sealed class HistoryPurgeSweep(Orchestrations orchestrations, IOptions<DurableOptions> options, ILogger<HistoryPurgeSweep> logger) : ISweepTask
{
    public string Name => "durable-history-purge";

    public async Task RunAsync(DateTimeOffset scheduledFor, CancellationToken cancellationToken)
    {
        var before = (scheduledFor - options.Value.HistoryRetention).UtcDateTime;
        await orchestrations.PurgeFinishedAsync(before);
        logger.LogDebug("Purged durable histories finished before {Before:o}", before);
    }
}
