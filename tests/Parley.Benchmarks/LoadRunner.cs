using System.Diagnostics;

namespace Parley.Benchmarks;

/// <summary>Runs an operation from N concurrent callers for a fixed time and reports throughput and latency.</summary>
internal static class LoadRunner
{
    public static async Task<Measurement> RunAsync(string name, int concurrency, TimeSpan duration, Func<int, long, Task> operation)
    {
        var latencies = new List<double>[concurrency];
        var errors = 0L;
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = new List<double>(64 * 1024);
            for (long i = 0; Stopwatch.GetTimestamp() < stopAt; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await operation(worker, i);
                    mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Measurement(name, all.Length / elapsed.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.99), errors);
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}

internal sealed record Measurement(string Name, double PerSecond, double P50, double P99, long Errors);
