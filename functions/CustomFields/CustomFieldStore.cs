using System.Text.Json;
using Azure;
using Microsoft.Extensions.Caching.Memory;
using Parley.Functions.Accounts;
using Parley.Functions.Identity;
using Parley.Functions.Storage;
using Azure.Data.Tables;

namespace Parley.Functions.CustomFields;

/// <summary>Definitions live in the account's partition of the Accounts table (RowKey "field|{key}"), cached briefly per account.</summary>
public sealed class CustomFieldStore(StorageAccount storage, IMemoryCache cache)
{
    private const string Prefix = "field|";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private readonly TableClient _table = storage.GetTableClient(AccountStore.AccountsTable);

    /// <summary>All definitions including archived ones (callers filter), in display order.</summary>
    public async Task<IReadOnlyList<CustomFieldDefinition>> ListAsync(Tenant tenant, CancellationToken ct)
    {
        if (cache.TryGetValue(CacheKey(tenant), out IReadOnlyList<CustomFieldDefinition>? cached))
        {
            return cached!;
        }
        var list = new List<CustomFieldDefinition>();
        var filter = TableClientExtensions.StartsWithFilter(tenant.AccountId, Prefix);
        await foreach (var e in _table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            list.Add(new CustomFieldDefinition(
                e.RowKey[Prefix.Length..], e.GetString("Label")!, Enum.Parse<CustomFieldType>(e.GetString("Type")!),
                JsonSerializer.Deserialize<string[]>(e.GetString("Choices") ?? "[]")!, e.GetBoolean("Required") ?? false,
                e.GetBoolean("Archived") ?? false, e.GetInt32("Order") ?? 0) { AskWhenBooking = e.GetBoolean("AskWhenBooking") ?? false });
        }
        var ordered = list.OrderBy(d => d.Order).ThenBy(d => d.Key, StringComparer.Ordinal).ToList();
        cache.Set(CacheKey(tenant), (IReadOnlyList<CustomFieldDefinition>)ordered, CacheFor);
        return ordered;
    }

    public async Task SaveAsync(Tenant tenant, CustomFieldDefinition definition, CancellationToken ct)
    {
        await _table.UpsertEntityAsync(ToEntity(tenant, definition), TableUpdateMode.Replace, ct);
        cache.Remove(CacheKey(tenant));
    }

    /// <summary>Saves several definitions at once (one partition, so in transactions of at most 100).</summary>
    public async Task SaveAllAsync(Tenant tenant, IReadOnlyList<CustomFieldDefinition> definitions, CancellationToken ct)
    {
        foreach (var chunk in definitions.Chunk(100))
        {
            await _table.SubmitAtomicallyAsync(chunk.Select(d => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(tenant, d))).ToList(), ct);
        }
        cache.Remove(CacheKey(tenant));
    }

    private static TableEntity ToEntity(Tenant tenant, CustomFieldDefinition definition) =>
        new(tenant.AccountId, Prefix + definition.Key)
        {
            { "Label", definition.Label },
            { "Type", definition.Type.ToString() },
            { "Choices", JsonSerializer.Serialize(definition.Choices) },
            { "Required", definition.Required },
            { "Archived", definition.Archived },
            { "AskWhenBooking", definition.AskWhenBooking },
            { "Order", definition.Order },
        };

    private static string CacheKey(Tenant tenant) => "custom-fields|" + tenant.AccountId;
}
