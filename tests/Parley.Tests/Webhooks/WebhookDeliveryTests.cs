using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Dialogs;
using Parley.Tests.Infrastructure;
using StandardWebhooks;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Webhooks;

/// <summary>
/// Webhook endpoints and REST hooks end to end (issue 17): the real app with the durable engine delivers to a local
/// receiver (a real Kestrel server the test scripts: failing, throttling, gone, redirecting, back after an outage) on a
/// shortened retry schedule. Every attempt is checked with the reference Standard Webhooks verifier; the receiver
/// deduplicates by <c>webhook-id</c> as the specification asks receivers to.
/// </summary>
public sealed class WebhookDeliveryTests(WebhookDeliveryTests.Host host) : IClassFixture<WebhookDeliveryTests.Host>
{
    private readonly ParleyApp _app = host.App;

    /// <summary>This test's own paths on the shared receiver, so no test sees another's deliveries.</summary>
    private readonly ReceiverScope _receiver = new(host.Receiver, "/t" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>One app (with the durable engine and a shortened schedule) and one receiver for the class; every test signs up its own accounts.</summary>
    public sealed class Host : IAsyncLifetime
    {
        public ParleyApp App { get; private set; } = null!;

        public Receiver Receiver { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Receiver = await Receiver.StartAsync();
            App = await ParleyApp.StartAsync(new()
            {
                ["Durable:Enabled"] = "true",
                ["Webhooks:AllowLoopback"] = "true",
                ["Webhooks:RetrySchedule"] = "00:00:00,00:00:00.200,00:00:00.500,00:00:01,00:00:01.500",
            });
        }

        public async Task DisposeAsync()
        {
            await App.DisposeAsync();
            await Receiver.DisposeAsync();
        }
    }

    /// <summary>The receiver as one test sees it: its paths carry the test's prefix.</summary>
    public sealed class ReceiverScope(Receiver receiver, string prefix)
    {
        public string Url(string path) => receiver.Url(prefix + path);

        public void On(string path, Func<int, RecordedRequest, (int, string?)> answer, string? location = null) => receiver.On(prefix + path, answer, location);

        public IReadOnlyList<(DateTimeOffset At, int Status, RecordedRequest Request)> At(string path) => receiver.At(prefix + path);

        public IReadOnlyDictionary<string, string> Accepted(string path) => receiver.Accepted(prefix + path);

        public Task<RecordedRequest> SingleDeliveryAsync(string path) => receiver.SingleDeliveryAsync(prefix + path);
    }

    [Fact]
    public async Task An_event_reaches_its_endpoint_signed_in_the_log_and_in_the_polling_list_with_one_stable_id()
    {
        var (admin, _) = await SignUpAsync(_app, NewEmail());
        var (id, secret) = await CreateEndpointAsync(admin, "/ok", ["case.created"]);
        var caseId = await CreateCaseAsync(admin, "Jana Novak");

        var delivery = await _receiver.SingleDeliveryAsync("/ok");
        Verify(secret, delivery);
        var body = JsonDocument.Parse(delivery.Body).RootElement;
        Assert.Equal("case.created", body.GetProperty("type").GetString());
        Assert.Equal(caseId, body.GetProperty("data").GetProperty("id").GetString());
        Assert.Equal("Jana Novak", body.GetProperty("data").GetProperty("name").GetString());
        var eventId = body.GetProperty("id").GetString()!;
        Assert.StartsWith("evt_", eventId, StringComparison.Ordinal);

        var log = await Poll.ForAsync("the log shows the delivery as delivered",
            () => admin.GetJsonAsync($"/api/webhooks/endpoints/{id}/deliveries"), l => l.GetProperty("items").EnumerateArray().Any(i => i.GetProperty("state").GetString() == "delivered"));
        var entry = log.GetProperty("items")[0];
        Assert.Equal(delivery.Headers["webhook-id"], entry.GetProperty("messageId").GetString());
        Assert.Equal(eventId, entry.GetProperty("eventId").GetString());
        Assert.Equal(200, entry.GetProperty("attempts")[0].GetProperty("status").GetInt32());
        Assert.Equal("thanks", entry.GetProperty("attempts")[0].GetProperty("response").GetString());

        var polled = await admin.GetJsonAsync("/api/events?type=case.created");
        Assert.Equal(eventId, polled.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(delivery.Body),
            System.Text.Json.Nodes.JsonNode.Parse(polled.GetProperty("items")[0].GetRawText())), "the polled event is the delivered one");
    }

