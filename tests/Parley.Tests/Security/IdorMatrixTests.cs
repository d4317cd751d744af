using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Abuse;
using Parley.Functions.Calls;
using Parley.Functions.Identity;
using Parley.Functions.Notifications.Providers;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Security;

/// <summary>
/// Every route with a parameter that names a resource, whatever the parameter is called, called by account A (cookie
/// and API key) with account B's ids, answers 404 like an unknown id, and B's data stays as it was. The matrix comes
/// from the app's route table: a new route with any parameter fails this test until it is listed in
/// <see cref="Resources"/> or, with the reason, in <see cref="NotTenantResources"/>. Account-wide lists without an id
/// (cases and the case finder, operators, API keys, the abuse guard's refusals) are checked to hold none of B's rows.
/// </summary>
public sealed class IdorMatrixTests : AppTest
{
    /// <summary>Route prefix → which of B's ids to use, and a valid body for writes (so only tenancy can refuse it).</summary>
    private static readonly Dictionary<string, (string Kind, object? Body)> Resources = new()
    {
        ["/api/operators/{id}"] = ("operator", new { name = "Pwned", role = "operator", active = false }),
        ["/api/operators/{id}/password-link"] = ("operator", null),
        ["/api/operators/{operatorId}/availability"] = ("operator", new { lengths = new[] { 15 } }),
        ["/api/api-keys/{id}"] = ("apikey", null),
        ["/api/cases/{id}"] = ("case", new { name = "Pwned" }),
        ["/api/cases/{id}/complete"] = ("case", null),
        ["/api/cases/{id}/reopen"] = ("case", null),
        ["/api/cases/{caseId}/appointments"] = ("case", new { start = "2030-01-07T10:00", end = "2030-01-07T11:00" }),
        ["/api/appointments/{id}"] = ("appointment", new { start = "2030-01-08T10:00", end = "2030-01-08T11:00" }),
        ["/api/appointments/{id}/cancel"] = ("appointment", new { reason = "pwned" }),
        ["/api/appointments/{id}/invitations"] = ("appointment", new { email = true }),
        ["/api/appointments/{id}/messages"] = ("appointment", null),
        ["/api/appointments/{id}/meeting"] = ("appointment", null),
        ["/api/cases/{caseId}/conversation"] = ("case", new { clientMessageId = "pwned-1", text = "pwned" }),
        ["/api/cases/{caseId}/conversation/events"] = ("case", null),
        ["/api/cases/{caseId}/conversation/typing"] = ("case", null),
        ["/api/cases/{caseId}/conversation/read"] = ("case", null),
        ["/api/cases/{caseId}/chat/video"] = ("case", null),
        ["/api/appointments/{id}/meeting/pin"] = ("appointment", null),
        ["/api/custom-fields/{key}"] = ("field", new { label = "Pwned" }),
        ["/api/outbox/{id}/html"] = ("outbox", null),
        ["/api/dialogs/{id}"] = ("dialog", null),
        ["/api/dialogs/{id}/replies"] = ("dialog", new { text = "pwned", callCustomer = false }),
        ["/api/dialogs/{id}/close"] = ("dialog", null),
        ["/api/dialogs/{id}/convert"] = ("dialog", new { start = "2030-01-10T10:00", end = "2030-01-10T11:00" }),
        ["/api/dialog-settings/secret-words/{id}"] = ("word", null),
        ["/api/acs/calls/{accountId}/{callId}/{attempt:int}/{secret}"] = ("call", new { }),
        ["/api/webhooks/endpoints/{id}"] = ("webhook", new { enabled = false, description = "pwned" }),
        ["/api/webhooks/endpoints/{id}/rotate-secret"] = ("webhook", null),
        ["/api/webhooks/endpoints/{id}/test"] = ("webhook", null),
        ["/api/webhooks/endpoints/{id}/deliveries"] = ("webhook", null),
        ["/api/webhooks/endpoints/{id}/deliveries/{messageId}/resend"] = ("webhook", null),
        ["/api/webhooks/endpoints/{id}/recover"] = ("webhook", new { since = "2029-11-30T09:00:00Z" }),
        ["/api/hooks/{id}"] = ("hook", null),
    };

