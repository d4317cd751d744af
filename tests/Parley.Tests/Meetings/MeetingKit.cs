using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Meetings;

/// <summary>The customer's and the operator's moves in a meeting room, through the real API.</summary>
internal static class MeetingKit
{
    public const string SessionHeader = "X-Meeting-Session";

    /// <summary>Schedules an appointment for a case at <paramref name="start"/> (UTC) and returns it with its link token.</summary>
    public static async Task<(JsonElement Appointment, string Token)> ScheduleAsync(ApiSession admin, string caseId, DateTimeOffset start, int minutes = 30,
        bool? pin = null, string type = "individual", string language = "en", bool email = false)
    {
        using var response = await admin.PostAsync($"/api/cases/{caseId}/appointments", new
        {
            type,
            start = start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture),
            end = start.AddMinutes(minutes).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture),
            timeZone = "UTC",
            pinProtected = pin,
            invitation = new { sms = false, email, language },
        });
        var appointment = await ApiSession.ReadAsync(response, HttpStatusCode.Created);
        return (appointment, Token(appointment));
    }

    public static string Token(JsonElement appointment) => appointment.GetProperty("joinUrl").GetString()!.Split('#')[1];

    public static string? Pin(JsonElement appointment) => appointment.GetProperty("pin").GetString();

    /// <summary>A customer's browser: no cookies of the dashboard, its own client address.</summary>
    public static ApiSession Customer(ParleyApp app) => app.NewSession(dashboardHeader: false);

    public static Task<HttpResponseMessage> JoinAsync(ApiSession customer, string token, string? pin = null, string? name = null) =>
        customer.PostAsync("/api/meet/join", new { token, pin, name });

    /// <summary>Joins and returns the meeting session and the room view.</summary>
    public static async Task<(string Session, JsonElement Room)> JoinOkAsync(ApiSession customer, string token, string? pin = null, string? name = null)
    {
        using var response = await JoinAsync(customer, token, pin, name);
        var body = await ApiSession.ReadAsync(response, HttpStatusCode.OK);
        return (body.GetProperty("session").GetString()!, body.GetProperty("room"));
    }

    /// <summary>The operator's Join from the dashboard.</summary>
    public static async Task<(string Session, JsonElement Room)> OperatorJoinAsync(ApiSession op, string appointmentId)
    {
        using var response = await op.PostAsync($"/api/appointments/{appointmentId}/meeting");
        var body = await ApiSession.ReadAsync(response, HttpStatusCode.OK);
        return (body.GetProperty("session").GetString()!, body.GetProperty("room"));
    }

    public static async Task<HttpResponseMessage> SendAsync(ApiSession client, HttpMethod method, string path, string? session, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (session is not null)
        {
            request.Headers.Add(SessionHeader, session);
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return await client.Client.SendAsync(request);
    }

    public static async Task<JsonElement> CallAsync(ApiSession client, string session, string path, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var get = path.StartsWith("/api/meet/room", StringComparison.Ordinal) || path.StartsWith("/api/meet/events", StringComparison.Ordinal);
        using var response = await SendAsync(client, get ? HttpMethod.Get : HttpMethod.Post, path, session, get ? null : body ?? new { });
        return await ApiSession.ReadAsync(response, expected);
    }

    public static Task<JsonElement> RoomAsync(ApiSession client, string session) => CallAsync(client, session, "/api/meet/room");

    /// <summary>One poll for events (answers at once when there are some).</summary>
    public static Task<JsonElement> EventsAsync(ApiSession client, string session, long after = 0) => CallAsync(client, session, $"/api/meet/events?after={after}");

    /// <summary>Polls until an event of <paramref name="type"/> arrives; returns it.</summary>
    public static async Task<JsonElement> WaitForEventAsync(ApiSession client, string session, string type, Func<JsonElement, bool>? match = null)
    {
        long cursor = 0;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var page = await EventsAsync(client, session, cursor);
            foreach (var e in page.GetProperty("events").EnumerateArray())
            {
                if (e.GetProperty("type").GetString() == type && (match?.Invoke(e) ?? true))
                {
                    return e;
                }
            }
            cursor = page.GetProperty("cursor").GetInt64();
        }
        throw new TimeoutException($"No '{type}' event within 30 s.");
    }

    public static string State(JsonElement room) => room.GetProperty("state").GetString()!;
}
