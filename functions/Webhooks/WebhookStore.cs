using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Memory;
using Parley.Functions.Common;
using Parley.Functions.Storage;

namespace Parley.Functions.Webhooks;

/// <summary>Where deliveries go: an endpoint set up by an administrator, or a REST hook an integration (Zapier) subscribed.</summary>
public static class WebhookKind
{
    public const string Endpoint = "endpoint";
    public const string Hook = "hook";
}

/// <summary>
/// A receiver of signed deliveries. <see cref="Secret"/> signs every attempt; after a rotation <see cref="PreviousSecret"/>
/// signs too until <see cref="PreviousUntil"/>, so a receiver can switch without losing deliveries. <see cref="FailingSince"/>
/// is the first failed attempt since the last success; an endpoint failing for <see cref="WebhookOptions.DisableAfter"/> is
/// disabled (<see cref="DisabledReason"/>), as is one whose receiver answered 410 Gone (a hook is then removed).
/// </summary>
public sealed record WebhookEndpoint(
    string Id,
    string AccountId,
    string Kind,
    string Url,
    string Description,
    IReadOnlyList<string> EventTypes,
    bool Enabled,
    string Secret,
    string? PreviousSecret,
    DateTimeOffset? PreviousUntil,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FailingSince,
    string? DisabledReason)
{
    public ETag ETag { get; init; }

    public bool Receives(string type) => Enabled && EventTypes.Contains(type);

    /// <summary>The secrets an attempt at <paramref name="now"/> is signed with (the previous one first while it still counts).</summary>
    public IReadOnlyList<string> SigningSecrets(DateTimeOffset now) =>
        PreviousSecret is { } previous && PreviousUntil > now ? [previous, Secret] : [Secret];
}

/// <summary>One stored event: the exact body every delivery of it sends.</summary>
public sealed record StoredWebhookEvent(string Id, string Type, DateTimeOffset At, string Body);

/// <summary>One attempt of a delivery, as the log shows it.</summary>
public sealed record WebhookAttemptRecord(DateTimeOffset At, int? Status, long LatencyMs, string? Response, string? Error);

/// <summary>
/// One event on its way to one endpoint (its <c>webhook-id</c> is <see cref="MessageId"/>, the same in every attempt and resend).
/// <see cref="State"/>: <c>pending</c>, <c>delivered</c>, <c>failed</c> (schedule exhausted) or <c>stopped</c> (endpoint
/// disabled or removed meanwhile).
/// </summary>
public sealed record WebhookDelivery(string MessageId, string EndpointId, string EventId, string EventType, string State,
    IReadOnlyList<WebhookAttemptRecord> Attempts, DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt);

/// <summary>
/// Webhook endpoints and hooks (table <c>Webhooks</c>, row <c>ep|{id}</c> of the account's partition; secrets sealed with
/// data protection), the account's events (table <c>WebhookEvents</c>, newest first, kept <see cref="Keep"/>: the polling
/// lists and <em>Recover</em> read them) and the delivery log (table <c>WebhookDeliveries</c>, partition
/// <c>{account}|{endpoint}</c>, newest first, kept <see cref="Keep"/>). An event's row key is its time inverted plus a random
/// part, so ids are stable and lists need no index; a delivery's row key is its event's.
/// </summary>
public sealed class WebhookStore(StorageAccount storage, IDataProtectionProvider protection, IMemoryCache cache, TimeProvider time)
{
    public const string TableName = "Webhooks";
    public const string EventsTable = "WebhookEvents";
    public const string DeliveriesTable = "WebhookDeliveries";

    /// <summary>Events and the delivery log are kept this long.</summary>
    public static readonly TimeSpan Keep = TimeSpan.FromDays(30);

    /// <summary>Endpoints and hooks per account.</summary>
    public const int MaxPerAccount = 100;

    /// <summary>Publishing reads the account's endpoints from memory for this long (a change on this instance drops it at once).</summary>
    private static readonly TimeSpan ListCacheFor = TimeSpan.FromSeconds(5);

    private const int SnippetChars = 500;

    private readonly IDataProtector _secrets = protection.CreateProtector("Parley.Webhooks.Secret.v1");

    private TableClient Endpoints => storage.GetTableClient(TableName);

    private TableClient Events => storage.GetTableClient(EventsTable);

    private TableClient Deliveries => storage.GetTableClient(DeliveriesTable);

    private static string EndpointRow(string id) => "ep|" + id;

