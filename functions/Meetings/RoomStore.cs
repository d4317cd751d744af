using Azure;
using Azure.Data.Tables;
using Parley.Functions.Storage;

namespace Parley.Functions.Meetings;

/// <summary>A meeting room: one per appointment.</summary>
public sealed record RoomKey(string AccountId, string AppointmentId)
{
    public string Partition => AccountId + "|" + AppointmentId;
}

/// <summary>Someone in (or waiting for) a room. Operators are admitted by definition.</summary>
public sealed record Participant(string Id, ParticipantRole Role, string Name, string? OperatorId, bool Admitted, bool Left, DateTimeOffset JoinedAt)
{
    public ETag ETag { get; init; }
}

/// <summary>What the room itself remembers: whether (and for which start) the operator ended it.</summary>
public sealed record RoomRecord(DateTimeOffset? EndedForStart, DateTimeOffset? EndedAt);

/// <summary>
/// The rooms' rows in table <c>Meetings</c>, one partition per room (<c>{account}|{appointment}</c>): <c>room</c>, the
/// participants (<c>p|{id}</c>), the code's failure counter (<c>pin</c>, see <see cref="PinGuard"/>) and the room's
/// event log (<c>e|{seq}</c>, written through <see cref="IRoomTransport"/>).
/// </summary>
public sealed class RoomStore(StorageAccount storage)
{
    public const string TableName = "Meetings";
    private const string ParticipantPrefix = "p|";

    internal TableClient Table => storage.GetTableClient(TableName);

    public async Task<RoomRecord> GetRoomAsync(RoomKey room, CancellationToken ct)
    {
        var row = await Table.GetEntityOrNullAsync(room.Partition, "room", cancellationToken: ct);
        return new RoomRecord(row?.GetDateTimeOffset("EndedForStart"), row?.GetDateTimeOffset("EndedAt"));
    }

    public Task EndAsync(RoomKey room, DateTimeOffset start, DateTimeOffset at, CancellationToken ct) =>
        Table.UpsertEntityAsync(new TableEntity(room.Partition, "room") { ["EndedForStart"] = start, ["EndedAt"] = at }, TableUpdateMode.Replace, ct);

    public async Task<Participant> AddParticipantAsync(RoomKey room, Participant p, CancellationToken ct)
    {
        var (row, _) = await Table.AddOrGetAsync(ToEntity(room, p), ct);
        return ToParticipant(row);
    }

    public async Task<Participant?> GetParticipantAsync(RoomKey room, string id, CancellationToken ct) =>
        await Table.GetEntityOrNullAsync(room.Partition, ParticipantPrefix + id, cancellationToken: ct) is { } row ? ToParticipant(row) : null;

    public async Task<IReadOnlyList<Participant>> ListParticipantsAsync(RoomKey room, CancellationToken ct)
    {
        var list = new List<Participant>();
        await foreach (var e in Table.QueryAsync<TableEntity>(TableClientExtensions.StartsWithFilter(room.Partition, ParticipantPrefix), cancellationToken: ct))
        {
            list.Add(ToParticipant(e));
        }
        return [.. list.OrderBy(p => p.JoinedAt)];
    }

    /// <summary>Writes a participant's new state under its ETag; false when someone changed it meanwhile.</summary>
    public async Task<bool> TryUpdateParticipantAsync(RoomKey room, Participant after, CancellationToken ct)
    {
        try
        {
            await Table.UpdateEntityAsync(ToEntity(room, after), after.ETag, TableUpdateMode.Replace, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return false;
        }
    }

    /// <summary>Re-reads and changes a participant until the write lands (or the participant is gone).</summary>
    public async Task<Participant?> UpdateParticipantAsync(RoomKey room, string id, Func<Participant, Participant> change, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            if (await GetParticipantAsync(room, id, ct) is not { } before)
            {
                return null;
            }
            var after = change(before);
            if (after == before || await TryUpdateParticipantAsync(room, after, ct))
            {
                return after;
            }
        }
        throw new InvalidOperationException($"Participant {id} of room {room.Partition} keeps changing.");
    }

    private static TableEntity ToEntity(RoomKey room, Participant p) => new(room.Partition, ParticipantPrefix + p.Id)
    {
        ["Role"] = p.Role.ToString(),
        ["Name"] = p.Name,
        ["OperatorId"] = p.OperatorId,
        ["Admitted"] = p.Admitted,
        ["Left"] = p.Left,
        ["JoinedAt"] = p.JoinedAt,
    };

    private static Participant ToParticipant(TableEntity e) => new(
        e.RowKey[ParticipantPrefix.Length..], Enum.Parse<ParticipantRole>(e.GetString("Role")!), e.GetString("Name") ?? "", e.GetString("OperatorId"),
        e.GetBoolean("Admitted") ?? false, e.GetBoolean("Left") ?? false, e.GetDateTimeOffset("JoinedAt") ?? default) { ETag = e.ETag };
}
