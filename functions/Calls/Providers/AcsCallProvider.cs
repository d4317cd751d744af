using Azure;
using Parley.Functions.Communication.Acs;
using Parley.Functions.Notifications.Providers;

namespace Parley.Functions.Calls.Providers;

/// <summary>Calls through ACS Call Automation; text-to-speech in the person's language with Azure's neural voices.</summary>
public sealed class AcsCallProvider(AcsCallClient client, string defaultCallerId, string cognitiveServicesEndpoint) : ICallProvider
{
    public string Name => "acs";

    public Task<string> PlaceAsync(CallOrder order, CancellationToken ct) => Guard(async () =>
        (await client.CreateCallAsync(order.To, order.CallerId ?? defaultCallerId, order.CallbackUri, order.OperationContext, order.RepeatabilityId, order.FirstSent,
            cognitiveServicesEndpoint, ct)).CallConnectionId);

    public Task PlayAsync(CallOrder order, string connectionId, CancellationToken ct) => Guard(async () =>
    {
        var (locale, voice) = AcsCallClient.VoiceFor(order.Language);
        await client.PlayTextAsync(connectionId, order.Text, locale, voice, order.OperationContext, ct);
        return "";
    });

    public async Task HangUpAsync(CallOrder order, string connectionId, CancellationToken ct)
    {
        try
        {
            await client.HangUpAsync(connectionId, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already over.
        }
    }

    private static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (RequestFailedException ex) when (ex.Status is 429 or >= 500 or 0)
        {
            throw new ProviderUnavailableException($"Communication Services answered {ex.Status}", null, ex);
        }
        catch (RequestFailedException ex) when (ex.Status is 400 or 403 or 404 or 422)
        {
            throw new CallRefusedException($"Refused by Communication Services ({ex.Status} {ex.ErrorCode})", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ProviderUnavailableException("Communication Services is unreachable", null, ex);
        }
    }
}
