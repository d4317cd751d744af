using Parley.Functions.Accounts;
using Parley.Functions.Common;
using Parley.Functions.Notifications.Providers;

namespace Parley.Functions.Notifications;

/// <summary>
/// E-mails a new operator their set-password link, through the same <see cref="NotificationSender"/> and provider as
/// every customer message (so locally it lands in the developer outbox). Sent during the request rather than through a
/// queue: the link's token must not sit in a queue message, and the administrator learns at once whether it went out.
/// Every link is its own message (id "op-{operator}|invite|{nonce}|email"), so a re-sent link is a second e-mail.
/// </summary>
public sealed class OperatorInvitations(MessageTemplates templates, NotificationSender sender, IConfiguration configuration, TimeProvider time, ILogger<OperatorInvitations> logger)
{
    /// <summary>True when the provider took the e-mail; false when it refused or is unavailable (the administrator can still copy the link).</summary>
    public async Task<bool> SendAsync(Account account, Operator op, string invitedBy, string setPasswordUrl, DateTimeOffset expiresAt, CancellationToken ct)
    {
        var rendered = templates.RenderOperatorInvitation(new OperatorInvitationFacts(op.Language, account.BusinessName, op.Name, op.Email, invitedBy,
            setPasswordUrl, expiresAt, op.TimeZone));
        var now = time.GetUtcNow();
        var id = $"op-{op.Id}|invite|{SecureTokens.NewId()}|email";
        var planned = new MessageRecord(account.Id, id, op.Id, MessageKind.OperatorInvitation, MessageChannel.Email, op.Email, op.Language,
            MessageStatus.Queued, null, false, 0, null, now, now);
        var content = new OutgoingMessage(account.Id, id, MessageChannel.Email, op.Email, op.Name,
            account.SenderEmail ?? configuration["Communication:EmailFrom"] ?? "no-reply@parley.local", account.SenderName ?? account.BusinessName,
            rendered.Subject, rendered.Text, rendered.Html, now);
        try
        {
            var record = await sender.SendAsync(planned, content, ct);
            return record.Status is MessageStatus.Sent or MessageStatus.Delivered;
        }
        catch (ProviderUnavailableException ex)
        {
            logger.LogWarning("The invitation of operator {OperatorId} could not be sent now: {Reason}", op.Id, ex.Message);
            return false;
        }
    }
}
