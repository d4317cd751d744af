using Azure.Data.Tables;
using Parley.Functions.Accounts;
using Parley.Functions.Appointments;
using Parley.Functions.Cases;
using Parley.Functions.Common;
using Parley.Functions.Hosting;
using Parley.Functions.Identity;
using Parley.Functions.Meetings;
using Parley.Functions.Notifications;
using Parley.Functions.RateLimiting;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Booking;

/// <summary>
/// The booker's own link (<c>/booking#token</c>, see <see cref="BookerLinks"/>): see the booking, move it, cancel it,
/// download it for the calendar. A move keeps the same appointment — the meeting link does not change — and replans
/// reminders through the messages workflow; the operator sees the change in the history ("booker") and on the badge.
/// </summary>
public static class BookerEndpoints
{
    public static readonly RateLimitPolicy Changes = new("BookerChanges", 30, TimeSpan.FromHours(1));

    public static IEndpointRouteBuilder MapBookerEndpoints(this IEndpointRouteBuilder api)
    {
        var booking = api.MapGroup("/booking/{token}").AllowAnonymous().WithTags("Booking pages");
        booking.MapGet("", GetAsync).RateLimitedPerClientInMemory(BookingEndpoints.PageReads);
        booking.MapGet("/slots", SlotsAsync).RateLimitedPerClientInMemory(BookingEndpoints.PageReads);
        booking.MapGet("/calendar.ics", CalendarFileAsync).RateLimitedPerClientInMemory(BookingEndpoints.PageReads);
        booking.MapPost("/reschedule", RescheduleAsync).RateLimitedPerClient(Changes);
        booking.MapPost("/cancel", CancelAsync).RateLimitedPerClient(Changes);

        var operators = api.MapGroup("/bookings").RequireAuthorization().WithTags("Booking pages");
        operators.MapGet("/unseen", UnseenAsync);
        operators.MapPost("/seen", SeenAsync);
        return api;
    }

    private sealed record Loaded(Appointment Appointment, Case Case, Operator Operator, Account Account, BookingPage? Page);

    private static async Task<Loaded?> LoadAsync(string token, BookerLinks links, AppointmentStore appointments, CaseStore cases, AccountStore accounts, BookingCalendar calendar, CancellationToken ct)
    {
        if (links.Read(token) is not { } id)
        {
            return null;
        }
        var tenant = BookingCalendar.TenantOf(id.AccountId);
        var appointment = await appointments.GetAsync(tenant, id.AppointmentId, ct);
        if (appointment is null || appointment.History.FirstOrDefault()?.By != BookingService.Booker || appointment.OperatorIds.Count == 0)
        {
            return null;
        }
        var c = await cases.GetAsync(tenant, appointment.CaseId, ct);
        var op = await accounts.GetOperatorAsync(tenant, appointment.OperatorIds[0], ct);
        var account = await accounts.GetSettingsAsync(tenant, ct);
        if (c is null || op is null || account is null)
        {
            return null;
        }
        return new Loaded(appointment, c, op, account, await calendar.ForOperatorAsync(id.AccountId, op.Id, ct));
    }

    private static IResult LinkNotValid() => TypedResults.Problem(
        L("This booking link is not valid (any more). If you booked an appointment, use the link from your latest confirmation, or book again."),
        statusCode: StatusCodes.Status404NotFound, title: L("Booking not found"));

    private static BookerView View(Loaded l, TimeProvider time)
    {
        var a = l.Appointment;
        var moves = a.History.Where(h => h.Action == "rescheduled").ToList();
        var lastMove = moves.LastOrDefault();
        var cancel = a.History.LastOrDefault(h => h.Action == "cancelled");
        DateTimeOffset? previousStart = null;
        if (lastMove is not null)
        {
            var index = a.History.ToList().LastIndexOf(lastMove);
            previousStart = a.History.Take(index).LastOrDefault(h => h.Action is "scheduled" or "rescheduled")?.Start;
        }
        static string WhoDid(HistoryEntry h) => h.By == BookingService.Booker ? "booker" : "business";
        return new BookerView(Wire.Name(a.Status), a.Start, a.End, a.TimeZone, l.Operator.Name, l.Account.BusinessName,
            l.Page is { Settings.Enabled: true } ? l.Page.Settings.Handle : null, (int)(a.End - a.Start).TotalMinutes,
            lastMove is null ? null : WhoDid(lastMove), previousStart, cancel is null ? null : WhoDid(cancel),
            cancel?.Reason ?? lastMove?.Reason, CanChange(a, time));
    }

