using Azure;
using Azure.Data.Tables;

namespace Parley.Functions.Storage;

/// <summary>
/// An append-only log in one table partition with gap-free sequence numbers: a counter row (<c>seq</c>) and entry rows
/// (<c>{prefix}{seq:D12}</c>) written in one entity-group transaction, the counter under If-Match. So a reader that has
/// seen entry N never misses an N−1 committed later (as time-based keys would allow), and a crash leaves no gap.
/// An optional idempotency row (<c>{dedupePrefix}{key}</c>, holding the entry's number) rides in the same transaction:
/// a retried append with the same key answers the entry already written instead of writing a second.
/// </summary>
public static class SequencedLog
{
    private const string CounterRow = "seq";

    public static string EntryKey(string prefix, long seq) => prefix + seq.ToString("D12", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Appends one entry; returns its number and whether this call wrote it (false: the idempotency key was used before).</summary>
    public static async Task<(long Seq, bool Created)> AppendAsync(TableClient table, string partition, string prefix, Action<TableEntity> fill,
        string? dedupeKey, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (dedupeKey is not null && await table.GetEntityOrNullAsync(partition, dedupeKey, cancellationToken: ct) is { } done)
            {
                return (done.GetInt64("Seq") ?? 0, false);
            }
            var counter = await table.GetEntityOrNullAsync(partition, CounterRow, cancellationToken: ct);
            var next = (counter?.GetInt64("Last") ?? 0) + 1;
            var entry = new TableEntity(partition, EntryKey(prefix, next)) { ["Seq"] = next };
            fill(entry);
            var actions = new List<TableTransactionAction>
            {
                counter is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(partition, CounterRow) { ["Last"] = next })
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity(partition, CounterRow) { ["Last"] = next }, counter.ETag),
                new TableTransactionAction(TableTransactionActionType.Add, entry),
            };
            if (dedupeKey is not null)
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(partition, dedupeKey) { ["Seq"] = next }));
            }
            try
            {
                await table.SubmitAtomicallyAsync(actions, ct);
                return (next, true);
            }
            catch (TableTransactionFailedException) when (attempt < 50)
            {
                // Another writer took the number (or wrote the same idempotency key): read again.
            }
        }
    }

    /// <summary>Entries after <paramref name="afterSeq"/>, in order, at most <paramref name="max"/>.</summary>
    public static async Task<List<TableEntity>> ReadAsync(TableClient table, string partition, string prefix, long afterSeq, int max, CancellationToken ct)
    {
        var lower = EntryKey(prefix, afterSeq);
        var upper = TableClientExtensions.PrefixUpperBound(prefix);
        var found = new List<TableEntity>();
        await foreach (var page in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {lower} and RowKey lt {upper}"),
                           maxPerPage: Math.Min(max, 1000), cancellationToken: ct).AsPages())
        {
            found.AddRange(page.Values);
            if (found.Count >= max)
            {
                break;
            }
        }
        return found.Count > max ? found[..max] : found;
    }

    /// <summary>The number of the last entry (0 when empty): one point read.</summary>
    public static async Task<long> LastAsync(TableClient table, string partition, CancellationToken ct) =>
        (await table.GetEntityOrNullAsync(partition, CounterRow, cancellationToken: ct))?.GetInt64("Last") ?? 0;

    /// <summary>Deletes every row of the partition (the whole log), in transactions of up to 100 rows.</summary>
    public static async Task DeletePartitionAsync(TableClient table, string partition, CancellationToken ct)
    {
        var keys = new List<string>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), select: ["RowKey"], cancellationToken: ct))
        {
            keys.Add(e.RowKey);
        }
        foreach (var chunk in keys.Chunk(100))
        {
            await table.SubmitAtomicallyAsync([.. chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, k), ETag.All))], ct);
        }
    }
}
