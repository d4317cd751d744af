using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Parley.Functions.Storage;

namespace Parley.Functions.Meetings;

/// <summary>A customer's page that gave a sign of life recently: on a case's meeting page, waiting or admitted.</summary>
public sealed record PresenceEntry(string CaseId, string AppointmentId, string ParticipantId, string Name, bool Waiting, DateTimeOffset LastSeen);

/// <summary>
/// Whether customers are on their meeting page right now (the case's <b>Online</b>/<b>Away</b>), and who is waiting to
/// be let in. Table <c>Presence</c>, one partition per account, a row per customer page (<c>{case}|{appointment}|{participant}</c>)
/// with the last time the page polled. The page polls at least every <see cref="MeetingOptions.PollWait"/>; a row not
/// refreshed for <see cref="MeetingOptions.PresenceTimeout"/> counts as gone, and the page-hide beacon deletes it at once.
/// So Online is derived when read, never a flag that a crashed page could leave standing.
/// </summary>
public sealed class CustomerPresence(StorageAccount storage, TimeProvider time, IOptions<MeetingOptions> options)
{
    public const string TableName = "Presence";

    /// <summary>A page's poll refreshes its row at most this often.</summary>
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(5);

    /// <summary>What this instance wrote last per page, so a page's frequent polls cost a write only every few seconds.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (DateTimeOffset At, bool Waiting)> _written = new(StringComparer.Ordinal);

    private TableClient Table => storage.GetTableClient(TableName);

    private static string Key(string caseId, string appointmentId, string participantId) => $"{caseId}|{appointmentId}|{participantId}";

    /// <summary>The page is there (joined, or polled); writes only when the row is missing, older than a few seconds, or changed.</summary>
    public async Task SeenAsync(MeetingSession s, string name, bool waiting, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var key = Key(s.CaseId, s.AppointmentId, s.ParticipantId);
        var cacheKey = s.AccountId + "|" + key;
        if (_written.TryGetValue(cacheKey, out var last) && now - last.At < RefreshEvery && now >= last.At && last.Waiting == waiting)
        {
            return;
        }
        await Table.UpsertEntityAsync(new TableEntity(s.AccountId, key)
        {
            ["Name"] = name,
            ["Waiting"] = waiting,
            ["LastSeen"] = now,
        }, TableUpdateMode.Replace, ct);
        if (_written.Count > 10_000)
        {
            _written.Clear(); // pages closed without a beacon leave entries behind; forgetting them only costs a write each
        }
        _written[cacheKey] = (now, waiting);
    }

    public async Task<PresenceEntry?> GetAsync(MeetingSession s, CancellationToken ct) =>
        await Table.GetEntityOrNullAsync(s.AccountId, Key(s.CaseId, s.AppointmentId, s.ParticipantId), cancellationToken: ct) is { } row ? ToEntry(row) : null;

    /// <summary>The page was closed (beacon), the participant left, or the meeting ended: Away now.</summary>
    public async Task GoneAsync(string accountId, string caseId, string appointmentId, string participantId, CancellationToken ct)
    {
        _written.TryRemove(accountId + "|" + Key(caseId, appointmentId, participantId), out _);
        try
        {
            await Table.DeleteEntityAsync(accountId, Key(caseId, appointmentId, participantId), ETag.All, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    /// <summary>Everyone present in the account now (one partition query), by case.</summary>
    public async Task<ILookup<string, PresenceEntry>> OnlineAsync(string accountId, CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - options.Value.PresenceTimeout;
        var found = new List<PresenceEntry>();
        await foreach (var e in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {accountId} and LastSeen ge {cutoff}"), cancellationToken: ct))
        {
            found.Add(ToEntry(e));
        }
        return found.ToLookup(p => p.CaseId, StringComparer.Ordinal);
    }

    /// <summary>Deletes rows whose page is long gone (the maintenance sweep); presence is derived from LastSeen anyway.</summary>
    public async Task<int> DeleteStaleAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - TimeSpan.FromHours(1);
        var deleted = 0;
        await foreach (var e in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"LastSeen lt {cutoff}"), select: ["PartitionKey", "RowKey"], cancellationToken: ct))
        {
            await Table.DeleteEntityAsync(e.PartitionKey, e.RowKey, ETag.All, ct);
            deleted++;
        }
        return deleted;
    }

    private static PresenceEntry ToEntry(TableEntity e)
    {
        var parts = e.RowKey.Split('|');
        return new PresenceEntry(parts[0], parts[1], parts[2], e.GetString("Name") ?? "", e.GetBoolean("Waiting") ?? false, e.GetDateTimeOffset("LastSeen") ?? default);
    }
}