    private static bool CanChange(Appointment a, TimeProvider time) => a.Status == AppointmentStatus.Scheduled && a.Start > time.GetUtcNow();

    private static async Task<IResult> GetAsync(string token, BookerLinks links, AppointmentStore appointments, CaseStore cases, AccountStore accounts, BookingCalendar calendar,
        TimeProvider time, CancellationToken ct) =>
        await LoadAsync(token, links, appointments, cases, accounts, calendar, ct) is { } l ? TypedResults.Ok(View(l, time)) : LinkNotValid();

    private static async Task<IResult> SlotsAsync(string token, string? from, string? to, string? timeZone, BookerLinks links, AppointmentStore appointments, CaseStore cases,
        AccountStore accounts, BookingCalendar calendar, CancellationToken ct)
    {
        if (await LoadAsync(token, links, appointments, cases, accounts, calendar, ct) is not { } l)
        {
            return LinkNotValid();
        }
        if (l.Page is not { } page)
        {
            return NoLongerBookable();
        }
        var v = new Validation();
        var minutes = (int)(l.Appointment.End - l.Appointment.Start).TotalMinutes;
        var range = BookingEndpoints.ReadRange(v, page with { Settings = page.Settings with { Lengths = [minutes] } }, minutes, from, to, timeZone);
        if (range is null)
        {
            return v.Problem();
        }
        var (length, zone, start, end) = range.Value;
        var slots = await calendar.FreeSlotsAsync(page, length, start, end, l.Appointment.Id, ct);
        return TypedResults.Ok(BookingEndpoints.Group(slots, length, zone));
    }

    private static IResult NoLongerBookable() => Validation.Single("start",
        L("This booking page is no longer available, so the booking cannot be moved here. Please contact the business."), StatusCodes.Status409Conflict, L("Cannot be moved"));

    private static IResult Started() => Validation.Single("start",
        L("This booking has started, is over or was cancelled, so it can no longer be changed."), StatusCodes.Status409Conflict, L("Cannot be changed"));

