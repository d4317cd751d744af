using Parley.Functions.Storage;
using Azure.Data.Tables;

namespace Parley.Functions.Maintenance;

/// <summary>
/// Sweep task: deletes the rows of a table whose <c>ExpiresAt</c> passed more than <paramref name="grace"/> ago,
/// so tables of short-lived rows (rate-limit windows, sessions) stay small.
/// </summary>
public sealed class ExpiredRowsCleanup(string name, string tableName, TimeSpan grace, StorageAccount storage, TimeProvider time, ILogger<ExpiredRowsCleanup> logger) : ISweepTask
{
    public string Name => name;

    public async Task RunAsync(DateTimeOffset scheduledFor, CancellationToken cancellationToken)
    {
        var deleted = await storage.GetTableClient(tableName).DeleteExpiredAsync(time.GetUtcNow() - grace, cancellationToken);
        if (deleted > 0)
        {
            logger.LogInformation("{Task} deleted {Count} expired rows of {Table}", name, deleted, tableName);
        }
    }
}

public static class ExpiredRowsCleanupExtensions
{
    /// <summary>Registers a sweep task named <paramref name="name"/> that deletes expired rows of <paramref name="tableName"/>.</summary>
    public static IServiceCollection AddExpiredRowsCleanup(this IServiceCollection services, string name, string tableName, TimeSpan grace) =>
        services.AddScoped<ISweepTask>(sp => new ExpiredRowsCleanup(name, tableName, grace, sp.GetRequiredService<StorageAccount>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ExpiredRowsCleanup>>()));
}
