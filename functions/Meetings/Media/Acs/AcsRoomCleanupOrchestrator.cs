using Microsoft.DurableTask;
using Microsoft.Extensions.Options;
using Parley.Functions.Durable;

namespace Parley.Functions.Meetings.Media.Acs;

/// <summary>The meeting whose ACS room a cleanup looks after.</summary>
public sealed record AcsRoomKey(string AccountId, string AppointmentId);

/// <summary>
/// Deletes a meeting's ACS room, identities and tokens when nobody ended the meeting (instance
/// <c>acsroom-{account}-{appointment}</c>, started once before the room is created), read top to bottom: ask
/// <see cref="AcsRoomCleanupActivity"/>, which reads the stored window (a move changes it) and either ends the media
/// because the window plus the grace has passed, or answers when to look again; wait on a durable timer until then;
/// repeat. A meeting ended and cleared explicitly answers "nothing to do" and the instance completes.
/// </summary>
public sealed class AcsRoomCleanupOrchestrator : TaskOrchestrator<AcsRoomKey, bool>
{
    public static string InstanceId(string accountId, string appointmentId) => $"acsroom-{accountId}-{appointmentId}";

    public override async Task<bool> RunAsync(TaskOrchestrationContext context, AcsRoomKey input)
    {
        while (true)
        {
            var next = await context.CallActivityAsync<AcsCleanupStep>(nameof(AcsRoomCleanupActivity), input, ActivityRetry.Transient);
            if (next.LookAgainAt is not { } due)
            {
                return next.Ended;
            }
            context.SetCustomStatus(new { waitingUntil = due });
            await context.CreateTimer(due.UtcDateTime, CancellationToken.None);
        }
    }
}

/// <summary>What the cleanup activity did: ended the media now (<see cref="Ended"/>), found nothing to do, or asks to look again.</summary>
public sealed record AcsCleanupStep(bool Ended, DateTimeOffset? LookAgainAt);

/// <summary>
/// Reads the meeting's stored window: not over yet (window end plus <see cref="AcsMediaOptions.CleanupGrace"/> ahead)
/// and not ended → look again then; over, or ended but not yet cleared (an ending that ACS interrupted) →
/// <see cref="AcsMeetingMedia.EndAsync"/>; cleared or unknown → nothing. While ACS is unavailable it looks again after
/// Retry-After or 5 minutes, so an outage never loses a cleanup; a refusal throws (the instance fails, visibly).
/// </summary>
public sealed class AcsRoomCleanupActivity(AcsMediaStore store, AcsMeetingMedia media, IOptions<AcsMediaOptions> options, TimeProvider time, ILogger<AcsRoomCleanupActivity> logger)
    : TaskActivity<AcsRoomKey, AcsCleanupStep>
{
    public static readonly TimeSpan OutageRetry = TimeSpan.FromMinutes(5);

    public override async Task<AcsCleanupStep> RunAsync(TaskActivityContext context, AcsRoomKey input)
    {
        var record = await store.GetRoomAsync(input.AccountId, input.AppointmentId, CancellationToken.None);
        if (record is null || record.IsCleared)
        {
            return new AcsCleanupStep(false, null);
        }
        var now = time.GetUtcNow();
        var due = record.ValidUntil + options.Value.CleanupGrace;
        if (due > now && !record.IsEnded)
        {
            return new AcsCleanupStep(false, due);
        }
        try
        {
            await media.EndAsync(new MediaRoom(record.AccountId, record.AppointmentId, record.ValidFrom, record.ValidUntil), CancellationToken.None);
        }
        catch (MeetingMediaException ex) when (ex.Failure == MeetingMediaFailure.Unavailable)
        {
            logger.LogWarning(ex, "Cleaning up the ACS room of {AccountId}/{AppointmentId} waits for Communication Services", record.AccountId, record.AppointmentId);
            return new AcsCleanupStep(false, now + (ex.RetryAfter ?? OutageRetry));
        }
        return new AcsCleanupStep(true, null);
    }
}
