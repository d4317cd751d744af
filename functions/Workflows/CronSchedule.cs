using System.Globalization;
using System.Text.RegularExpressions;
using NCrontab;

namespace Parley.Functions.Workflows;

/// <summary>
/// The six-field NCRONTAB expressions of Functions timer triggers (<c>second minute hour day month day-of-week</c>),
/// parsed by NCrontab, the library the Functions host itself uses, so a schedule fires locally when it fires in
/// Azure. Evaluated in UTC as the host does by default.
/// </summary>
public sealed partial class CronSchedule
{
    private static readonly CrontabSchedule.ParseOptions WithSeconds = new() { IncludingSeconds = true };
    private readonly CrontabSchedule _schedule;

    private CronSchedule(CrontabSchedule schedule, string expression) => (_schedule, Expression) = (schedule, expression);

    public string Expression { get; }

    public static CronSchedule Parse(string expression)
    {
        // NCrontab quietly accepts a range that runs backwards (5-1); a schedule that says so is a typo, not a wish.
        if (BackwardsRange().Matches(expression).FirstOrDefault(m => int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture) > int.Parse(m.Groups[2].ValueSpan, CultureInfo.InvariantCulture)) is { } backwards)
        {
            throw new FormatException($"'{expression}': range {backwards.Value} runs backwards.");
        }
        var schedule = CrontabSchedule.TryParse(expression, WithSeconds, s => s, error => throw new FormatException(
            $"'{expression}' is not a six-field NCRONTAB expression (second minute hour day month day-of-week): {error().Message}"));
        return new CronSchedule(schedule, expression);
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, in UTC.</summary>
    public DateTimeOffset GetNextOccurrence(DateTimeOffset after)
    {
        var start = after.UtcDateTime;
        var limit = start.AddYears(5);
        var next = _schedule.GetNextOccurrence(start, limit);
        return next < limit
            ? new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc))
            : throw new InvalidOperationException($"'{Expression}' has no occurrence within five years.");
    }

    [GeneratedRegex(@"(\d+)-(\d+)")]
    private static partial Regex BackwardsRange();
}
