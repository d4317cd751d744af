using Parley.Functions.Booking;

namespace Parley.Tests.Booking;

/// <summary>Free slots on ordinary days and on the EU and US daylight-saving switch days, both directions.</summary>
public sealed class SlotCalculatorTests
{
    private static readonly BookingRules Rules = new(TimeSpan.FromMinutes(30), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, 365, null);

    private static Availability EveryDay(string zone, params WorkingInterval[] intervals) => new(zone,
        Enum.GetValues<DayOfWeek>().ToDictionary(d => d, _ => (IReadOnlyList<WorkingInterval>)intervals), new Dictionary<DateOnly, IReadOnlyList<WorkingInterval>>(), Rules);

    private static WorkingInterval Hours(int from, int to) => new(new TimeOnly(from, 0), new TimeOnly(to, 0));

    private static readonly DateTimeOffset LongBefore = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<DateTimeOffset> Day(Availability a, DateOnly day, int minutes = 30, IReadOnlyList<Busy>? busy = null, DateTimeOffset? now = null) =>
        SlotCalculator.FreeSlots(a, TimeSpan.FromMinutes(minutes), day, day, busy ?? [], now ?? LongBefore);

    private static string Local(DateTimeOffset t, string zone) => TimeZoneInfo.ConvertTime(t, TimeZoneInfo.FindSystemTimeZoneById(zone)).ToString("HH:mm zzz", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void An_ordinary_day_offers_every_increment_that_fits_before_the_end()
    {
        var slots = Day(EveryDay("Europe/Berlin", Hours(9, 11), Hours(14, 15)), new DateOnly(2026, 6, 10), minutes: 60);

        Assert.Equal(["09:00 +02:00", "09:30 +02:00", "10:00 +02:00", "14:00 +02:00"], slots.Select(s => Local(s, "Europe/Berlin")));
    }

    [Fact]
    public void The_EU_spring_forward_gap_is_never_offered_and_slots_end_in_real_time()
    {
        // 29 March 2026, Berlin: 02:00 → 03:00.
        var slots = Day(EveryDay("Europe/Berlin", Hours(1, 4)), new DateOnly(2026, 3, 29));

        Assert.Equal(["01:00 +01:00", "01:30 +01:00", "03:00 +02:00", "03:30 +02:00"], slots.Select(s => Local(s, "Europe/Berlin")));
    }

    [Fact]
    public void The_EU_repeated_autumn_hour_offers_each_real_instant_once()
    {
        // 25 October 2026, Berlin: 03:00 → 02:00, so 02:00–02:59 happens twice.
        var slots = Day(EveryDay("Europe/Berlin", Hours(1, 4)), new DateOnly(2026, 10, 25));

        Assert.Equal(["01:00 +02:00", "01:30 +02:00", "02:00 +02:00", "02:30 +02:00", "02:00 +01:00", "02:30 +01:00", "03:00 +01:00", "03:30 +01:00"],
            slots.Select(s => Local(s, "Europe/Berlin")));
        Assert.Equal(slots.Count, slots.Distinct().Count());
        Assert.True(slots.Zip(slots.Skip(1)).All(p => p.First < p.Second));
    }

    [Fact]
    public void The_US_switch_days_behave_alike_in_both_directions()
    {
        // 8 March 2026 (02:00 → 03:00) and 1 November 2026 (02:00 → 01:00), New York.
        var spring = Day(EveryDay("America/New_York", Hours(1, 4)), new DateOnly(2026, 3, 8), minutes: 60);
        var autumn = Day(EveryDay("America/New_York", Hours(0, 3)), new DateOnly(2026, 11, 1), minutes: 60);

        // 01:30 EST + 60 min of real time ends at 03:30 EDT, inside the interval; 02:00 and 02:30 do not exist.
        Assert.Equal(["01:00 -05:00", "01:30 -05:00", "03:00 -04:00"], spring.Select(s => Local(s, "America/New_York")));
        Assert.Equal(["00:00 -04:00", "00:30 -04:00", "01:00 -04:00", "01:30 -04:00", "01:00 -05:00", "01:30 -05:00", "02:00 -05:00"],
            autumn.Select(s => Local(s, "America/New_York")));
    }

    [Fact]
    public void A_booker_in_another_zone_sees_the_same_instants_in_their_own_time()
    {
        // 10 March 2026: New York already switched (8 March), Berlin not yet (29 March) — 5 hours apart instead of 6.
        var slots = Day(EveryDay("Europe/Berlin", Hours(9, 10)), new DateOnly(2026, 3, 10));

        Assert.Equal(["04:00 -04:00", "04:30 -04:00"], slots.Select(s => Local(s, "America/New_York")));
    }

    [Fact]
    public void Existing_appointments_block_their_time_with_the_buffers_and_the_daily_cap_closes_a_day()
    {
        var day = new DateOnly(2026, 6, 10);
        var booked = new Busy(new DateTimeOffset(2026, 6, 10, 10, 0, 0, TimeSpan.FromHours(2)), new DateTimeOffset(2026, 6, 10, 10, 30, 0, TimeSpan.FromHours(2)));
        var withBuffers = EveryDay("Europe/Berlin", Hours(9, 12)) with { Rules = Rules with { BufferBefore = TimeSpan.FromMinutes(15), BufferAfter = TimeSpan.FromMinutes(15) } };
        var capped = EveryDay("Europe/Berlin", Hours(9, 12)) with { Rules = Rules with { MaxPerDay = 1 } };

        var slots = Day(withBuffers, day, busy: [booked]);

        Assert.Equal(["09:00 +02:00", "11:00 +02:00", "11:30 +02:00"], slots.Select(s => Local(s, "Europe/Berlin")));
        Assert.Empty(Day(capped, day, busy: [booked]));
    }

    [Fact]
    public void Minimum_notice_horizon_and_overrides_apply()
    {
        var a = EveryDay("Europe/Berlin", Hours(9, 12)) with
        {
            Rules = Rules with { MinimumNotice = TimeSpan.FromHours(2), DaysAhead = 1 },
            Overrides = new Dictionary<DateOnly, IReadOnlyList<WorkingInterval>> { [new DateOnly(2026, 6, 11)] = [Hours(15, 16)] },
        };
        var now = new DateTimeOffset(2026, 6, 10, 8, 15, 0, TimeSpan.FromHours(2));

        var slots = SlotCalculator.FreeSlots(a, TimeSpan.FromMinutes(30), new DateOnly(2026, 6, 10), new DateOnly(2026, 6, 20), [], now);

        Assert.Equal(["2026-06-10 10:30", "2026-06-10 11:00", "2026-06-10 11:30", "2026-06-11 15:00", "2026-06-11 15:30"],
            slots.Select(s => TimeZoneInfo.ConvertTime(s, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
