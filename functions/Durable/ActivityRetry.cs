using Microsoft.DurableTask;

namespace Parley.Functions.Durable;

/// <summary>How orchestrators call activities that may throw for a passing reason (a storage glitch, an ETag race).</summary>
public static class ActivityRetry
{
    /// <summary>
    /// Five tries, 5 s apart at first and doubling (about 75 s in all, on durable timers); then the orchestrator sees a
    /// <see cref="TaskFailedException"/>. Outcomes an activity expects (a provider outage) are returned, not thrown.
    /// </summary>
    public static readonly TaskOptions Transient = TaskOptions.FromRetryPolicy(new RetryPolicy(5, TimeSpan.FromSeconds(5), 2.0));

    /// <summary>Rounds of sends through a provider that stays unavailable before the message is marked failed (about 12 hours).</summary>
    public const int ProviderAttempts = 12;

    /// <summary>Wait after provider outage number <paramref name="attempt"/> when it named no Retry-After: 30 s, 1 min, 2 min … capped at 2 hours.</summary>
    public static TimeSpan ProviderBackoff(int attempt) => TimeSpan.FromSeconds(Math.Min(7200, 30 * Math.Pow(2, attempt)));
}
