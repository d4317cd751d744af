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
/// repeat. A meeting ended explicitly answers "nothing to do" and the instance completes.
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
/// → look again then; over → <see cref="AcsMeetingMedia.EndAsync"/>; already ended or unknown → nothing. An ACS
/// outage throws, so the orchestrator's retry tries again.
/// </summary>
public sealed class AcsRoomCleanupActivity(AcsMediaStore store, AcsMeetingMedia media, IOptions<AcsMediaOptions> options, TimeProvider time) : TaskActivity<AcsRoomKey, AcsCleanupStep>
{
    public override async Task<AcsCleanupStep> RunAsync(TaskActivityContext context, AcsRoomKey input)
    {
        var record = await store.GetRoomAsync(input.AccountId, input.AppointmentId, CancellationToken.None);
        if (record is null || record.IsEnded)
        {
            return new AcsCleanupStep(false, null);
        }
        var due = record.ValidUntil + options.Value.CleanupGrace;
        if (due > time.GetUtcNow())
        {
            return new AcsCleanupStep(false, due);
        }
        await media.EndAsync(new MediaRoom(record.AccountId, record.AppointmentId, record.ValidFrom, record.ValidUntil), CancellationToken.None);
        return new AcsCleanupStep(true, null);
    }
}
