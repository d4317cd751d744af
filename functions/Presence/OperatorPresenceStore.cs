using System.Collections.Concurrent;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Parley.Functions.Storage;

namespace Parley.Functions.Presence;

/// <summary>What an operator chose: <c>online</c> or <c>away</c>.</summary>
public static class PresenceMode
{
    public const string Online = "online";
    public const string Away = "away";

    public static bool IsValid(string? mode) => mode is Online or Away;
}

/// <summary>An operator's stored presence: the chosen mode and the last activity the dashboard reported.</summary>
public sealed record OperatorPresenceRecord(string OperatorId, string Mode, DateTimeOffset? LastActiveAt);

/// <summary>
/// Operators' presence (online/away). Table <c>OperatorPresence</c>, one partition per account, a row per operator with
/// the chosen <c>Mode</c> and <c>LastActiveAt</c> (dashboard heartbeats). The effective status is derived when read —
/// online only while the mode is online and the last activity is younger than <see cref="PresenceOptions.AwayAfter"/> —
/// so a closed laptop turns Away by itself, never leaving a stale "online" flag behind (as <c>Meetings/CustomerPresence</c>).
/// </summary>
public sealed class OperatorPresenceStore(StorageAccount storage, TimeProvider time, IOptions<PresenceOptions> options)
{
    public const string TableName = "OperatorPresence";

    /// <summary>A heartbeat writes only when the stored last activity is older than this.</summary>
    public static readonly TimeSpan HeartbeatWriteEvery = TimeSpan.FromSeconds(30);

    /// <summary>Last activity this instance wrote per operator, so frequent heartbeats cost neither a read nor a write.</summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _written = new(StringComparer.Ordinal);

    private TableClient Table => storage.GetTableClient(TableName);

    public async Task<OperatorPresenceRecord> GetAsync(string accountId, string operatorId, CancellationToken ct) =>
        await Table.GetEntityOrNullAsync(accountId, operatorId, cancellationToken: ct) is { } row ? ToRecord(row) : new OperatorPresenceRecord(operatorId, PresenceMode.Away, null);

    /// <summary>All stored rows of the account (one partition query), by operator id.</summary>
    public async Task<IReadOnlyDictionary<string, OperatorPresenceRecord>> ListAsync(string accountId, CancellationToken ct)
    {
        var found = new Dictionary<string, OperatorPresenceRecord>(StringComparer.Ordinal);
        await foreach (var e in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {accountId}"), cancellationToken: ct))
        {
            found[e.RowKey] = ToRecord(e);
        }
        return found;
    }

    /// <summary>Sets the mode; choosing a mode is activity too.</summary>
    public async Task<OperatorPresenceRecord> SetModeAsync(string accountId, string operatorId, string mode, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await Table.UpsertEntityAsync(new TableEntity(accountId, operatorId) { ["Mode"] = mode, ["LastActiveAt"] = now }, TableUpdateMode.Replace, ct);
        Remember(accountId, operatorId, now);
        return new OperatorPresenceRecord(operatorId, mode, now);
    }

    /// <summary>
    /// The operator is active in the dashboard. Writes only when the stored activity is older than
    /// <see cref="HeartbeatWriteEvery"/> (what this instance wrote itself answers without even a read).
    /// </summary>
    public async Task HeartbeatAsync(string accountId, string operatorId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_written.TryGetValue(accountId + "|" + operatorId, out var written) && now - written < HeartbeatWriteEvery && now >= written)
        {
            return;
        }
        var row = await Table.GetEntityOrNullAsync(accountId, operatorId, ["LastActiveAt"], ct);
        if (row?.GetDateTimeOffset("LastActiveAt") is { } last && now - last < HeartbeatWriteEvery && now >= last)
        {
            Remember(accountId, operatorId, last);
            return;
        }
        await Table.UpsertEntityAsync(new TableEntity(accountId, operatorId) { ["LastActiveAt"] = now }, TableUpdateMode.Merge, ct);
        Remember(accountId, operatorId, now);
    }

    /// <summary><c>online</c> only while the mode is online and the last activity is recent enough; otherwise <c>away</c>.</summary>
    public string StatusOf(OperatorPresenceRecord record) =>
        record.Mode == PresenceMode.Online && record.LastActiveAt is { } last && time.GetUtcNow() - last < options.Value.AwayAfter
            ? PresenceMode.Online
            : PresenceMode.Away;

    private void Remember(string accountId, string operatorId, DateTimeOffset at)
    {
        if (_written.Count > 10_000)
        {
            _written.Clear();
        }
        _written[accountId + "|" + operatorId] = at;
    }

    private static OperatorPresenceRecord ToRecord(TableEntity e) =>
        new(e.RowKey, PresenceMode.IsValid(e.GetString("Mode")) ? e.GetString("Mode") : PresenceMode.Away, e.GetDateTimeOffset("LastActiveAt"));
}
