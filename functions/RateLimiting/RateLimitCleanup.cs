using Parley.Functions.Maintenance;

namespace Parley.Functions.RateLimiting;

/// <summary>Sweep task: deletes rate-limit windows that ended more than an hour ago, so the table stays small.</summary>
public sealed class RateLimitCleanup(TableRateLimiter limiter, TimeProvider time, ILogger<RateLimitCleanup> logger) : ISweepTask
{
    public string Name => "rate-limit-cleanup";

    public async Task RunAsync(DateTimeOffset scheduledFor, CancellationToken cancellationToken)
    {
        var deleted = await limiter.DeleteExpiredAsync(time.GetUtcNow() - TimeSpan.FromHours(1), cancellationToken);
        if (deleted > 0)
        {
            logger.LogInformation("Deleted {Count} expired rate-limit windows", deleted);
        }
    }
}
