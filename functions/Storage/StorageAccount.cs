using Azure.Core;
using Azure.Core.Pipeline;
using Parley.Functions.Storage.Queues;
using Parley.Functions.Storage.Tables;

namespace Parley.Functions.Storage;

/// <summary>
/// One storage account: builds one Azure.Core pipeline per service (auth in the per-retry slot, so each
/// retry is re-signed) and hands out per-table and per-queue clients that share it.
/// </summary>
public sealed class StorageAccount
{
    private const string StorageScope = "https://storage.azure.com/.default";

    public StorageAccount(StorageConnection connection, StorageClientOptions? options = null)
    {
        options ??= new StorageClientOptions();
        Connection = connection;
        TablePipeline = Build(options, connection.SharedKey is { } key
            ? new TableSharedKeyLitePolicy(key, options.TimeProvider)
            : new BearerTokenAuthenticationPolicy(connection.Credential!, StorageScope));
        QueuePipeline = Build(options, connection.SharedKey is { } qkey
            ? new QueueSharedKeyPolicy(qkey, options.TimeProvider)
            : new BearerTokenAuthenticationPolicy(connection.Credential!, StorageScope));
    }

    public StorageConnection Connection { get; }

    /// <summary>How many requests this account's clients have sent, over both services.</summary>
    public StorageRoundTrips RoundTrips { get; } = new();
    internal HttpPipeline TablePipeline { get; }
    internal HttpPipeline QueuePipeline { get; }

    public TableStorageClient GetTableClient(string tableName) => new(this, tableName);

    public QueueStorageClient GetQueueClient(string queueName) => new(this, queueName);

    private HttpPipeline Build(StorageClientOptions options, HttpPipelinePolicy auth) =>
        HttpPipelineBuilder.Build(new HttpPipelineOptions(options)
        {
            PerRetryPolicies = { RoundTrips, auth },
            RequestFailedDetailsParser = StorageErrorParser.Instance,
        });
}
