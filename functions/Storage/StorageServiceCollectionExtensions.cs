namespace Parley.Functions.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the storage account from <c>AzureWebJobsStorage</c> and a startup check that creates every
    /// declared table and queue, so bad configuration or unreachable storage stops the app before it serves; an outage
    /// later answers 503 (<see cref="StorageOutage"/>).
    /// </summary>
    public static IServiceCollection AddStorage(this IServiceCollection services)
    {
        services.AddSingleton(sp => StorageClientOptions.FromConfiguration(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton(sp => new StorageAccount(StorageConnection.FromConfiguration(sp.GetRequiredService<IConfiguration>()), sp.GetRequiredService<StorageClientOptions>()));
        services.AddSingleton(sp => sp.GetRequiredService<StorageAccount>().Tables);
        services.AddSingleton(sp => sp.GetRequiredService<StorageAccount>().Queues);
        services.AddHostedService<StorageStartupCheck>();
        services.AddSingleton<StorageOutage>();
        services.AddSingleton<Microsoft.AspNetCore.Diagnostics.IExceptionHandler>(sp => sp.GetRequiredService<StorageOutage>());
        return services;
    }

    /// <summary>Declares a table the app needs; it is created at startup.</summary>
    public static IServiceCollection AddStorageTable(this IServiceCollection services, string tableName) =>
        services.AddSingleton(new StorageResource(StorageResourceKind.Table, tableName));

    /// <summary>Declares a queue the app writes to or reads from; it is created at startup.</summary>
    public static IServiceCollection AddStorageQueue(this IServiceCollection services, string queueName) =>
        services.AddSingleton(new StorageResource(StorageResourceKind.Queue, queueName));
}

public enum StorageResourceKind
{
    Table,
    Queue,
}

/// <summary>A table or queue that must exist before the app serves.</summary>
public sealed record StorageResource(StorageResourceKind Kind, string Name);
