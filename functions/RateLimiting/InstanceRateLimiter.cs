using System.Collections.Concurrent;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.RateLimiting;

/// <summary>
/// Fixed-window counters in this instance's memory, for cheap public <i>reads</i> (a booking page's free slots) where a
/// storage round trip per request would cost more than the read it guards. Each instance counts on its own, so the
/// effective limit grows with the instance count; anything that writes or sends uses <see cref="TableRateLimiter"/>.
/// </summary>
public sealed class InstanceRateLimiter(TimeProvider time)
{
    private const int MaxKeys = 100_000;
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    private sealed class Window(long start)
    {
        public readonly long Start = start;
        public int Count;
    }

    public RateLimitDecision Hit(string policy, string key, int limit, TimeSpan window)
    {
        var now = time.GetUtcNow().UtcTicks;
        var start = now - now % window.Ticks;
        if (_windows.Count > MaxKeys)
        {
            foreach (var (k, w) in _windows)
            {
                if (w.Start < start)
                {
                    _windows.TryRemove(k, out _);
                }
            }
        }
        var current = _windows.AddOrUpdate(policy + "|" + key, _ => new Window(start), (_, w) => w.Start == start ? w : new Window(start));
        var count = Interlocked.Increment(ref current.Count);
        return new RateLimitDecision(count <= limit, TimeSpan.FromTicks(start + window.Ticks - now));
    }
}

public static class InstanceRateLimitEndpointExtensions
{
    /// <summary>Limits the endpoint per client address in this instance's memory (see <see cref="InstanceRateLimiter"/>).</summary>
    public static TBuilder RateLimitedPerClientInMemory<TBuilder>(this TBuilder builder, RateLimitPolicy policy) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var effective = policy.WithConfiguration(http.RequestServices.GetRequiredService<IConfiguration>());
            var decision = http.RequestServices.GetRequiredService<InstanceRateLimiter>().Hit(effective.Name, ClientAddress.RateLimitKey(http), effective.Limit, effective.Window);
            return decision.Allowed
                ? await next(context)
                : RateLimitEndpointExtensions.TooMany(http, decision.RetryAfter, L("Too many requests from your network. Please wait a moment and try again."));
        });
}