    private static async Task<IResult> CalendarFileAsync(string token, HttpContext http, BookerLinks links, AppointmentStore appointments, CaseStore cases, AccountStore accounts,
        BookingCalendar calendar, TimeProvider time, CancellationToken ct)
    {
        if (await LoadAsync(token, links, appointments, cases, accounts, calendar, ct) is not { } l)
        {
            return LinkNotValid();
        }
        var a = l.Appointment;
        var joinUrl = appointments.JoinUrl(PublicUrl.Of(http), a);
        var description = $"{joinUrl}\n\n{links.ManageUrl(a.AccountId, a.Id)}";
        var ics = BookingCalendarFile.Render(a, $"{l.Account.BusinessName}: {l.Operator.Name}", description, joinUrl, time.GetUtcNow());
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(ics), BookingCalendarFile.ContentType, "appointment.ics");
    }

    private static async Task<IResult> RescheduleAsync(string token, BookerChange change, HttpContext http, BookerLinks links, AppointmentStore appointments, CaseStore cases,
        AccountStore accounts, BookingCalendar calendar, AppointmentMessages messages, MeetingLifecycle meetings, BookingNotices notices, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation();
        var start = BookingService.Instant(v, "start", change.Start);
        var reason = v.Text("reason", change.Reason, 500, required: false, multiLine: true);
        if (!v.IsValid)
        {
            return v.Problem();
        }
        if (await LoadAsync(token, links, appointments, cases, accounts, calendar, ct) is not { } l)
        {
            return LinkNotValid();
        }
        if (!CanChange(l.Appointment, time))
        {
            return Started();
        }
        if (l.Page is not { } page)
        {
            return NoLongerBookable();
        }
        var before = l.Appointment;
        var length = before.End - before.Start;
        var moved = start!.Value;
        var tenant = page.Tenant;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(before.TimeZone);
        if (moved == before.Start)
        {
            return TypedResults.Ok(View(l, time));
        }
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(moved, page.Zone).DateTime);
        var rules = page.Settings.Availability.Rules;
        if (!SlotCalculator.FreeSlots(page.Settings.Availability with { Rules = rules with { MaxPerDay = null } }, length, day, day, [], time.GetUtcNow()).Contains(moved))
        {
            return Validation.Single("start", L("This time cannot be booked. Choose one of the free times shown."));
        }
        if (await AppointmentEndpoints.HandOverAsync(messages, http, tenant.AccountId, before.Id, before.History.Count) is { } unavailable)
        {
            return unavailable;
        }
        var guard = new SlotGuard(rules.BufferBefore + rules.BufferAfter, BookingCalendar.DayRowKey(page, moved), async guardCt =>
        {
            if (!await calendar.IsFreeAsync(page, length, moved, before.Id, guardCt))
            {
                throw new SlotUnavailableException();
            }
        });
        Appointment saved;
        try
        {
            (_, saved) = await appointments.RescheduleAsync(tenant, (before, l.Case), a => a with
            {
                Start = moved,
                End = moved + length,
                UpdatedAt = time.GetUtcNow(),
                History = [.. a.History, new HistoryEntry(time.GetUtcNow(), "rescheduled", BookingService.Booker, moved, moved + length, reason, a.Invitation)],
            }, ct, guard);
        }
        catch (Exception ex) when (ex is OverlapException or SlotUnavailableException or TableTransactionFailedException)
        {
            return await BookingEndpoints.TakenAsync(calendar, page, length, moved, zone, before.Id, ct);
        }
        catch (AppointmentCancelledException)
        {
            return Started();
        }
        await AppointmentEndpoints.NotifyAsync(messages, http);
        await meetings.MovedAsync(saved, ct);
        await notices.AddAsync(tenant.AccountId, l.Operator.Id, new BookingNotice(l.Case.Id, l.Case.Name, saved.Id, "rescheduled", saved.Start, time.GetUtcNow()), ct);
        return TypedResults.Ok(View(l with { Appointment = saved }, time));
    }

    private static async Task<IResult> CancelAsync(string token, BookerChange? change, HttpContext http, BookerLinks links, AppointmentStore appointments, CaseStore cases,
        AccountStore accounts, BookingCalendar calendar, AppointmentMessages messages, MeetingLifecycle meetings, BookingNotices notices, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation();
        var reason = v.Text("reason", change?.Reason, 500, required: false, multiLine: true);
        if (!v.IsValid)
        {
            return v.Problem();
        }
        if (await LoadAsync(token, links, appointments, cases, accounts, calendar, ct) is not { } l)
        {
            return LinkNotValid();
        }
        if (l.Appointment.Status == AppointmentStatus.Cancelled)
        {
            return TypedResults.Ok(View(l, time)); // cancelling twice is no error
        }
        if (!CanChange(l.Appointment, time))
        {
            return Started();
        }
        var tenant = BookingCalendar.TenantOf(l.Appointment.AccountId);
        if (await AppointmentEndpoints.HandOverAsync(messages, http, tenant.AccountId, l.Appointment.Id, l.Appointment.History.Count) is { } unavailable)
        {
            return unavailable;
        }
        var cancelled = await appointments.CancelAsync(tenant, (l.Appointment, l.Case), a => a with
        {
            UpdatedAt = time.GetUtcNow(),
            History = [.. a.History, new HistoryEntry(time.GetUtcNow(), "cancelled", BookingService.Booker, a.Start, a.End, reason, a.Invitation)],
        }, ct);
        await AppointmentEndpoints.NotifyAsync(messages, http);
        await meetings.CancelledAsync(cancelled, ct);
        await notices.AddAsync(tenant.AccountId, l.Operator.Id, new BookingNotice(l.Case.Id, l.Case.Name, cancelled.Id, "cancelled", cancelled.Start, time.GetUtcNow()), ct);
        return TypedResults.Ok(View(l with { Appointment = cancelled }, time));
    }

    private static async Task<IResult> UnseenAsync(Tenant tenant, BookingNotices notices, CancellationToken ct) =>
        tenant.OperatorId is { } op ? TypedResults.Ok(await notices.UnseenAsync(tenant, op, ct)) : TypedResults.Ok(new UnseenBookings(0, []));

    private static async Task<IResult> SeenAsync(Tenant tenant, BookingNotices notices, CancellationToken ct)
    {
        if (tenant.OperatorId is { } op)
        {
            await notices.SeenAsync(tenant, op, ct);
        }
        return TypedResults.NoContent();
    }
}
