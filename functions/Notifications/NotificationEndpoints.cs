using Microsoft.Extensions.Options;
using Parley.Functions.Appointments;
using Parley.Functions.Cases;
using Parley.Functions.Common;
using Parley.Functions.Identity;
using Parley.Functions.Notifications.Providers;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Notifications;

/// <summary>One message to the customer; <see cref="DueAt"/> is set for reminders that have not gone out (yet).</summary>
public sealed record MessageView(string Id, string Kind, string Channel, string To, string Language, string Status, string? Reason, bool Late, int Attempts, DateTimeOffset UpdatedAt, DateTimeOffset? DueAt = null);

public static class NotificationEndpoints
{
    public static IEndpointRouteBuilder MapNotificationEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/appointments/{id}/messages", MessagesAsync).RequireAuthorization().AllowApiKeys().WithTags("Appointments")
            .WithName("listAppointmentMessages").WithSummary("List an appointment's messages and their delivery")
            .Produces<IReadOnlyList<MessageView>>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/outbox", OutboxAsync).RequireAuthorization(ParleyPolicies.Administrator).WithTags("Developer outbox");
        api.MapGet("/outbox/{id}/html", OutboxHtmlAsync).RequireAuthorization(ParleyPolicies.Administrator).WithTags("Developer outbox");
        return api;
    }

    /// <summary>
    /// Delivery status of every message sent for an appointment (our delivery records), then the reminders of its current
    /// time that have not gone out, as the reminder orchestration reports them (scheduled with the due time, retrying,
    /// gave up, skipped). No second store: each fact comes from where it is decided.
    /// </summary>
    private static async Task<IResult> MessagesAsync(string id, Tenant tenant, AppointmentStore appointments, CaseStore cases, CaseRules rules, MessageStore store, AppointmentMessages workflow, CancellationToken ct)
    {
        var a = await appointments.GetAsync(tenant, id, ct);
        var c = a is null ? null : await cases.GetAsync(tenant, a.CaseId, ct);
        if (a is null || c is null || !await rules.CanSeeAsync(tenant, c, ct))
        {
            return TypedResults.NotFound();
        }
        var views = (await store.ListForAppointmentAsync(tenant.AccountId, id, ct)).Select(m => new MessageView(
            m.Id, Wire.Name(m.Kind), Wire.Name(m.Channel), c.Hidden is null ? m.To : HiddenContact.Shown, m.Language, Wire.Name(m.Status), m.Reason, m.Late, m.Attempts, m.UpdatedAt)).ToList();
        var channels = new[] { (MessageChannel.Email, a.Invitation.Email, c.ReachEmail), (MessageChannel.Sms, a.Invitation.Sms, c.ReachSms) };
        foreach (var r in await workflow.RemindersAsync(a))
        {
            var state = r.State switch
            {
                ReminderOrchestrator.Scheduled => "scheduled",
                ReminderOrchestrator.Retrying => "retrying",
                ReminderOrchestrator.GaveUp => "gaveUp",
                ReminderOrchestrator.Skipped => "skipped",
                _ => null, // sent (its delivery record is listed above) or cancelled
            };
            foreach (var (channel, on, to) in channels)
            {
                var messageId = CustomerMessenger.MessageId(a.Id, $"r{a.Start.UtcTicks}-{r.OffsetMinutes}", channel);
                if (state is null || !on || to is null || views.Any(v => v.Id == messageId))
                {
                    continue;
                }
                views.Add(new MessageView(messageId, Wire.Name(MessageKind.Reminder), Wire.Name(channel), c.Hidden is null ? to : HiddenContact.Shown, a.Invitation.Language,
                    state, null, false, 0, r.Due, DueAt: r.Due));
            }
        }
        return TypedResults.Ok(views);
    }

    /// <summary>The developer outbox: what the local provider "sent" for this account, newest first.</summary>
    private static async Task<IResult> OutboxAsync(Tenant tenant, OutboxProvider outbox, IOptions<CommunicationOptions> options, int? limit, CancellationToken ct)
    {
        if (options.Value.Provider != "outbox")
        {
            return TypedResults.Problem(L("Messages go through Azure Communication Services; the outbox only exists with the local provider."), statusCode: StatusCodes.Status404NotFound);
        }
        return TypedResults.Ok(await outbox.ListAsync(tenant.AccountId, Math.Clamp(limit ?? 100, 1, 500), ct));
    }

    /// <summary>
    /// An outbox e-mail as its recipient would see it, for a sandboxed frame on the outbox page: its own policy allows
    /// inline styles and remote images but no script, no forms and no framing by anyone else.
    /// </summary>
    private static async Task<IResult> OutboxHtmlAsync(string id, Tenant tenant, OutboxProvider outbox, HttpContext http, CancellationToken ct)
    {
        var html = await outbox.GetHtmlAsync(tenant.AccountId, id, ct);
        if (html is null)
        {
            return TypedResults.NotFound();
        }
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'; sandbox";
        http.Response.Headers.XFrameOptions = "SAMEORIGIN";
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }
}
