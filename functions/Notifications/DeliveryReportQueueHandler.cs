using System.Text.Json;
using Azure;
using Parley.Functions.Storage;
using Azure.Data.Tables;
using Parley.Functions.Workflows;

namespace Parley.Functions.Notifications;

/// <summary>
/// Delivery reports from Communication Services. Event Grid delivers ACS's <c>SMSDeliveryReportReceived</c> and
/// <c>EmailDeliveryReportReceived</c> events into the <c>delivery-reports</c> storage queue (a queue destination: no
/// public webhook, no validation handshake, and Event Grid's retries end in a durable queue). Each report moves the
/// message record from Sent to Delivered or Failed (with the carrier's or mail server's reason). SMS are found by
/// their tag ("{account}/{message id}"), e-mails by the operation id through <see cref="ProviderReferences"/>.
/// </summary>
public sealed class DeliveryReportQueueHandler(MessageStore messages, ProviderReferences references, TimeProvider time, ILogger<DeliveryReportQueueHandler> logger) : IQueueHandler
{
    public static string QueueName => "delivery-reports";

    public async Task HandleAsync(QueueWorkItem message, CancellationToken ct)
    {
        using var doc = JsonDocument.Parse(message.Text);
        var events = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement.EnumerateArray().ToList() : [doc.RootElement];
        foreach (var e in events)
        {
            var type = Get(e, "eventType") ?? Get(e, "type") ?? "";
            var data = e.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
            if (data.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            switch (type)
            {
                case "Microsoft.Communication.SMSDeliveryReportReceived":
                    if (Get(data, "tag")?.Split('/', 2) is [var account, var id])
                    {
                        var delivered = string.Equals(Get(data, "deliveryStatus"), "Delivered", StringComparison.OrdinalIgnoreCase);
                        await ApplyAsync(account, id, delivered, Get(data, "deliveryStatusDetails") ?? Get(data, "deliveryStatus"), ct);
                    }
                    break;
                case "Microsoft.Communication.EmailDeliveryReportReceived":
                    if (Get(data, "messageId") is { } operationId && await references.FindAsync(operationId, ct) is { } found)
                    {
                        var status = Get(data, "status") ?? "";
                        var details = data.TryGetProperty("deliveryStatusDetails", out var sd) && sd.ValueKind == JsonValueKind.Object ? Get(sd, "statusMessage") : null;
                        await ApplyAsync(found.AccountId, found.MessageId, status is "Delivered" or "Expanded", details ?? status, ct);
                    }
                    break;
            }
        }
    }

    private async Task ApplyAsync(string accountId, string messageId, bool delivered, string? details, CancellationToken ct)
    {
        var record = await messages.GetAsync(accountId, messageId, ct);
        if (record is null || record.Status is MessageStatus.Delivered or MessageStatus.Failed)
        {
            logger.LogDebug("Delivery report for {MessageId} changes nothing", messageId);
            return;
        }
        await messages.SaveAsync(delivered
            ? record with { Status = MessageStatus.Delivered, Reason = null, UpdatedAt = time.GetUtcNow() }
            : record with { Status = MessageStatus.Failed, Reason = "Not delivered: " + (details ?? "no reason given"), UpdatedAt = time.GetUtcNow() }, ct);
    }

    /// <summary>A string property, matched without regard to case (ACS's SMS events use PascalCase, e-mail events camelCase).</summary>
    private static string? Get(JsonElement o, string name)
    {
        foreach (var p in o.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null;
            }
        }
        return null;
    }
}

/// <summary>
/// Maps a provider's id for a message (the ACS e-mail operation id) to our account and message id, written before the
/// send so a report can never arrive before its reference. Table <c>ProviderReferences</c>, PartitionKey = provider id.
/// </summary>
public sealed class ProviderReferences(StorageAccount storage)
{
    public const string TableName = "ProviderReferences";
    private readonly TableClient _table = storage.GetTableClient(TableName);

    public Task RememberAsync(string providerId, string accountId, string messageId, CancellationToken ct) =>
        _table.UpsertEntityAsync(new TableEntity(providerId, "") { { "AccountId", accountId }, { "MessageId", messageId } }, TableUpdateMode.Replace, ct);

    public async Task<(string AccountId, string MessageId)?> FindAsync(string providerId, CancellationToken ct)
    {
        var row = await _table.GetEntityOrNullAsync(providerId, "", cancellationToken: ct);
        return row is null ? null : (row.GetString("AccountId")!, row.GetString("MessageId")!);
    }
}
