using Parley.Functions.Common;

namespace Parley.Tests.Cases;

/// <summary>The 2026 daylight-saving transitions in Berlin and New York, against instants computed from tzdata.</summary>
public sealed class WallClockTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Theory]
    [InlineData("Europe/Berlin", "2026-03-29T01:59", "2026-03-29T00:59:00Z")] // last minute of winter time
    [InlineData("Europe/Berlin", "2026-03-29T03:00", "2026-03-29T01:00:00Z")] // first minute of summer time
    [InlineData("Europe/Berlin", "2026-10-25T02:30", "2026-10-25T00:30:00Z")] // ambiguous: the first occurrence (summer time)
    [InlineData("Europe/Berlin", "2026-10-25T03:00", "2026-10-25T02:00:00Z")]
    [InlineData("America/New_York", "2026-03-08T01:59", "2026-03-08T06:59:00Z")]
    [InlineData("America/New_York", "2026-03-08T03:00", "2026-03-08T07:00:00Z")]
    [InlineData("America/New_York", "2026-11-01T01:30", "2026-11-01T05:30:00Z")] // ambiguous: the first occurrence (EDT)
    [InlineData("America/New_York", "2026-11-01T02:00", "2026-11-01T07:00:00Z")]
    public void Wall_clock_times_resolve_to_the_tzdata_instant(string zone, string local, string expectedUtc)
    {
        Assert.True(WallClock.TryResolve(local, TimeZoneInfo.FindSystemTimeZoneById(zone), out var instant, out var error), error);
        Assert.Equal(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), instant);
    }

    [Theory]
    [InlineData("Europe/Berlin", "2026-03-29T02:00")]
    [InlineData("Europe/Berlin", "2026-03-29T02:30")]
    [InlineData("Europe/Berlin", "2026-03-29T02:59")]
    [InlineData("America/New_York", "2026-03-08T02:30")]
    [InlineData("Europe/Berlin", "2026-03-29T02:30:00+01:00")]
    [InlineData("Europe/Berlin", "2026-03-29T02:30:00+02:00")]
    public void Times_in_the_spring_forward_gap_are_refused(string zone, string local)
    {
        Assert.False(WallClock.TryResolve(local, TimeZoneInfo.FindSystemTimeZoneById(zone), out _, out var error));
        Assert.Contains("does not exist", error);
    }

    [Fact]
    public void An_explicit_offset_picks_either_occurrence_of_an_ambiguous_time()
    {
        Assert.True(WallClock.TryResolve("2026-10-25T02:30:00+02:00", Berlin, out var first, out _));
        Assert.True(WallClock.TryResolve("2026-10-25T02:30:00+01:00", Berlin, out var second, out _));

        Assert.Equal(TimeSpan.FromHours(1), second - first);
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 1, 30, 0, TimeSpan.Zero), second);
    }

    [Fact]
    public void An_offset_that_is_not_the_zones_offset_at_that_time_is_refused()
    {
        Assert.False(WallClock.TryResolve("2026-07-01T10:00:00+01:00", Berlin, out _, out var error));
        Assert.Contains("+02:00", error);
        Assert.True(WallClock.TryResolve("2026-07-01T08:00:00Z", NewYork, out var utc, out _));
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 8, 0, 0, TimeSpan.Zero), utc);
    }

    [Theory]
    [InlineData("")]
    [InlineData("tomorrow at ten")]
    [InlineData("2026-13-01T10:00")]
    public void Unreadable_times_are_refused(string text)
    {
        Assert.False(WallClock.TryResolve(text, Berlin, out _, out var error));
        Assert.NotNull(error);
    }
}
