using System.Globalization;
using System.Text.Json;
using Azure;
using Parley.Functions.Common;
using Parley.Functions.Storage;
using Azure.Data.Tables;

namespace Parley.Functions.Dialogs;

/// <summary>
/// The Dialogs table, one partition per account: "settings", "adviser|{operator}", pseudonymous customers
/// ("cust|email|{keyed hash}", "cust|id|{ABCDE}"), dialogs ("all|{id}", "op|{operator}|{id}") and their messages
/// ("msg|{id}|{seq}"). A new message and the dialog's new state are one entity-group transaction.
/// </summary>
public sealed class DialogStore(StorageAccount storage, TimeProvider time)
{
    public const string TableName = "Dialogs";
    private const string SettingsKey = "settings";
    private readonly TableClient _table = storage.GetTableClient(TableName);

    // ---- settings ----

    public async Task<DialogSettings> GetSettingsAsync(string accountId, CancellationToken ct)
    {
        var row = await _table.GetEntityOrNullAsync(accountId, SettingsKey, cancellationToken: ct);
        if (row is null)
        {
            return DialogSettings.Default;
        }
        return new DialogSettings(row.GetInt32("MaxMessageLength") ?? 500, row.GetString("CallerId"), row.GetString("WidgetText") ?? DialogSettings.Default.WidgetText,
            row.GetString("WidgetColor") ?? DialogSettings.Default.WidgetColor, row.GetBoolean("SmsToCustomers") ?? false,
            JsonSerializer.Deserialize<List<SecretWord>>(row.GetString("SecretWords") ?? "[]")!) { ETag = row.ETag };
    }

    /// <summary>Saves under the ETag read (a first save creates the row); a concurrent change throws 412/409.</summary>
    public async Task<DialogSettings> SaveSettingsAsync(string accountId, DialogSettings settings, CancellationToken ct)
    {
        var entity = new TableEntity(accountId, SettingsKey)
        {
            { "MaxMessageLength", settings.MaxMessageLength },
            { "CallerId", settings.CallerId },
            { "WidgetText", settings.WidgetText },
            { "WidgetColor", settings.WidgetColor },
            { "SmsToCustomers", settings.SmsToCustomers },
            { "SecretWords", JsonSerializer.Serialize(settings.SecretWords) },
        };
        if (settings.ETag == default)
        {
            entity.ETag = (await _table.AddEntityAsync(entity, ct)).Headers.ETag ?? default;
        }
        else
        {
            entity.ETag = (await _table.UpdateEntityAsync(entity, settings.ETag, TableUpdateMode.Replace, ct)).Headers.ETag ?? default;
        }
        return settings with { ETag = entity.ETag };
    }

    /// <summary>The adviser's alert settings, or null when they never saved any.</summary>
    public async Task<AdviserAlerts?> GetAlertsAsync(string accountId, string operatorId, CancellationToken ct)
    {
        var row = await _table.GetEntityOrNullAsync(accountId, "adviser|" + operatorId, cancellationToken: ct);
        return row is null
            ? null
            : new AdviserAlerts(row.GetString("Email"), row.GetBoolean("EmailOn") ?? false, row.GetString("VoicePhone"), row.GetBoolean("VoiceOn") ?? false,
                row.GetString("SmsPhone"), row.GetBoolean("SmsOn") ?? false);
    }

    public Task SaveAlertsAsync(string accountId, string operatorId, AdviserAlerts alerts, CancellationToken ct) =>
        _table.UpsertEntityAsync(new TableEntity(accountId, "adviser|" + operatorId)
        {
            { "Email", alerts.Email }, { "EmailOn", alerts.EmailOn }, { "VoicePhone", alerts.VoicePhone }, { "VoiceOn", alerts.VoiceOn },
            { "SmsPhone", alerts.SmsPhone }, { "SmsOn", alerts.SmsOn },
        }, TableUpdateMode.Replace, ct);

    // ---- pseudonymous customers ----

    public async Task<string?> FindCustomerIdAsync(string accountId, string emailHash, CancellationToken ct) =>
        (await _table.GetEntityOrNullAsync(accountId, "cust|email|" + emailHash, cancellationToken: ct))?.GetString("CustomerId");

    /// <summary>Claims <paramref name="customerId"/> for the e-mail hash in one transaction; false when either is taken.</summary>
    public async Task<bool> TryClaimCustomerIdAsync(string accountId, string emailHash, string customerId, CancellationToken ct)
    {
        try
        {
            await _table.SubmitAtomicallyAsync(
            [
                new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(accountId, "cust|email|" + emailHash) { { "CustomerId", customerId }, { "CreatedAt", time.GetUtcNow() } }),
                new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(accountId, "cust|id|" + customerId) { { "EmailHash", emailHash } }),
            ], ct);
            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    /// <summary>The account's key for hashing customer e-mails (created on first use, stored encrypted by the caller).</summary>
    public async Task<string> GetOrCreateProtectedKeyAsync(string accountId, Func<string> create, CancellationToken ct)
    {
        var row = (await _table.GetEntityOrNullAsync(accountId, "customer-key", cancellationToken: ct))
            ?? (await _table.AddOrGetAsync(new TableEntity(accountId, "customer-key") { { "Key", create() } }, ct)).Entity;
        return row.GetString("Key")!;
    }

    // ---- dialogs ----

    /// <summary>A new id that sorts before every older one.</summary>
    public string NewDialogId() =>
        (DateTime.MaxValue.Ticks - time.GetUtcNow().UtcTicks).ToString("D19", CultureInfo.InvariantCulture)[3..] + SecureTokens.NewId(8);

