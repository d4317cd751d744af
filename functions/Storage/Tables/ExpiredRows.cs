namespace Parley.Functions.Storage.Tables;

/// <summary>Clean-up of tables whose rows carry an <c>ExpiresAt</c> time (rate-limit windows, sessions).</summary>
public static class ExpiredRows
{
    /// <summary>Deletes the rows whose <c>ExpiresAt</c> is before <paramref name="before"/>; returns how many.</summary>
    public static async Task<int> DeleteExpiredAsync(this TableStorageClient table, DateTimeOffset before, CancellationToken cancellationToken)
    {
        var deleted = 0;
        await foreach (var e in table.QueryAsync(TableFilter.Create($"ExpiresAt lt {before}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            await table.DeleteEntityAsync(e.PartitionKey, e.RowKey, cancellationToken: cancellationToken);
            deleted++;
        }
        return deleted;
    }
}
