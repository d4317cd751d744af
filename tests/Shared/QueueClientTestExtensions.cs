using Azure.Storage.Queues;

namespace Parley.Testing;

public static class QueueClientTestExtensions
{
    /// <summary>The service's approximate count of messages in the queue (visible and hidden).</summary>
    public static async Task<int> ApproximateCountAsync(this QueueClient queue) =>
        (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
}
