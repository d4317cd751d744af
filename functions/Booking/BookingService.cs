using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Parley.Functions.Appointments;
using Parley.Functions.Cases;
using Parley.Functions.Common;
using Parley.Functions.Conversations;
using Parley.Functions.CustomFields;
using Parley.Functions.Notifications;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Booking;

/// <summary>
/// A booking from a booking page: checks the request, writes the case and its appointment in one transaction (the slot
/// claims of <see cref="AppointmentStore"/> plus a <see cref="SlotGuard"/> for buffers and the daily cap, so concurrent
/// bookings of one time cannot both succeed), then posts the booker's details into the case's conversation and notes the
/// booking for the operator's badge. The invitation (and the operator's e-mail) go out through the appointment's
/// messages workflow, like every appointment's.
/// </summary>
public sealed partial class BookingService(BookingCalendar calendar, AppointmentStore appointments, CaseStore cases, CustomFieldStore fields, AppointmentMessages messages,
    ConversationStore conversations, BookingNotices notices, BookerLinks links, Webhooks.WebhookPublisher webhooks, TimeProvider time, ILogger<BookingService> logger)
{
    public const string Booker = "booker";

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,40}$")]
    private static partial Regex MetadataKey();

    [GeneratedRegex(@"<\s*[A-Za-z/!?]")]
    private static partial Regex Markup();

    /// <summary>
    /// A public form takes plain text: anything that looks like markup is refused with a clear message rather than
    /// stored (it would be shown as text everywhere anyway; refusing keeps bots' payloads out of the operator's cases).
    /// </summary>
    private static void PlainText(Validation v, string field, string? text)
    {
        if (text is not null && Markup().IsMatch(text))
        {
            v.Add(field, L("Remove the angle brackets: this form takes plain text only."));
        }
    }

    public async Task<IResult> BookAsync(BookingPage page, BookingRequest request, string appointmentId, bool takenOver, HttpContext http, CancellationToken ct)
    {
        var tenant = page.Tenant;
        if (takenOver && await appointments.GetAsync(tenant, appointmentId, ct) is { } written)
        {
            // The first attempt with this key wrote the booking, then died before answering: finish its work, answer as it would have.
            var writtenCase = await cases.GetAsync(tenant, written.CaseId, ct);
            if (writtenCase is not null)
            {
                await AfterBookingAsync(page, writtenCase, written, request, ct);
            }
            return Created(page, written);
        }

        var account = page.Account;
        var now = time.GetUtcNow();
        var v = new Validation();
        var start = Instant(v, "start", request.Start);
        var length = BookingEndpoints.Length(v, page, request.Length);
        var name = v.Text("name", request.Name, CaseRules.MaxNameLength);
        var email = v.Email("email", request.Email, required: false);
        var phone = CaseRules.Phone(v, "phone", request.Phone);
        if (phone is not null && Abuse.PublicSendGuard.CheckNumber(account, phone) is { } refused)
        {
            // A number the page will not text (another country, premium rate): said now, not by a message that never comes.
            v.Add("phone", refused);
        }
        if (email is null && phone is null && string.IsNullOrWhiteSpace(request.Email) && string.IsNullOrWhiteSpace(request.Phone))
        {
            v.Add("email", L("Enter your e-mail address or mobile number, or both."));
        }
        var language = v.Language("language", request.Language, required: false) ?? account.DefaultLanguage;
        var zoneId = v.TimeZone("timeZone", request.TimeZone, required: false) ?? page.Settings.Availability.TimeZone;
        var note = v.Text("note", request.Note, BookingEndpoints.MaxNoteLength, required: false, multiLine: true);
        if (account.BookingConsentText is not null && request.Consent != true)
        {
            v.Add("consent", L("Please agree to continue."));
        }
        var asked = (await fields.ListAsync(tenant, ct)).Where(d => !d.Archived && d.AskWhenBooking).ToList();
        PlainText(v, "name", name);
        PlainText(v, "note", note);
        foreach (var (key, value) in request.Answers ?? [])
        {
            PlainText(v, "answers." + key, value.ValueKind == JsonValueKind.String ? value.GetString() : null);
        }
        var answers = Answers(v, asked, request.Answers);
        var metadata = Metadata(v, request.Metadata);
        if (start is { } s && v.IsValid)
        {
            // Outside the operator's hours, too soon, too far ahead or not on the increment: a time this page never offers.
            var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(s, page.Zone).DateTime);
            if (!SlotCalculator.FreeSlots(page.Settings.Availability with { Rules = page.Settings.Availability.Rules with { MaxPerDay = null } }, length, day, day, [], now).Contains(s))
            {
                v.Add("start", L("This time cannot be booked. Choose one of the free times shown."));
            }
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }
        if (await AppointmentEndpoints.HandOverAsync(messages, http, tenant.AccountId, appointmentId, 0) is { } unavailable)
        {
            return unavailable;
        }

        var booked = start!.Value;
        var entry = new HistoryEntry(now, "scheduled", Booker, booked, booked + length, null, null);
        var invitation = new InvitationRequest(phone is not null, email is not null, language);
        var pinProtected = account.PinPolicy != Accounts.PinPolicy.Off;
        var pin = pinProtected ? MeetingSecrets.NewPin() : null;
        var token = MeetingSecrets.NewJoinToken();
        var draft = new Case(SecureTokens.NewId(), tenant.AccountId, 0, name!, CaseOrigin.BookingPage, CustomerStatus.Away, email, phone, null, null,
            answers, [page.Settings.OperatorId], language, CaseStatus.Active, null, new Dictionary<string, DateTimeOffset>(), Booker, now, now)
        {
            Metadata = metadata,
            PublicSource = PublicSource.FromRequest(http),
        };
        var rules = page.Settings.Availability.Rules;
        var guard = new SlotGuard(rules.BufferBefore + rules.BufferAfter, BookingCalendar.DayRowKey(page, booked), async guardCt =>
        {
            if (!await calendar.IsFreeAsync(page, length, booked, null, guardCt))
            {
                throw new SlotUnavailableException();
            }
        });
        Case created;
        Appointment appointment;
        try
        {
            (created, appointment) = await appointments.CreateCaseAndBookAsync(tenant, draft, c => new Appointment(appointmentId, tenant.AccountId, c.Id, AppointmentType.Individual,
                booked, booked + length, zoneId, [page.Settings.OperatorId], invitation, pinProtected, pin, token, AppointmentStatus.Scheduled,
                [entry with { Invitation = invitation }], now, now), ct, guard);
        }
        catch (Exception ex) when (ex is OverlapException or SlotUnavailableException or TableTransactionFailedException)
        {
            return await BookingEndpoints.TakenAsync(calendar, page, length, booked, TimeZoneInfo.FindSystemTimeZoneById(zoneId), null, ct);
        }
        await AppointmentEndpoints.NotifyAsync(messages, http);
        await AfterBookingAsync(page, created, appointment, request, ct);
        logger.LogInformation("Booking page {Handle}: appointment {AppointmentId} booked for case {CaseId}", page.Settings.Handle, appointment.Id, created.Id);
        return Created(page, appointment);
    }

    private IResult Created(BookingPage page, Appointment a) =>
        TypedResults.Created($"/api/booking/{links.Token(a.AccountId, a.Id)}",
            new BookingConfirmation(a.Id, a.Start, a.End, a.TimeZone, page.Operator.Name, page.Account.BusinessName, links.ManageUrl(a.AccountId, a.Id), links.CalendarUrl(a.AccountId, a.Id)));

    /// <summary>The booker's details as a message in the case's conversation, and the operator's badge. Both idempotent.</summary>
    private async Task AfterBookingAsync(BookingPage page, Case c, Appointment a, BookingRequest request, CancellationToken ct)
    {
        var text = Describe(page, c, a, request);
        await conversations.AppendAsync(c.AccountId, c.Id, MessageAuthor.System, page.Account.BusinessName, null, text, "booking", a.Id, "booking-" + a.Id, ct);
        await notices.AddAsync(c.AccountId, page.Settings.OperatorId, new BookingNotice(c.Id, c.Name, a.Id, "booked", a.Start, a.CreatedAt), ct);
        await webhooks.PublishAsync(c.AccountId, Webhooks.WebhookEventTypes.BookingCreated,
            new Webhooks.BookingEventData(Webhooks.CaseEventData.From(c), appointments.EventData(a)), ct);
    }

    /// <summary>The chat message with the booker's details, in the operator's language (German or English).</summary>
    private string Describe(BookingPage page, Case c, Appointment a, BookingRequest request)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(page.Operator.Language == "de" ? "de" : "en");
        try
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(page.Operator.TimeZone);
            var local = TimeZoneInfo.ConvertTime(a.Start, zone);
            var text = new StringBuilder();
            text.AppendLine(L("New booking from your booking page"));
            text.AppendLine(L("Time: {0} ({1}, {2} minutes)", local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), zone.Id, (int)(a.End - a.Start).TotalMinutes));
            if (a.TimeZone != zone.Id)
            {
                text.AppendLine(L("The customer's time zone: {0}", a.TimeZone));
            }
            text.AppendLine(L("Name: {0}", c.Name));
            if (c.Email is not null)
            {
                text.AppendLine(L("E-mail: {0}", c.Email));
            }
            if (c.Phone is not null)
            {
                text.AppendLine(L("Mobile: {0}", PhoneNumber.Display(c.Phone) ?? c.Phone));
            }
            text.AppendLine(L("Language: {0}", c.Language));
            foreach (var (key, value) in c.CustomFields)
            {
                text.AppendLine($"{key}: {value}");
            }
            if (!string.IsNullOrWhiteSpace(request.Note))
            {
                text.AppendLine(L("Note: {0}", request.Note.Trim()));
            }
            return text.ToString().TrimEnd();
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    internal static DateTimeOffset? Instant(Validation v, string field, string? value)
    {
        if (value is not null && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
            && (value.EndsWith('Z') || value.Contains('+', StringComparison.Ordinal) || value.LastIndexOf('-') > 9))
        {
            return parsed.ToUniversalTime();
        }
        v.Add(field, L("Use an ISO 8601 date and time such as 2026-03-30T10:00:00+02:00."));
        return null;
    }

    private static Dictionary<string, string> Answers(Validation v, IReadOnlyList<CustomFieldDefinition> asked, Dictionary<string, JsonElement>? answers)
    {
        var inner = new Validation();
        var values = CustomFieldValues.Check(inner, asked, answers, creating: true);
        foreach (var (field, errors) in inner.Errors)
        {
            foreach (var error in errors)
            {
                v.Add("answers." + field["customFields.".Length..], error);
            }
        }
        return values.Where(p => p.Value.Length > 0).ToDictionary();
    }

    private static Dictionary<string, string>? Metadata(Validation v, Dictionary<string, JsonElement>? metadata)
    {
        if (metadata is null || metadata.Count == 0)
        {
            return null;
        }
        if (metadata.Count > BookingEndpoints.MaxMetadataEntries)
        {
            v.Add("metadata", L("Send at most {0} metadata entries.", BookingEndpoints.MaxMetadataEntries));
            return null;
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, raw) in metadata)
        {
            var text = raw.ValueKind switch
            {
                JsonValueKind.String => raw.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => raw.GetRawText(),
                _ => null,
            };
            if (!MetadataKey().IsMatch(key))
            {
                v.Add("metadata", L("Use metadata keys of 1 to 40 letters, digits, '.', '-' or '_'."));
            }
            else if (text is null || text.Length > 500)
            {
                v.Add("metadata." + key, L("Send a text or number of at most {0} characters.", 500));
            }
            else if (v.Characters("metadata." + key, text))
            {
                result[key] = text;
            }
        }
        return result;
    }
}
