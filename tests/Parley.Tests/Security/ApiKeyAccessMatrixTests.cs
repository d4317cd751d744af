using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Security;

/// <summary>
/// Who may call what: every route of the app's route table, called as an API key, a plain operator and an
/// administrator, is either let through (any answer but 401/403) or refused with a 403 ProblemDetails, exactly as
/// <see cref="Access"/> says. API keys have the integration role: cases, appointments, custom-field values, dialog
/// reads and replies; never operators, roles, API keys, account or dialog settings, custom-field definitions. A new
/// route fails this test until it is classified here.
/// </summary>
public sealed class ApiKeyAccessMatrixTests : AppTest
{
    [Flags]
    private enum Who
    {
        Nobody = 0,
        Key = 1,
        Operator = 2,
        Administrator = 4,
        Public = 8, // anonymous; answers alike whoever calls
        OwnCredential = 16, // the meeting room: only its own credential (the link token and code, then the meeting session header) gets in; cookies and keys change nothing
        People = Operator | Administrator,
        Everyone = Key | Operator | Administrator,
    }

    private static readonly Dictionary<string, Who> Access = new()
    {
        // Public: sign-up and sign-in, the widget (and its phone fields' country list), the customer's reply page, Communication Services' callbacks.
        ["GET /"] = Who.Public,
        ["GET /api/health"] = Who.Public,
        ["POST /api/accounts"] = Who.Public,
        ["POST /api/auth/sign-in"] = Who.Public,
        ["POST /api/auth/sign-out"] = Who.Public,
        ["POST /api/auth/set-password"] = Who.Public,
        ["GET /api/widget/{widgetKey}"] = Who.Public,
        ["POST /api/widget/{widgetKey}/dialogs"] = Who.Public,
        ["DELETE /api/widget-memory"] = Who.Public,
        ["GET /api/widget/{widgetKey}/presence"] = Who.Public,
        ["GET /api/phone-countries"] = Who.Public,
        // The OpenAPI document of the public API and its reference page (Scalar: the page and its script files); no account data.
        ["GET /api/openapi.json"] = Who.Public,
        ["GET /api/reference/{documentName?}"] = Who.Public,
        ["GET /api/reference/scalar.js"] = Who.Public,
        ["GET /api/reference/scalar.aspnetcore.js"] = Who.Public,
        ["GET /api/reference/favicon.svg"] = Who.Public,
        // Booking pages and the booker's own link (its sealed token is the credential; a made-up one is 404 for anyone).
        ["GET /api/book/{handle}"] = Who.Public,
        ["GET /api/book/{handle}/slots"] = Who.Public,
        ["POST /api/book/{handle}"] = Who.Public,
        ["GET /api/booking/{token}"] = Who.Public,
        ["GET /api/booking/{token}/slots"] = Who.Public,
        ["GET /api/booking/{token}/calendar.ics"] = Who.Public,
        ["POST /api/booking/{token}/reschedule"] = Who.Public,
        ["POST /api/booking/{token}/cancel"] = Who.Public,
        ["GET /api/operators/{operatorId}/availability"] = Who.Everyone,
        ["PUT /api/operators/{operatorId}/availability"] = Who.Everyone,
        ["GET /api/bookings/unseen"] = Who.People,
        ["POST /api/bookings/seen"] = Who.People,
        ["POST /api/dialog-thread"] = Who.Public,
        ["POST /api/dialog-thread/replies"] = Who.Public,
        ["POST /api/acs/calls/{accountId}/{callId}/{attempt:int}/{secret}"] = Who.Public,
        // The meeting room: joining is anonymous (the link token and code); inside, only the meeting session header counts, never a cookie or key.
        ["GET /api/meet/events"] = Who.OwnCredential,
        ["GET /api/meet/room"] = Who.OwnCredential,
        ["POST /api/meet/admit"] = Who.OwnCredential,
        ["POST /api/meet/chat"] = Who.OwnCredential,
        ["POST /api/meet/end"] = Who.OwnCredential,
        ["POST /api/meet/intro"] = Who.OwnCredential,
        ["POST /api/meet/join"] = Who.OwnCredential,
        ["POST /api/meet/leave"] = Who.OwnCredential,
        ["POST /api/meet/location"] = Who.OwnCredential,
        ["POST /api/meet/media"] = Who.OwnCredential,
        ["POST /api/meet/media-state"] = Who.OwnCredential,
        ["POST /api/meet/media/refresh"] = Who.OwnCredential,
        ["POST /api/meet/request-location"] = Who.OwnCredential,
        ["POST /api/meet/signal"] = Who.OwnCredential,

        // The dashboard's side of the meeting room: people only, never an integration's key.
        ["POST /api/appointments/{id}/meeting"] = Who.People,
        ["POST /api/appointments/{id}/meeting/pin"] = Who.People,
        ["GET /api/presence"] = Who.People,
        ["GET /api/cases/{caseId}/conversation"] = Who.People,
        ["POST /api/cases/{caseId}/conversation"] = Who.People,
        // Website chat: administrators' settings; the visitor API is anonymous (a made-up key is 404 for anyone), inside it only the visitor token counts.
        ["GET /api/chat-settings"] = Who.Administrator,
        ["PUT /api/chat-settings"] = Who.Administrator,
        ["POST /api/chat-settings/secret"] = Who.Administrator,
        ["POST /api/chat/{key}/session"] = Who.Public,
        ["POST /api/chat/{key}/messages"] = Who.OwnCredential,
        ["GET /api/chat/{key}/events"] = Who.OwnCredential,
        ["GET /api/chat/{key}/presence"] = Who.Public,
        ["POST /api/chat/{key}/typing"] = Who.OwnCredential,
        ["POST /api/chat/{key}/read"] = Who.OwnCredential,
        ["POST /api/chat/{key}/contact"] = Who.OwnCredential,
        ["POST /api/chat/{key}/transcript"] = Who.OwnCredential,
        ["POST /api/chat/link"] = Who.Public,
        // Operators answer chats in the dashboard (people only; an integration uses the case routes).
        ["GET /api/cases/{caseId}/conversation/events"] = Who.People,
        ["POST /api/cases/{caseId}/conversation/typing"] = Who.People,
        ["POST /api/cases/{caseId}/conversation/read"] = Who.People,
        ["POST /api/cases/{caseId}/chat/video"] = Who.People,
        ["GET /api/chat/inbox"] = Who.People,

        // The integration role.
        ["GET /api/me"] = Who.Everyone,
        ["POST /api/cases"] = Who.Everyone,
        ["GET /api/cases"] = Who.Everyone,
        ["GET /api/cases/find"] = Who.Everyone,
        ["GET /api/cases/{id}"] = Who.Everyone,
        ["PATCH /api/cases/{id}"] = Who.Everyone,
        ["POST /api/cases/{id}/complete"] = Who.Everyone,
        ["POST /api/cases/{id}/reopen"] = Who.Everyone,
        ["DELETE /api/cases/{id}"] = Who.Key | Who.Administrator,
        // Integrations (issue 17): webhook endpoints, REST hooks and the events polling list — administrators and keys, never plain operators
        // (events carry every case of the account, also those a separated operator may not see).
        ["GET /api/webhooks/event-types"] = Who.Key | Who.Administrator,
        ["GET /api/webhooks/endpoints"] = Who.Key | Who.Administrator,
        ["POST /api/webhooks/endpoints"] = Who.Key | Who.Administrator,
        ["GET /api/webhooks/endpoints/{id}"] = Who.Key | Who.Administrator,
        ["PATCH /api/webhooks/endpoints/{id}"] = Who.Key | Who.Administrator,
        ["DELETE /api/webhooks/endpoints/{id}"] = Who.Key | Who.Administrator,
        ["POST /api/webhooks/endpoints/{id}/rotate-secret"] = Who.Key | Who.Administrator,
        ["POST /api/webhooks/endpoints/{id}/test"] = Who.Key | Who.Administrator,
        ["GET /api/webhooks/endpoints/{id}/deliveries"] = Who.Key | Who.Administrator,
        ["POST /api/webhooks/endpoints/{id}/deliveries/{messageId}/resend"] = Who.Key | Who.Administrator,
        ["POST /api/webhooks/endpoints/{id}/recover"] = Who.Key | Who.Administrator,
        ["POST /api/hooks"] = Who.Key | Who.Administrator,
        ["DELETE /api/hooks/{id}"] = Who.Key | Who.Administrator,
        ["GET /api/events"] = Who.Key | Who.Administrator,
        ["POST /api/cases/{caseId}/appointments"] = Who.Everyone,
        ["GET /api/cases/{caseId}/appointments"] = Who.Everyone,
        ["POST /api/appointments"] = Who.Everyone,
        ["GET /api/appointments"] = Who.Everyone,
        ["GET /api/appointments/{id}"] = Who.Everyone,
        ["PATCH /api/appointments/{id}"] = Who.Everyone,
        ["POST /api/appointments/{id}/cancel"] = Who.Everyone,
        ["POST /api/appointments/{id}/invitations"] = Who.Everyone,
        ["GET /api/appointments/{id}/messages"] = Who.Everyone,
        ["GET /api/custom-fields"] = Who.Everyone,
        ["GET /api/dialogs"] = Who.Everyone,
        ["GET /api/dialogs/{id}"] = Who.Everyone,
        ["POST /api/dialogs/{id}/replies"] = Who.Everyone,

        // People only.
        ["POST /api/dialogs/{id}/close"] = Who.People,
        ["POST /api/dialogs/{id}/convert"] = Who.People,
        ["PATCH /api/me"] = Who.People,
        ["POST /api/me/password"] = Who.People,
        ["GET /api/me/dialog-alerts"] = Who.People,
        ["PUT /api/me/dialog-alerts"] = Who.People,
        ["GET /api/me/presence"] = Who.People,
        ["PUT /api/me/presence"] = Who.People,
        ["POST /api/me/presence/heartbeat"] = Who.People,
        ["GET /api/operators/presence"] = Who.People,
        ["GET /api/account"] = Who.People,
        ["GET /api/operators"] = Who.People,
        ["GET /api/operators/{id}"] = Who.People,

        // Administrators only.
        ["PATCH /api/account"] = Who.Administrator,
        ["POST /api/operators"] = Who.Administrator,
        ["PATCH /api/operators/{id}"] = Who.Administrator,
        ["DELETE /api/operators/{id}"] = Who.Administrator,
        ["POST /api/operators/{id}/password-link"] = Who.Administrator,
        ["GET /api/api-keys"] = Who.Administrator,
        ["POST /api/api-keys"] = Who.Administrator,
        ["DELETE /api/api-keys/{id}"] = Who.Administrator,
        ["POST /api/custom-fields"] = Who.Administrator,
        ["PUT /api/custom-fields/order"] = Who.Administrator,
        ["PATCH /api/custom-fields/{key}"] = Who.Administrator,
        ["DELETE /api/custom-fields/{key}"] = Who.Administrator,
        ["GET /api/dialog-settings"] = Who.Administrator,
        ["PUT /api/dialog-settings"] = Who.Administrator,
        ["POST /api/dialog-settings/secret-words"] = Who.Administrator,
        ["DELETE /api/dialog-settings/secret-words/{id}"] = Who.Administrator,
        ["GET /api/dialog-settings/widgets"] = Who.Administrator,
        ["GET /api/outbox"] = Who.Administrator,
        ["GET /api/abuse/refused"] = Who.Administrator,
        ["GET /api/outbox/{id}/html"] = Who.Administrator,
    };

