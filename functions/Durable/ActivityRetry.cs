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
}
