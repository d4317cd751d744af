using Parley.Functions.Accounts;
using Parley.Functions.Cases;
using Parley.Functions.Common;
using Parley.Functions.CustomFields;
using Parley.Functions.Identity;
using Parley.Functions.Notifications;
using Azure.Data.Tables;
using Parley.Functions.Storage;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Appointments;

public static class AppointmentEndpoints
{
    public static IEndpointRouteBuilder MapAppointmentEndpoints(this IEndpointRouteBuilder api)
    {
        var forCase = api.MapGroup("/cases/{caseId}/appointments").RequireAuthorization().AllowApiKeys().WithTags("Appointments");
        forCase.MapPost("", BookAsync).WithName("scheduleAppointment").WithSummary("Schedule an appointment for a case")
            .Produces<AppointmentView>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        forCase.MapGet("", ListForCaseAsync).WithName("listCaseAppointments").WithSummary("List a case's appointments")
            .Produces<IReadOnlyList<AppointmentView>>().ProducesProblem(StatusCodes.Status404NotFound);

        var appointments = api.MapGroup("/appointments").RequireAuthorization().AllowApiKeys().WithTags("Appointments");
        appointments.MapPost("", CreateWithCaseAsync).WithName("createCaseWithAppointment").WithSummary("Create a case with its first appointment")
            .Produces<OpenApi.ResponseShapes.CaseWithAppointment>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        appointments.MapGet("", CalendarAsync).WithName("listAppointments").WithSummary("List appointments in a time range")
            .Produces<IReadOnlyList<CalendarEntry>>().ProducesValidationProblem();
        appointments.MapGet("/{id}", GetAsync).WithName("getAppointment").WithSummary("Get an appointment")
            .Produces<AppointmentView>().ProducesProblem(StatusCodes.Status404NotFound);
        appointments.MapPatch("/{id}", RescheduleAsync).WithName("rescheduleAppointment").WithSummary("Reschedule an appointment")
            .Produces<AppointmentView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        appointments.MapPost("/{id}/cancel", CancelAsync).WithName("cancelAppointment").WithSummary("Cancel an appointment")
            .Produces<AppointmentView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        appointments.MapPost("/{id}/invitations", ResendAsync).WithName("resendInvitations").WithSummary("Send the invitations again")
            .Produces<AppointmentView>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return api;
    }

    private static async Task<IResult> BookAsync(string caseId, AppointmentRequest request, Tenant tenant, HttpContext http, AccountStore accounts, CaseStore cases, CaseRules rules, AppointmentStore store, TimeProvider time, AppointmentMessages notify, ILoggerFactory logs, CancellationToken ct)
    {
        var c = await cases.GetAsync(tenant, caseId, ct);
        if (c is null || !await rules.CanSeeAsync(tenant, c, ct))
        {
            return TypedResults.NotFound();
        }
        var account = (await accounts.GetSettingsAsync(tenant, ct))!;
        var v = new Validation();
        CaseRules.RefuseHiddenContactChange(v, c, "email", request.Email);
        CaseRules.RefuseHiddenContactChange(v, c, "phone", request.Phone);
        var email = request.Email is null ? c.Email : v.Email("email", request.Email, required: false) ?? c.Email;
        var phone = request.Phone is null ? c.Phone : CaseRules.Phone(v, "phone", request.Phone) ?? c.Phone;
        var appointmentId = SecureTokens.NewId();
        var plan = await PlanAsync(v, request, tenant, account, rules, email ?? c.Hidden?.Email, phone ?? c.Hidden?.SmsPhone, c.Language, "", appointmentId, time, ct);
        if (plan is null)
        {
            return v.Problem();
        }
        if (await HandOverAsync(notify, http, tenant.AccountId, appointmentId, 0) is { } unavailable)
        {
            return unavailable;
        }
        try
        {
            var (_, appointment) = await store.BookAsync(tenant, c,
                current => plan(current, Entry("scheduled", tenant, time, null)),
                current => current with { Email = email, Phone = phone }, ct);
            await NotifyAsync(notify, http);
            return TypedResults.Created($"/api/appointments/{appointment.Id}", View(appointment, http, store));
        }
        catch (OverlapException ex)
        {
            return Busy(ex, account);
        }
        catch (KeyNotFoundException)
        {
            return TypedResults.NotFound();
        }
        catch (TableTransactionFailedException)
        {
            return Contended();
        }
    }

