using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Parley.Functions.Storage;

internal static class StoragePipelineExtensions
{
    /// <summary>
    /// Sends and turns any 4xx/5xx (other than <paramref name="allow"/>, which the caller handles) into a
    /// <see cref="RequestFailedException"/> carrying the service's error code. Azure.Core's pipeline does not throw by itself.
    /// </summary>
    public static async Task<Response> SendCheckedAsync(this HttpPipeline pipeline, HttpMessage message, CancellationToken cancellationToken, int allow = 0)
    {
        await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status >= 400 && response.Status != allow)
        {
            throw new RequestFailedException(response);
        }
        return response;
    }
}
