using Microsoft.Extensions.Options;

namespace Parley.Functions.Meetings.Media.Acs;

/// <summary>
/// Settings of section <c>Meetings:Acs</c> (environment: <c>Meetings__Acs__…</c>). The connection to Communication
/// Services is the app's one <c>Communication__ConnectionString</c>; these only shape meetings.
/// </summary>
public sealed class AcsMediaOptions
{
    public const string SectionName = "Meetings:Acs";

    /// <summary>
    /// How long a participant's ACS token lives (ACS accepts 1 to 24 hours). The page asks for a fresh one a few minutes
    /// before it expires, so a long meeting goes on; a short lifetime limits what a leaked token is worth.
    /// </summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long after the end of a meeting's window its ACS room, identities and tokens are deleted when nobody ended it
    /// (a meeting that runs over keeps its room this long).
    /// </summary>
    public TimeSpan CleanupGrace { get; set; } = TimeSpan.FromMinutes(15);

    internal sealed class Validator(IConfiguration configuration) : IValidateOptions<AcsMediaOptions>
    {
        public ValidateOptionsResult Validate(string? name, AcsMediaOptions o)
        {
            var errors = new List<string>();
            if (o.TokenLifetime < TimeSpan.FromHours(1) || o.TokenLifetime > TimeSpan.FromHours(24) || o.TokenLifetime.Ticks % TimeSpan.TicksPerMinute != 0)
            {
                errors.Add($"'Meetings__Acs__TokenLifetime' must be whole minutes between 01:00:00 and 1.00:00:00 (what ACS accepts), not {o.TokenLifetime}.");
            }
            if (o.CleanupGrace < TimeSpan.Zero || o.CleanupGrace > TimeSpan.FromDays(1))
            {
                errors.Add($"'Meetings__Acs__CleanupGrace' must be between 00:00:00 and 1.00:00:00, not {o.CleanupGrace}.");
            }
            try
            {
                Communication.Acs.AcsConnection.FromSettings(configuration);
            }
            catch (InvalidOperationException ex)
            {
                errors.Add("Meetings on ACS need the Communication Services connection: " + ex.Message);
            }
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
