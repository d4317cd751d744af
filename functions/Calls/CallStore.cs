using Azure;
using Parley.Functions.Storage;
using Azure.Data.Tables;

namespace Parley.Functions.Calls;

/// <summary>Where an automated call stands. Dialing and Connected belong to the current attempt; Retrying waits for the next.</summary>
public enum CallStatus
{
    Queued,
    Dialing,
    Connected,
    Retrying,
    Completed,
    Failed,
}

/// <summary>
/// One automated call: who is called, what is said, and the state of its attempts. RowKey = call id, chosen by the
/// feature that asks for the call (so asking twice is one call). <see cref="ProtectedSecret"/> is the current
/// attempt's callback secret, encrypted with the data-protection keys.
/// </summary>
public sealed record CallRecord(
    string AccountId,
    string Id,
    string Purpose,
    string? Reference,
    string To,
    string? CallerId,
    string Language,
    string Text,
    CallStatus Status,
    int Attempt,
    string? ConnectionId,
    string? ProtectedSecret,
    string? Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? AttemptStartedAt)
{
    public ETag ETag { get; init; }

    public bool IsFinished => Status is CallStatus.Completed or CallStatus.Failed;
}

/// <summary>Calls table: one partition per account.</summary>
public sealed class CallStore(StorageAccount storage)
{
    public const string TableName = "Calls";
    private readonly TableClient _table = storage.GetTableClient(TableName);

    public async Task<CallRecord?> GetAsync(string accountId, string id, CancellationToken ct)
    {
        var row = await _table.GetEntityOrNullAsync(accountId, id, cancellationToken: ct);
        return row is null ? null : From(row);
    }

    /// <summary>Creates the call unless it exists; returns what is stored and whether this call created it.</summary>
    public async Task<(CallRecord Record, bool Created)> CreateOrGetAsync(CallRecord record, CancellationToken ct)
    {
        var (stored, created) = await _table.AddOrGetAsync(ToEntity(record), ct);
        return (created ? record with { ETag = stored.ETag } : From(stored), created);
    }

    /// <summary>Saves under the record's ETag: a concurrent step makes this throw (412) and the step runs again on fresh state.</summary>
    public async Task<CallRecord> SaveAsync(CallRecord record, CancellationToken ct)
    {
        var entity = ToEntity(record);
        entity.ETag = (await _table.UpdateEntityAsync(entity, record.ETag, TableUpdateMode.Replace, ct)).Headers.ETag ?? default;
        return record with { ETag = entity.ETag };
    }

    private static TableEntity ToEntity(CallRecord c) => new(c.AccountId, c.Id)
    {
        { "Purpose", c.Purpose },
        { "Reference", c.Reference },
        { "To", c.To },
        { "CallerId", c.CallerId },
        { "Language", c.Language },
        { "Text", c.Text },
        { "Status", c.Status.ToString() },
        { "Attempt", c.Attempt },
        { "ConnectionId", c.ConnectionId },
        { "Secret", c.ProtectedSecret },
        { "Reason", c.Reason },
        { "CreatedAt", c.CreatedAt },
        { "UpdatedAt", c.UpdatedAt },
        { "AttemptStartedAt", c.AttemptStartedAt },
    };

    private static CallRecord From(TableEntity e) => new(
        e.PartitionKey, e.RowKey, e.GetString("Purpose") ?? "", e.GetString("Reference"), e.GetString("To")!, e.GetString("CallerId"), e.GetString("Language") ?? "en",
        e.GetString("Text") ?? "", Enum.Parse<CallStatus>(e.GetString("Status")!), e.GetInt32("Attempt") ?? 0, e.GetString("ConnectionId"), e.GetString("Secret"),
        e.GetString("Reason"), e.GetDateTimeOffset("CreatedAt") ?? default, e.GetDateTimeOffset("UpdatedAt") ?? default, e.GetDateTimeOffset("AttemptStartedAt")) { ETag = e.ETag };
}
