using System.Globalization;
using Azure;

namespace Parley.Functions.Booking;

/// <summary>
/// An operator's booking page settings: whether it is published and under which handle, the working hours and rules
/// (<see cref="Availability"/>, used by <see cref="SlotCalculator"/>) and the meeting lengths offered.
/// </summary>
public sealed record OperatorAvailability(string AccountId, string OperatorId, bool Enabled, string? Handle, Availability Availability, IReadOnlyList<int> Lengths)
{
    public ETag ETag { get; init; }

    /// <summary>Not saved yet: Monday to Friday 09:00–17:00 in the operator's zone, 30-minute meetings, unpublished.</summary>
    public static OperatorAvailability Default(string accountId, string operatorId, string timeZone)
    {
        IReadOnlyList<WorkingInterval> office = [new(new TimeOnly(9, 0), new TimeOnly(17, 0))];
        var weekly = Enum.GetValues<DayOfWeek>().ToDictionary(d => d, d => d is DayOfWeek.Saturday or DayOfWeek.Sunday ? [] : office);
        return new OperatorAvailability(accountId, operatorId, false, null,
            new Availability(timeZone, weekly, new Dictionary<DateOnly, IReadOnlyList<WorkingInterval>>(),
                new BookingRules(TimeSpan.FromMinutes(30), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromHours(4), 30, null)),
            [30]);
    }
}

/// <summary>One interval on the wire: "09:00"–"12:30".</summary>
public sealed record IntervalBody(string? Start, string? End);

public sealed record OverrideBody(string? Date, IReadOnlyList<IntervalBody>? Intervals);

/// <summary>
/// <c>GET/PUT /api/operators/{id}/availability</c> (see docs/booking.md). On PUT every member is optional: what is
/// left out keeps its current value. Minutes for lengths, increment, buffers and notice.
/// </summary>
public sealed record AvailabilityBody(
    bool? Enabled,
    string? Handle,
    string? TimeZone,
    IReadOnlyDictionary<string, IReadOnlyList<IntervalBody>?>? Weekly,
    IReadOnlyList<OverrideBody>? Overrides,
    IReadOnlyList<int>? Lengths,
    int? Increment,
    int? BufferBefore,
    int? BufferAfter,
    int? MinimumNotice,
    int? DaysAhead,
    int? MaxPerDay,
    string? BookingUrl = null);

public static class AvailabilityWire
{
    public static readonly DayOfWeek[] Week =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    public static string DayName(DayOfWeek day) => day.ToString().ToLowerInvariant();

    public static string Time(TimeOnly t) => t.ToString("HH:mm", CultureInfo.InvariantCulture);

    public static IReadOnlyList<IntervalBody> Intervals(IReadOnlyList<WorkingInterval> list) => list.Select(i => new IntervalBody(Time(i.From), Time(i.To))).ToList();

    /// <summary>The saved settings as the API shows (and the store keeps) them.</summary>
    public static AvailabilityBody ToBody(OperatorAvailability a, string? bookingUrl)
    {
        var rules = a.Availability.Rules;
        return new AvailabilityBody(a.Enabled, a.Handle, a.Availability.TimeZone,
            Week.ToDictionary(DayName, d => (IReadOnlyList<IntervalBody>?)Intervals(a.Availability.Weekly.TryGetValue(d, out var list) ? list : [])),
            a.Availability.Overrides.OrderBy(o => o.Key).Select(o => new OverrideBody(o.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Intervals(o.Value))).ToList(),
            a.Lengths, (int)rules.Increment.TotalMinutes, (int)rules.BufferBefore.TotalMinutes, (int)rules.BufferAfter.TotalMinutes,
            (int)rules.MinimumNotice.TotalMinutes, rules.DaysAhead, rules.MaxPerDay, bookingUrl);
    }
}