    private static async Task<IResult> CreateWithCaseAsync(CaseWithAppointmentRequest request, Tenant tenant, HttpContext http, AccountStore accounts, CaseRules rules, AppointmentStore store, CustomFieldStore fields, TimeProvider time, AppointmentMessages notify, ILoggerFactory logs, CancellationToken ct)
    {
        var (problem, created, appointment) = await CreateCaseAndBookAsync(request, tenant, http, accounts, rules, store, time, notify, logs, ct);
        return problem ?? TypedResults.Created($"/api/appointments/{appointment!.Id}", new
        {
            @case = await CaseEndpoints.ViewAsync(created!, tenant, fields, time, ct),
            appointment = View(appointment, http, store),
        });
    }

    /// <summary>
    /// A new case with its first appointment, as <c>POST /api/appointments</c> makes it (also used to turn a dialog into a
    /// case, with the customer's contact data <paramref name="hidden"/>): the written case and appointment, or the problem
    /// to answer (validation, clash, contention, queue down).
    /// </summary>
    internal static async Task<(IResult? Problem, Case? Case, Appointment? Appointment)> CreateCaseAndBookAsync(CaseWithAppointmentRequest request, Tenant tenant, HttpContext http,
        AccountStore accounts, CaseRules rules, AppointmentStore store, TimeProvider time, AppointmentMessages notify, ILoggerFactory logs, CancellationToken ct, HiddenContact? hidden = null)
    {
        var account = (await accounts.GetSettingsAsync(tenant, ct))!;
        var v = new Validation();
        if (request.Case is null)
        {
            v.Add("case", L("This field is required."));
            return (v.Problem(), null, null);
        }
        var draft = await rules.NewCaseAsync(v, request.Case, tenant, "case.", ct);
        if (hidden is not null)
        {
            draft = draft is null ? null : draft with { Email = null, Phone = null, Hidden = hidden, Origin = CaseOrigin.Dialog };
        }
        var appointmentId = SecureTokens.NewId();
        var plan = await PlanAsync(v, request.Appointment, tenant, account, rules, draft?.ReachEmail, draft?.ReachSms, draft?.Language ?? account.DefaultLanguage, "", appointmentId, time, ct);
        if (draft is null || plan is null)
        {
            return (v.Problem(), null, null);
        }
        if (await HandOverAsync(notify, http, tenant.AccountId, appointmentId, 0) is { } unavailable)
        {
            return (unavailable, null, null);
        }
        try
        {
            var (created, appointment) = await store.CreateCaseAndBookAsync(tenant, draft, c => plan(c, Entry("scheduled", tenant, time, null)), ct);
            await NotifyAsync(notify, http);
            return (null, created, appointment);
        }
        catch (OverlapException ex)
        {
            return (Busy(ex, account), null, null);
        }
        catch (TableTransactionFailedException)
        {
            return (Contended(), null, null);
        }
    }

    private static async Task<IResult> ListForCaseAsync(string caseId, Tenant tenant, HttpContext http, CaseStore cases, CaseRules rules, AppointmentStore store, CancellationToken ct)
    {
        var c = await cases.GetAsync(tenant, caseId, ct);
        if (c is null || !await rules.CanSeeAsync(tenant, c, ct))
        {
            return TypedResults.NotFound();
        }
        return TypedResults.Ok((await store.ListForCaseAsync(tenant, caseId, ct)).Select(a => View(a, http, store)));
    }

