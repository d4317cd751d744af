using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Parley.Functions.Storage;

namespace Parley.Functions.Meetings.Media.Acs;

/// <summary>
/// A meeting's ACS room as Parley keeps it: the validity window it should have, the repeatability id and first-sent
/// time its creation uses (kept, so a retry repeats the same request), the ACS room id once created, whether the
/// meeting's media was ended (no more joins) and whether everything at ACS was deleted since (<see cref="ClearedAt"/>).
/// </summary>
public sealed record AcsRoomRecord(
    string AccountId,
    string AppointmentId,
    Guid RepeatabilityId,
    DateTimeOffset FirstSent,
    DateTimeOffset ValidFrom,
    DateTimeOffset ValidUntil,
    string? RoomId,
    DateTimeOffset? EndedAt,
    DateTimeOffset? ClearedAt = null)
{
    public ETag ETag { get; init; }

    public bool IsEnded => EndedAt is not null;

    public bool IsCleared => ClearedAt is not null;
}

/// <summary>The ACS identity created for one participant of one meeting (one identity per participant, reused on rejoin).</summary>
public sealed record AcsParticipantRecord(string AccountId, string AppointmentId, string ParticipantId, string UserId, bool IsOperator, DateTimeOffset CreatedAt);

/// <summary>
/// Table <c>MeetingMedia</c>: one partition per meeting (<c>{account}|{appointment}</c>) holding the room row
/// (RowKey <c>room</c>) and one row per participant identity (RowKey <c>p|{participant}</c>), so ending a meeting
/// finds every identity it created with one partition query.
/// </summary>
public sealed class AcsMediaStore(StorageAccount storage)
{
    public const string TableName = "MeetingMedia";
    private const string RoomRow = "room";
    private const string ParticipantPrefix = "p|";
    private readonly TableClient _table = storage.GetTableClient(TableName);

    public static string PartitionKey(string accountId, string appointmentId) => $"{accountId}|{appointmentId}";

    /// <summary>
    /// The repeatability id of a meeting's room creation: derived from account and appointment (a name-based UUID),
    /// so whoever creates the room, and however often it is retried, ACS sees one request.
    /// </summary>
    public static Guid RepeatabilityId(string accountId, string appointmentId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"parley/acs-room/{accountId}/{appointmentId}"));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50); // version 5 style (name-based)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true);
    }

    public async Task<AcsRoomRecord?> GetRoomAsync(string accountId, string appointmentId, CancellationToken ct)
    {
        var row = await _table.GetEntityOrNullAsync(PartitionKey(accountId, appointmentId), RoomRow, cancellationToken: ct);
        return row is null ? null : FromRoom(row);
    }

    /// <summary>Records the room unless it is recorded; answers what is stored and whether this call recorded it.</summary>
    public async Task<(AcsRoomRecord Room, bool Created)> AddOrGetRoomAsync(AcsRoomRecord room, CancellationToken ct)
    {
        var (stored, created) = await _table.AddOrGetAsync(ToEntity(room), ct);
        return (created ? room with { ETag = stored.ETag } : FromRoom(stored), created);
    }

    /// <summary>Saves under the record's ETag: a concurrent change makes this throw 412 (<see cref="StorageErrors"/>).</summary>
    public async Task<AcsRoomRecord> SaveRoomAsync(AcsRoomRecord room, CancellationToken ct)
    {
        var response = await _table.UpdateEntityAsync(ToEntity(room), room.ETag, TableUpdateMode.Replace, ct);
        return room with { ETag = response.Headers.ETag ?? default };
    }

    public async Task<AcsParticipantRecord?> GetParticipantAsync(string accountId, string appointmentId, string participantId, CancellationToken ct)
    {
        var row = await _table.GetEntityOrNullAsync(PartitionKey(accountId, appointmentId), ParticipantPrefix + participantId, cancellationToken: ct);
        return row is null ? null : FromParticipant(row);
    }

    /// <summary>Records the participant's identity unless one is recorded; answers the stored one and whether it is this one.</summary>
    public async Task<(AcsParticipantRecord Participant, bool Created)> AddOrGetParticipantAsync(AcsParticipantRecord participant, CancellationToken ct)
    {
        var entity = new TableEntity(PartitionKey(participant.AccountId, participant.AppointmentId), ParticipantPrefix + participant.ParticipantId)
        {
            { "UserId", participant.UserId },
            { "IsOperator", participant.IsOperator },
            { "CreatedAt", participant.CreatedAt },
        };
        var (stored, created) = await _table.AddOrGetAsync(entity, ct);
        return (FromParticipant(stored), created);
    }

    /// <summary>Every identity recorded for the meeting.</summary>
    public async Task<List<AcsParticipantRecord>> ListParticipantsAsync(string accountId, string appointmentId, CancellationToken ct)
    {
        var list = new List<AcsParticipantRecord>();
        await foreach (var row in _table.QueryAsync<TableEntity>(TableClientExtensions.StartsWithFilter(PartitionKey(accountId, appointmentId), ParticipantPrefix), cancellationToken: ct))
        {
            list.Add(FromParticipant(row));
        }
        return list;
    }

    /// <summary>Forgets a participant's identity (after it was deleted at ACS); a row already gone is fine.</summary>
    public async Task DeleteParticipantAsync(AcsParticipantRecord participant, CancellationToken ct)
    {
        try
        {
            await _table.DeleteEntityAsync(PartitionKey(participant.AccountId, participant.AppointmentId), ParticipantPrefix + participant.ParticipantId, ETag.All, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    private static TableEntity ToEntity(AcsRoomRecord r) => new(PartitionKey(r.AccountId, r.AppointmentId), RoomRow)
    {
        { "AccountId", r.AccountId },
        { "AppointmentId", r.AppointmentId },
        { "RepeatabilityId", r.RepeatabilityId },
        { "FirstSent", r.FirstSent },
        { "ValidFrom", r.ValidFrom },
        { "ValidUntil", r.ValidUntil },
        { "RoomId", r.RoomId },
        { "EndedAt", r.EndedAt },
        { "ClearedAt", r.ClearedAt },
    };

    private static AcsRoomRecord FromRoom(TableEntity e) => new(
        e.GetString("AccountId")!, e.GetString("AppointmentId")!, e.GetGuid("RepeatabilityId") ?? Guid.Empty, e.GetDateTimeOffset("FirstSent") ?? default,
        e.GetDateTimeOffset("ValidFrom") ?? default, e.GetDateTimeOffset("ValidUntil") ?? default, e.GetString("RoomId"), e.GetDateTimeOffset("EndedAt"),
        e.GetDateTimeOffset("ClearedAt")) { ETag = e.ETag };

    private static AcsParticipantRecord FromParticipant(TableEntity e)
    {
        var separator = e.PartitionKey.IndexOf('|', StringComparison.Ordinal);
        return new AcsParticipantRecord(e.PartitionKey[..separator], e.PartitionKey[(separator + 1)..], e.RowKey[ParticipantPrefix.Length..],
            e.GetString("UserId")!, e.GetBoolean("IsOperator") ?? false, e.GetDateTimeOffset("CreatedAt") ?? default);
    }
}