    [Fact]
    public async Task A_receiver_that_fails_throttles_and_has_an_outage_gets_every_event_exactly_once_and_every_attempt_verifies()
    {
        var (admin, _) = await SignUpAsync(_app, NewEmail());
        // Per webhook-id: the first attempt gets 500, the second 429 with Retry-After: 3 (far longer than the schedule's 0.5 s),
        // the third 503 (an outage), the fourth 200 (back). Decided by the attempt, not by a switch the test flips: a flag
        // raced the schedule (an event could use up its attempts before the test saw the others fail). 3xx: own test.
        _receiver.On("/flaky", (attempt, _) => attempt switch
        {
            1 => (500, null),
            2 => (429, "3"),
            3 => (503, null),
            _ => (200, null),
        });
        var (_, secret) = await CreateEndpointAsync(admin, "/flaky", ["case.created", "case.completed"]);
        var first = await CreateCaseAsync(admin, "First customer");
        var second = await CreateCaseAsync(admin, "Second customer");
        await ApiSession.ReadAsync(await admin.PostAsync($"/api/cases/{first}/complete"), HttpStatusCode.OK);

        var received = await Poll.ForAsync("every event was accepted once", () => Task.FromResult(_receiver.Accepted("/flaky")), a => a.Count == 3);

        Assert.Equal(3, received.Count); // the receiver's dedup by webhook-id saw each event once
        var types = received.Values.Select(b => JsonDocument.Parse(b).RootElement.GetProperty("type").GetString()).Order().ToList();
        Assert.Equal(["case.completed", "case.created", "case.created"], types);
        Assert.Contains(received.Values, b => b.Contains(second, StringComparison.Ordinal));
        foreach (var group in _receiver.At("/flaky").GroupBy(r => r.Request.Headers["webhook-id"]))
        {
            var attempts = group.OrderBy(r => r.At).ToList();
            Assert.Equal([500, 429, 503, 200], attempts.Select(a => a.Status)); // failed, throttled, outage, back — then no more
            Assert.All(attempts, a => Verify(secret, a.Request)); // every attempt, first and retries
            Assert.Single(attempts.Select(a => a.Request.Body).Distinct()); // the same body each time
            // The storage backend's timers are precise to about a second (queue visibility is whole seconds), so 2 s proves the 3 s were honoured.
            Assert.True(attempts[2].At - attempts[1].At >= TimeSpan.FromSeconds(2), "Retry-After: 3 is honoured: " + string.Join(", ", attempts.Select(x => $"{x.Status}@{x.At:HH:mm:ss.fff}")));
        }
        Assert.All(_receiver.At("/flaky").Where(r => r.Status == 200).GroupBy(r => r.Request.Headers["webhook-id"]), g => Assert.Single(g)); // nothing delivered twice
    }

    [Fact]
    public async Task A_receiver_answering_410_disables_its_endpoint_and_removes_its_hook()
    {
        var (admin, _) = await SignUpAsync(_app, NewEmail());
        _receiver.On("/gone", (_, _) => (410, null));
        var (endpointId, _) = await CreateEndpointAsync(admin, "/gone", ["case.created"]);
        var hook = await ApiSession.ReadAsync(await admin.PostAsync("/api/hooks", new { targetUrl = _receiver.Url("/gone"), @event = "case.created" }), HttpStatusCode.Created);
        var hookId = hook.GetProperty("id").GetString()!;
        Assert.StartsWith("whsec_", hook.GetProperty("secret").GetString(), StringComparison.Ordinal);

        await CreateCaseAsync(admin, "Gone customer");

        var endpoint = await Poll.ForAsync("the endpoint is disabled", () => admin.GetJsonAsync($"/api/webhooks/endpoints/{endpointId}"), e => !e.GetProperty("enabled").GetBoolean());
        Assert.Equal("gone", endpoint.GetProperty("disabledReason").GetString());
        await Poll.UntilAsync("the hook is removed", async () => (await admin.GetAsync($"/api/webhooks/endpoints/{hookId}")).StatusCode == HttpStatusCode.NotFound);
        Assert.Equal(2, _receiver.At("/gone").Count); // one attempt each: 410 is final

        await CreateCaseAsync(admin, "Nobody listens");
        await ApiSession.ReadAsync(await admin.PostAsync($"/api/webhooks/endpoints/{endpointId}/test"), HttpStatusCode.Conflict); // disabled: test refused
        Assert.Equal(2, _receiver.At("/gone").Count);
    }