    /// <summary>Routes whose parameters name no resource of one account that another could reach by guessing it.</summary>
    private static readonly Dictionary<string, string> NotTenantResources = new()
    {
        ["/api/widget/{widgetKey}"] = "public by design: the widget key is published in the adviser's website",
        ["/api/reference/{documentName?}"] = "public by design: the API reference page of the one public document; no account data",
        ["/api/widget/{widgetKey}/dialogs"] = "public by design: anyone may start a dialog through a published widget",
        ["/api/widget/{widgetKey}/presence"] = "public by design: the published button shows only online/away, the same answer for unknown keys and inactive advisers",
        ["/api/book/{handle}"] = "public by design: a booking page's handle is published; it books only that operator's time",
        ["/api/book/{handle}/slots"] = "public by design: a published booking page's free times",
        ["/api/booking/{token}"] = "the booker's sealed link is its own credential and names its account itself (BookerLinkTests)",
        ["/api/booking/{token}/slots"] = "the booker's sealed link is its own credential (BookerLinkTests)",
        ["/api/booking/{token}/calendar.ics"] = "the booker's sealed link is its own credential (BookerLinkTests)",
        ["/api/booking/{token}/reschedule"] = "the booker's sealed link is its own credential (BookerLinkTests)",
        ["/api/booking/{token}/cancel"] = "the booker's sealed link is its own credential (BookerLinkTests)",
        ["/api/chat/{key}/session"] = "public by design: the chat key (the account id) is published on the account's website",
        ["/api/chat/{key}/messages"] = "the visitor token is its own credential, sealed for one account and visitor (ChatApiTests)",
        ["/api/chat/{key}/events"] = "the visitor token is its own credential, sealed for one account and visitor (ChatApiTests)",
        ["/api/chat/{key}/presence"] = "public by design: a published chat shows only online/away, the same answer for unknown or switched-off chats",
        ["/api/chat/{key}/typing"] = "the visitor token is its own credential, sealed for one account and visitor (ChatLiveTests)",
        ["/api/chat/{key}/read"] = "the visitor token is its own credential, sealed for one account and visitor (ChatLiveTests)",
        ["/api/chat/{key}/contact"] = "the visitor token is its own credential, sealed for one account and visitor (ChatLiveTests)",
        ["/api/chat/{key}/transcript"] = "the visitor token is its own credential, sealed for one account and visitor (ChatLiveTests)",
    };

    /// <summary>What each route parameter gets: B's id of the route's kind, except where a parameter names something else.</summary>
    private static string ValueOf(string parameter, string kind, Dictionary<string, string> ids) => parameter switch
    {
        "accountId" => ids["account"],
        "attempt" => "1",
        "secret" => "guessed-secret-guessed-secret-guessed-secret", // B's call, B's account: only the secret is unknown to A
        "messageId" => ids["message"],
        _ => ids[kind],
    };

