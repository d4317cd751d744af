using Azure;
using Parley.Functions.Notifications.Providers;
using Parley.Functions.Storage;
using Azure.Data.Tables;

namespace Parley.Functions.Notifications;

public enum MessageStatus
{
    Queued,
    Sending,
    Sent,
    Delivered,
    Failed,
}

/// <summary>The delivery record of one message to one customer address. RowKey = message id = "{appointment}|{purpose}|{channel}".</summary>
public sealed record MessageRecord(
    string AccountId,
    string Id,
    string AppointmentId,
    MessageKind Kind,
    MessageChannel Channel,
    string To,
    string Language,
    MessageStatus Status,
    string? Reason,
    bool Late,
    int Attempts,
    string? ProviderMessageId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public ETag ETag { get; init; }
}

/// <summary>Messages table: one partition per account; an appointment's messages share a RowKey prefix.</summary>
public sealed class MessageStore(StorageAccount storage)
{
    public const string TableName = "Messages";
    private readonly TableClient _table = storage.GetTableClient(TableName);

    public async Task<MessageRecord?> GetAsync(string accountId, string id, CancellationToken ct)
    {
        var row = await _table.GetEntityOrNullAsync(accountId, id, cancellationToken: ct);
        return row is null ? null : From(row);
    }

    /// <summary>Creates the record unless it exists; returns what is stored either way, and whether this call created it.</summary>
    public async Task<(MessageRecord Record, bool Created)> CreateOrGetAsync(MessageRecord record, CancellationToken ct)
    {
        var (stored, created) = await _table.AddOrGetAsync(ToEntity(record), ct);
        return (created ? record with { ETag = stored.ETag } : From(stored), created);
    }

    public async Task<MessageRecord> SaveAsync(MessageRecord record, CancellationToken ct)
    {
        var entity = ToEntity(record);
        entity.ETag = (await _table.UpdateEntityAsync(entity, record.ETag == default ? ETag.All : record.ETag, TableUpdateMode.Replace, ct)).Headers.ETag ?? default;
        return record with { ETag = entity.ETag };
    }

    public async Task<IReadOnlyList<MessageRecord>> ListForAppointmentAsync(string accountId, string appointmentId, CancellationToken ct)
    {
        var prefix = appointmentId + "|";
        var list = new List<MessageRecord>();
        await foreach (var e in _table.QueryAsync<TableEntity>(TableClientExtensions.StartsWithFilter(accountId, prefix), cancellationToken: ct))
        {
            list.Add(From(e));
        }
        return list.OrderBy(m => m.CreatedAt).ToList();
    }

    private static TableEntity ToEntity(MessageRecord m) => new(m.AccountId, m.Id)
    {
        { "AppointmentId", m.AppointmentId },
        { "Kind", m.Kind.ToString() },
        { "Channel", m.Channel.ToString() },
        { "To", m.To },
        { "Language", m.Language },
        { "Status", m.Status.ToString() },
        { "Reason", m.Reason },
        { "Late", m.Late },
        { "Attempts", m.Attempts },
        { "ProviderMessageId", m.ProviderMessageId },
        { "CreatedAt", m.CreatedAt },
        { "UpdatedAt", m.UpdatedAt },
    };

    private static MessageRecord From(TableEntity e) => new(
        e.PartitionKey, e.RowKey, e.GetString("AppointmentId")!, Enum.Parse<MessageKind>(e.GetString("Kind")!), Enum.Parse<MessageChannel>(e.GetString("Channel")!),
        e.GetString("To")!, e.GetString("Language") ?? "en", Enum.Parse<MessageStatus>(e.GetString("Status")!), e.GetString("Reason"), e.GetBoolean("Late") ?? false,
        e.GetInt32("Attempts") ?? 0, e.GetString("ProviderMessageId"), e.GetDateTimeOffset("CreatedAt") ?? default, e.GetDateTimeOffset("UpdatedAt") ?? default) { ETag = e.ETag };
}
