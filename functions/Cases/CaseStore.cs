using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Azure;
using Parley.Functions.Common;
using Parley.Functions.Identity;
using Parley.Functions.Storage;
using Azure.Data.Tables;

namespace Parley.Functions.Cases;

/// <summary>
/// The Cases table holds one partition per account (PartitionKey = account id from the <see cref="Tenant"/>) with
/// the whole case file, so every change is one entity-group transaction:
/// <list type="bullet">
/// <item><c>counter</c>: the next case number (If-Match on every use: numbers are sequential and never reused);</item>
/// <item><c>case|{id}</c>: the case; <c>activity|{inverted time}|{id}</c>: its list entry, newest activity first,
/// carrying what the list shows, so the list is one range query;</item>
/// <item>appointment rows, slot claims and calendar entries (see AppointmentStore).</item>
/// </list>
/// </summary>
public sealed class CaseStore(StorageAccount storage, TimeProvider time, Webhooks.WebhookPublisher webhooks)
{
    public const string TableName = "Cases";
    internal const string CasePrefix = "case|";
    internal const string ActivityPrefix = "activity|";
    private const string CounterRow = "counter";

    private readonly TableClient _table = storage.GetTableClient(TableName);
    // One writer per account and instance at a time for numbering: no 412 storms between our own requests,
    // while If-Match still guards against other instances.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _numbering = new();
    private readonly ConcurrentDictionary<string, (int Next, ETag ETag)> _counters = new();

    internal TableClient Table => _table;

    /// <summary>
    /// Creates a case with the next number, together with <paramref name="extra"/> actions in the same transaction.
    /// A conflict in the extra actions surfaces as <see cref="TableTransactionFailedException"/> (its index counts the
    /// three actions of the case before <paramref name="extra"/>); nothing is written then and no number is used up.
    /// </summary>
    public async Task<Case> CreateAsync(Tenant tenant, Case draft, Func<Case, IReadOnlyList<TableTransactionAction>>? extra, CancellationToken ct)
    {
        var created = await NumberAndAddAsync(tenant, draft, extra, ct);
        await webhooks.PublishAsync(tenant.AccountId, Webhooks.WebhookEventTypes.CaseCreated, Webhooks.CaseEventData.From(created), ct);
        return created;
    }

    private async Task<Case> NumberAndAddAsync(Tenant tenant, Case draft, Func<Case, IReadOnlyList<TableTransactionAction>>? extra, CancellationToken ct)
    {
        var gate = _numbering.GetOrAdd(tenant.AccountId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var (next, etag) = _counters.TryGetValue(tenant.AccountId, out var cached) ? cached : await ReadCounterAsync(tenant, ct);
                var created = draft with { AccountId = tenant.AccountId, Number = next };
                var counter = new TableEntity(tenant.AccountId, CounterRow) { { "Next", next + 1 } };
                var actions = new List<TableTransactionAction>
                {
                    etag == default ? new TableTransactionAction(TableTransactionActionType.Add, counter) : new TableTransactionAction(TableTransactionActionType.UpdateReplace, counter, etag),
                    new TableTransactionAction(TableTransactionActionType.Add, ToEntity(created)),
                    new TableTransactionAction(TableTransactionActionType.Add, ToActivity(created)),
                };
                var more = extra?.Invoke(created) ?? [];
                actions.AddRange(more);
                try
                {
                    await _table.SubmitAtomicallyAsync(actions, ct);
                    _counters[tenant.AccountId] = (next + 1, counter.ETag);
                    return created with { ETag = actions[1].Entity.ETag };
                }
                catch (TableTransactionFailedException ex) when (ex.FailedTransactionActionIndex == 0 && attempt < 20)
                {
                    _counters.TryRemove(tenant.AccountId, out _); // another instance numbered meanwhile
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<(int, ETag)> ReadCounterAsync(Tenant tenant, CancellationToken ct)
    {
        var row = await _table.GetEntityOrNullAsync(tenant.AccountId, CounterRow, cancellationToken: ct);
        return row is null ? (1, default) : (row.GetInt32("Next") ?? 1, row.ETag);
    }

    public async Task<Case?> GetAsync(Tenant tenant, string caseId, CancellationToken ct)
    {
        if (!Accounts.AccountStore.IsId(caseId))
        {
            return null;
        }
        var row = await _table.GetEntityOrNullAsync(tenant.AccountId, CasePrefix + caseId, cancellationToken: ct);
        return row is null ? null : ToCase(row);
    }

    /// <summary>
    /// The actions that save <paramref name="after"/> over <paramref name="before"/> (If-Match) and move its list
    /// entry to the top. Compose them with other actions of the same partition.
    /// </summary>
    internal IReadOnlyList<TableTransactionAction> SaveActions(Case before, Case after)
    {
        var entity = ToEntity(after);
        var oldActivity = ActivityKey(before);
        var newActivity = ToActivity(after);
        return oldActivity == newActivity.RowKey
            ? [new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, before.ETag), new TableTransactionAction(TableTransactionActionType.UpsertReplace, newActivity)]
            : [new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, before.ETag), new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(before.AccountId, oldActivity), ETag.All), new TableTransactionAction(TableTransactionActionType.Add, newActivity)];
    }