    [Fact]
    public async Task Every_route_lets_through_or_refuses_an_api_key_an_operator_and_an_administrator_as_classified()
    {
        var (admin, _) = await SignUpAsync(App);
        var (_, operatorEmail) = await AddOperatorAsync(admin, App);
        using var op = await SignInAsync(App, operatorEmail);
        using var created = await admin.PostAsync("/api/api-keys", new { name = "integration" });
        using var key = App.NewSession(dashboardHeader: false);
        key.UseApiKey((await ApiSession.ReadAsync(created, HttpStatusCode.Created)).GetProperty("key").GetString()!);

        var routes = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => $"{m} /{e.RoutePattern.RawText!.Trim('/')}"))
            .Distinct()
            .OrderBy(r => r == "POST /api/auth/sign-out") // last: it ends the sessions
            .ThenBy(r => r, StringComparer.Ordinal)
            .ToList();
        var unclassified = routes.Where(r => !Access.ContainsKey(r)).ToList();
        Assert.True(unclassified.Count == 0, "Classify these routes in the access matrix (who may call them): " + string.Join(", ", unclassified));

        var failures = new List<string>();
        foreach (var route in routes)
        {
            var access = Access[route];
            var answers = new Dictionary<Who, HttpResponseMessage>();
            foreach (var (who, session) in new[] { (Who.Key, key), (Who.Operator, op), (Who.Administrator, admin) })
            {
                var response = answers[who] = await CallAsync(session, route);
                var status = (int)response.StatusCode;
                if (access == Who.OwnCredential)
                {
                    // Without the room's credential: refused (401), or the body is refused first (400), as for anyone.
                    if (status is not (400 or 401) || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    {
                        failures.Add($"{route} as {who}: {status}, expected 400/401 ProblemDetails (no meeting credential)");
                    }
                    continue;
                }
                var allowed = access.HasFlag(Who.Public) || access.HasFlag(who);
                if (allowed && status is 401 or 403)
                {
                    failures.Add($"{route} as {who}: {status}, expected to be let through");
                }
                else if (!allowed && (status != 403 || response.Content.Headers.ContentType?.MediaType != "application/problem+json"))
                {
                    failures.Add($"{route} as {who}: {status} {response.Content.Headers.ContentType?.MediaType}, expected 403 ProblemDetails");
                }
            }
            if ((access.HasFlag(Who.Public) || access == Who.OwnCredential) && answers.Values.Select(r => r.StatusCode).Distinct().Count() != 1)
            {
                failures.Add($"{route} is public but answers differ by caller: {string.Join(", ", answers.Select(a => $"{a.Key} {(int)a.Value.StatusCode}"))}");
            }
            foreach (var response in answers.Values)
            {
                response.Dispose();
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task An_api_key_cannot_create_an_administrator_nor_promote_anyone()
    {
        var (admin, _) = await SignUpAsync(App);
        var (operatorId, _) = await AddOperatorAsync(admin, App);
        using var created = await admin.PostAsync("/api/api-keys", new { name = "integration" });
        using var key = App.NewSession(dashboardHeader: false);
        key.UseApiKey((await ApiSession.ReadAsync(created, HttpStatusCode.Created)).GetProperty("key").GetString()!);

        using var create = await key.PostAsync("/api/operators", new { name = "Mallory", email = NewEmail("mallory"), role = "administrator" });
        using var promote = await key.PatchAsync($"/api/operators/{operatorId}", new { role = "administrator" });
        using var link = await key.PostAsync($"/api/operators/{operatorId}/password-link");

        var problem = await ApiSession.ReadAsync(create, HttpStatusCode.Forbidden);
        Assert.Equal(403, problem.GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.Forbidden, promote.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, link.StatusCode);
        var operators = (await admin.GetJsonAsync("/api/operators")).EnumerateArray().ToList();
        Assert.Equal(2, operators.Count);
        Assert.Equal("operator", operators.Single(o => o.GetProperty("id").GetString() == operatorId).GetProperty("role").GetString());
    }

    private static Task<HttpResponseMessage> CallAsync(ApiSession session, string route)
    {
        var space = route.IndexOf(' ', StringComparison.Ordinal);
        // Unknown ids: what is allowed answers 404 or 400, and nothing real is changed.
        var path = System.Text.RegularExpressions.Regex.Replace(route[(space + 1)..], @"\{(\w+)(:int)?\}", m => m.Groups[2].Success ? "1" : "aaaaaaaaaaaaaaaa");
        var request = new HttpRequestMessage(new HttpMethod(route[..space]), path);
        if (route[..space] is "POST" or "PUT" or "PATCH")
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(new { });
        }
        return session.Client.SendAsync(request);
    }
}