    /// <summary>The January 2030 dates below are a few weeks ahead of the app's clock.</summary>
    protected override TestClock Clock { get; } = new(new DateTimeOffset(2029, 12, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Every_route_with_an_id_answers_404_for_another_accounts_ids_with_a_cookie_or_an_api_key()
    {
        var (adminA, _) = await SignUpAsync(App, business: "A");
        var (adminB, _) = await SignUpAsync(App, business: "B");
        var keyA = await CreateKeyAsync(adminA);
        var keyB = await CreateKeyAsync(adminB);
        var (operatorB, emailB) = await AddOperatorAsync(adminB, App);
        var caseB = await CreateCaseAsync(adminB);
        var appointmentB = await BookAsync(adminB, caseB);
        await ApiSession.ReadAsync(await adminB.PostAsync("/api/custom-fields", new { key = "b-only", label = "B only", type = "text" }), HttpStatusCode.Created);
        var accountB = (await adminB.GetJsonAsync("/api/me")).GetProperty("account").GetProperty("id").GetString()!;
        await App.Services.GetRequiredService<OutboxProvider>().SendAsync(new OutgoingMessage(accountB, "b-mail", MessageChannel.Email, "b@example.com", null,
            "no-reply@parley.local", null, "B's mail", "text", "<p>B's mail</p>", DateTimeOffset.UtcNow), CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, (await adminB.GetAsync("/api/outbox/b-mail/html")).StatusCode);
        // A message B's booking page would have sent to a premium-rate number: refused, listed for B's administrators only.
        Assert.Equal(RefusalReason.NumberType, (await App.Services.GetRequiredService<PublicSendGuard>().CheckAsync(accountB, MessageChannel.Sms, "+49 900 5123456", null, CancellationToken.None)).Refusal);
        var wordB = (await ApiSession.ReadAsync(await adminB.PostAsync("/api/dialog-settings/secret-words", new { word = "b-secret" }), HttpStatusCode.Created)).GetProperty("id").GetString()!;
        using (var customer = App.NewSession())
        {
            await ApiSession.ReadAsync(await customer.PostAsync($"/api/widget/{accountB}-{(await adminB.GetJsonAsync("/api/me")).GetProperty("operator").GetProperty("id").GetString()}/dialogs", new
            {
                mode = "wish", wishedDate = "2030-01-11", wishedTime = "10:00", timeZone = "UTC", keyword = "B's customer", message = "hello", email = "c@example.com", secretWord = "b-secret",
            }), HttpStatusCode.Created);
        }
        var dialogB = (await adminB.GetJsonAsync("/api/dialogs")).GetProperty("items")[0].GetProperty("id").GetString()!;
        var callB = (await App.Services.GetRequiredService<CallService>().StartAsync(
            new CallRequest(accountB, "b-call", "test", null, "+491701234567", null, "de", "B's call"), CancellationToken.None)).Id;
        var webhooks = App.Services.GetRequiredService<Parley.Functions.Webhooks.WebhookStore>();
        var now = DateTimeOffset.UtcNow;
        var webhookB = await webhooks.AddAsync(new Parley.Functions.Webhooks.WebhookEndpoint(Parley.Functions.Common.SecureTokens.NewId(), accountB, "endpoint",
            "https://hooks.example.com/b", "B's receiver", ["case.created"], true, Parley.Functions.Webhooks.WebhookSignature.NewSecret(), null, null, now, now, null, null), CancellationToken.None);
        var hookB = await webhooks.AddAsync(webhookB with { Id = Parley.Functions.Common.SecureTokens.NewId(), Kind = "hook" }, CancellationToken.None);
        var messageKey = webhooks.NewEventKey();
        await webhooks.BeginDeliveryAsync(accountB, webhookB.Id, messageKey, "case.created", CancellationToken.None);
        var ids = new Dictionary<string, string>
        {
            ["webhook"] = webhookB.Id, ["hook"] = hookB.Id, ["message"] = Parley.Functions.Webhooks.WebhookStore.MessageId(messageKey),
            ["operator"] = operatorB, ["apikey"] = keyB.Id, ["case"] = caseB, ["appointment"] = appointmentB, ["field"] = "b-only", ["outbox"] = "b-mail",
            ["dialog"] = dialogB, ["word"] = wordB, ["account"] = accountB, ["call"] = callB,
        };
        using var byKey = App.NewSession(dashboardHeader: false);
        byKey.UseApiKey(keyA.Key);

        var routes = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.Parameters.Count > 0)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (Method: m, Route: "/" + e.RoutePattern.RawText!.Trim('/'), Parameters: e.RoutePattern.Parameters.Select(p => p.Name).ToList(), Endpoint: (Endpoint)e)))
            .Where(r => !NotTenantResources.ContainsKey(r.Route))
            .ToList();
        Assert.NotEmpty(routes);
        var unlisted = routes.Select(r => r.Route).Distinct().Where(r => !Resources.ContainsKey(r)).ToList();
        Assert.True(unlisted.Count == 0, "Add these routes to the IDOR matrix (or, with the reason, to NotTenantResources): " + string.Join(", ", unlisted));

        var failures = new List<string>();
        foreach (var (method, route, parameters, endpoint) in routes)
        {
            var (kind, body) = Resources[route];
            var foreign = Fill(route, parameters, p => ValueOf(p, kind, ids));
            foreach (var (who, session) in new[] { ("cookie", adminA), ("api key", byKey) })
            {
                var status = await SendAsync(session, method, foreign, body);
                // Only 404. An API key is refused outright (403, whatever the id) on routes outside its integration role (ApiKeyAccessMatrixTests).
                if (status != HttpStatusCode.NotFound && !(who == "api key" && !endpoint.AllowsApiKeys() && status == HttpStatusCode.Forbidden))
                {
                    failures.Add($"{method} {route} as A ({who}) answered {(int)status}");
                }
            }
        }
        Assert.Empty(failures);

