using System.Globalization;
using Microsoft.Extensions.Options;

namespace Parley.Functions.Calls;

/// <summary>
/// Settings of section <c>Calls</c>: how long an attempt may stay silent and the waits between attempts. They are
/// read when a call starts and travel in its orchestration's input (<see cref="CallJob"/>), so a change applies to
/// calls started after it.
/// </summary>
public sealed class CallOptions
{
    public const string SectionName = "Calls";

    /// <summary>An attempt with no decisive word from the line for this long is hung up and counts as failed.</summary>
    public TimeSpan QuietLimit { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// The waits before the second, third, … attempt, comma-separated; a call has one attempt more than waits.
    /// The default is 3 attempts over 15 minutes.
    /// </summary>
    public string RetryDelays { get; set; } = "00:05:00,00:10:00";

    /// <summary><see cref="RetryDelays"/> read (the validator has made sure it reads).</summary>
    public TimeSpan[] Delays() => RetryDelays.Split(',', StringSplitOptions.TrimEntries).Select(d => TimeSpan.Parse(d, CultureInfo.InvariantCulture)).ToArray();

    internal sealed class Validator : IValidateOptions<CallOptions>
    {
        public ValidateOptionsResult Validate(string? name, CallOptions o)
        {
            var errors = new List<string>();
            if (o.QuietLimit < TimeSpan.FromSeconds(1) || o.QuietLimit > TimeSpan.FromHours(1))
            {
                errors.Add($"'{SectionName}__QuietLimit' must be between 00:00:01 and 01:00:00, not {o.QuietLimit}.");
            }
            var delays = (o.RetryDelays ?? "").Split(',', StringSplitOptions.TrimEntries);
            if (delays.Length > 9 || !delays.All(d => TimeSpan.TryParse(d, CultureInfo.InvariantCulture, out var t) && t >= TimeSpan.FromSeconds(1) && t <= TimeSpan.FromDays(1)))
            {
                errors.Add($"'{SectionName}__RetryDelays' must be 1 to 9 waits between 00:00:01 and 1.00:00:00, comma-separated (like 00:05:00,00:10:00), not '{o.RetryDelays}'.");
            }
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
