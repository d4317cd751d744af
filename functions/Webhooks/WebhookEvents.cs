using System.Text.Json;
using Parley.Functions.Appointments;
using Parley.Functions.Cases;
using Parley.Functions.Common;

namespace Parley.Functions.Webhooks;

/// <summary>
/// One event as receivers get it (the request body of every delivery, and an item of the polling list):
/// <c>{"id", "type", "timestamp", "data"}</c>. <see cref="Id"/> is stable (the same event is the same id in every
/// delivery, resend and poll), so receivers and pollers deduplicate by it; the body stays under 20 KB.
/// </summary>
public sealed record WebhookEvent(string Id, string Type, DateTimeOffset Timestamp, JsonElement Data);

/// <summary>An event type: its name, what it means and the shape of its <c>data</c> (documented in the OpenAPI document's <c>webhooks</c>).</summary>
public sealed record WebhookEventType(string Name, string Description, Type DataType, Func<object> Example);

/// <summary>The events Parley sends. Nothing a dialog hides (a customer's contact data) is ever in <c>data</c>.</summary>
public static class WebhookEventTypes
{
    public const string CaseCreated = "case.created";
    public const string CaseUpdated = "case.updated";
    public const string CaseCompleted = "case.completed";
    public const string AppointmentScheduled = "appointment.scheduled";
    public const string AppointmentRescheduled = "appointment.rescheduled";
    public const string AppointmentCancelled = "appointment.cancelled";
    public const string CustomerOnline = "customer.online";
    public const string BookingCreated = "booking.created";
    public const string DialogStarted = "dialog.started";
    public const string DialogMessageCreated = "dialog.message.created";
    public const string ChatMessageCreated = "chat.message.created";

    /// <summary>Sent only by <em>Send test event</em> to one endpoint; never to subscriptions.</summary>
    public const string Test = "webhook.test";

    private static readonly DateTimeOffset ExampleTime = new(2026, 12, 1, 9, 30, 0, TimeSpan.Zero);

    private static CaseEventData ExampleCase() => new("c_8Hq2mXv4Tz1LpQ0a", 1042, "Jana Novak", "api", "active", "jana.novak@example.com",
        "+4915112345678", "CRM-2211", new Dictionary<string, string> { ["contract"] = "A-77" }, ["op_7Yt5nB3kR9sW2dE1"], "de", false,
        ExampleTime, ExampleTime);

    private static AppointmentEventData ExampleAppointment() => new("ap_Q3w8Er5tY1uI9oP2", "c_8Hq2mXv4Tz1LpQ0a", "individual",
        ExampleTime.AddDays(2), ExampleTime.AddDays(2).AddMinutes(30), "Europe/Berlin", ["op_7Yt5nB3kR9sW2dE1"], "scheduled", true,
        "https://parley.example.com/meet/Xk2pL9", null);

    /// <summary>Every type an endpoint or hook may subscribe to, in the order the settings page lists them.</summary>
    public static readonly IReadOnlyList<WebhookEventType> All =
    [
        new(CaseCreated, "A case was created (dashboard, API, booking page, website chat, adviser dialog).", typeof(CaseEventData), ExampleCase),
        new(CaseUpdated, "A case's details, assignment or status changed (reopened included).", typeof(CaseEventData), ExampleCase),
        new(CaseCompleted, "A case was completed.", typeof(CaseEventData), () => ExampleCase() with { Status = "completed" }),
        new(AppointmentScheduled, "An appointment was scheduled.", typeof(AppointmentEventData), ExampleAppointment),
        new(AppointmentRescheduled, "An appointment moved to another time or other operators.", typeof(AppointmentEventData), ExampleAppointment),
        new(AppointmentCancelled, "An appointment was cancelled.", typeof(AppointmentEventData),
            () => ExampleAppointment() with { Status = "cancelled", CancelReason = "Customer is ill" }),
        new(CustomerOnline, "A customer opened their meeting page (they are waiting in the lobby or in the meeting).", typeof(CustomerOnlineEventData),
            () => new CustomerOnlineEventData("c_8Hq2mXv4Tz1LpQ0a", "ap_Q3w8Er5tY1uI9oP2", true, ExampleTime)),
        new(BookingCreated, "A customer booked an appointment on a booking page.", typeof(BookingEventData),
            () => new BookingEventData(ExampleCase() with { Origin = "bookingPage" }, ExampleAppointment())),
        new(DialogStarted, "A customer started an adviser dialog (their contact data stays hidden).", typeof(DialogEventData),
            () => new DialogEventData("dl_Lk8Jh6Gf4Ds2Aq0w", "op_7Yt5nB3kR9sW2dE1", "K-4821", "Mortgage", ExampleTime, null)),
        new(DialogMessageCreated, "A message was written in an adviser dialog, by the customer or the adviser.", typeof(DialogEventData),
            () => new DialogEventData("dl_Lk8Jh6Gf4Ds2Aq0w", "op_7Yt5nB3kR9sW2dE1", "K-4821", "Mortgage", ExampleTime,
                new DialogMessageEventData(2, "customer", "Could you call me tomorrow morning?", ExampleTime))),
        new(ChatMessageCreated, "A message was written in a case's conversation (website chat or meeting chat), by the customer or an operator.",
            typeof(ChatMessageEventData),
            () => new ChatMessageEventData("c_8Hq2mXv4Tz1LpQ0a", "mg_Zx1Cv3Bn5Mm7Kk9L", 7, "customer", "Jana Novak", "Is the offer still valid?", "chat", ExampleTime)),
    ];

    public static bool IsKnown(string type) => All.Any(t => t.Name == type);
}

/// <summary>A case in an event: what the API shows, without hidden contact data (a dialog's case has no e-mail or phone here).</summary>
public sealed record CaseEventData(
    string Id,
    int Number,
    string Name,
    string Origin,
    string Status,
    string? Email,
    string? Phone,
    string? InternalReference,
    IReadOnlyDictionary<string, string> CustomFields,
    IReadOnlyList<string> AssignedOperatorIds,
    string Language,
    bool ContactHidden,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static CaseEventData From(Case c) => new(c.Id, c.Number, c.Name, Wire.Name(c.Origin), Wire.Name(c.Status), c.Email, c.Phone,
        c.InternalReference, c.CustomFields, c.AssignedOperatorIds, c.Language, c.Hidden is not null, c.CreatedAt, c.UpdatedAt);
}

/// <summary>An appointment in an event: never its PIN nor the invitation's addresses.</summary>
public sealed record AppointmentEventData(
    string Id,
    string CaseId,
    string Type,
    DateTimeOffset Start,
    DateTimeOffset End,
    string TimeZone,
    IReadOnlyList<string> OperatorIds,
    string Status,
    bool PinProtected,
    string JoinUrl,
    string? CancelReason);

public sealed record CustomerOnlineEventData(string CaseId, string AppointmentId, bool Waiting, DateTimeOffset At);

public sealed record BookingEventData(CaseEventData Case, AppointmentEventData Appointment);

/// <summary>An adviser dialog: the customer is known only by their customer id, never by e-mail or phone.</summary>
public sealed record DialogEventData(string DialogId, string OperatorId, string CustomerId, string Keyword, DateTimeOffset CreatedAt, DialogMessageEventData? Message);

public sealed record DialogMessageEventData(int Seq, string From, string Text, DateTimeOffset At);

/// <summary>A message of a case's conversation; <see cref="Source"/> is <c>chat</c> (website chat) or <c>meeting</c>.</summary>
public sealed record ChatMessageEventData(string CaseId, string MessageId, long Seq, string Author, string AuthorName, string Text, string Source, DateTimeOffset At);
