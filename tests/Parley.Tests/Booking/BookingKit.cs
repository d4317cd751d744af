using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Booking;

/// <summary>A published booking page and a booker's requests against it (the public API, without the dashboard's header or cookie).</summary>
internal static class BookingKit
{
    /// <summary>The app's "now": Tuesday 5 January 2027, 08:00 UTC (09:00 in Berlin), far from any DST change.</summary>
    public static readonly DateTimeOffset Now = new(2027, 1, 5, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Wednesday 6 January 2027, 10:00 in Berlin.</summary>
    public static readonly DateTimeOffset Wednesday10 = new(2027, 1, 6, 9, 0, 0, TimeSpan.Zero);

    public static Task<ParleyApp> StartAsync(bool durable = false, TestClock? clock = null, Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings["Durable:Enabled"] = durable ? "true" : "false";
        // Long enough for a booking written under load (the 1,000-request bot): the written event ends the wait at once.
        settings["Notifications:HandOverWait"] = "00:00:30";
        return ParleyApp.StartAsync(settings, s => s.AddSingleton<TimeProvider>(clock ?? new TestClock(Now)));
    }

    public sealed record Page(ApiSession Admin, string AccountId, string OperatorId, string OperatorEmail, string Handle);

    /// <summary>A new account whose administrator publishes a booking page (Mon–Fri 09:00–17:00 Berlin, 30/60 min, no notice).</summary>
    public static async Task<Page> PublishAsync(ParleyApp app, object? rules = null)
    {
        var email = NewEmail("adviser");
        var (admin, me) = await SignUpAsync(app, email);
        var operatorId = AvailabilityApiTests.OperatorId(me);
        var handle = AvailabilityApiTests.NewHandle("book");
        await ApiSession.ReadAsync(await admin.PutAsync($"/api/operators/{operatorId}/availability",
            new { enabled = true, handle, lengths = new[] { 30, 60 }, increment = 30, minimumNotice = 0, daysAhead = 90 }), HttpStatusCode.OK);
        if (rules is not null)
        {
            await ApiSession.ReadAsync(await admin.PutAsync($"/api/operators/{operatorId}/availability", rules), HttpStatusCode.OK);
        }
        return new Page(admin, me.GetProperty("account").GetProperty("id").GetString()!, operatorId, email, handle);
    }

    public static object Booker(DateTimeOffset start, int length = 30, string name = "Bea Booker", string? email = "bea@example.com", string? phone = "+49 151 23456789",
        string? note = null, object? answers = null, object? metadata = null, string timeZone = "Europe/Berlin", string language = "de") =>
        new { start = Iso(start), length, name, email, phone, language, timeZone, note, consent = true, answers, metadata };

    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

    /// <summary>A booking as a browser on its own network sends it; the status and the JSON body.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> BookAsync(ParleyApp app, string handle, object body, string? idempotencyKey = null)
    {
        using var booker = app.NewSession(dashboardHeader: false);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/book/{handle}") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        using var response = await booker.Client.SendAsync(request);
        return (response.StatusCode, await ReadAsync(response));
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(ParleyApp app, HttpMethod method, string path, object? body = null)
    {
        using var booker = app.NewSession(dashboardHeader: false);
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await booker.Client.SendAsync(request);
        return (response.StatusCode, await ReadAsync(response));
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length > 0 && text.TrimStart().StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : default;
    }

    /// <summary>Free slots (UTC instants) of one day in a zone.</summary>
    public static async Task<List<DateTimeOffset>> SlotsAsync(ParleyApp app, string handle, string day, int length = 30, string timeZone = "Europe/Berlin")
    {
        var (status, body) = await SendAsync(app, HttpMethod.Get, $"/api/book/{handle}/slots?length={length}&from={day}&to={day}&timeZone={Uri.EscapeDataString(timeZone)}");
        Assert.Equal(HttpStatusCode.OK, status);
        return body.GetProperty("days").EnumerateArray().SelectMany(d => d.GetProperty("slots").EnumerateArray().Select(s => s.GetDateTimeOffset())).ToList();
    }

    /// <summary>The booker's token from a confirmation's manage URL.</summary>
    public static string Token(JsonElement confirmation)
    {
        var url = confirmation.GetProperty("manageUrl").GetString()!;
        return url[(url.IndexOf('#') + 1)..];
    }
}