    private static async Task<IResult> CalendarAsync(string? from, string? to, string? operatorId, Tenant tenant, AccountStore accounts, CaseStore cases, CaseRules rules, AppointmentStore store, CancellationToken ct)
    {
        var v = new Validation();
        var start = ParseInstant(v, "from", from);
        var end = ParseInstant(v, "to", to);
        if (v.IsValid && (end <= start || end - start > TimeSpan.FromDays(62)))
        {
            v.Add("to", L("Choose a range that ends after it starts and spans at most 62 days."));
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var restricted = await rules.ListRestrictionAsync(tenant, ct);
        if (restricted is not null)
        {
            operatorId = restricted;
        }
        var entries = await store.CalendarAsync(tenant, start, end, operatorId, ct);
        // Case names come from the cases themselves, so a renamed case shows its current name.
        var names = (await Task.WhenAll(entries.Select(e => e.CaseId).Distinct().Select(id => cases.GetAsync(tenant, id, ct))))
            .OfType<Case>().ToDictionary(c => c.Id);
        return TypedResults.Ok(entries
            .Where(e => names.ContainsKey(e.CaseId))
            .Select(e => e with { CaseName = names[e.CaseId].Name, CaseNumber = names[e.CaseId].Number })
            .OrderBy(e => e.Start));
    }

    private static async Task<IResult> GetAsync(string id, Tenant tenant, HttpContext http, CaseStore cases, CaseRules rules, AppointmentStore store, CancellationToken ct) =>
        await VisibleAsync(id, tenant, cases, rules, store, ct) is { } visible ? TypedResults.Ok(View(visible.Appointment, http, store)) : TypedResults.NotFound();

    private static async Task<IResult> RescheduleAsync(string id, ReschedulePatch patch, Tenant tenant, HttpContext http, AccountStore accounts, CaseStore cases, CaseRules rules, AppointmentStore store, TimeProvider time, AppointmentMessages notify, Meetings.MeetingLifecycle meetings, ILoggerFactory logs, CancellationToken ct)
    {
        if (await VisibleAsync(id, tenant, cases, rules, store, ct) is not { } visible)
        {
            return TypedResults.NotFound();
        }
        var (current, c) = visible;
        var account = (await accounts.GetSettingsAsync(tenant, ct))!;
        var v = new Validation();
        var request = new AppointmentRequest(
            Wire.Name(current.Type),
            patch.Start ?? Utc(current.Start), patch.End ?? Utc(current.End),
            patch.TimeZone ?? current.TimeZone, patch.OperatorIds ?? current.OperatorIds,
            patch.Invitation ?? new InvitationInput(current.Invitation.Sms, current.Invitation.Email, current.Invitation.Language),
            patch.PinProtected ?? current.PinProtected, null, null);
        var plan = await PlanAsync(v, request, tenant, account, rules, c.ReachEmail, c.ReachSms, current.Invitation.Language, "", current.Id, time, ct);
        if (plan is null)
        {
            return v.Problem();
        }
        if (await HandOverAsync(notify, http, tenant.AccountId, current.Id, current.History.Count) is { } unavailable)
        {
            return unavailable;
        }
        try
        {
            var (_, saved) = await store.RescheduleAsync(tenant, visible, before =>
            {
                var planned = plan(c, Entry("rescheduled", tenant, time, null));
                return before with
                {
                    Start = planned.Start, End = planned.End, TimeZone = planned.TimeZone, OperatorIds = planned.OperatorIds,
                    Invitation = planned.Invitation, PinProtected = planned.PinProtected,
                    Pin = planned.PinProtected ? before.Pin ?? planned.Pin : null,
                    UpdatedAt = time.GetUtcNow(),
                    History = [.. before.History, Entry("rescheduled", tenant, time, null) with { Start = planned.Start, End = planned.End, Invitation = planned.Invitation }],
                };
            }, ct);
            await NotifyAsync(notify, http);
            await meetings.MovedAsync(saved, ct);
            return TypedResults.Ok(View(saved, http, store));
        }
        catch (OverlapException ex)
        {
            return Busy(ex, account);
        }
        catch (AppointmentCancelledException)
        {
            return Validation.Single("status", L("This appointment is cancelled; schedule a new one instead."), StatusCodes.Status409Conflict, L("Appointment cancelled"));
        }
        catch (TableTransactionFailedException)
        {
            return Contended();
        }
    }

    private static async Task<IResult> CancelAsync(string id, CancelRequest? request, Tenant tenant, HttpContext http, CaseStore cases, CaseRules rules, AppointmentStore store, TimeProvider time, AppointmentMessages notify, Meetings.MeetingLifecycle meetings, ILoggerFactory logs, CancellationToken ct)
    {
        if (await VisibleAsync(id, tenant, cases, rules, store, ct) is not { } visible)
        {
            return TypedResults.NotFound();
        }
        var v = new Validation();
        var reason = v.Text("reason", request?.Reason, 500, required: false, multiLine: true);
        if (!v.IsValid)
        {
            return v.Problem();
        }
        if (await HandOverAsync(notify, http, tenant.AccountId, id, visible.Appointment.History.Count) is { } unavailable)
        {
            return unavailable;
        }
        try
        {
            var cancelled = await store.CancelAsync(tenant, visible, a => a with
            {
                UpdatedAt = time.GetUtcNow(),
                History = [.. a.History, Entry("cancelled", tenant, time, reason) with { Start = a.Start, End = a.End, Invitation = a.Invitation }],
            }, ct);
            await NotifyAsync(notify, http);
            await meetings.CancelledAsync(cancelled, ct);
            return TypedResults.Ok(View(cancelled, http, store));
        }
        catch (TableTransactionFailedException)
        {
            return Contended();
        }
    }

    private static async Task<IResult> ResendAsync(string id, ResendRequest? request, Tenant tenant, HttpContext http, CaseStore cases, CaseRules rules, AppointmentStore store, TimeProvider time, AppointmentMessages notify, ILoggerFactory logs, CancellationToken ct)
    {
        if (await VisibleAsync(id, tenant, cases, rules, store, ct) is not { } visible)
        {
            return TypedResults.NotFound();
        }
        var (current, c) = visible;
        if (current.Status == AppointmentStatus.Cancelled)
        {
            return Validation.Single("status", L("This appointment is cancelled; schedule a new one instead."), StatusCodes.Status409Conflict, L("Appointment cancelled"));
        }
        var v = new Validation();
        var invitation = current.Invitation with { Sms = request?.Sms ?? current.Invitation.Sms, Email = request?.Email ?? current.Invitation.Email };
        CheckChannels(v, invitation, c.ReachEmail, c.ReachSms, "");
        if (!invitation.Sms && !invitation.Email)
        {
            v.Add("email", L("Choose SMS, e-mail or both."));
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }
        if (await HandOverAsync(notify, http, tenant.AccountId, id, current.History.Count) is { } unavailable)
        {
            return unavailable;
        }
        var saved = await store.UpdateAsync(tenant, id, a => a with
        {
            UpdatedAt = time.GetUtcNow(),
            History = [.. a.History, Entry("invitationsResent", tenant, time, null) with { Start = a.Start, End = a.End, Invitation = invitation }],
        }, ct);
        await NotifyAsync(notify, http);
        return TypedResults.Accepted($"/api/appointments/{id}", View(saved, http, store));
    }

    /// <summary>
    /// Validates an appointment request and returns a builder for the appointment of a given case, or null (errors in
    /// <paramref name="v"/>). Contact data and defaults come from the case as it will be saved.
    /// </summary>
    private static async Task<Func<Case, HistoryEntry, Appointment>?> PlanAsync(Validation v, AppointmentRequest r, Tenant tenant, Account account, CaseRules rules,
        string? email, string? phone, string caseLanguage, string prefix, string id, TimeProvider time, CancellationToken ct)
    {
        var type = v.OneOf<AppointmentType>(prefix + "type", r.Type, required: false) ?? AppointmentType.Individual;
        var zoneId = v.TimeZone(prefix + "timeZone", r.TimeZone, required: false) ?? account.TimeZone;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZones.IsIana(zoneId) ? zoneId : "UTC");
        var start = Resolve(v, prefix + "start", r.Start, zone);
        var end = Resolve(v, prefix + "end", r.End, zone);
        if (start is { } s && end is { } e)
        {
            if (e <= s)
            {
                v.Add(prefix + "end", L("The end must be after the start."));
            }
            else if (e - s > AppointmentStore.MaxLength)
            {
                v.Add(prefix + "end", L("An appointment can last at most {0} hours.", (int)AppointmentStore.MaxLength.TotalHours));
            }
            var now = time.GetUtcNow();
            if (s < now - TimeSpan.FromMinutes(5))
            {
                v.Add(prefix + "start", L("Choose a start in the future."));
            }
            else if (s > now + AppointmentStore.MaxLeadTime)
            {
                v.Add(prefix + "start", L("Choose a start within the next {0} years.", (int)(AppointmentStore.MaxLeadTime.TotalDays / 365)));
            }
        }
        var operators = r.OperatorIds is null
            ? (tenant.OperatorId is null ? [] : [tenant.OperatorId])
            : await rules.OperatorsAsync(v, prefix + "operatorIds", r.OperatorIds, tenant, allowEmpty: false, ct);
        if (operators.Count == 0 && r.OperatorIds is null)
        {
            v.Add(prefix + "operatorIds", L("Choose at least one operator."));
        }
        if (operators.Count > 5)
        {
            v.Add(prefix + "operatorIds", L("Choose at most {0} operators.", 5));
        }
        var language = v.Language(prefix + "invitation.language", r.Invitation?.Language, required: false) ?? caseLanguage;
        var invitation = type == AppointmentType.Group
            ? new InvitationRequest(false, false, language) // group links are copied and shared by the operator
            : new InvitationRequest(r.Invitation?.Sms ?? phone is not null, r.Invitation?.Email ?? email is not null, language);
        CheckChannels(v, invitation, email, phone, prefix);
        var pinProtected = r.PinProtected ?? account.PinPolicy != PinPolicy.Off;
        if (account.PinPolicy == PinPolicy.Mandatory && !pinProtected)
        {
            v.Add(prefix + "pinProtected", L("Your account requires a PIN for every meeting."));
        }
        if (!v.IsValid)
        {
            return null;
        }
        var pin = pinProtected ? MeetingSecrets.NewPin() : null;
        var token = MeetingSecrets.NewJoinToken();
        return (c, entry) => new Appointment(id, tenant.AccountId, c.Id, type, start!.Value, end!.Value, zoneId, operators, invitation, pinProtected, pin, token,
            AppointmentStatus.Scheduled, [entry with { Start = start, End = end, Invitation = invitation }], entry.At, entry.At);
    }

