using System.Globalization;
using System.Text.Json.Nodes;
using Azure;
using Microsoft.Extensions.Options;
using Parley.Functions.Durable;
using Parley.Functions.Storage;

namespace Parley.Functions.Meetings.Media.Acs;

/// <summary>
/// Meetings on Azure Communication Services Rooms (<c>Meetings__Provider=acs</c>): one ACS room per appointment, valid
/// for the meeting's window; one ACS identity per participant, added to the room as Presenter (operator) or Attendee
/// (customer, guest), with <c>voip.join</c> tokens only. Everything is created on the first <see cref="JoinAsync"/>,
/// that is only after the room API's token and PIN check, and recorded in <see cref="AcsMediaStore"/>.
/// <list type="bullet">
/// <item>The room's creation carries a repeatability id derived from account and appointment, so concurrent or retried
/// first joins create one room. Participants are always added with a separate merge patch: a replayed create is
/// answered from ACS's repeatability store and would not add whoever retried it.</item>
/// <item><see cref="MoveAsync"/> moves the window (Parley's record first, then ACS), so the meeting link stays the same.</item>
/// <item><see cref="EndAsync"/> marks the meeting ended (later joins get <see cref="MeetingMediaFailure.Ended"/>),
/// revokes and deletes every identity it created, deletes the room, then marks it cleared. Idempotent; an ending
/// interrupted by an ACS outage is finished by the next call or by the cleanup.</item>
/// <item>A durable orchestration (<see cref="AcsRoomCleanupOrchestrator"/>), started before the room is created, calls
/// <see cref="EndAsync"/> once the window plus <see cref="AcsMediaOptions.CleanupGrace"/> has passed, following moves.</item>
/// </list>
/// ACS failures throw <see cref="MeetingMediaException"/>; storage failures throw as everywhere (the app answers 503).
/// </summary>
public sealed class AcsMeetingMedia(
    AcsRoomsClient rooms,
    AcsIdentityClient identities,
    AcsMediaStore store,
    Orchestrations orchestrations,
    IOptions<AcsMediaOptions> options,
    TimeProvider time,
    ILogger<AcsMeetingMedia> logger) : IMeetingMedia
{
    /// <summary>How long before a token expires the page asks for a fresh one.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    public string Provider => "acs";

    public async Task<JsonObject> JoinAsync(MediaRoom room, MediaParticipant participant, CancellationToken ct)
    {
        var record = await RecordAsync(room, ct);
        var (userId, token) = await IdentityAsync(room, participant, ct);
        var roomId = await RoomAsync(record, ct);
        try
        {
            await Acs(() => rooms.AddParticipantsAsync(roomId, new Dictionary<string, string> { [userId] = Role(participant) }, ct));
        }
        catch (MeetingMediaException ex) when (ex.InnerException is RequestFailedException { Status: 404 })
        {
            throw await EndedMeanwhileAsync(room, ex); // the meeting was ended between our read and the patch
        }
        token ??= await Acs(() => identities.IssueTokenAsync(userId, options.Value.TokenLifetime, ct));
        return Answer(roomId, userId, token);
    }

    public async Task<JsonObject> RefreshAsync(MediaRoom room, MediaParticipant participant, CancellationToken ct)
    {
        var record = await store.GetRoomAsync(room.AccountId, room.AppointmentId, ct);
        var known = await store.GetParticipantAsync(room.AccountId, room.AppointmentId, participant.ParticipantId, ct);
        if (record is not { RoomId: { } roomId, IsEnded: false } || known is null)
        {
            return record?.IsEnded == true ? throw Ended(room) : await JoinAsync(room, participant, ct);
        }
        var token = await Acs(() => identities.IssueTokenAsync(known.UserId, options.Value.TokenLifetime, ct));
        return Answer(roomId, known.UserId, token);
    }

    public async Task MoveAsync(MediaRoom room, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var record = await store.GetRoomAsync(room.AccountId, room.AppointmentId, ct);
            if (record is null || record.IsEnded)
            {
                return; // no room yet (the first join creates it with the new window) or nothing left to move
            }
            try
            {
                record = await store.SaveRoomAsync(record with { ValidFrom = room.ValidFrom, ValidUntil = room.ValidUntil }, ct);
            }
            catch (RequestFailedException ex) when (ex.IsConditionFailed() && attempt < 5)
            {
                continue; // a join recorded the room id meanwhile: move what is stored now
            }
            if (record.RoomId is { } roomId)
            {
                await Acs(() => rooms.UpdateValidityAsync(roomId, room.ValidFrom, room.ValidUntil, ct));
            }
            return;
        }
    }

    public async Task EndAsync(MediaRoom room, CancellationToken ct)
    {
        var record = await MarkEndedAsync(room, ct);
        if (record.IsCleared)
        {
            return;
        }
        foreach (var participant in await store.ListParticipantsAsync(room.AccountId, room.AppointmentId, ct))
        {
            // Deleting an identity revokes its tokens too; revoking first ends calls in progress even if the delete fails.
            await Acs(() => identities.RevokeTokensAsync(participant.UserId, ct));
            await Acs(() => identities.DeleteUserAsync(participant.UserId, ct));
            await store.DeleteParticipantAsync(participant, ct);
        }
        if (record.RoomId is { } roomId)
        {
            await Acs(() => rooms.DeleteAsync(roomId, ct));
        }
        await MarkClearedAsync(room, ct);
    }

    /// <summary>The meeting's record: created with the deterministic repeatability id on first use.</summary>
    private async Task<AcsRoomRecord> RecordAsync(MediaRoom room, CancellationToken ct)
    {
        var record = await store.GetRoomAsync(room.AccountId, room.AppointmentId, ct)
            ?? (await store.AddOrGetRoomAsync(new AcsRoomRecord(room.AccountId, room.AppointmentId, AcsMediaStore.RepeatabilityId(room.AccountId, room.AppointmentId),
                time.GetUtcNow(), room.ValidFrom, room.ValidUntil, null, null), ct)).Room;
        return record.IsEnded ? throw Ended(room) : record;
    }

    /// <summary>The participant's identity, created on first join (with its first token) and reused on every later one.</summary>
    private async Task<(string UserId, AcsAccessToken? Token)> IdentityAsync(MediaRoom room, MediaParticipant participant, CancellationToken ct)
    {
        if (await store.GetParticipantAsync(room.AccountId, room.AppointmentId, participant.ParticipantId, ct) is { } known)
        {
            return (known.UserId, null);
        }
        var (userId, token) = await Acs(() => identities.CreateUserWithTokenAsync(options.Value.TokenLifetime, ct));
        var (stored, created) = await store.AddOrGetParticipantAsync(
            new AcsParticipantRecord(room.AccountId, room.AppointmentId, participant.ParticipantId, userId, participant.IsOperator, time.GetUtcNow()), ct);
        if (created)
        {
            return (userId, token);
        }
        await ForgetIdentityAsync(userId); // a concurrent join of the same participant recorded its identity first
        return (stored.UserId, null);
    }

    /// <summary>The ACS room id, creating the room (and its cleanup) if this is the meeting's first join.</summary>
    private async Task<string> RoomAsync(AcsRoomRecord record, CancellationToken ct)
    {
        if (record.RoomId is { } existing)
        {
            return existing;
        }
        // Cleanup first: whatever happens after this line, the room and its identities are deleted after the meeting.
        await orchestrations.StartAsync(nameof(AcsRoomCleanupOrchestrator), AcsRoomCleanupOrchestrator.InstanceId(record.AccountId, record.AppointmentId),
            new AcsRoomKey(record.AccountId, record.AppointmentId), ct);
        var sent = record;
        var created = await Acs(() => rooms.CreateAsync(sent.ValidFrom, sent.ValidUntil, new Dictionary<string, string>(), sent.RepeatabilityId, sent.FirstSent, ct));
        while (true)
        {
            try
            {
                record = await store.SaveRoomAsync(record with { RoomId = created.Id }, ct);
                break;
            }
            catch (RequestFailedException ex) when (ex.IsConditionFailed())
            {
                record = await store.GetRoomAsync(record.AccountId, record.AppointmentId, ct) ?? throw new InvalidOperationException("A meeting's media record vanished.", ex);
                if (record.IsEnded || (record.RoomId is { } other && other != created.Id))
                {
                    await DeleteRoomQuietlyAsync(created.Id); // ended meanwhile, or ACS made a second room (repeatability expired)
                }
                if (record.IsEnded)
                {
                    throw Ended(new MediaRoom(record.AccountId, record.AppointmentId, record.ValidFrom, record.ValidUntil));
                }
                if (record.RoomId is { } stored)
                {
                    return stored;
                }
            }
        }
        if ((record.ValidFrom, record.ValidUntil) != (sent.ValidFrom, sent.ValidUntil))
        {
            await Acs(() => rooms.UpdateValidityAsync(created.Id, record.ValidFrom, record.ValidUntil, ct)); // moved while we created
        }
        return created.Id;
    }

    private async Task<AcsRoomRecord> MarkEndedAsync(MediaRoom room, CancellationToken ct)
    {
        while (true)
        {
            var record = await store.GetRoomAsync(room.AccountId, room.AppointmentId, ct);
            if (record is null)
            {
                var (stored, created) = await store.AddOrGetRoomAsync(new AcsRoomRecord(room.AccountId, room.AppointmentId,
                    AcsMediaStore.RepeatabilityId(room.AccountId, room.AppointmentId), time.GetUtcNow(), room.ValidFrom, room.ValidUntil, null, time.GetUtcNow()), ct);
                if (created || stored.IsEnded)
                {
                    return stored;
                }
                record = stored;
            }
            if (record.IsEnded)
            {
                return record;
            }
            try
            {
                return await store.SaveRoomAsync(record with { EndedAt = time.GetUtcNow() }, ct);
            }
            catch (RequestFailedException ex) when (ex.IsConditionFailed())
            {
                // a join recorded the room id meanwhile: end what is stored now
            }
        }
    }

    /// <summary>Records that nothing is left at ACS; an ending interrupted before this line is finished by the next one (or the cleanup).</summary>
    private async Task MarkClearedAsync(MediaRoom room, CancellationToken ct)
    {
        while (await store.GetRoomAsync(room.AccountId, room.AppointmentId, ct) is { IsCleared: false } record)
        {
            try
            {
                await store.SaveRoomAsync(record with { ClearedAt = time.GetUtcNow() }, ct);
                return;
            }
            catch (RequestFailedException ex) when (ex.IsConditionFailed())
            {
                // a move or a concurrent end wrote meanwhile: read again
            }
        }
    }

    private async Task<MeetingMediaException> EndedMeanwhileAsync(MediaRoom room, MeetingMediaException notFound)
    {
        var record = await store.GetRoomAsync(room.AccountId, room.AppointmentId, CancellationToken.None);
        if (record?.IsEnded != true)
        {
            return notFound;
        }
        // End listed the identities before ours was recorded: delete what this join created.
        foreach (var participant in await store.ListParticipantsAsync(room.AccountId, room.AppointmentId, CancellationToken.None))
        {
            await ForgetIdentityAsync(participant.UserId);
            await store.DeleteParticipantAsync(participant, CancellationToken.None);
        }
        return Ended(room);
    }

    private async Task ForgetIdentityAsync(string userId)
    {
        try
        {
            await identities.DeleteUserAsync(userId, CancellationToken.None);
        }
        catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or OperationCanceledException)
        {
            logger.LogWarning(ex, "An unused ACS identity could not be deleted; it holds no data and no room");
        }
    }

    private async Task DeleteRoomQuietlyAsync(string roomId)
    {
        try
        {
            await rooms.DeleteAsync(roomId, CancellationToken.None);
        }
        catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or OperationCanceledException)
        {
            logger.LogWarning(ex, "A superfluous ACS room {RoomId} could not be deleted; it has no participants", roomId);
        }
    }

    private JsonObject Answer(string roomId, string userId, AcsAccessToken token)
    {
        var refreshAfter = token.ExpiresOn - RefreshMargin;
        var now = time.GetUtcNow();
        return new JsonObject
        {
            ["provider"] = Provider,
            ["roomId"] = roomId,
            ["userId"] = userId,
            ["token"] = token.Token,
            ["expiresOn"] = token.ExpiresOn.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
            ["refreshAfter"] = (refreshAfter < now ? now : refreshAfter).ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        };
    }

    private static string Role(MediaParticipant participant) => participant.IsOperator ? AcsRoomRole.Presenter : AcsRoomRole.Attendee;

    private static MeetingMediaException Ended(MediaRoom room) =>
        new(MeetingMediaFailure.Ended, $"The media of meeting {room.AccountId}/{room.AppointmentId} was ended.");

    /// <summary>Runs one ACS call, turning its failures into <see cref="MeetingMediaException"/>.</summary>
    private static async Task<T> Acs<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RequestFailedException ex) when (ex.Status is 0 or 408 or 429 or >= 500)
        {
            throw new MeetingMediaException(MeetingMediaFailure.Unavailable, $"Communication Services answered {ex.Status} ({ex.ErrorCode ?? "no error code"}).", RetryAfter(ex), ex);
        }
        catch (RequestFailedException ex)
        {
            throw new MeetingMediaException(MeetingMediaFailure.Refused, $"Communication Services refused the request: {ex.Status} ({ex.ErrorCode ?? "no error code"}).", null, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new MeetingMediaException(MeetingMediaFailure.Unavailable, "Communication Services is unreachable.", null, ex);
        }
    }

    private static Task Acs(Func<Task> call) => Acs(async () => { await call(); return true; });

    private static TimeSpan? RetryAfter(RequestFailedException ex) =>
        ex.GetRawResponse() is { } response && response.Headers.TryGetValue("Retry-After", out var value) && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;
}
