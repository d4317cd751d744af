using Parley.Functions.Notifications.Providers;

namespace Parley.Functions.Notifications;

/// <summary>
/// Sends one message at most once in effect. The record is written as Sending <i>before</i> the provider is called and
/// moved to Sent (or Failed) after. A duplicate queue message finds Sent and stops; a retry after a crash between the
/// provider call and the record finds Sending and calls the provider again with the same message id, which the
/// provider recognises (ACS repeatability / operation id, the outbox's row key) — so the customer gets one message.
/// </summary>
public sealed class NotificationSender(MessageStore store, IMessageProvider provider, TimeProvider time, ILogger<NotificationSender> logger)
{
    /// <summary>Sends unless already done. Throws <see cref="ProviderUnavailableException"/> for the caller to retry later.</summary>
    public async Task<MessageRecord> SendAsync(MessageRecord planned, OutgoingMessage content, CancellationToken ct)
    {
        // First attempt: one write creates the record already in Sending.
        var (record, created) = await store.CreateOrGetAsync(planned with { Status = MessageStatus.Sending, Attempts = 1 }, ct);
        if (record.Status is MessageStatus.Sent or MessageStatus.Delivered or MessageStatus.Failed)
        {
            return record; // done before: a duplicate message or a replay
        }
        if (!created)
        {
            // Found from an earlier attempt (crash, outage): count this one.
            record = await store.SaveAsync(record with { Status = MessageStatus.Sending, Attempts = record.Attempts + 1, Late = planned.Late || record.Late, UpdatedAt = time.GetUtcNow() }, ct);
        }
        ProviderResult result;
        try
        {
            result = await provider.SendAsync(content with { FirstAttemptAt = record.CreatedAt }, ct);
        }
        catch (ProviderUnavailableException ex)
        {
            await store.SaveAsync(record with { Reason = ex.Message, UpdatedAt = time.GetUtcNow() }, CancellationToken.None);
            throw;
        }
        var final = result.Accepted
            ? record with { Status = MessageStatus.Sent, ProviderMessageId = result.ProviderMessageId, Reason = null, UpdatedAt = time.GetUtcNow() }
            : record with { Status = MessageStatus.Failed, ProviderMessageId = result.ProviderMessageId, Reason = result.PermanentError, UpdatedAt = time.GetUtcNow() };
        if (!result.Accepted)
        {
            logger.LogWarning("{Channel} message {MessageId} refused by {Provider}: {Reason}", record.Channel, record.Id, provider.Name, result.PermanentError);
        }
        return await store.SaveAsync(final, CancellationToken.None);
    }

    /// <summary>Marks a message failed for good (no address, gave up after retries, could not be processed).</summary>
    public async Task<MessageRecord> FailAsync(MessageRecord planned, string reason, CancellationToken ct)
    {
        var (record, _) = await store.CreateOrGetAsync(planned, ct);
        return record.Status is MessageStatus.Sent or MessageStatus.Delivered
            ? record
            : await store.SaveAsync(record with { Status = MessageStatus.Failed, Reason = reason, UpdatedAt = time.GetUtcNow() }, CancellationToken.None);
    }
}