    public async Task<Case> SaveAsync(Case before, Case after, CancellationToken ct)
    {
        var actions = SaveActions(before, after);
        await _table.SubmitAtomicallyAsync(actions, ct);
        await PublishChangeAsync(before, after, ct);
        return after with { ETag = actions[0].Entity.ETag };
    }

    /// <summary>
    /// <c>case.completed</c> when the case was completed, <c>case.updated</c> when anything an integration sees changed
    /// (details, custom fields, assignment, language, reopening) — not for the chat's unread counts or the scheduling index.
    /// </summary>
    internal Task PublishChangeAsync(Case before, Case after, CancellationToken ct)
    {
        if (before.Status != CaseStatus.Completed && after.Status == CaseStatus.Completed)
        {
            return webhooks.PublishAsync(after.AccountId, Webhooks.WebhookEventTypes.CaseCompleted, Webhooks.CaseEventData.From(after), ct);
        }
        var changed = before.Name != after.Name || before.Email != after.Email || before.Phone != after.Phone || before.InternalReference != after.InternalReference
            || before.Language != after.Language || before.Status != after.Status || before.Location != after.Location
            || !before.AssignedOperatorIds.SequenceEqual(after.AssignedOperatorIds)
            || before.CustomFields.Count != after.CustomFields.Count || before.CustomFields.Any(f => !after.CustomFields.TryGetValue(f.Key, out var v) || v != f.Value);
        return changed ? webhooks.PublishAsync(after.AccountId, Webhooks.WebhookEventTypes.CaseUpdated, Webhooks.CaseEventData.From(after), ct) : Task.CompletedTask;
    }

