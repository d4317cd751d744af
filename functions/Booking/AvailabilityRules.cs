using System.Globalization;
using System.Text.RegularExpressions;
using Parley.Functions.Common;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Booking;

/// <summary>Checks an availability change and merges it into the current settings (errors by field, camelCase as sent).</summary>
public static partial class AvailabilityRules
{
    public const int MaxIntervalsPerDay = 6;
    public const int MaxOverrides = 200;
    public const int MaxLengths = 6;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")]
    private static partial Regex HandlePattern();

    public static bool IsHandle(string? handle) => handle is not null && HandlePattern().IsMatch(handle) && !handle.Contains("--", StringComparison.Ordinal);

    public static OperatorAvailability? Apply(Validation v, OperatorAvailability current, AvailabilityBody body, DateOnly today)
    {
        var rules = current.Availability.Rules;
        var handle = current.Handle;
        if (body.Handle is not null)
        {
            var trimmed = body.Handle.Trim().ToLowerInvariant();
            if (trimmed.Length == 0)
            {
                handle = null;
            }
            else if (!IsHandle(trimmed))
            {
                v.Add("handle", L("Use 3 to 40 lower-case letters, digits and single hyphens, e.g. anna-berger."));
            }
            else
            {
                handle = trimmed;
            }
        }
        var enabled = body.Enabled ?? current.Enabled;
        if (enabled && handle is null && v.IsValid)
        {
            v.Add("handle", L("Choose the address of your booking page before publishing it."));
        }
        var zone = body.TimeZone is null ? current.Availability.TimeZone : v.TimeZone("timeZone", body.TimeZone) ?? current.Availability.TimeZone;

        var weekly = new Dictionary<DayOfWeek, IReadOnlyList<WorkingInterval>>(current.Availability.Weekly);
        if (body.Weekly is not null)
        {
            foreach (var (name, list) in body.Weekly)
            {
                var day = AvailabilityWire.Week.Where(d => AvailabilityWire.DayName(d) == name).Select(d => (DayOfWeek?)d).FirstOrDefault();
                if (day is null)
                {
                    v.Add("weekly", L("Use the days monday to sunday."));
                    continue;
                }
                weekly[day.Value] = Intervals(v, $"weekly.{name}", list ?? []) ?? [];
            }
        }

        var overrides = new Dictionary<DateOnly, IReadOnlyList<WorkingInterval>>(current.Availability.Overrides);
        if (body.Overrides is not null)
        {
            overrides.Clear();
            if (body.Overrides.Count > MaxOverrides)
            {
                v.Add("overrides", L("Keep at most {0} date overrides.", MaxOverrides));
            }
            for (var i = 0; i < body.Overrides.Count && i < MaxOverrides; i++)
            {
                var o = body.Overrides[i];
                if (o is null || !DateOnly.TryParseExact(o.Date ?? "", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    v.Add($"overrides[{i}].date", L("Use a date like 2026-12-24."));
                    continue;
                }
                if (!overrides.TryAdd(date, Intervals(v, $"overrides[{i}].intervals", o.Intervals ?? []) ?? []))
                {
                    v.Add($"overrides[{i}].date", L("This date has two overrides; keep one."));
                }
            }
            // Overrides of days gone by are of no use any more: they are dropped rather than kept forever.
            foreach (var past in overrides.Keys.Where(d => d < today.AddDays(-1)).ToList())
            {
                overrides.Remove(past);
            }
        }

        var lengths = current.Lengths;
        if (body.Lengths is not null)
        {
            if (body.Lengths.Count is 0 or > MaxLengths)
            {
                v.Add("lengths", L("Offer between 1 and {0} meeting lengths.", MaxLengths));
            }
            else if (body.Lengths.Any(l => l is < 5 or > 720 || l % 5 != 0))
            {
                v.Add("lengths", L("Meeting lengths are 5 to 720 minutes, in steps of 5."));
            }
            else
            {
                lengths = body.Lengths.Distinct().Order().ToList();
            }
        }
        var increment = Minutes(v, "increment", body.Increment, rules.Increment, 5, 720);
        var before = Minutes(v, "bufferBefore", body.BufferBefore, rules.BufferBefore, 0, 240);
        var after = Minutes(v, "bufferAfter", body.BufferAfter, rules.BufferAfter, 0, 240);
        var notice = Minutes(v, "minimumNotice", body.MinimumNotice, rules.MinimumNotice, 0, 60 * 24 * 60);
        var daysAhead = rules.DaysAhead;
        if (body.DaysAhead is { } days)
        {
            if (days is < 1 or > 730)
            {
                v.Add("daysAhead", L("Enter a number from {0} to {1}.", 1, 730));
            }
            daysAhead = days;
        }
        // 0 removes the cap; leaving it out keeps the current one.
        var cap = body.MaxPerDay is null ? rules.MaxPerDay : body.MaxPerDay == 0 ? null : body.MaxPerDay;
        if (cap is < 1 or > 100)
        {
            v.Add("maxPerDay", L("Enter a number from {0} to {1}, or 0 for no limit.", 1, 100));
        }
        if (!v.IsValid)
        {
            return null;
        }
        return current with
        {
            Enabled = enabled,
            Handle = handle,
            Availability = new Availability(zone, weekly, overrides, new BookingRules(increment, before, after, notice, daysAhead, cap)),
            Lengths = lengths,
        };
    }

    private static TimeSpan Minutes(Validation v, string field, int? value, TimeSpan current, int min, int max)
    {
        if (value is null)
        {
            return current;
        }
        if (value < min || value > max)
        {
            v.Add(field, L("Enter a number from {0} to {1}.", min, max));
            return current;
        }
        return TimeSpan.FromMinutes(value.Value);
    }

    private static List<WorkingInterval>? Intervals(Validation v, string field, IReadOnlyList<IntervalBody?> list)
    {
        if (list.Count > MaxIntervalsPerDay)
        {
            v.Add(field, L("Use at most {0} intervals a day.", MaxIntervalsPerDay));
            return null;
        }
        var result = new List<WorkingInterval>();
        foreach (var i in list)
        {
            if (i is null || !TryTime(i.Start, out var from) || !TryTime(i.End, out var to))
            {
                v.Add(field, L("Enter times like 09:00 and 17:30."));
                return null;
            }
            if (to <= from)
            {
                v.Add(field, L("Each interval must end after it starts."));
                return null;
            }
            result.Add(new WorkingInterval(from, to));
        }
        result.Sort((a, b) => a.From.CompareTo(b.From));
        for (var k = 1; k < result.Count; k++)
        {
            if (result[k].From < result[k - 1].To)
            {
                v.Add(field, L("The intervals of a day must not overlap."));
                return null;
            }
        }
        return result;
    }

    private static bool TryTime(string? text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text ?? "", "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
}
