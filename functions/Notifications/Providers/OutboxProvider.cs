using Azure;
using Parley.Functions.Calls.Providers;
using Parley.Functions.Storage;
using Azure.Data.Tables;

namespace Parley.Functions.Notifications.Providers;

/// <summary>
/// The default provider when Communication Services is not configured: every message is stored in the Outbox
/// table (one partition per account) and shown on the dashboard's developer outbox page. Idempotent by message id.
/// </summary>
public sealed class OutboxProvider(StorageAccount storage, TimeProvider time) : IMessageProvider
{
    public const string TableName = "Outbox";
    private readonly TableClient _table = storage.GetTableClient(TableName);

    public string Name => "outbox";

    public async Task<ProviderResult> SendAsync(OutgoingMessage m, CancellationToken ct)
    {
        var entity = new TableEntity(m.AccountId, Sanitize(m.MessageId))
        {
            { "Channel", m.Channel.ToString() },
            { "To", m.To },
            { "RecipientHidden", m.RecipientHidden },
            { "ToName", m.ToName },
            { "From", m.FromAddress },
            { "FromName", m.FromName },
            { "Subject", m.Subject },
            { "Text", m.Text },
            { "Html", m.Html },
            { "SentAt", time.GetUtcNow() },
        };
        try
        {
            entity.ETag = (await _table.AddEntityAsync(entity, ct)).Headers.ETag ?? default;
        }
        catch (RequestFailedException ex) when (ex.IsAlreadyExists())
        {
            // Already delivered to the outbox: a retry, not a second message.
        }
        return new ProviderResult(true, "outbox:" + entity.RowKey, null);
    }

    /// <summary>Writes one call attempt with its script (idempotent per attempt).</summary>
    public async Task RecordCallAsync(CallOrder order, string status, CancellationToken ct)
    {
        var entity = new TableEntity(order.AccountId, CallRow(order))
        {
            { "Channel", "Call" },
            { "To", order.To },
            { "RecipientHidden", order.RecipientHidden },
            { "From", order.CallerId ?? "Parley" },
            { "Subject", $"Call {order.CallId}, attempt {order.Attempt + 1}" },
            { "Text", order.Text },
            { "Language", order.Language },
            { "Status", status },
            { "SentAt", time.GetUtcNow() },
        };
        try
        {
            entity.ETag = (await _table.AddEntityAsync(entity, ct)).Headers.ETag ?? default;
        }
        catch (RequestFailedException ex) when (ex.IsAlreadyExists())
        {
        }
    }

    /// <summary>Moves a simulated call attempt on (ringing → played → hung up).</summary>
    public Task SetCallStatusAsync(CallOrder order, string status, CancellationToken ct) =>
        _table.UpdateEntityAsync(new TableEntity(order.AccountId, CallRow(order)) { { "Status", status } }, ETag.All, TableUpdateMode.Merge, ct);

    private static string CallRow(CallOrder order) => Sanitize($"call|{order.CallId}|{order.Attempt}");

    /// <summary>The HTML part of one outbox e-mail, or null.</summary>
    public async Task<string?> GetHtmlAsync(string accountId, string id, CancellationToken ct) =>
        (await _table.GetEntityOrNullAsync(accountId, id, cancellationToken: ct))?.GetString("Html");

    /// <summary>The newest messages of an account, for the developer outbox page.</summary>
    public async Task<IReadOnlyList<OutboxEntry>> ListAsync(string accountId, int limit, CancellationToken ct)
    {
        var list = new List<OutboxEntry>();
        await foreach (var e in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {accountId}"), cancellationToken: ct))
        {
            // The outbox stands in for the customer's inbox, but it is a dashboard page: hidden addresses stay hidden there too.
            var to = e.GetBoolean("RecipientHidden") == true ? Cases.HiddenContact.Shown : e.GetString("To")!;
            list.Add(new OutboxEntry(e.RowKey, e.GetString("Channel")!.ToLowerInvariant(), to, e.GetString("ToName"), e.GetString("From")!,
                e.GetString("FromName"), e.GetString("Subject")!, e.GetString("Text")!, e.GetString("Html"), e.GetString("Status"), e.GetDateTimeOffset("SentAt") ?? default));
        }
        return list.OrderByDescending(e => e.SentAt).Take(limit).ToList();
    }

    private static string Sanitize(string id) => new(id.Select(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c) ? '_' : c).ToArray());
}

public sealed record OutboxEntry(string Id, string Channel, string To, string? ToName, string From, string? FromName, string Subject, string Text, string? Html, string? Status, DateTimeOffset SentAt);
