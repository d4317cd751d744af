namespace Parley.Functions.Notifications.Providers;

/// <summary>
/// One SMS or e-mail to a customer. <see cref="MessageId"/> is stable across retries: providers use it to not send twice.
/// <see cref="RecipientHidden"/>: the address is one nobody in the account may see (a customer from an adviser dialog).
/// </summary>
public sealed record OutgoingMessage(
    string AccountId,
    string MessageId,
    MessageChannel Channel,
    string To,
    string? ToName,
    string FromAddress,
    string? FromName,
    string Subject,
    string Text,
    string? Html,
    DateTimeOffset FirstAttemptAt,
    bool RecipientHidden = false);

public enum MessageChannel
{
    Sms,
    Email,
}

/// <summary>What the provider did: accepted (with its id), or refused for good (a bad number, a blocked address).</summary>
public sealed record ProviderResult(bool Accepted, string? ProviderMessageId, string? PermanentError);

/// <summary>The provider cannot take messages right now (outage, throttling); try again later, no earlier than <see cref="RetryAfter"/>.</summary>
public sealed class ProviderUnavailableException(string message, TimeSpan? retryAfter, Exception? inner = null) : Exception(message, inner)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>Sends customer messages. Sending the same <see cref="OutgoingMessage.MessageId"/> again must not deliver it twice.</summary>
public interface IMessageProvider
{
    string Name { get; }

    Task<ProviderResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken);
}
