using System.Collections.Concurrent;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace Parley.Functions.Storage;

/// <summary>
/// One storage account as the official SDKs see it: a <see cref="TableServiceClient"/> and a
/// <see cref="QueueServiceClient"/>, created once from <see cref="StorageConnection"/> (account key or Entra ID token),
/// both counting their requests in <see cref="RoundTrips"/>. Feature stores take their <see cref="TableClient"/> or
/// <see cref="QueueClient"/> from here and use the SDK's API directly.
/// </summary>
public sealed class StorageAccount
{
    /// <summary>
    /// Everything we enqueue is JSON text, sent as is: host.json's queue trigger reads it with <c>"messageEncoding": "none"</c>,
    /// and Event Grid writes its delivery reports as raw JSON too, so one encoding serves both.
    /// </summary>
    public const QueueMessageEncoding MessageEncoding = QueueMessageEncoding.None;

    private readonly ConcurrentDictionary<string, TableClient> _tables = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, QueueClient> _queues = new(StringComparer.Ordinal);

    public StorageAccount(StorageConnection connection, StorageClientOptions? options = null)
    {
        options ??= new StorageClientOptions();
        Connection = connection;
        var tableOptions = options.ApplyTo(new TableClientOptions(), RoundTrips);
        var queueOptions = options.ApplyTo(new QueueClientOptions { MessageEncoding = MessageEncoding }, RoundTrips);
        Tables = connection.TableKeyCredential is { } tableKey
            ? new TableServiceClient(connection.TableEndpoint, tableKey, tableOptions)
            : new TableServiceClient(connection.TableEndpoint, connection.Credential!, tableOptions);
        Queues = connection.StorageKeyCredential is { } queueKey
            ? new QueueServiceClient(connection.QueueEndpoint, queueKey, queueOptions)
            : new QueueServiceClient(connection.QueueEndpoint, connection.Credential!, queueOptions);
    }

    public StorageConnection Connection { get; }

    public TableServiceClient Tables { get; }

    public QueueServiceClient Queues { get; }

    /// <summary>How many requests this account's clients have sent, over both services (retries included).</summary>
    public StorageRoundTrips RoundTrips { get; } = new();

    /// <summary>The client for one table; one instance per name, shared.</summary>
    public TableClient GetTableClient(string tableName) => _tables.GetOrAdd(tableName, Tables.GetTableClient);

    /// <summary>The client for one queue; one instance per name, shared.</summary>
    public QueueClient GetQueueClient(string queueName) => _queues.GetOrAdd(queueName, Queues.GetQueueClient);
}