        // B is untouched: its operator still signs in as an active operator, its key still works, A's lists hold none of B's rows.
        using var b = await SignInAsync(App, emailB);
        Assert.Equal("Otto Operator", (await b.GetJsonAsync("/api/me")).GetProperty("operator").GetProperty("name").GetString());
        using var bKey = App.NewSession(dashboardHeader: false);
        bKey.UseApiKey(keyB.Key);
        Assert.Equal(HttpStatusCode.OK, (await bKey.GetAsync("/api/me")).StatusCode);
        Assert.DoesNotContain(operatorB, (await adminA.GetJsonAsync("/api/operators")).GetRawText());
        Assert.DoesNotContain(keyB.Id, (await adminA.GetJsonAsync("/api/api-keys")).GetRawText());
        Assert.Empty((await adminA.GetJsonAsync("/api/cases")).GetProperty("items").EnumerateArray());
        var numberB = (await adminB.GetJsonAsync($"/api/cases/{caseB}")).GetProperty("number").GetInt32();
        Assert.Empty((await adminA.GetJsonAsync($"/api/cases/find?number={numberB}")).GetProperty("items").EnumerateArray()); // B's case number, not A's
        Assert.Empty((await byKey.GetJsonAsync($"/api/cases/find?number={numberB}")).GetProperty("items").EnumerateArray());
        Assert.Empty((await adminA.GetJsonAsync("/api/abuse/refused")).EnumerateArray());
        Assert.Single((await adminB.GetJsonAsync("/api/abuse/refused")).EnumerateArray());
        Assert.Empty((await adminA.GetJsonAsync("/api/appointments?from=2030-01-01T00:00:00Z&to=2030-01-31T00:00:00Z")).EnumerateArray());
        var caseAfter = await adminB.GetJsonAsync($"/api/cases/{caseB}");
        Assert.Equal("B's case", caseAfter.GetProperty("name").GetString());
        Assert.Equal("active", caseAfter.GetProperty("status").GetString());
        var appointmentAfter = await adminB.GetJsonAsync($"/api/appointments/{appointmentB}");
        Assert.Equal("scheduled", appointmentAfter.GetProperty("status").GetString());
        Assert.Single(appointmentAfter.GetProperty("history").EnumerateArray());
        Assert.Equal("B only", (await adminB.GetJsonAsync("/api/custom-fields")).EnumerateArray().Single().GetProperty("label").GetString());
        var dialogAfter = await adminB.GetJsonAsync($"/api/dialogs/{dialogB}");
        Assert.Equal((1, false), (dialogAfter.GetProperty("messages").GetArrayLength(), dialogAfter.GetProperty("closed").GetBoolean()));
        Assert.True((await adminB.GetJsonAsync("/api/dialog-settings")).GetProperty("secretWords")[0].GetProperty("active").GetBoolean());
        var webhookAfter = await adminB.GetJsonAsync($"/api/webhooks/endpoints/{webhookB.Id}");
        Assert.Equal((true, "B's receiver"), (webhookAfter.GetProperty("enabled").GetBoolean(), webhookAfter.GetProperty("description").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await adminB.GetAsync($"/api/webhooks/endpoints/{hookB.Id}")).StatusCode);
        Assert.Equal(webhookB.Secret, (await webhooks.GetAsync(accountB, webhookB.Id, CancellationToken.None))!.Secret); // not rotated by A
        Assert.Empty((await adminA.GetJsonAsync("/api/webhooks/endpoints")).EnumerateArray());
        await Poll.UntilAsync("B's events list B's case", async () => (await adminB.GetJsonAsync("/api/events")).GetRawText().Contains(caseB, StringComparison.Ordinal));
        Assert.DoesNotContain(caseB, (await adminA.GetJsonAsync("/api/events")).GetRawText());
    }

    private static string Fill(string route, List<string> parameters, Func<string, string> value) =>
        parameters.Aggregate(route, (r, name) => System.Text.RegularExpressions.Regex.Replace(r, "\\{" + name + "(:[^}]*)?\\}", value(name)));

    private static async Task<HttpStatusCode> SendAsync(ApiSession session, string method, string path, object? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(body);
        }
        using var response = await session.Client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<string> CreateCaseAsync(ApiSession admin)
    {
        using var response = await admin.PostAsync("/api/cases", new { name = "B's case" });
        return (await ApiSession.ReadAsync(response, HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }

    private static async Task<string> BookAsync(ApiSession admin, string caseId)
    {
        using var response = await admin.PostAsync($"/api/cases/{caseId}/appointments", new { start = "2030-01-09T10:00", end = "2030-01-09T11:00" });
        return (await ApiSession.ReadAsync(response, HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task An_unknown_id_and_another_accounts_id_get_the_same_answer()
    {
        var (adminA, _) = await SignUpAsync(App);
        var (adminB, _) = await SignUpAsync(App);
        var (operatorB, _) = await AddOperatorAsync(adminB, App);

        using var foreign = await adminA.GetAsync($"/api/operators/{operatorB}");
        using var unknown = await adminA.GetAsync("/api/operators/aaaaaaaaaaaaaaaa");

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(unknown.StatusCode, foreign.StatusCode);
        Assert.Equal(unknown.Content.Headers.ContentType?.MediaType, foreign.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<(string Id, string Key)> CreateKeyAsync(ApiSession admin)
    {
        using var response = await admin.PostAsync("/api/api-keys", new { name = "matrix" });
        var body = await ApiSession.ReadAsync(response, HttpStatusCode.Created);
        return (body.GetProperty("id").GetString()!, body.GetProperty("key").GetString()!);
    }
}
