using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Data.Tables;
using Parley.Functions.Storage;

namespace Parley.Functions.Meetings;

/// <summary>
/// One event of a room, in order: chat, signalling (WebRTC offers, answers, ICE candidates), participants joining,
/// admitted or leaving, location requests, the end. <see cref="To"/>: a participant id (only they read it),
/// <see cref="ToOperators"/>, <see cref="ToEveryone"/> (waiting people too), or null (everyone admitted).
/// </summary>
public sealed record RoomEvent(long Seq, string Type, string? To, string? From, JsonElement Data, DateTimeOffset At)
{
    public const string ToOperators = "operators";
    public const string ToEveryone = "everyone";
}

/// <summary>
/// How room events travel between the people in a room: the one seam for chat, presence and signalling, so a push
/// service (Azure Web PubSub) can replace polling later without touching the room's logic.
/// </summary>
public interface IRoomTransport
{
    Task<long> PublishAsync(RoomKey room, string type, string? to, string? from, object data, CancellationToken ct);

    /// <summary>Events after <paramref name="after"/>; waits up to <paramref name="wait"/> for the first one when there is none yet.</summary>
    Task<IReadOnlyList<RoomEvent>> ReadAsync(RoomKey room, long after, TimeSpan wait, CancellationToken ct);
}

/// <summary>
/// Room events as a <see cref="SequencedLog"/> in the room's partition of the <c>Meetings</c> table, read by long polls
/// over plain HTTP (the Functions host forwards HTTP, not WebSockets). A poll waiting on this instance wakes the
/// moment an event is published here; events published by another instance are seen within <see cref="MeetingOptions.PollRecheck"/>.
/// </summary>
public sealed class StorageRoomTransport(RoomStore rooms, TimeProvider time, Microsoft.Extensions.Options.IOptions<MeetingOptions> options) : IRoomTransport
{
    private const string EventPrefix = "e|";
    private const int MaxBatch = 200;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);

    public async Task<long> PublishAsync(RoomKey room, string type, string? to, string? from, object data, CancellationToken ct)
    {
        var (seq, _) = await SequencedLog.AppendAsync(rooms.Table, room.Partition, EventPrefix, e =>
        {
            e["Type"] = type;
            e["To"] = to;
            e["From"] = from;
            e["Data"] = JsonSerializer.Serialize(data, JsonSerializerOptions.Web);
            e["At"] = time.GetUtcNow();
        }, null, ct);
        if (_signals.TryRemove(room.Partition, out var waiting))
        {
            waiting.TrySetResult();
        }
        return seq;
    }

    public async Task<IReadOnlyList<RoomEvent>> ReadAsync(RoomKey room, long after, TimeSpan wait, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + wait;
        while (true)
        {
            // Take the wake-up signal before reading, so an event published between the read and the wait still wakes us.
            var signal = _signals.GetOrAdd(room.Partition, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            var rows = await SequencedLog.ReadAsync(rooms.Table, room.Partition, EventPrefix, after, MaxBatch, ct);
            var left = deadline - DateTimeOffset.UtcNow;
            if (rows.Count > 0 || left <= TimeSpan.Zero)
            {
                return [.. rows.Select(ToEvent)];
            }
            var recheck = options.Value.PollRecheck < left ? options.Value.PollRecheck : left;
            await Task.WhenAny(signal.Task, Task.Delay(recheck, ct));
            ct.ThrowIfCancellationRequested();
        }
    }

    private static RoomEvent ToEvent(TableEntity e) => new(
        e.GetInt64("Seq") ?? 0, e.GetString("Type")!, e.GetString("To"), e.GetString("From"),
        JsonDocument.Parse(e.GetString("Data") ?? "{}").RootElement.Clone(), e.GetDateTimeOffset("At") ?? default);
}
