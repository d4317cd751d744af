namespace Parley.Functions.Booking;

/// <summary>A span of wall-clock time within one day of the operator's zone, e.g. 09:00–12:30.</summary>
public sealed record WorkingInterval(TimeOnly From, TimeOnly To);

/// <summary>
/// When an operator can be booked: weekly working hours in the operator's own IANA zone (several intervals a day),
/// date overrides (a day off is an empty list, or other hours on that date), and the booking rules.
/// </summary>
public sealed record Availability(
    string TimeZone,
    IReadOnlyDictionary<DayOfWeek, IReadOnlyList<WorkingInterval>> Weekly,
    IReadOnlyDictionary<DateOnly, IReadOnlyList<WorkingInterval>> Overrides,
    BookingRules Rules);

/// <summary>Slot start increment, buffers around every appointment, minimum notice, rolling horizon, daily cap.</summary>
public sealed record BookingRules(TimeSpan Increment, TimeSpan BufferBefore, TimeSpan BufferAfter, TimeSpan MinimumNotice, int DaysAhead, int? MaxPerDay);

/// <summary>Time the operator is already booked (any appointment: dashboard, API, other bookings), in UTC.</summary>
public sealed record Busy(DateTimeOffset Start, DateTimeOffset End);

/// <summary>
/// Free slot starts of one meeting length, as real instants (UTC). Candidates are laid out on the operator's wall clock
/// (09:00, 09:30 …) and each is turned into the instants it denotes: none in the spring-forward gap (never offered),
/// two in the repeated autumn hour (each real instant offered once), one otherwise. A slot must end, in real time,
/// within its working interval; its buffers must not touch existing appointments (whose buffers count too).
/// </summary>
public static class SlotCalculator
{
    public static IReadOnlyList<DateTimeOffset> FreeSlots(Availability availability, TimeSpan length, DateOnly fromDay, DateOnly toDay,
        IReadOnlyList<Busy> busy, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(length, TimeSpan.Zero);
        var rules = availability.Rules;
        if (rules.Increment <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(availability), "The slot increment must be positive.");
        }
        var zone = TimeZoneInfo.FindSystemTimeZoneById(availability.TimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var lastDay = today.AddDays(rules.DaysAhead);
        var earliest = now + rules.MinimumNotice;
        var slots = new SortedSet<DateTimeOffset>();
        for (var day = fromDay < today ? today : fromDay; day <= toDay && day <= lastDay; day = day.AddDays(1))
        {
            var intervals = availability.Overrides.TryGetValue(day, out var special) ? special
                : availability.Weekly.TryGetValue(day.DayOfWeek, out var usual) ? usual : [];
            var daySlots = new List<DateTimeOffset>();
            foreach (var interval in intervals)
            {
                var intervalStart = Earliest(zone, day.ToDateTime(interval.From));
                var intervalEnd = Latest(zone, interval.To == TimeOnly.MinValue ? day.AddDays(1).ToDateTime(TimeOnly.MinValue) : day.ToDateTime(interval.To));
                for (var wall = day.ToDateTime(interval.From); ; wall += rules.Increment)
                {
                    if (Earliest(zone, wall) >= intervalEnd)
                    {
                        break;
                    }
                    foreach (var start in Instants(zone, wall))
                    {
                        if (start >= intervalStart && start + length <= intervalEnd && start >= earliest
                            && !busy.Any(b => start - rules.BufferBefore < b.End + rules.BufferAfter && b.Start - rules.BufferBefore < start + length + rules.BufferAfter))
                        {
                            daySlots.Add(start);
                        }
                    }
                }
            }
            if (rules.MaxPerDay is { } max && BookedOn(zone, day, busy) >= max)
            {
                continue;
            }
            slots.UnionWith(daySlots);
        }
        return [.. slots];
    }

    /// <summary>The real instants a wall-clock time denotes in the zone: 0 (skipped), 1, or 2 (repeated hour).</summary>
    public static IEnumerable<DateTimeOffset> Instants(TimeZoneInfo zone, DateTime wall)
    {
        wall = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(wall))
        {
            yield break;
        }
        if (zone.IsAmbiguousTime(wall))
        {
            foreach (var offset in zone.GetAmbiguousTimeOffsets(wall).OrderDescending())
            {
                yield return new DateTimeOffset(wall, offset).ToUniversalTime();
            }
            yield break;
        }
        yield return new DateTimeOffset(wall, zone.GetUtcOffset(wall)).ToUniversalTime();
    }

    /// <summary>The first real instant at or after a wall-clock time (a time in the gap moves to the end of the gap).</summary>
    private static DateTimeOffset Earliest(TimeZoneInfo zone, DateTime wall)
    {
        for (var probe = wall; ; probe = probe.AddMinutes(1))
        {
            if (Instants(zone, probe).FirstOrDefault() is var first && first != default)
            {
                return first;
            }
        }
    }

    /// <summary>The last real instant a wall-clock end time denotes (the later one in a repeated hour).</summary>
    private static DateTimeOffset Latest(TimeZoneInfo zone, DateTime wall) =>
        Instants(zone, wall).DefaultIfEmpty(Earliest(zone, wall)).Max();

    private static int BookedOn(TimeZoneInfo zone, DateOnly day, IReadOnlyList<Busy> busy) =>
        busy.Count(b => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(b.Start, zone).DateTime) == day);
}
