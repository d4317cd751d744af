using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.DurableTask;
using Parley.Functions.Accounts;
using Parley.Functions.Appointments;
using Parley.Functions.Cases;
using Parley.Functions.Notifications;
using Parley.Functions.Notifications.Providers;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Booking;

/// <summary>
/// Tells the appointment's operators by e-mail when a booker booked, moved or cancelled through the booking page (the
/// dashboard badge tells them too). A step of the appointment's messages workflow, so it is retried like the customer's
/// messages; idempotent per entry and operator (message id "{appointment}|h{entry}|operator-{operator}|email").
/// </summary>
public sealed class BookingAlertActivity(AppointmentStore appointments, CaseStore cases, AccountStore accounts, NotificationSender sender, Hosting.PublicUrl publicUrl,
    IConfiguration configuration, TimeProvider time) : TaskActivity<EntryMessage, int>
{
    public static bool Applies(HistoryEntry entry) => entry.By == BookingService.Booker && entry.Action is "scheduled" or "rescheduled" or "cancelled";

    public override async Task<int> RunAsync(TaskActivityContext context, EntryMessage input)
    {
        var tenant = BookingCalendar.TenantOf(input.AccountId);
        var appointment = await appointments.GetAsync(tenant, input.AppointmentId, CancellationToken.None);
        var entry = appointment?.History.ElementAtOrDefault(input.Index);
        if (appointment is null || entry is null || !Applies(entry))
        {
            return 0;
        }
        var c = await cases.GetAsync(tenant, appointment.CaseId, CancellationToken.None);
        var account = await accounts.GetSettingsAsync(tenant, CancellationToken.None);
        if (c is null || account is null)
        {
            return 0;
        }
        var sent = 0;
        foreach (var operatorId in appointment.OperatorIds)
        {
            var op = await accounts.GetOperatorAsync(tenant, operatorId, CancellationToken.None);
            if (op is not { Active: true })
            {
                continue;
            }
            var (subject, text, html) = Render(op, c, entry, appointment);
            var now = time.GetUtcNow();
            var id = $"{appointment.Id}|h{input.Index}|operator-{op.Id}|email";
            var planned = new MessageRecord(input.AccountId, id, appointment.Id, MessageKind.BookingAlert, MessageChannel.Email, op.Email, op.Language, MessageStatus.Queued,
                null, false, 0, null, now, now);
            var content = new OutgoingMessage(input.AccountId, id, MessageChannel.Email, op.Email, op.Name,
                account.SenderEmail ?? configuration["Communication:EmailFrom"] ?? "no-reply@parley.local", account.SenderName ?? account.BusinessName,
                subject, text, html, now);
            await sender.SendAsync(planned, content, CancellationToken.None); // unavailable: throws, and the workflow's retry sends it later
            sent++;
        }
        return sent;
    }

    private (string Subject, string Text, string Html) Render(Operator op, Case c, HistoryEntry entry, Appointment appointment)
    {
        var previous = CultureInfo.CurrentUICulture;
        var culture = CultureInfo.GetCultureInfo(op.Language == "de" ? "de" : "en");
        CultureInfo.CurrentUICulture = culture;
        try
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(op.TimeZone);
            var local = TimeZoneInfo.ConvertTime(entry.Start ?? appointment.Start, zone);
            var date = local.ToString("D", culture);
            var at = local.ToString("t", culture);
            var (subject, line) = entry.Action switch
            {
                "scheduled" => (L("New booking: {0} on {1} at {2}", c.Name, date, at), L("{0} booked an appointment with you on {1} at {2} ({3}) through your booking page.", c.Name, date, at, zone.Id)),
                "rescheduled" => (L("{0} moved their booking to {1} at {2}", c.Name, date, at), L("{0} moved their appointment with you to {1} at {2} ({3}).", c.Name, date, at, zone.Id)),
                _ => (L("{0} cancelled their booking on {1} at {2}", c.Name, date, at), L("{0} cancelled their appointment with you on {1} at {2} ({3}).", c.Name, date, at, zone.Id)),
            };
            var lines = new List<string> { L("Hello {0},", op.Name), line };
            if (!string.IsNullOrWhiteSpace(entry.Reason))
            {
                lines.Add(L("Reason: {0}", entry.Reason));
            }
            var caseUrl = $"{publicUrl.Origin}/cases/{c.Id}";
            var label = L("Open the case");
            var text = string.Join("\n\n", lines) + $"\n\n{label}: {caseUrl}";
            var html = "<!doctype html><html><body style=\"font-family:Arial,sans-serif;color:#1c2433;line-height:1.5\">"
                + string.Concat(lines.Select(l => "<p>" + HtmlEncoder.Default.Encode(l) + "</p>"))
                + $"<p><a href=\"{HtmlEncoder.Default.Encode(caseUrl)}\">{HtmlEncoder.Default.Encode(label)}</a></p></body></html>";
            return (subject, text, html);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}
