using System.Globalization;
using Azure.Data.Tables;
using Parley.Functions.Common;
using Parley.Functions.Notifications.Providers;
using Parley.Functions.Storage;

namespace Parley.Functions.Abuse;

/// <summary>One message the abuse guard refused, as administrators see it: the destination only masked.</summary>
public sealed record RefusedSend(DateTimeOffset At, MessageChannel Channel, string Destination, RefusalReason Reason, string Source, string? MessageId);

/// <summary>
/// RefusedSends table: one partition per account, row keys in reverse time order (newest first), rows expire after
/// <see cref="KeepFor"/> (swept by the maintenance task). Recording is best effort: a refusal stands even when it
/// cannot be written down (the log has it).
/// </summary>
public sealed class RefusedSendStore(StorageAccount storage, TimeProvider time, ILogger<RefusedSendStore> logger)
{
    public const string TableName = "RefusedSends";
    public static readonly TimeSpan KeepFor = TimeSpan.FromDays(30);
    private readonly TableClient _table = storage.GetTableClient(TableName);

    public async Task RecordAsync(string accountId, MessageChannel channel, string maskedDestination, RefusalReason reason, string source, string? messageId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var row = (DateTimeOffset.MaxValue.UtcTicks - now.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "-" + SecureTokens.NewId()[..8];
        var entity = new TableEntity(accountId, row)
        {
            { "At", now },
            { "Channel", channel.ToString() },
            { "Destination", maskedDestination },
            { "Reason", reason.ToString() },
            { "Source", source },
            { "MessageId", messageId },
            { "ExpiresAt", now + KeepFor },
        };
        try
        {
            await _table.AddEntityAsync(entity, ct);
        }
        catch (Exception ex) when (StorageOutage.IsOutage(ex) && !ct.IsCancellationRequested)
        {
            logger.LogWarning("A refused message could not be recorded for account {AccountId} (storage unavailable)", accountId);
        }
    }

    /// <summary>The account's refusals, newest first.</summary>
    public async Task<IReadOnlyList<RefusedSend>> ListAsync(string accountId, int limit, CancellationToken ct)
    {
        var list = new List<RefusedSend>();
        await foreach (var e in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {accountId}"), maxPerPage: limit, cancellationToken: ct))
        {
            list.Add(new RefusedSend(e.GetDateTimeOffset("At") ?? default, Enum.Parse<MessageChannel>(e.GetString("Channel")!), e.GetString("Destination") ?? "***",
                Enum.TryParse<RefusalReason>(e.GetString("Reason"), out var reason) ? reason : RefusalReason.InvalidDestination, e.GetString("Source") ?? "", e.GetString("MessageId")));
            if (list.Count >= limit)
            {
                break;
            }
        }
        return list;
    }
}
