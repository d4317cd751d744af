using System.Diagnostics;

namespace Parley.Tests.Infrastructure;

/// <summary>
/// The app's clock pinned to a chosen instant, so a test never depends on the day it runs (a DST change 30 days
/// ahead, "later today" just before midnight). From there it runs on with real time, so timeouts and waits still
/// behave, and a test can jump it ahead.
/// </summary>
public sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private TimeSpan _advanced;

    public void Advance(TimeSpan by) => _advanced += by;

    public override DateTimeOffset GetUtcNow() => start + Stopwatch.GetElapsedTime(_started) + _advanced;
}
