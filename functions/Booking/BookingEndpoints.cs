using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Parley.Functions.Appointments;
using Parley.Functions.Cases;
using Parley.Functions.Common;
using Parley.Functions.CustomFields;
using Parley.Functions.Notifications;
using Parley.Functions.RateLimiting;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Booking;

/// <summary>The public booking API: a page's settings, its free times, and booking (see docs/booking.md).</summary>
public static class BookingEndpoints
{
    public static readonly RateLimitPolicy PageReads = new("BookingReads", 600, TimeSpan.FromMinutes(10));
    public static readonly RateLimitPolicy Bookings = new("Bookings", 20, TimeSpan.FromHours(1));
    public const int MaxRangeDays = 42;
    public const int MaxNoteLength = 1000;
    public const int MaxMetadataEntries = 10;

    public static IEndpointRouteBuilder MapBookingEndpoints(this IEndpointRouteBuilder api)
    {
        var pages = api.MapGroup("/book/{handle}").AllowAnonymous().WithTags("Booking pages");
        pages.MapGet("", PageAsync).RateLimitedPerClientInMemory(PageReads);
        pages.MapGet("/slots", SlotsAsync).RateLimitedPerClientInMemory(PageReads);
        pages.MapPost("", BookAsync).RateLimitedPerClient(Bookings);
        return api;
    }

    internal static IResult PageNotFound() => TypedResults.Problem(L("There is no booking page at this address. Check the link you were given."),
        statusCode: StatusCodes.Status404NotFound, title: L("Booking page not found"));

    private static async Task<IResult> PageAsync(string handle, BookingCalendar calendar, CustomFieldStore fields, CancellationToken ct)
    {
        if (await calendar.FindAsync(handle, ct) is not { } page)
        {
            return PageNotFound();
        }
        var questions = (await fields.ListAsync(page.Tenant, ct)).Where(d => !d.Archived && d.AskWhenBooking)
            .Select(d => new BookingQuestion(d.Key, d.Label, Wire.Name(d.Type), d.Choices, d.Required)).ToList();
        var s = page.Settings;
        return TypedResults.Ok(new BookingPageView(handle, page.Operator.Name, page.Account.BusinessName, s.Lengths, s.Availability.TimeZone, s.Availability.Rules.DaysAhead,
            page.Account.BookingConsentText, questions, page.Account.DefaultLanguage, MessageTemplates.Languages, page.Account.EmbedOrigins));
    }

