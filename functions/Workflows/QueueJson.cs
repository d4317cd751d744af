using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Parley.Functions.Workflows;

/// <summary>Queue messages are JSON (camelCase), which keeps them readable in Storage Explorer and never valid base64.</summary>
public static class QueueJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static Task<Azure.Response<SendReceipt>> SendJsonAsync<T>(this QueueClient queue, T message, TimeSpan? visibilityTimeout = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default) =>
        queue.SendMessageAsync(JsonSerializer.Serialize(message, Options), visibilityTimeout, timeToLive, cancellationToken);
}
