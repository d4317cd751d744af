using Azure.Core;
using Azure.Core.Pipeline;

namespace Parley.Functions.Storage;

/// <summary>
/// Counts the requests a <see cref="StorageAccount"/>'s SDK clients send (added per retry through the client options,
/// so retries count), for the benchmark and for tests that keep operations lean.
/// </summary>
public sealed class StorageRoundTrips : HttpPipelineSynchronousPolicy
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
}