    /// <summary>Deletes the case and its list entry (its appointments first: AppointmentStore.DeleteForCaseAsync).</summary>
    public async Task DeleteAsync(Case c, CancellationToken ct) =>
        await _table.SubmitAtomicallyAsync([
            new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(c.AccountId, CasePrefix + c.Id), c.ETag),
            new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(c.AccountId, ActivityKey(c)), ETag.All),
        ], ct);

    /// <summary>
    /// One range query over the activity index (newest first), filtered as it streams; the cursor is the last row key
    /// returned. Operators of an account that separates operators only see cases assigned to them.
    /// </summary>
    public async Task<CasePage> ListAsync(Tenant tenant, CaseStatus? status, string? operatorId, string? search, string? cursor, int limit, CancellationToken ct)
    {
        var from = cursor is not null && cursor.StartsWith(ActivityPrefix, StringComparison.Ordinal) ? cursor : ActivityPrefix;
        var filter = cursor is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {tenant.AccountId} and RowKey ge {from} and RowKey lt {TableClientExtensions.PrefixUpperBound(ActivityPrefix)}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {tenant.AccountId} and RowKey gt {from} and RowKey lt {TableClientExtensions.PrefixUpperBound(ActivityPrefix)}");
        var query = SearchText.Normalize(search);
        var filtered = status is not null || operatorId is not null || query.Length > 0;
        var items = new List<CaseSummary>();
        string? last = null;
        // Unfiltered, one more row than asked tells whether there is a next page; filtered, read larger pages.
        await foreach (var e in _table.QueryAsync<TableEntity>(filter, maxPerPage: filtered ? 200 : limit + 1, cancellationToken: ct))
        {
            if (items.Count == limit)
            {
                return new CasePage(items, last);
            }
            last = e.RowKey;
            var summary = ToSummary(e);
            if ((status is null || summary.Status == Wire.Name(status.Value))
                && (operatorId is null || summary.AssignedOperatorIds.Contains(operatorId))
                && SearchText.Matches(e.GetString("Search") ?? "", query))
            {
                items.Add(summary);
            }
        }
        return new CasePage(items, null);
    }

    /// <summary>
    /// The cases with this number, internal reference or visible e-mail (exact; reference and e-mail ignore case),
    /// newest activity first, at most <paramref name="max"/>. One range query over the account's activity index: by number
    /// the service filters (one row comes back); by reference or e-mail the rows stream here and are compared, like the
    /// list's search (about one round trip per 1,000 cases of the account). The index carries the visible e-mail only,
    /// so a case whose contact data is hidden (made from a dialog) is never found by the hidden address.
    /// </summary>
    public async Task<IReadOnlyList<CaseSummary>> FindAsync(Tenant tenant, int? number, string? reference, string? email, string? operatorId, int max, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {tenant.AccountId} and RowKey ge {ActivityPrefix} and RowKey lt {TableClientExtensions.PrefixUpperBound(ActivityPrefix)}")
            + (number is { } n ? " and " + TableClient.CreateQueryFilter($"Number eq {n}") : "");
        var items = new List<CaseSummary>();
        await foreach (var e in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: ct))
        {
            var summary = ToSummary(e);
            if ((number is null || summary.Number == number)
                && (reference is null || string.Equals(summary.InternalReference, reference, StringComparison.OrdinalIgnoreCase))
                && (email is null || string.Equals(summary.Email, email, StringComparison.OrdinalIgnoreCase))
                && (operatorId is null || summary.AssignedOperatorIds.Contains(operatorId)))
            {
                items.Add(summary);
                if (items.Count == max)
                {
                    break;
                }
            }
        }
        return items;
    }

    /// <summary>The account's website-chat cases awaiting a reply (<paramref name="unreadOnly"/>: with unread messages), newest first.</summary>
    public async Task<IReadOnlyList<CaseSummary>> ChatsAsync(string accountId, bool unreadOnly, int max, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {accountId} and RowKey ge {ActivityPrefix} and RowKey lt {TableClientExtensions.PrefixUpperBound(ActivityPrefix)} and Origin eq {nameof(CaseOrigin.WebsiteChat)}")
            + (unreadOnly ? " and UnreadMessages gt 0" : " and AwaitingReply eq true");
        var list = new List<CaseSummary>();
        await foreach (var e in _table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), cancellationToken: ct))
        {
            list.Add(ToSummary(e));
            if (list.Count == max)
            {
                break;
            }
        }
        return list;
    }

    /// <summary>Website-chat cases awaiting a reply (for routing new chats to the least busy operator).</summary>
    public Task<IReadOnlyList<CaseSummary>> AwaitingChatsAsync(string accountId, CancellationToken ct) => ChatsAsync(accountId, unreadOnly: false, 1000, ct);

    internal static string ActivityKey(Case c) =>
        ActivityPrefix + (DateTime.MaxValue.Ticks - c.UpdatedAt.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "|" + c.Id;

    private TableEntity ToActivity(Case c) => new(c.AccountId, ActivityKey(c))
    {
        { "CaseId", c.Id },
        { "Number", c.Number },
        { "Name", c.Name },
        { "Origin", c.Origin.ToString() },
        { "Status", c.Status.ToString() },
        { "CustomerStatus", c.CustomerStatus.ToString() },
        { "Email", c.Email },
        { "InternalReference", c.InternalReference },
        { "AssignedOperatorIds", string.Join(',', c.AssignedOperatorIds) },
        { "NextAppointmentAt", c.NextAppointment(time.GetUtcNow()) },
        { "UpdatedAt", c.UpdatedAt },
        { "Search", SearchText.Normalize($"{c.Name} {c.Number} {c.InternalReference} {c.Email}") },
        { "AwaitingReply", c.AwaitingReply },
        { "UnreadMessages", c.UnreadMessages },
    };

    private static CaseSummary ToSummary(TableEntity e) => new(
        e.GetString("CaseId")!, e.GetInt32("Number") ?? 0, e.GetString("Name")!,
        Wire.Name(Enum.Parse<CaseOrigin>(e.GetString("Origin")!)), Wire.Name(Enum.Parse<CaseStatus>(e.GetString("Status")!)),
        Wire.Name(Enum.Parse<CustomerStatus>(e.GetString("CustomerStatus") ?? nameof(CustomerStatus.Away))),
        e.GetString("Email"), e.GetString("InternalReference"), SplitIds(e.GetString("AssignedOperatorIds")),
        e.GetDateTimeOffset("NextAppointmentAt"), e.GetDateTimeOffset("UpdatedAt") ?? default, AwaitingReply: e.GetBoolean("AwaitingReply") ?? false,
        UnreadMessages: e.GetInt32("UnreadMessages") ?? 0);

    internal static TableEntity ToEntity(Case c) => new(c.AccountId, CasePrefix + c.Id)
    {
        { "Number", c.Number },
        { "Name", c.Name },
        { "Origin", c.Origin.ToString() },
        { "CustomerStatus", c.CustomerStatus.ToString() },
        { "Email", c.Email },
        { "Phone", c.Phone },
        { "InternalReference", c.InternalReference },
        { "Notes", c.Notes },
        { "CustomFields", JsonSerializer.Serialize(c.CustomFields) },
        { "AssignedOperatorIds", string.Join(',', c.AssignedOperatorIds) },
        { "Language", c.Language },
        { "Status", c.Status.ToString() },
        { "Location", c.Location },
        { "Scheduled", JsonSerializer.Serialize(c.ScheduledAppointments.ToDictionary(p => p.Key, p => p.Value.UtcTicks)) },
        { "CreatedBy", c.CreatedBy },
        { "CreatedAt", c.CreatedAt },
        { "UpdatedAt", c.UpdatedAt },
        { "HiddenFrom", c.Hidden?.DialogCustomerId },
        { "HiddenEmail", c.Hidden?.Email },
        { "HiddenSmsPhone", c.Hidden?.SmsPhone },
        { "HiddenCallPhone", c.Hidden?.CallPhone },
        { "SharedLocation", c.SharedLocation is null ? null : JsonSerializer.Serialize(c.SharedLocation) },
        { "Metadata", c.Metadata is null ? null : JsonSerializer.Serialize(c.Metadata) },
        { "PublicSourceKind", c.PublicSource?.Kind },
        { "PublicSourceClient", c.PublicSource?.ClientAddressHash },
        { "AwaitingReply", c.AwaitingReply },
        { "UnreadMessages", c.UnreadMessages },
    };

    internal static Case ToCase(TableEntity e) => new(
        e.RowKey[CasePrefix.Length..], e.PartitionKey, e.GetInt32("Number") ?? 0, e.GetString("Name")!,
        Enum.Parse<CaseOrigin>(e.GetString("Origin")!), Enum.Parse<CustomerStatus>(e.GetString("CustomerStatus") ?? nameof(CustomerStatus.Away)),
        e.GetString("Email"), e.GetString("Phone"), e.GetString("InternalReference"), e.GetString("Notes"),
        JsonSerializer.Deserialize<Dictionary<string, string>>(e.GetString("CustomFields") ?? "{}")!,
        SplitIds(e.GetString("AssignedOperatorIds")), e.GetString("Language") ?? "en",
        Enum.Parse<CaseStatus>(e.GetString("Status")!), e.GetString("Location"),
        JsonSerializer.Deserialize<Dictionary<string, long>>(e.GetString("Scheduled") ?? "{}")!.ToDictionary(p => p.Key, p => new DateTimeOffset(p.Value, TimeSpan.Zero)),
        e.GetString("CreatedBy") ?? "", e.GetDateTimeOffset("CreatedAt") ?? default, e.GetDateTimeOffset("UpdatedAt") ?? default)
    {
        ETag = e.ETag,
        Hidden = e.GetString("HiddenFrom") is { } from
            ? new HiddenContact(from, e.GetString("HiddenEmail"), e.GetString("HiddenSmsPhone"), e.GetString("HiddenCallPhone"))
            : null,
        SharedLocation = e.GetString("SharedLocation") is { } location ? JsonSerializer.Deserialize<CustomerLocation>(location) : null,
        Metadata = e.GetString("Metadata") is { } metadata ? JsonSerializer.Deserialize<Dictionary<string, string>>(metadata) : null,
        PublicSource = e.GetString("PublicSourceKind") is { } kind ? new PublicSource(kind, e.GetString("PublicSourceClient") ?? "") : null,
        AwaitingReply = e.GetBoolean("AwaitingReply") ?? false,
        UnreadMessages = e.GetInt32("UnreadMessages") ?? 0,
    };

    internal static IReadOnlyList<string> SplitIds(string? csv) => string.IsNullOrEmpty(csv) ? [] : csv.Split(',');
}
