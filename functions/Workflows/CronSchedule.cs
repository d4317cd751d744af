using System.Globalization;

namespace Parley.Functions.Workflows;

/// <summary>
/// The six-field NCRONTAB expressions of Functions timer triggers (<c>second minute hour day month day-of-week</c>),
/// evaluated in UTC as the host does by default. Supports <c>*</c>, numbers, ranges <c>a-b</c>, steps <c>*/n</c> and
/// <c>a-b/n</c>, and lists. When both day fields are restricted, a time must match both.
/// </summary>
public sealed class CronSchedule
{
    private readonly bool[] _seconds, _minutes, _hours, _days, _months, _weekdays;

    private CronSchedule(bool[] seconds, bool[] minutes, bool[] hours, bool[] days, bool[] months, bool[] weekdays, string expression)
    {
        (_seconds, _minutes, _hours, _days, _months, _weekdays) = (seconds, minutes, hours, days, months, weekdays);
        Expression = expression;
    }

    public string Expression { get; }

    public static CronSchedule Parse(string expression)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 6)
        {
            throw new FormatException($"'{expression}' is not a six-field NCRONTAB expression (second minute hour day month day-of-week).");
        }
        return new CronSchedule(
            Field(fields[0], 0, 59, expression), Field(fields[1], 0, 59, expression), Field(fields[2], 0, 23, expression),
            Field(fields[3], 1, 31, expression), Field(fields[4], 1, 12, expression), Field(fields[5], 0, 6, expression), expression);
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, in UTC.</summary>
    public DateTimeOffset GetNextOccurrence(DateTimeOffset after)
    {
        var t = after.UtcDateTime;
        t = new DateTime(t.Year, t.Month, t.Day, t.Hour, t.Minute, t.Second, DateTimeKind.Utc).AddSeconds(1);
        var limit = t.AddYears(5);
        while (t < limit)
        {
            if (!_months[t.Month]) { t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1); continue; }
            if (!_days[t.Day] || !_weekdays[(int)t.DayOfWeek]) { t = t.Date.AddDays(1); continue; }
            if (!_hours[t.Hour]) { t = t.Date.AddHours(t.Hour + 1); continue; }
            if (!_minutes[t.Minute]) { t = t.Date.AddHours(t.Hour).AddMinutes(t.Minute + 1); continue; }
            if (!_seconds[t.Second]) { t = t.AddSeconds(1); continue; }
            return new DateTimeOffset(t);
        }
        throw new InvalidOperationException($"'{Expression}' has no occurrence within five years.");
    }

    private static bool[] Field(string field, int min, int max, string expression)
    {
        var allowed = new bool[max + 1];
        foreach (var part in field.Split(','))
        {
            var step = 1;
            var range = part;
            var slash = part.IndexOf('/');
            if (slash >= 0)
            {
                step = Number(part[(slash + 1)..], 1, max, expression);
                range = part[..slash];
            }
            int from, to;
            if (range == "*")
            {
                (from, to) = (min, max);
            }
            else if (range.IndexOf('-') is var dash and > 0)
            {
                (from, to) = (Number(range[..dash], min, max, expression), Number(range[(dash + 1)..], min, max, expression));
                if (from > to)
                {
                    throw new FormatException($"'{expression}': range {range} runs backwards.");
                }
            }
            else
            {
                from = Number(range, min, max, expression);
                to = slash >= 0 ? max : from;
            }
            for (var i = from; i <= to; i += step)
            {
                allowed[i] = true;
            }
        }
        return allowed;
    }

    private static int Number(string s, int min, int max, string expression) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new FormatException($"'{expression}': '{s}' is not a number from {min} to {max}.");
}