    [Fact]
    public async Task A_redirect_is_a_failed_attempt_and_is_never_followed()
    {
        var (admin, _) = await SignUpAsync(_app, NewEmail());
        _receiver.On("/moved", (_, _) => (307, null), location: _receiver.Url("/ok"));
        var (endpointId, _) = await CreateEndpointAsync(admin, "/moved", ["case.created"]);
        await CreateCaseAsync(admin, "Redirected");

        var log = await Poll.ForAsync("every scheduled attempt failed", () => admin.GetJsonAsync($"/api/webhooks/endpoints/{endpointId}/deliveries"),
            l => l.GetProperty("items").EnumerateArray().Any(i => i.GetProperty("state").GetString() == "failed"));
        var attempts = log.GetProperty("items")[0].GetProperty("attempts");
        Assert.Equal(5, attempts.GetArrayLength()); // the whole (shortened) schedule
        Assert.All(attempts.EnumerateArray(), a => Assert.Equal(307, a.GetProperty("status").GetInt32()));
        Assert.Equal(5, _receiver.At("/moved").Count);
        Assert.Empty(_receiver.At("/ok")); // 0 redirects followed
    }

    [Fact]
    public async Task Test_event_resend_and_recover_send_again_with_the_same_webhook_id()
    {
        var (admin, _) = await SignUpAsync(_app, NewEmail());
        var down = true;
        _receiver.On("/later", (_, _) => down ? (503, null) : (200, null));
        var (endpointId, secret) = await CreateEndpointAsync(admin, "/later", ["case.created"]);
        await CreateCaseAsync(admin, "Missed while down");
        await Poll.ForAsync("the delivery gave up", () => admin.GetJsonAsync($"/api/webhooks/endpoints/{endpointId}/deliveries"),
            l => l.GetProperty("items").EnumerateArray().Any(i => i.GetProperty("state").GetString() == "failed"));
        Assert.Equal(5, _receiver.At("/later").Count);
        down = false;

        var since = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O");
        await ApiSession.ReadAsync(await admin.PostAsync($"/api/webhooks/endpoints/{endpointId}/recover", new { since }), HttpStatusCode.Accepted);
        var recovered = await Poll.ForAsync("the missed event is recovered", () => Task.FromResult(_receiver.Accepted("/later")), a => a.Count == 1);
        Assert.Contains("Missed while down", recovered.Values.Single(), StringComparison.Ordinal);
        var messageId = recovered.Keys.Single();
        Assert.Equal(messageId, _receiver.At("/later")[0].Request.Headers["webhook-id"]); // the same id as the failed attempts

        var test = await ApiSession.ReadAsync(await admin.PostAsync($"/api/webhooks/endpoints/{endpointId}/test"), HttpStatusCode.Accepted);
        var testId = test.GetProperty("messageId").GetString()!;
        var testDelivery = await Poll.ForAsync("the test event arrives", () => Task.FromResult(_receiver.Accepted("/later")), a => a.ContainsKey(testId));
        Assert.Equal("webhook.test", JsonDocument.Parse(testDelivery[testId]).RootElement.GetProperty("type").GetString());

        var before = _receiver.At("/later").Count;
        await ApiSession.ReadAsync(await admin.PostAsync($"/api/webhooks/endpoints/{endpointId}/deliveries/{testId}/resend"), HttpStatusCode.Accepted);
        await Poll.UntilAsync("the resend arrives", () => Task.FromResult(_receiver.At("/later").Count == before + 1));
        var resent = _receiver.At("/later")[^1].Request;
        Assert.Equal(testId, resent.Headers["webhook-id"]);
        Verify(secret, resent);
        var log = await Poll.ForAsync("the log shows the resend", () => admin.GetJsonAsync($"/api/webhooks/endpoints/{endpointId}/deliveries"),
            l => l.GetProperty("items").EnumerateArray().Any(i => i.GetProperty("messageId").GetString() == testId && i.GetProperty("attempts").GetArrayLength() == 2
                && i.GetProperty("state").GetString() == "delivered"));
        Assert.Equal(testId, log.GetProperty("items")[0].GetProperty("messageId").GetString()); // newest first
        Assert.DoesNotContain((await admin.GetJsonAsync("/api/events")).GetProperty("items").EnumerateArray(),
            e => e.GetProperty("type").GetString() == "webhook.test"); // test events are not triggers
    }