    private static string DeliveryPartition(string accountId, string endpointId) => accountId + "|" + endpointId;

    /// <summary>A new event id: time inverted (newest sorts first) and a random part; <c>evt_</c> + the row key.</summary>
    public string NewEventKey() => (DateTimeOffset.MaxValue.UtcTicks - time.GetUtcNow().UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture)
        + SecureTokens.NewId(8);

    public static string EventId(string key) => "evt_" + key;

    public static string MessageId(string key) => "msg_" + key;

    /// <summary>The row key of an event or message id; null when the id is not one of ours.</summary>
    public static string? KeyOf(string? id, string prefix) =>
        id is { Length: > 4 } && id.StartsWith(prefix, StringComparison.Ordinal) && id.Length <= 64 && id[4..].All(char.IsAsciiLetterOrDigit) ? id[4..] : null;

    // Endpoints -----------------------------------------------------------------------------------------------------

    public async Task<IReadOnlyList<WebhookEndpoint>> ListAsync(string accountId, CancellationToken ct)
    {
        var list = new List<WebhookEndpoint>();
        await foreach (var e in Endpoints.QueryAsync<TableEntity>(TableClientExtensions.StartsWithFilter(accountId, "ep|"), cancellationToken: ct))
        {
            list.Add(Read(e));
        }
        return [.. list.OrderBy(e => e.CreatedAt)];
    }