    private static void CheckChannels(Validation v, InvitationRequest invitation, string? email, string? phone, string prefix)
    {
        if (invitation.Sms && phone is null)
        {
            v.Add(prefix + "invitation.sms", L("Add the customer's mobile number to send an SMS invitation."));
        }
        if (invitation.Email && email is null)
        {
            v.Add(prefix + "invitation.email", L("Add the customer's e-mail address to send an e-mail invitation."));
        }
    }

    private static DateTimeOffset? Resolve(Validation v, string field, string? value, TimeZoneInfo zone)
    {
        if (WallClock.TryResolve(value, zone, out var instant, out var error))
        {
            return instant;
        }
        v.Add(field, error!);
        return null;
    }

    private static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseInstant(Validation v, string field, string? value)
    {
        if (value is not null && DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return parsed.ToUniversalTime();
        }
        v.Add(field, L("Use an ISO 8601 date and time such as 2026-03-30T10:00:00+02:00."));
        return default;
    }

    /// <summary>The appointment and its case, when the caller may see the case.</summary>
    private static async Task<(Appointment Appointment, Case Case)?> VisibleAsync(string id, Tenant tenant, CaseStore cases, CaseRules rules, AppointmentStore store, CancellationToken ct)
    {
        var a = await store.GetAsync(tenant, id, ct);
        if (a is null)
        {
            return null;
        }
        var c = await cases.GetAsync(tenant, a.CaseId, ct);
        return c is not null && await rules.CanSeeAsync(tenant, c, ct) ? (a, c) : null;
    }

