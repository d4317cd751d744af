using Parley.Functions.Accounts;
using Parley.Functions.Appointments;
using Parley.Functions.Cases;
using Parley.Functions.Identity;
using Parley.Functions.Notifications.Providers;

namespace Parley.Functions.Notifications;

/// <summary>What a workflow step needs to write to the customer of an appointment.</summary>
public sealed record CustomerContext(Case Case, Account Account, string OperatorName)
{
    /// <summary>The name to greet the customer by; none when the customer stays anonymous (a case from a dialog).</summary>
    public string? GreetingName => Case.Hidden is null ? Case.Name : null;
}

/// <summary>
/// Writes to the customer of an appointment, shared by the invitation and reminder workflows: loads case, account
/// and operator, renders the template, and sends on each requested channel through the idempotent sender.
/// </summary>
public sealed class CustomerMessenger(AccountStore accounts, CaseStore cases, AppointmentStore appointments, MessageTemplates templates, NotificationSender sender, MessageStore messages, Hosting.PublicUrl publicUrl, IConfiguration configuration, TimeProvider time, Booking.BookerLinks bookerLinks)
{
    public async Task<CustomerContext?> LoadAsync(Tenant tenant, Appointment appointment, CancellationToken ct)
    {
        var c = await cases.GetAsync(tenant, appointment.CaseId, ct);
        var account = await accounts.GetSettingsAsync(tenant, ct);
        if (c is null || account is null)
        {
            return null;
        }
        var operatorName = (await accounts.ListOperatorsCachedAsync(tenant, ct)).FirstOrDefault(o => appointment.OperatorIds.Contains(o.Id))?.Name ?? account.BusinessName;
        return new CustomerContext(c, account, operatorName);
    }

    /// <summary>Whether any message for <paramref name="purpose"/> of the appointment was recorded (one point read per channel).</summary>
    public async Task<bool> AnySentForAsync(string accountId, string appointmentId, string purpose, CancellationToken ct)
    {
        foreach (var channel in new[] { MessageChannel.Email, MessageChannel.Sms })
        {
            if (await messages.GetAsync(accountId, MessageId(appointmentId, purpose, channel), ct) is not null)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Marks the message for <paramref name="purpose"/> on <paramref name="channel"/> failed for good (gave up, could not be processed).</summary>
    public async Task FailAsync(string accountId, Appointment appointment, CustomerContext context, MessageKind kind, string language, string purpose, MessageChannel channel, string reason, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var to = channel == MessageChannel.Email ? context.Case.ReachEmail : context.Case.ReachSms;
        await sender.FailAsync(new MessageRecord(accountId, MessageId(appointment.Id, purpose, channel), appointment.Id, kind, channel, to ?? "", language,
            MessageStatus.Queued, null, true, 0, null, now, now), reason, ct);
    }

    public static string MessageId(string appointmentId, string purpose, MessageChannel channel) => $"{appointmentId}|{purpose}|{channel.ToString().ToLowerInvariant()}";

    /// <summary>The join link in messages, on Parley's public address (never one a request named; see <see cref="Hosting.PublicUrl"/>).</summary>
    public string JoinUrl(Appointment appointment) => appointments.JoinUrl(publicUrl.Origin, appointment);

    /// <summary>
    /// Sends <paramref name="kind"/> on the channels of <paramref name="channels"/> that are on (only <paramref name="only"/>
    /// when given). Message ids are "{appointment}|{purpose}|{channel}". A missing address is recorded as failed when
    /// <paramref name="recordMissing"/>. Returns the provider's unavailability (for the caller to retry later), or null
    /// when everything was handled.
    /// </summary>
    public async Task<ProviderUnavailableException?> SendAsync(string accountId, Appointment appointment, CustomerContext context, MessageKind kind, MessageFacts facts,
        InvitationRequest channels, string purpose, bool late, bool recordMissing, CancellationToken ct, MessageChannel? only = null)
    {
        if (appointment.History.FirstOrDefault()?.By == Booking.BookingService.Booker)
        {
            // Booked on a booking page: the booker's own links to change it and to add it to their calendar.
            facts = facts with { ManageUrl = bookerLinks.ManageUrl(accountId, appointment.Id), CalendarUrl = bookerLinks.CalendarUrl(accountId, appointment.Id) };
        }
        var rendered = templates.Render(kind, facts);
        var now = time.GetUtcNow();
        ProviderUnavailableException? unavailable = null;
        foreach (var (channel, on, to) in new[] { (MessageChannel.Email, channels.Email, context.Case.ReachEmail), (MessageChannel.Sms, channels.Sms, context.Case.ReachSms) })
        {
            if (!on || (only is not null && channel != only) || (to is null && !recordMissing))
            {
                continue;
            }
            var planned = new MessageRecord(accountId, MessageId(appointment.Id, purpose, channel), appointment.Id, kind,
                channel, to ?? "", facts.Language, MessageStatus.Queued, null, late, 0, null, now, now);
            if (to is null)
            {
                await sender.FailAsync(planned, "The case has no " + (channel == MessageChannel.Sms ? "mobile number." : "e-mail address."), ct);
                continue;
            }
            var content = new OutgoingMessage(accountId, planned.Id, channel, to, context.GreetingName,
                channel == MessageChannel.Sms
                    ? configuration["Communication:SmsFrom"] ?? "Parley"
                    : context.Account.SenderEmail ?? configuration["Communication:EmailFrom"] ?? "no-reply@parley.local",
                context.Account.SenderName ?? context.Account.BusinessName, rendered.Subject,
                channel == MessageChannel.Sms ? rendered.Sms : rendered.Text, channel == MessageChannel.Email ? rendered.Html : null, now, RecipientHidden: context.Case.Hidden is not null);
            try
            {
                await sender.SendAsync(planned, content, ct);
            }
            catch (ProviderUnavailableException ex)
            {
                unavailable = ex;
            }
        }
        return unavailable;
    }
}
