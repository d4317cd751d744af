using Parley.Functions.Workflows;

namespace Parley.Tests.Hosting;

public sealed class CronScheduleTests
{
    private static DateTimeOffset At(string s) => DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("0 */5 * * * *", "2026-11-22T10:00:00Z", "2026-11-22T10:05:00Z")]
    [InlineData("0 */5 * * * *", "2026-11-22T10:04:59Z", "2026-11-22T10:05:00Z")]
    [InlineData("0 */5 * * * *", "2026-11-22T23:59:30Z", "2026-11-23T00:00:00Z")]
    [InlineData("30 15 9 * * 1-5", "2026-11-21T10:00:00Z", "2026-11-23T09:15:30Z")] // Saturday → Monday
    [InlineData("0 0 0 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z")]
    [InlineData("0 0,30 8-9 * * *", "2026-11-22T08:45:00Z", "2026-11-22T09:00:00Z")]
    [InlineData("*/20 * * * * *", "2026-11-22T10:00:45Z", "2026-11-22T10:01:00Z")]
    [InlineData("0 0 12 31 12 *", "2026-12-31T12:00:00Z", "2027-12-31T12:00:00Z")]
    public void Next_occurrence_is_the_first_matching_second_after_the_given_time(string expression, string after, string expected)
    {
        Assert.Equal(At(expected), CronSchedule.Parse(expression).GetNextOccurrence(At(after)));
    }

    [Theory]
    [InlineData("0 30 9 * * Mon-Fri", "2026-11-21T10:00:00Z", "2026-11-23T09:30:00Z")] // Saturday → Monday
    [InlineData("0 0 6 1 Jan *", "2026-11-22T10:00:00Z", "2027-01-01T06:00:00Z")]
    public void Day_and_month_names_are_read_as_the_Functions_host_reads_them(string expression, string after, string expected)
    {
        Assert.Equal(At(expected), CronSchedule.Parse(expression).GetNextOccurrence(At(after)));
    }

    [Fact]
    public void A_schedule_that_never_fires_says_so_instead_of_waiting_forever()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => CronSchedule.Parse("0 0 0 31 2 *").GetNextOccurrence(At("2026-11-22T10:00:00Z")));
        Assert.Contains("0 0 0 31 2 *", ex.Message);
    }

    [Theory]
    [InlineData("0 */5 * * *")]
    [InlineData("60 * * * * *")]
    [InlineData("0 0 24 * * *")]
    [InlineData("0 0 0 0 * *")]
    [InlineData("0 0 0 * 13 *")]
    [InlineData("0 0 0 * * 7")]
    [InlineData("0 5-1 * * * *")]
    [InlineData("0 x * * * *")]
    public void Malformed_expressions_are_rejected_with_the_expression_in_the_message(string expression)
    {
        var ex = Assert.Throws<FormatException>(() => CronSchedule.Parse(expression));
        Assert.Contains(expression, ex.Message);
    }
}
