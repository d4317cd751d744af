using Azure.Data.Tables;
using Microsoft.Extensions.Caching.Memory;
using Parley.Functions.Accounts;
using Parley.Functions.Presence;
using Parley.Functions.Storage;

namespace Parley.Functions.Chat;

/// <summary>
/// The live state of one website chat beside its messages: who typed when, how far each side has read, when the
/// visitor's widget last polled, and up to which message answers went out by e-mail. Row <c>{account}</c> /
/// <c>{case}</c> of table <c>ChatState</c>; each writer merges only its own properties, so no write needs an ETag.
/// </summary>
public sealed record ChatState(DateTimeOffset? VisitorTypingAt, DateTimeOffset? OperatorTypingAt, long VisitorRead, long OperatorRead,
    DateTimeOffset? VisitorSeenAt, long EmailedThrough)
{
    public static readonly ChatState Empty = new(null, null, 0, 0, null, 0);

    /// <summary>Typing shows for this long after the last keystroke signal.</summary>
    public static readonly TimeSpan TypingFor = TimeSpan.FromSeconds(6);

    /// <summary>A widget that polled within this time counts as open.</summary>
    public static readonly TimeSpan VisitorOnlineFor = TimeSpan.FromSeconds(60);

    public bool VisitorTyping(DateTimeOffset now) => VisitorTypingAt is { } at && now - at < TypingFor && now >= at;

    public bool OperatorTyping(DateTimeOffset now) => OperatorTypingAt is { } at && now - at < TypingFor && now >= at;

    public bool VisitorOnline(DateTimeOffset now) => VisitorSeenAt is { } at && now - at < VisitorOnlineFor;
}

public sealed class ChatStateStore(StorageAccount storage, TimeProvider time)
{
    public const string TableName = "ChatState";

    /// <summary>A poll refreshes <see cref="ChatState.VisitorSeenAt"/> at most this often (per instance, remembered in memory).</summary>
    private static readonly TimeSpan SeenWriteEvery = TimeSpan.FromSeconds(20);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _seenWritten = new(StringComparer.Ordinal);

    private TableClient Table => storage.GetTableClient(TableName);

    public async Task<ChatState> GetAsync(string accountId, string caseId, CancellationToken ct) =>
        await Table.GetEntityOrNullAsync(accountId, caseId, cancellationToken: ct) is { } e
            ? new ChatState(e.GetDateTimeOffset("VisitorTypingAt"), e.GetDateTimeOffset("OperatorTypingAt"), e.GetInt64("VisitorRead") ?? 0,
                e.GetInt64("OperatorRead") ?? 0, e.GetDateTimeOffset("VisitorSeenAt"), e.GetInt64("EmailedThrough") ?? 0)
            : ChatState.Empty;

    public Task TypingAsync(string accountId, string caseId, bool visitor, CancellationToken ct) =>
        MergeAsync(accountId, caseId, visitor ? "VisitorTypingAt" : "OperatorTypingAt", time.GetUtcNow(), ct);

    /// <summary>Moves a side's read mark forward (never back); true when it moved.</summary>
    public async Task<bool> ReadAsync(string accountId, string caseId, bool visitor, long seq, CancellationToken ct)
    {
        var state = await GetAsync(accountId, caseId, ct);
        if ((visitor ? state.VisitorRead : state.OperatorRead) >= seq)
        {
            return false;
        }
        await MergeAsync(accountId, caseId, visitor ? "VisitorRead" : "OperatorRead", seq, ct);
        return true;
    }

    /// <summary>The visitor's widget is polling: noted at most every 20 s per instance.</summary>
    public async Task SeenAsync(string accountId, string caseId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var key = accountId + "|" + caseId;
        if (_seenWritten.TryGetValue(key, out var at) && now - at < SeenWriteEvery && now >= at)
        {
            return;
        }
        if (_seenWritten.Count > 50_000)
        {
            _seenWritten.Clear();
        }
        await MergeAsync(accountId, caseId, "VisitorSeenAt", now, ct);
        _seenWritten[key] = now;
    }

    public Task EmailedThroughAsync(string accountId, string caseId, long seq, CancellationToken ct) => MergeAsync(accountId, caseId, "EmailedThrough", seq, ct);

    public async Task DeleteAsync(string accountId, string caseId, CancellationToken ct) =>
        await Table.DeleteEntityAsync(accountId, caseId, Azure.ETag.All, ct); // a missing row is no error

    private async Task MergeAsync(string accountId, string caseId, string property, object value, CancellationToken ct) =>
        await Table.UpsertEntityAsync(new TableEntity(accountId, caseId) { [property] = value }, TableUpdateMode.Merge, ct);
}

/// <summary>Which operators of an account are online (presence switch and recent activity), cached a few seconds per account.</summary>
public sealed class ChatPresence(AccountStore accounts, OperatorPresenceStore presence, IMemoryCache cache)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    public async Task<IReadOnlyList<string>> OnlineOperatorsAsync(string accountId, CancellationToken ct)
    {
        var key = "chat-online|" + accountId;
        if (cache.TryGetValue(key, out IReadOnlyList<string>? online) && online is not null)
        {
            return online;
        }
        var operators = await accounts.ListOperatorsAsync(ChatService.TenantOf(accountId), ct);
        var rows = await presence.ListAsync(accountId, ct);
        online = [.. operators.Where(o => o.Active && rows.TryGetValue(o.Id, out var r) && presence.StatusOf(r) == PresenceMode.Online).Select(o => o.Id).Order(StringComparer.Ordinal)];
        cache.Set(key, online, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = CacheFor, Size = 1 });
        return online;
    }

    /// <summary>Drops the cached answer (an operator switched), so the next read is fresh on this instance.</summary>
    public void Forget(string accountId) => cache.Remove("chat-online|" + accountId);
}