    /// <summary>The account's endpoints for publishing: from memory for a few seconds.</summary>
    public async Task<IReadOnlyList<WebhookEndpoint>> ListCachedAsync(string accountId, CancellationToken ct) =>
        await cache.GetOrCreateAsync("webhooks|" + accountId, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = ListCacheFor;
            return await ListAsync(accountId, ct);
        }) ?? [];

    public async Task<WebhookEndpoint?> GetAsync(string accountId, string id, CancellationToken ct) =>
        id.Length is > 0 and <= 40 && await Endpoints.GetEntityOrNullAsync(accountId, EndpointRow(id), cancellationToken: ct) is { } e ? Read(e) : null;

    public async Task<WebhookEndpoint> AddAsync(WebhookEndpoint endpoint, CancellationToken ct)
    {
        var entity = Write(endpoint);
        var response = await Endpoints.AddEntityAsync(entity, ct);
        Forget(endpoint.AccountId);
        return endpoint with { ETag = response.Headers.ETag ?? default };
    }

    /// <summary>Saves under the ETag read; a concurrent change throws 412 (<see cref="RequestFailedException"/>), and the caller reads again.</summary>
    public async Task<WebhookEndpoint> SaveAsync(WebhookEndpoint endpoint, CancellationToken ct)
    {
        var response = await Endpoints.UpdateEntityAsync(Write(endpoint), endpoint.ETag, TableUpdateMode.Replace, ct);
        Forget(endpoint.AccountId);
        return endpoint with { ETag = response.Headers.ETag ?? default };
    }

    /// <summary>Reads, changes and saves, again on a concurrent change; null when the endpoint is gone (or <paramref name="change"/> says no).</summary>
    public async Task<WebhookEndpoint?> ChangeAsync(string accountId, string id, Func<WebhookEndpoint, WebhookEndpoint?> change, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await GetAsync(accountId, id, ct);
            if (current is null || change(current) is not { } changed)
            {
                return null;
            }
            if (changed == current)
            {
                return current;
            }
            try
            {
                return await SaveAsync(changed with { UpdatedAt = time.GetUtcNow() }, ct);
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 404 && attempt < 5)
            {
            }
        }
    }

    /// <summary>Removes the endpoint (a missing one is no error: the SDK treats 404 on delete as done).</summary>
    public async Task DeleteAsync(string accountId, string id, CancellationToken ct)
    {
        await Endpoints.DeleteEntityAsync(accountId, EndpointRow(id), ETag.All, ct);
        Forget(accountId);
    }

    private void Forget(string accountId) => cache.Remove("webhooks|" + accountId);

    private TableEntity Write(WebhookEndpoint e) => new(e.AccountId, EndpointRow(e.Id))
    {
        { "Kind", e.Kind }, { "Url", e.Url }, { "Description", e.Description }, { "EventTypes", string.Join(',', e.EventTypes) },
        { "Enabled", e.Enabled }, { "Secret", _secrets.Protect(e.Secret) },
        { "PreviousSecret", e.PreviousSecret is null ? null : _secrets.Protect(e.PreviousSecret) }, { "PreviousUntil", e.PreviousUntil },
        { "CreatedAt", e.CreatedAt }, { "UpdatedAt", e.UpdatedAt }, { "FailingSince", e.FailingSince }, { "DisabledReason", e.DisabledReason },
    };

    private WebhookEndpoint Read(TableEntity e) => new(
        e.RowKey[3..], e.PartitionKey, e.GetString("Kind") ?? WebhookKind.Endpoint, e.GetString("Url") ?? "", e.GetString("Description") ?? "",
        (e.GetString("EventTypes") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries), e.GetBoolean("Enabled") ?? false,
        _secrets.Unprotect(e.GetString("Secret")!), e.GetString("PreviousSecret") is { } p ? _secrets.Unprotect(p) : null, e.GetDateTimeOffset("PreviousUntil"),
        e.GetDateTimeOffset("CreatedAt") ?? default, e.GetDateTimeOffset("UpdatedAt") ?? default, e.GetDateTimeOffset("FailingSince"),
        e.GetString("DisabledReason"))
    {
        ETag = e.ETag,
    };

    // Events --------------------------------------------------------------------------------------------------------

    public async Task AddEventAsync(string accountId, string key, StoredWebhookEvent e, CancellationToken ct) =>
        await Events.AddEntityAsync(new TableEntity(accountId, key)
        {
            { "Type", e.Type }, { "At", e.At }, { "Body", e.Body }, { "ExpiresAt", e.At + Keep },
        }, ct);

    public async Task<StoredWebhookEvent?> GetEventAsync(string accountId, string key, CancellationToken ct) =>
        await Events.GetEntityOrNullAsync(accountId, key, cancellationToken: ct) is { } e ? ReadEvent(e) : null;

    /// <summary>The account's events newest first (optionally of some types only, and only after a time), at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<StoredWebhookEvent>> ListEventsAsync(string accountId, IReadOnlyCollection<string>? types, DateTimeOffset? since, int limit, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {accountId}");
        if (since is { } s)
        {
            filter += " and " + TableClient.CreateQueryFilter($"At ge {s}");
        }
        var list = new List<StoredWebhookEvent>();
        await foreach (var e in Events.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            var type = e.GetString("Type") ?? "";
            if (type == WebhookEventTypes.Test || types is { Count: > 0 } && !types.Contains(type))
            {
                continue;
            }
            list.Add(ReadEvent(e));
            if (list.Count >= limit)
            {
                break;
            }
        }
        return list;
    }

    private static StoredWebhookEvent ReadEvent(TableEntity e) =>
        new(EventId(e.RowKey), e.GetString("Type") ?? "", e.GetDateTimeOffset("At") ?? default, e.GetString("Body") ?? "{}");

    // Deliveries ----------------------------------------------------------------------------------------------------

    /// <summary>Starts the log entry of an event's delivery to an endpoint (again pending when it exists: a resend or recovery).</summary>
    public async Task BeginDeliveryAsync(string accountId, string endpointId, string key, string type, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var entity = new TableEntity(DeliveryPartition(accountId, endpointId), key)
        {
            { "EventType", type }, { "State", "pending" }, { "CreatedAt", now }, { "ExpiresAt", now + Keep }, { "NextAttemptAt", now },
        };
        var (existing, created) = await Deliveries.AddOrGetAsync(entity, ct);
        if (!created && existing.GetString("State") != "pending")
        {
            existing["State"] = "pending";
            existing["NextAttemptAt"] = now;
            await Deliveries.UpdateEntityAsync(existing, existing.ETag, TableUpdateMode.Merge, ct);
        }
    }

    /// <summary>Appends an attempt and sets the state; the response is cut to a snippet.</summary>
    public async Task RecordAttemptAsync(string accountId, string endpointId, string key, string eventType, WebhookAttemptRecord attempt, string state, DateTimeOffset? nextAttemptAt, CancellationToken ct)
    {
        attempt = attempt with { Response = Snip(attempt.Response), Error = Snip(attempt.Error) };
        try
        {
            // The fan-out's first attempt: no row yet, one write.
            await Deliveries.AddEntityAsync(new TableEntity(DeliveryPartition(accountId, endpointId), key)
            {
                { "EventType", eventType }, { "CreatedAt", attempt.At }, { "ExpiresAt", attempt.At + Keep }, { "State", state }, { "NextAttemptAt", nextAttemptAt },
                { "Attempts", JsonSerializer.Serialize(new[] { attempt }, JsonSerializerOptions.Web) },
            }, ct);
            return;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
        }
        for (var round = 0; ; round++)
        {
            var existing = await Deliveries.GetEntityOrNullAsync(DeliveryPartition(accountId, endpointId), key, cancellationToken: ct)
                ?? new TableEntity(DeliveryPartition(accountId, endpointId), key) { { "CreatedAt", attempt.At }, { "ExpiresAt", attempt.At + Keep } };
            var attempts = ReadAttempts(existing);
            existing["Attempts"] = JsonSerializer.Serialize(attempts.Append(attempt).TakeLast(30).ToList(), JsonSerializerOptions.Web);
            existing["State"] = state;
            existing["NextAttemptAt"] = nextAttemptAt;
            try
            {
                if (existing.ETag == default)
                {
                    await Deliveries.AddEntityAsync(existing, ct);
                }
                else
                {
                    await Deliveries.UpdateEntityAsync(existing, existing.ETag, TableUpdateMode.Replace, ct);
                }
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && round < 5)
            {
            }
        }
    }

    public async Task SetDeliveryStateAsync(string accountId, string endpointId, string key, string state, CancellationToken ct)
    {
        try
        {
            await Deliveries.UpdateEntityAsync(new TableEntity(DeliveryPartition(accountId, endpointId), key) { { "State", state }, { "NextAttemptAt", null } },
                ETag.All, TableUpdateMode.Merge, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    public async Task<WebhookDelivery?> GetDeliveryAsync(string accountId, string endpointId, string key, CancellationToken ct) =>
        await Deliveries.GetEntityOrNullAsync(DeliveryPartition(accountId, endpointId), key, cancellationToken: ct) is { } e ? ReadDelivery(endpointId, e) : null;

    /// <summary>The endpoint's log newest first; <paramref name="after"/> is the last message id of the previous page.</summary>
    public async Task<IReadOnlyList<WebhookDelivery>> ListDeliveriesAsync(string accountId, string endpointId, string? afterKey, int limit, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DeliveryPartition(accountId, endpointId)}");
        if (afterKey is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey gt {afterKey}");
        }
        var list = new List<WebhookDelivery>();
        await foreach (var e in Deliveries.QueryAsync<TableEntity>(filter, maxPerPage: limit, cancellationToken: ct))
        {
            list.Add(ReadDelivery(endpointId, e));
            if (list.Count >= limit)
            {
                break;
            }
        }
        return list;
    }

    /// <summary>The states of the endpoint's deliveries of events since <paramref name="since"/>, by row key.</summary>
    public async Task<IReadOnlyDictionary<string, string>> DeliveryStatesAsync(string accountId, string endpointId, string untilKey, CancellationToken ct)
    {
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DeliveryPartition(accountId, endpointId)} and RowKey le {untilKey}");
        await foreach (var e in Deliveries.QueryAsync<TableEntity>(filter, select: ["RowKey", "State"], cancellationToken: ct))
        {
            states[e.RowKey] = e.GetString("State") ?? "";
        }
        return states;
    }

    public async Task DeleteDeliveriesAsync(string accountId, string endpointId, CancellationToken ct)
    {
        var partition = DeliveryPartition(accountId, endpointId);
        var keys = new List<string>();
        await foreach (var e in Deliveries.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), select: ["RowKey"], cancellationToken: ct))
        {
            keys.Add(e.RowKey);
        }
        foreach (var chunk in keys.Chunk(100))
        {
            await Deliveries.SubmitAtomicallyAsync([.. chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, k), ETag.All))], ct);
        }
    }

    private static WebhookDelivery ReadDelivery(string endpointId, TableEntity e) => new(MessageId(e.RowKey), endpointId, EventId(e.RowKey),
        e.GetString("EventType") ?? "", e.GetString("State") ?? "pending", ReadAttempts(e), e.GetDateTimeOffset("CreatedAt") ?? default,
        e.GetDateTimeOffset("NextAttemptAt"));

    private static List<WebhookAttemptRecord> ReadAttempts(TableEntity e) =>
        e.GetString("Attempts") is { Length: > 0 } json ? JsonSerializer.Deserialize<List<WebhookAttemptRecord>>(json, JsonSerializerOptions.Web) ?? [] : [];

    private static string? Snip(string? text) => text is { Length: > SnippetChars } ? text[..SnippetChars] + "…" : text;
}