    private static async Task<IResult> SlotsAsync(string handle, int? length, string? from, string? to, string? timeZone, BookingCalendar calendar, CancellationToken ct)
    {
        var v = new Validation();
        var page = await calendar.FindAsync(handle, ct);
        if (page is null)
        {
            return PageNotFound();
        }
        var range = ReadRange(v, page, length, from, to, timeZone);
        if (range is null)
        {
            return v.Problem();
        }
        var (len, zone, start, end) = range.Value;
        // The answer itself is cached (a page is read far more often than booked); any write drops it (version in the key).
        var key = $"bookslotsjson|{page.Settings.AccountId}|{page.Settings.OperatorId}|{calendar.VersionOf(page)}|{len.Ticks}|{start.UtcTicks}|{end.UtcTicks}|{zone.Id}";
        var json = await calendar.CachedAsync(key, async () =>
            JsonSerializer.SerializeToUtf8Bytes(Group(await calendar.FreeSlotsAsync(page, len, start, end, null, ct), len, zone), Json));
        return TypedResults.Bytes(json, "application/json; charset=utf-8");
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Length, zone and the range of days (in that zone) of a slots query, as instants.</summary>
    internal static (TimeSpan Length, TimeZoneInfo Zone, DateTimeOffset From, DateTimeOffset To)? ReadRange(Validation v, BookingPage page, int? length, string? from, string? to, string? timeZone)
    {
        var len = Length(v, page, length);
        var zoneId = v.TimeZone("timeZone", timeZone, required: false) ?? page.Settings.Availability.TimeZone;
        var first = Day(v, "from", from);
        var last = Day(v, "to", to);
        if (v.IsValid && (last < first || last.DayNumber - first.DayNumber >= MaxRangeDays))
        {
            v.Add("to", L("Choose a range of at most {0} days that ends after it starts.", MaxRangeDays));
        }
        if (!v.IsValid)
        {
            return null;
        }
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        return (len, zone, StartOfDay(first, zone), StartOfDay(last.AddDays(1), zone));
    }

    private static DateTimeOffset StartOfDay(DateOnly day, TimeZoneInfo zone) =>
        SlotCalculator.Instants(zone, day.ToDateTime(TimeOnly.MinValue)).FirstOrDefault() is { } exact && exact != default
            ? exact
            : new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue).AddHours(1), zone), TimeSpan.Zero); // midnight skipped by a DST change

    private static DateOnly Day(Validation v, string field, string? value)
    {
        if (DateOnly.TryParseExact(value ?? "", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }
        v.Add(field, L("Use a date like 2026-12-24."));
        return default;
    }

    internal static TimeSpan Length(Validation v, BookingPage page, int? length)
    {
        var chosen = length ?? page.Settings.Lengths[0];
        if (!page.Settings.Lengths.Contains(chosen))
        {
            v.Add("length", L("Choose one of the offered lengths: {0} minutes.", string.Join(", ", page.Settings.Lengths)));
        }
        return TimeSpan.FromMinutes(chosen);
    }

    internal static SlotsView Group(IReadOnlyList<DateTimeOffset> slots, TimeSpan length, TimeZoneInfo zone) =>
        new((int)length.TotalMinutes, zone.Id, slots
            .GroupBy(s => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(s, zone).DateTime))
            .OrderBy(g => g.Key)
            .Select(g => new SlotDay(g.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), g.OrderBy(s => s).Select(s => s.ToUniversalTime()).ToList()))
            .ToList());

    /// <summary>The free slots of the day of <paramref name="start"/> in the booker's zone, for a 409.</summary>
    internal static async Task<IResult> TakenAsync(BookingCalendar calendar, BookingPage page, TimeSpan length, DateTimeOffset start, TimeZoneInfo zone, string? ignore, CancellationToken ct)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(start, zone).DateTime);
        var fresh = await calendar.ComputeAsync(page, length, day.AddDays(-1), day.AddDays(1), ignore, ct);
        var sameDay = fresh.Where(s => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(s, zone).DateTime) == day).Select(s => s.ToUniversalTime()).ToList();
        return TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Title = L("Time not available"),
            Detail = L("Someone else has just booked this time. Please choose another one."),
            Extensions =
            {
                ["errors"] = new Dictionary<string, string[]> { ["start"] = [L("Someone else has just booked this time. Please choose another one.")] },
                ["slots"] = sameDay,
            },
        });
    }

    private static async Task<IResult> BookAsync(string handle, BookingRequest request, HttpContext http, BookingCalendar calendar, BookingIdempotency idempotency,
        BookingService bookings, CancellationToken ct)
    {
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length > 0 && !BookingIdempotency.IsValidKey(key))
        {
            return Validation.Single("Idempotency-Key", L("Send an Idempotency-Key of 1 to 100 printable characters."));
        }
        if (await calendar.FindAsync(handle, ct) is not { } page)
        {
            return PageNotFound();
        }
        if (key.Length == 0)
        {
            return await bookings.BookAsync(page, request, SecureTokens.NewId(), takenOver: false, http, ct);
        }
        var requestHash = SecureTokens.Hash(handle + "|" + JsonSerializer.Serialize(request));
        switch (await idempotency.ClaimAsync(page.Settings.AccountId, handle, key, requestHash, ct))
        {
            case IdempotencyClaim.Replay replay:
                http.Response.Headers["Idempotent-Replayed"] = "true";
                return new RawJson(replay.Status, replay.Body);
            case IdempotencyClaim.Mismatch:
                return Validation.Single("Idempotency-Key", L("This Idempotency-Key was used for a different booking. Use a new key for a new request."), StatusCodes.Status422UnprocessableEntity);
            case IdempotencyClaim.InProgress:
                return Validation.Single("Idempotency-Key", L("The first request with this Idempotency-Key is still being processed. Try again in a moment."), StatusCodes.Status409Conflict);
            case IdempotencyClaim.Proceed proceed:
                (int Status, string Body) answer;
                try
                {
                    answer = await CaptureAsync(await bookings.BookAsync(page, request, proceed.AppointmentId, proceed.TakenOver, http, ct), http);
                }
                catch
                {
                    await idempotency.ReleaseAsync(page.Settings.AccountId, handle, key);
                    throw;
                }
                if (answer.Status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
                {
                    await idempotency.ReleaseAsync(page.Settings.AccountId, handle, key); // transient: the retry runs afresh
                }
                else
                {
                    await idempotency.CompleteAsync(page.Settings.AccountId, handle, key, answer.Status, answer.Body, CancellationToken.None);
                }
                return new RawJson(answer.Status, answer.Body);
            default:
                throw new InvalidOperationException("Unknown idempotency claim.");
        }
    }

    /// <summary>Runs a result against a scratch response to record exactly what it answers.</summary>
    private static async Task<(int Status, string Body)> CaptureAsync(IResult result, HttpContext http)
    {
        var scratch = new DefaultHttpContext { RequestServices = http.RequestServices };
        using var buffer = new MemoryStream();
        scratch.Response.Body = buffer;
        await result.ExecuteAsync(scratch);
        foreach (var (name, value) in scratch.Response.Headers)
        {
            if (name is "Retry-After" or "Location")
            {
                http.Response.Headers[name] = value;
            }
        }
        return (scratch.Response.StatusCode, System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>A recorded answer, sent again byte for byte.</summary>
    private sealed class RawJson(int status, string body) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = status >= 400 ? "application/problem+json" : "application/json";
            await httpContext.Response.WriteAsync(body);
        }
    }
}

/// <summary>The time was taken or stopped being bookable while the booking was being written.</summary>
public sealed class SlotUnavailableException() : Exception("The time is no longer bookable.");
