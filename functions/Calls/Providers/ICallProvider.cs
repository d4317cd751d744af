namespace Parley.Functions.Calls.Providers;

/// <summary>
/// One attempt of a call, as the provider needs it. <see cref="RepeatabilityId"/> is the same for every retry of this attempt.
/// <see cref="RecipientHidden"/>: <see cref="To"/> is a number nobody in the account may see (a customer from an adviser dialog).
/// </summary>
public sealed record CallOrder(
    string AccountId,
    string CallId,
    int Attempt,
    string To,
    string? CallerId,
    string Language,
    string Text,
    Uri CallbackUri,
    Guid RepeatabilityId,
    DateTimeOffset FirstSent,
    bool RecipientHidden = false)
{
    /// <summary>Sent with the call and echoed in its events.</summary>
    public string OperationContext => $"{CallId}/{Attempt}";
}

/// <summary>Places calls and acts on them. What happens on the line comes back as <see cref="CallLineEvent"/>s raised on the call's orchestration.</summary>
public interface ICallProvider
{
    string Name { get; }

    /// <summary>Starts ringing; returns the provider's connection id. Throws <see cref="Notifications.Providers.ProviderUnavailableException"/> on outages.</summary>
    Task<string> PlaceAsync(CallOrder order, CancellationToken ct);

    /// <summary>Speaks the order's text on the connected call.</summary>
    Task PlayAsync(CallOrder order, string connectionId, CancellationToken ct);

    /// <summary>Ends the call; a call that is already over is fine.</summary>
    Task HangUpAsync(CallOrder order, string connectionId, CancellationToken ct);
}

/// <summary>A provider refused the call for good (an invalid number): no retry will help.</summary>
public sealed class CallRefusedException(string message, Exception? inner = null) : Exception(message, inner);
