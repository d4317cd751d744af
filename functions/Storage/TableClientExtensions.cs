using System.Text;
using Azure;
using Azure.Data.Tables;

namespace Parley.Functions.Storage;

/// <summary>
/// The few things Parley does with an Azure.Data.Tables <see cref="TableClient"/> that the SDK has no single call for:
/// a transaction guard for rules Azurite does not enforce, the idempotent "create once", key-prefix filters and the
/// expired-row sweep. Everything else is the SDK's own API, used directly by the feature stores.
/// </summary>
public static class TableClientExtensions
{
    /// <summary>The service's limit for one entity-group transaction.</summary>
    public const int MaxTransactionActions = 100;

    /// <summary>
    /// Submits an entity-group transaction after checking what Azure enforces and Azurite does not: 1 to 100 actions,
    /// all in one partition, each entity once. A broken rule throws <see cref="ArgumentException"/> before anything is
    /// sent, so a transaction that passes on Azurite cannot fail on Azure for these reasons. On success each entity
    /// carries the ETag the service gave it. An update action without an ETag updates unconditionally (never inserts).
    /// The only way feature code submits a transaction (a test checks that).
    /// </summary>
    public static async Task<Response<IReadOnlyList<Response>>> SubmitAtomicallyAsync(this TableClient table, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        EnsureValidTransaction(actions);
        // The SDK sends an update without an ETag with no If-Match header, which the service treats as an upsert; an
        // update is meant for an entity that exists, so "no ETag" means unconditional (ETag.All), as for deletes.
        var sent = actions.Select(a => a.ActionType is TableTransactionActionType.UpdateMerge or TableTransactionActionType.UpdateReplace && a.ETag == default
            ? new TableTransactionAction(a.ActionType, a.Entity, ETag.All)
            : a).ToList();
        var response = await table.SubmitTransactionAsync(sent, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < actions.Count && i < response.Value.Count; i++)
        {
            if (actions[i].ActionType != TableTransactionActionType.Delete && response.Value[i].Headers.ETag is { } etag)
            {
                actions[i].Entity.ETag = etag;
            }
        }
        return response;
    }

    /// <summary>Throws when Azure would refuse the transaction (Azurite accepts mixed partitions and answers 101 actions with a malformed body).</summary>
    public static void EnsureValidTransaction(IReadOnlyList<TableTransactionAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count is 0 or > MaxTransactionActions)
        {
            throw new ArgumentException($"A transaction holds 1 to {MaxTransactionActions} actions, not {actions.Count}.", nameof(actions));
        }
        var partition = actions[0].Entity.PartitionKey;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            if (!string.Equals(action.Entity.PartitionKey, partition, StringComparison.Ordinal))
            {
                throw new ArgumentException($"All actions of a transaction must share one PartitionKey ('{partition}' and '{action.Entity.PartitionKey}' were mixed).", nameof(actions));
            }
            if (!seen.Add(action.Entity.RowKey))
            {
                throw new ArgumentException($"RowKey '{action.Entity.RowKey}' appears twice; a transaction may touch each entity once.", nameof(actions));
            }
        }
    }

    /// <summary>
    /// Inserts the entity unless its keys are taken; returns what is stored either way (the inserted entity with its
    /// ETag, or the existing one) and whether this call inserted it. The idempotent "create once" of workflow records.
    /// </summary>
    public static async Task<(TableEntity Entity, bool Created)> AddOrGetAsync(this TableClient table, TableEntity entity, CancellationToken cancellationToken = default)
    {
        try
        {
            entity.ETag = (await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false)).Headers.ETag ?? default;
            return (entity, true);
        }
        catch (RequestFailedException ex) when (ex.IsAlreadyExists())
        {
            var existing = await table.GetEntityOrNullAsync(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"{table.Name} row {entity.RowKey} existed and then vanished.", ex);
            return (existing, false);
        }
    }

    /// <summary>
    /// Point read that answers null for a missing entity (the SDK's <c>NullableResponse.Value</c> throws instead) and
    /// throws for a missing table.
    /// </summary>
    public static async Task<TableEntity?> GetEntityOrNullAsync(this TableClient table, string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, select, cancellationToken).ConfigureAwait(false);
        if (response.HasValue)
        {
            return response.Value;
        }
        // The SDK answers "no value" for a missing table too; that is a broken deployment, not a missing row.
        var raw = response.GetRawResponse();
        if (raw.Headers.TryGetValue("x-ms-error-code", out var code) && code == "TableNotFound")
        {
            throw new RequestFailedException(raw);
        }
        return null;
    }

    /// <summary>A filter for the rows of one partition whose RowKey starts with <paramref name="prefix"/> (a range scan).</summary>
    public static string StartsWithFilter(string partitionKey, string prefix) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {prefix} and RowKey lt {PrefixUpperBound(prefix)}");

    /// <summary>The upper bound for a prefix range query: all RowKeys starting with <paramref name="prefix"/> are &lt; the result.</summary>
    public static string PrefixUpperBound(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var sb = new StringBuilder(prefix);
        sb[^1] = (char)(sb[^1] + 1);
        return sb.ToString();
    }

    /// <summary>Deletes the rows whose <c>ExpiresAt</c> is before <paramref name="before"/>; returns how many.</summary>
    public static async Task<int> DeleteExpiredAsync(this TableClient table, DateTimeOffset before, CancellationToken cancellationToken)
    {
        var deleted = 0;
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"ExpiresAt lt {before}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            await table.DeleteEntityAsync(e.PartitionKey, e.RowKey, cancellationToken: cancellationToken);
            deleted++;
        }
        return deleted;
    }
}