    [Fact]
    public async Task After_a_rotation_both_secrets_sign_for_a_day_and_each_signature_verifies_with_its_secret()
    {
        var (admin, _) = await SignUpAsync(_app, NewEmail());
        var (endpointId, oldSecret) = await CreateEndpointAsync(admin, "/ok", ["case.created"]);
        var rotated = await ApiSession.ReadAsync(await admin.PostAsync($"/api/webhooks/endpoints/{endpointId}/rotate-secret"), HttpStatusCode.OK);
        var newSecret = rotated.GetProperty("secret").GetString()!;
        Assert.NotEqual(oldSecret, newSecret);
        var until = rotated.GetProperty("endpoint").GetProperty("previousSecretValidUntil").GetDateTimeOffset();
        Assert.InRange(until - DateTimeOffset.UtcNow, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24));

        var caseId = await CreateCaseAsync(admin, "Rotation");
        var delivery = await Poll.ForAsync("the delivery arrives", () => Task.FromResult(_receiver.At("/ok").Select(r => r.Request).FirstOrDefault(r => r.Body.Contains(caseId, StringComparison.Ordinal))),
            r => r is not null);
        var signatures = delivery!.Headers["webhook-signature"].Split(' ');
        Assert.Equal(2, signatures.Length);
        Verify(oldSecret, delivery); // receivers still on the old secret keep working
        Verify(newSecret, delivery with { Headers = new Dictionary<string, string>(delivery.Headers) { ["webhook-signature"] = signatures[1] } });
        Assert.Throws<StandardWebhooks.Diagnostics.WebhookVerificationException>(() =>
            Verify(newSecret, delivery with { Headers = new Dictionary<string, string>(delivery.Headers) { ["webhook-signature"] = signatures[0] } }));
    }

    [Fact]
    public async Task Payloads_never_carry_the_contact_data_a_dialog_hides()
    {
        var (admin, me) = await SignUpAsync(_app, NewEmail());
        await CreateEndpointAsync(admin, "/ok", ["dialog.started", "dialog.message.created"]);
        var accountId = me.GetProperty("account").GetProperty("id").GetString()!;
        var operatorId = me.GetProperty("operator").GetProperty("id").GetString()!;
        var email = $"hidden.{Guid.NewGuid():N}@example.com";
        var dialogs = _app.Services.GetRequiredService<DialogService>();
        await dialogs.StartAsync(accountId, operatorId, new NewDialog("Mortgage question", DateTimeOffset.UtcNow.AddHours(3), null, "UTC", "en",
            new CustomerContact(email, "+4917099988776", "+4917099988775"), "Please call me back."), CancellationToken.None);

        var delivery = await Poll.ForAsync("the dialog event arrives", () => Task.FromResult(_receiver.At("/ok").Select(r => r.Request).FirstOrDefault(r => r.Body.Contains("Mortgage question", StringComparison.Ordinal))),
            r => r is not null);
        var data = JsonDocument.Parse(delivery!.Body).RootElement.GetProperty("data");
        Assert.Equal("dialog.started", JsonDocument.Parse(delivery.Body).RootElement.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(data.GetProperty("customerId").GetString())); // the customer only by their pseudonymous id
        Assert.DoesNotContain(email, delivery.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("99988776", delivery.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("99988775", delivery.Body, StringComparison.Ordinal);
        var polled = (await admin.GetJsonAsync("/api/events")).GetRawText();
        Assert.DoesNotContain(email, polled, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("99988776", polled, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscriptions_are_checked_and_each_account_sees_only_its_own()
    {
        var (admin, _) = await SignUpAsync(_app, NewEmail());
        var refused = await ApiSession.ReadAsync(await admin.PostAsync("/api/webhooks/endpoints", new { url = "http://169.254.169.254/latest/meta-data", eventTypes = new[] { "case.created" } }),
            HttpStatusCode.BadRequest);
        Assert.True(refused.GetProperty("errors").TryGetProperty("url", out _));
        var badType = await ApiSession.ReadAsync(await admin.PostAsync("/api/webhooks/endpoints", new { url = _receiver.Url("/ok"), eventTypes = new[] { "case.exploded" } }),
            HttpStatusCode.BadRequest);
        Assert.Contains("case.exploded", badType.GetProperty("errors").GetProperty("eventTypes")[0].GetString(), StringComparison.Ordinal);
        var hookRefused = await ApiSession.ReadAsync(await admin.PostAsync("/api/hooks", new { targetUrl = "https://10.0.0.8/hook", @event = "nope" }), HttpStatusCode.BadRequest);
        Assert.True(hookRefused.GetProperty("errors").TryGetProperty("targetUrl", out _));
        Assert.True(hookRefused.GetProperty("errors").TryGetProperty("event", out _));

        var (endpointId, _) = await CreateEndpointAsync(admin, "/ok", ["case.created"]);

        // A retried creation (Idempotency-Key) answers the same endpoint and secret; the recorded answer is sealed at rest.
        async Task<HttpResponseMessage> CreateWithKeyAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/endpoints")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { url = _receiver.Url("/ok"), eventTypes = new[] { "case.updated" } }),
            };
            request.Headers.Add("Idempotency-Key", "create-endpoint-1");
            return await admin.Client.SendAsync(request);
        }
        var once = await ApiSession.ReadAsync(await CreateWithKeyAsync(), HttpStatusCode.Created);
        var again = await ApiSession.ReadAsync(await CreateWithKeyAsync(), HttpStatusCode.Created);
        Assert.Equal(once.GetProperty("secret").GetString(), again.GetProperty("secret").GetString());
        Assert.Equal(2, (await admin.GetJsonAsync("/api/webhooks/endpoints")).GetArrayLength());
        await foreach (var row in _app.Storage.GetTableClient("Idempotency").QueryAsync<Azure.Data.Tables.TableEntity>())
        {
            Assert.DoesNotContain(once.GetProperty("secret").GetString()!, System.Text.Encoding.UTF8.GetString(row.GetBinary("Body0") ?? []), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/webhooks/endpoints/{once.GetProperty("endpoint").GetProperty("id").GetString()}")).StatusCode);

        var listed = await admin.GetJsonAsync("/api/webhooks/endpoints");
        Assert.DoesNotContain("whsec_", listed.GetRawText(), StringComparison.Ordinal); // the secret is shown once, at creation

        var (other, _) = await SignUpAsync(_app, NewEmail("other"));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/webhooks/endpoints/{endpointId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PatchAsync($"/api/webhooks/endpoints/{endpointId}", new { enabled = false })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/webhooks/endpoints/{endpointId}/deliveries")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/hooks/{endpointId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/webhooks/endpoints/{endpointId}")).StatusCode);
        Assert.Empty((await other.GetJsonAsync("/api/webhooks/endpoints")).EnumerateArray());
        var mine = await CreateCaseAsync(admin, "Only mine");
        await Poll.UntilAsync("the event is recorded", async () => (await admin.GetJsonAsync("/api/events")).GetRawText().Contains(mine, StringComparison.Ordinal));
        Assert.Empty((await other.GetJsonAsync("/api/events")).GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/webhooks/endpoints/{endpointId}")).StatusCode);
    }

    private async Task<(string Id, string Secret)> CreateEndpointAsync(ApiSession admin, string path, string[] types)
    {
        var created = await ApiSession.ReadAsync(await admin.PostAsync("/api/webhooks/endpoints", new { url = _receiver.Url(path), description = "test receiver", eventTypes = types }),
            HttpStatusCode.Created);
        return (created.GetProperty("endpoint").GetProperty("id").GetString()!, created.GetProperty("secret").GetString()!);
    }

    private static async Task<string> CreateCaseAsync(ApiSession admin, string name) =>
        (await ApiSession.ReadAsync(await admin.PostAsync("/api/cases", new { name }), HttpStatusCode.Created)).GetProperty("id").GetString()!;

    /// <summary>The reference verifier (it also refuses a timestamp outside its tolerance, so the attempt's time is checked too).</summary>
    private static void Verify(string secret, RecordedRequest request) =>
        new StandardWebhook(secret).Verify(request.Body, new HeaderDictionary(request.Headers.ToDictionary(h => h.Key, h => new Microsoft.Extensions.Primitives.StringValues(h.Value))));

    /// <summary>A local receiver: answers per path as told (by the attempt number of each webhook-id), records every request with its time and answer.</summary>
    public sealed class Receiver : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<string, (Func<int, RecordedRequest, (int Status, string? RetryAfter)> Answer, string? Location)> _paths = new();
        private readonly ConcurrentQueue<(string Path, DateTimeOffset At, int Status, RecordedRequest Request)> _log = new();
        private FakeHttpServer _server = null!;

        public static async Task<Receiver> StartAsync()
        {
            var receiver = new Receiver();
            receiver._server = await FakeHttpServer.StartAsync(receiver.HandleAsync);
            return receiver;
        }

        public string Url(string path) => new Uri(_server.BaseAddress, path.TrimStart('/')).ToString();

        public void On(string path, Func<int, RecordedRequest, (int, string?)> answer, string? location = null) => _paths[path] = (answer, location);

        public IReadOnlyList<(DateTimeOffset At, int Status, RecordedRequest Request)> At(string path) =>
            [.. _log.Where(l => l.Path == path).Select(l => (l.At, l.Status, l.Request))];

        /// <summary>What the receiver accepted, by webhook-id (its dedup: a repeated id is not taken again).</summary>
        public IReadOnlyDictionary<string, string> Accepted(string path) =>
            _log.Where(l => l.Path == path && l.Status is >= 200 and < 300).GroupBy(l => l.Request.Headers["webhook-id"]).ToDictionary(g => g.Key, g => g.First().Request.Body);

        public async Task<RecordedRequest> SingleDeliveryAsync(string path) =>
            (await Poll.ForAsync($"a delivery to {path}", () => Task.FromResult(At(path)), l => l.Count > 0))[0].Request;

        private async Task HandleAsync(HttpContext context, RecordedRequest request)
        {
            var path = context.Request.Path.Value ?? "/";
            var (status, retryAfter, location) = (200, (string?)null, (string?)null);
            if (_paths.TryGetValue(path, out var behaviour))
            {
                var id = request.Headers.GetValueOrDefault("webhook-id") ?? "";
                var attempt = _log.Count(l => l.Path == path && l.Request.Headers.GetValueOrDefault("webhook-id") == id) + 1;
                (status, retryAfter) = behaviour.Answer(attempt, request);
                location = behaviour.Location;
            }
            _log.Enqueue((path, DateTimeOffset.UtcNow, status, request));
            context.Response.StatusCode = status;
            if (retryAfter is not null)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }
            if (location is not null)
            {
                context.Response.Headers.Location = location;
            }
            await context.Response.WriteAsync(status == 200 ? "thanks" : "no");
        }

        public ValueTask DisposeAsync() => _server.DisposeAsync();
    }
}
