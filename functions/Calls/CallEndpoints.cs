using Parley.Functions.Communication.Acs;
using Parley.Functions.Durable;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Calls;

public static class CallEndpoints
{
    /// <summary>Events ACS sends about one call: CallConnected, PlayCompleted, CreateCallFailed, … </summary>
    private static readonly HashSet<string> Relevant = ["CallConnected", "CallDisconnected", "CreateCallFailed", "PlayCompleted", "PlayFailed"];
    private const int MaxBody = 64 * 1024;

    public static IEndpointRouteBuilder MapCallEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapPost("/acs/calls/{accountId}/{callId}/{attempt:int}/{secret}", CallbackAsync).AllowAnonymous().ExcludeFromDescription();
        return api;
    }

    /// <summary>
    /// ACS's callback: authenticated by the attempt's secret in the path (see <see cref="CallCallbacks"/>); the events are
    /// raised on the call's orchestration (<see cref="CallOrchestrator"/>, which keeps them until it gets to them) and
    /// answered at once. Events about a finished call change nothing and are only acknowledged.
    /// </summary>
    private static async Task<IResult> CallbackAsync(string accountId, string callId, int attempt, string secret, HttpRequest request, CallStore store,
        CallCallbacks callbacks, Orchestrations orchestrations, ILogger<CallOrchestrator> logger, CancellationToken ct)
    {
        var call = await store.GetAsync(accountId, callId, ct);
        if (call is null || !callbacks.Matches(call, attempt, secret))
        {
            return TypedResults.NotFound(); // unknown, forged, or about an attempt that is over
        }
        if (request.ContentLength > MaxBody)
        {
            return TypedResults.Problem(L("The request body is too large."), statusCode: StatusCodes.Status413PayloadTooLarge);
        }
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(ct);
        IReadOnlyList<CallEvent> events;
        try
        {
            events = CallEvent.ParseMany(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return TypedResults.Problem(L("The request body is not valid JSON."), statusCode: StatusCodes.Status400BadRequest);
        }
        foreach (var e in events.Where(e => Relevant.Contains(e.Name)))
        {
            logger.LogInformation("Call {CallId} attempt {Attempt}: {Event} {Code}/{SubCode}", callId, attempt, e.Name, e.ResultCode, e.ResultSubCode);
            if (!call.IsFinished)
            {
                await orchestrations.RaiseEventAsync(CallOrchestrator.InstanceId(accountId, callId), CallOrchestrator.LineEvent,
                    new CallLineEvent(attempt, e.Name, e.CallConnectionId, e.ResultCode, e.ResultSubCode, e.ResultMessage));
            }
        }
        return TypedResults.Ok();
    }
}