    public async Task<Dialog> CreateAsync(Dialog dialog, DialogMessage first, CancellationToken ct)
    {
        var all = ToEntity(dialog, "all|" + dialog.Id);
        await _table.SubmitAtomicallyAsync(
        [
            new TableTransactionAction(TableTransactionActionType.Add, all),
            new TableTransactionAction(TableTransactionActionType.Add, ToEntity(dialog, $"op|{dialog.OperatorId}|{dialog.Id}")),
            new TableTransactionAction(TableTransactionActionType.Add, ToMessage(dialog, first)),
        ], ct);
        return dialog with { ETag = all.ETag };
    }

    public async Task<Dialog?> GetAsync(string accountId, string id, CancellationToken ct)
    {
        var row = await _table.GetEntityOrNullAsync(accountId, "all|" + id, cancellationToken: ct);
        return row is null ? null : From(row);
    }

    /// <summary>Writes the dialog's new state and, when given, its new message, guarded by the ETag of the state read.</summary>
    public async Task<Dialog> SaveAsync(Dialog after, DialogMessage? message, CancellationToken ct)
    {
        var all = ToEntity(after, "all|" + after.Id);
        var actions = new List<TableTransactionAction>
        {
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, all, after.ETag),
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(after, $"op|{after.OperatorId}|{after.Id}"), ETag.All),
        };
        if (message is not null)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.Add, ToMessage(after, message)));
        }
        await _table.SubmitAtomicallyAsync(actions, ct);
        return after with { ETag = all.ETag };
    }

    public async Task<IReadOnlyList<DialogMessage>> MessagesAsync(string accountId, string id, CancellationToken ct)
    {
        var prefix = $"msg|{id}|";
        var list = new List<DialogMessage>();
        await foreach (var e in _table.QueryAsync<TableEntity>(TableClientExtensions.StartsWithFilter(accountId, prefix), cancellationToken: ct))
        {
            list.Add(new DialogMessage(e.GetInt32("Seq") ?? 0, Enum.Parse<DialogParty>(e.GetString("From")!), e.GetString("Text") ?? "", e.GetDateTimeOffset("At") ?? default, e.GetString("OperatorId")));
        }
        return list;
    }

    /// <summary>One range query over the adviser's rows (or all rows), newest first; the cursor is the last id returned.</summary>
    public async Task<(IReadOnlyList<Dialog> Items, string? Next)> ListAsync(string accountId, string? operatorId, bool needsAnswer, string? cursor, int limit, CancellationToken ct)
    {
        var prefix = operatorId is null ? "all|" : $"op|{operatorId}|";
        var upper = TableClientExtensions.PrefixUpperBound(prefix);
        var filter = cursor is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {accountId} and RowKey ge {prefix} and RowKey lt {upper}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {accountId} and RowKey gt {prefix + cursor} and RowKey lt {upper}");
        if (needsAnswer)
        {
            filter += TableClient.CreateQueryFilter($" and LastFrom eq {nameof(DialogParty.Customer)} and Closed eq {false}");
        }
        var items = new List<Dialog>();
        await foreach (var e in _table.QueryAsync<TableEntity>(filter, maxPerPage: limit + 1, cancellationToken: ct))
        {
            if (items.Count == limit)
            {
                return (items, items[^1].Id);
            }
            items.Add(From(e));
        }
        return (items, null);
    }

    private static TableEntity ToEntity(Dialog d, string rowKey) => new(d.AccountId, rowKey)
    {
        { "Id", d.Id },
        { "OperatorId", d.OperatorId },
        { "CustomerId", d.CustomerId },
        { "Keyword", d.Keyword },
        { "AvailableUntil", d.AvailableUntil },
        { "WishedAt", d.WishedAt },
        { "TimeZone", d.TimeZone },
        { "Language", d.Language },
        { "ContactEmail", d.Contact.Email },
        { "ContactCallPhone", d.Contact.CallPhone },
        { "ContactSmsPhone", d.Contact.SmsPhone },
        { "FirstMessage", d.FirstMessage },
        { "LastMessage", d.LastMessage },
        { "LastFrom", d.LastFrom.ToString() },
        { "Answered", d.Answered },
        { "MessageCount", d.MessageCount },
        { "Closed", d.Closed },
        { "ProtectedReplySecret", d.ProtectedReplySecret },
        { "CreatedAt", d.CreatedAt },
        { "UpdatedAt", d.UpdatedAt },
    };

    private static TableEntity ToMessage(Dialog d, DialogMessage m) => new(d.AccountId, $"msg|{d.Id}|{m.Seq:D4}")
    {
        { "Seq", m.Seq }, { "From", m.From.ToString() }, { "Text", m.Text }, { "At", m.At }, { "OperatorId", m.OperatorId },
    };

    private static Dialog From(TableEntity e) => new(
        e.PartitionKey, e.GetString("Id")!, e.GetString("OperatorId")!, e.GetString("CustomerId")!, e.GetString("Keyword") ?? "", e.GetDateTimeOffset("AvailableUntil"),
        e.GetDateTimeOffset("WishedAt"), e.GetString("TimeZone") ?? "UTC", e.GetString("Language") ?? "en",
        new CustomerContact(e.GetString("ContactEmail") ?? "", e.GetString("ContactCallPhone"), e.GetString("ContactSmsPhone")),
        e.GetString("FirstMessage") ?? "", e.GetString("LastMessage") ?? "", Enum.Parse<DialogParty>(e.GetString("LastFrom")!), e.GetBoolean("Answered") ?? false,
        e.GetInt32("MessageCount") ?? 1, e.GetBoolean("Closed") ?? false, e.GetString("ProtectedReplySecret") ?? "", e.GetDateTimeOffset("CreatedAt") ?? default,
        e.GetDateTimeOffset("UpdatedAt") ?? default) { ETag = e.ETag };
}
