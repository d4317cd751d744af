using Microsoft.Extensions.Options;
using Parley.Functions.Accounts;
using Parley.Functions.Appointments;
using Parley.Functions.Identity;
using Parley.Functions.Meetings.Media;

namespace Parley.Functions.Meetings;

/// <summary>
/// What the meeting's media provider must hear when the appointment changes: a move gives its room the new window (the
/// link stays the same), a cancellation closes it. Called after the appointment is saved; a provider failure here is
/// logged, not the caller's failure (the appointment is changed either way, and the provider's own cleanup runs at the
/// end of the stored window).
/// </summary>
public sealed class MeetingLifecycle(IMeetingMedia media, AccountStore accounts, IOptions<MeetingOptions> options, ILogger<MeetingLifecycle> logger)
{
    public Task MovedAsync(Appointment a, CancellationToken ct) => RunAsync(a, "move", room => media.MoveAsync(room, ct), ct);

    public Task CancelledAsync(Appointment a, CancellationToken ct) => RunAsync(a, "close", room => media.EndAsync(room, ct), ct);

    private async Task RunAsync(Appointment a, string what, Func<MediaRoom, Task> action, CancellationToken ct)
    {
        try
        {
            var account = await accounts.GetSettingsAsync(new Tenant(a.AccountId, null, OperatorRole.Administrator, "meeting"), ct);
            var opens = a.Start - TimeSpan.FromMinutes(account?.MeetingOpensMinutesBefore ?? 10);
            await action(new MediaRoom(a.AccountId, a.Id, opens, a.End + options.Value.EndsAfter));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not {What} the media room of appointment {AppointmentId} (account {AccountId}); the provider's cleanup covers it at the end of the stored window",
                what, a.Id, a.AccountId);
        }
    }
}