    /// <summary>
    /// Starts the messages instance before an appointment write (see <see cref="AppointmentMessages.HandOverAsync"/>) and
    /// keeps its id on the request for <see cref="NotifyAsync"/>. When storage is unreachable the request ends here with
    /// 503, before anything is written; the outage is logged once, like every other (<see cref="Storage.StorageOutage"/>).
    /// </summary>
    internal static async Task<IResult?> HandOverAsync(AppointmentMessages messages, HttpContext http, string accountId, string appointmentId, int fromHistoryIndex)
    {
        try
        {
            http.Items[typeof(AppointmentMessages)] = await messages.HandOverAsync(accountId, appointmentId, fromHistoryIndex, CancellationToken.None);
            return null;
        }
        catch (Exception ex) when (Storage.StorageOutage.IsOutage(ex) || ex is OperationCanceledException)
        {
            http.RequestServices.GetRequiredService<Storage.StorageOutage>().Report(ex, $"notification hand-over of appointment {appointmentId}, nothing written");
            return Storage.StorageOutage.Unavailable(L("Parley cannot queue the customer's messages right now, so nothing was saved. Please try again shortly."));
        }
    }

    /// <summary>The write is done: the messages instance started by <see cref="HandOverAsync"/> sends now (if this fails, after its wait).</summary>
    internal static Task NotifyAsync(AppointmentMessages messages, HttpContext http) =>
        http.Items[typeof(AppointmentMessages)] is string instanceId ? messages.WrittenAsync(instanceId) : Task.CompletedTask;

    private static HistoryEntry Entry(string action, Tenant tenant, TimeProvider time, string? reason) =>
        new(time.GetUtcNow(), action, tenant.OperatorId ?? "api:" + tenant.ApiKeyId, null, null, reason, null);

    private static AppointmentView View(Appointment a, HttpContext http, AppointmentStore store)
    {
        var origin = Hosting.PublicUrl.Of(http);
        return new AppointmentView(a.Id, a.CaseId, Wire.Name(a.Type), a.Start, a.End, a.TimeZone, a.OperatorIds, a.Invitation, a.PinProtected,
            a.Pin, store.JoinUrl(origin, a), Wire.Name(a.Status), a.History);
    }

    internal static IResult Busy(OverlapException ex, Account account)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(account.TimeZone);
        var start = TimeZoneInfo.ConvertTime(ex.Start, zone);
        var end = TimeZoneInfo.ConvertTime(ex.End, zone);
        return Validation.Single("start",
            L("This time overlaps another appointment of the operator ({0}–{1}). Choose another time or operator.", start.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture), end.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)),
            StatusCodes.Status409Conflict, L("Time not available"));
    }

    private static IResult Contended() => TypedResults.Problem(L("Many changes are being made to this case at the same moment. Please try again."),
        statusCode: StatusCodes.Status409Conflict, title: L("Please try again"));
}
