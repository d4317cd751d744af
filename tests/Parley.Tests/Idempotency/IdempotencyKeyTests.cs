using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Idempotency;
using Parley.Functions.Maintenance;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on the POSTs of the public API (IdempotencyMiddleware): a retry with the same key and request
/// gets the first answer again, byte for byte, without running the handler a second time; the same key with another
/// request is 422; a retry while the first runs is 409 after a short wait; keys are per account and kept 24 hours.
/// </summary>
public sealed class IdempotencyKeyTests : AppTest
{
    /// <summary>The January 2030 dates below are a few weeks ahead of the app's clock.</summary>
    protected override TestClock Clock { get; } = new(new DateTimeOffset(2029, 12, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_retry_with_the_same_key_and_body_gets_the_first_answer_again_and_creates_no_second_case()
    {
        var (admin, _) = await SignUpAsync(App);
        using var api = await KeySessionAsync(admin);

        using var first = await PostAsync(api, "/api/cases", new { name = "Retried", email = "retried@example.com" }, "case-create-1");
        using var second = await PostAsync(api, "/api/cases", new { name = "Retried", email = "retried@example.com" }, "case-create-1");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.NotNull(first.Headers.Location);
        Assert.Equal(first.Content.Headers.ContentType?.ToString(), second.Content.Headers.ContentType?.ToString());
        Assert.False(first.Headers.Contains(IdempotencyKeys.ReplayedHeaderName));
        Assert.Equal(["true"], second.Headers.GetValues(IdempotencyKeys.ReplayedHeaderName));
        Assert.Single((await api.GetJsonAsync("/api/cases")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task The_same_key_with_another_body_or_on_another_path_is_refused_with_422()
    {
        var (admin, _) = await SignUpAsync(App);
        using var api = await KeySessionAsync(admin);
        var created = await ApiSession.ReadAsync(await PostAsync(api, "/api/cases", new { name = "First" }, "reused"), HttpStatusCode.Created);

        using var otherBody = await PostAsync(api, "/api/cases", new { name = "Second" }, "reused");
        using var otherPath = await PostAsync(api, $"/api/cases/{created.GetProperty("id").GetString()}/complete", new { }, "reused");

        foreach (var response in new[] { otherBody, otherPath })
        {
            var problem = await ApiSession.ReadAsync(response, HttpStatusCode.UnprocessableEntity);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(problem.GetProperty("errors").TryGetProperty("Idempotency-Key", out _));
        }
        Assert.Single((await api.GetJsonAsync("/api/cases")).GetProperty("items").EnumerateArray());
        Assert.Equal("active", (await api.GetJsonAsync($"/api/cases/{created.GetProperty("id").GetString()}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Two_accounts_use_the_same_key_independently()
    {
        var (adminA, _) = await SignUpAsync(App, business: "A");
        var (adminB, _) = await SignUpAsync(App, business: "B");
        using var apiA = await KeySessionAsync(adminA);
        using var apiB = await KeySessionAsync(adminB);

        var a = await ApiSession.ReadAsync(await PostAsync(apiA, "/api/cases", new { name = "Same key" }, "shared-key"), HttpStatusCode.Created);
        using var bResponse = await PostAsync(apiB, "/api/cases", new { name = "Same key" }, "shared-key");
        var b = await ApiSession.ReadAsync(bResponse, HttpStatusCode.Created);

        Assert.False(bResponse.Headers.Contains(IdempotencyKeys.ReplayedHeaderName));
        Assert.NotEqual(a.GetProperty("id").GetString(), b.GetProperty("id").GetString());
        Assert.Single((await apiA.GetJsonAsync("/api/cases")).GetProperty("items").EnumerateArray());
        Assert.Single((await apiB.GetJsonAsync("/api/cases")).GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("umlaut-ä")]
    public async Task A_malformed_key_is_refused_with_400_naming_the_header_and_nothing_is_created(string key)
    {
        var (admin, _) = await SignUpAsync(App);
        using var api = await KeySessionAsync(admin);

        using var response = await PostAsync(api, "/api/cases", new { name = "Bad key" }, key);
        using var tooLong = await PostAsync(api, "/api/cases", new { name = "Bad key" }, new string('k', 101));

        foreach (var refused in new[] { response, tooLong })
        {
            var problem = await ApiSession.ReadAsync(refused, HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("Idempotency-Key", out _));
        }
        Assert.Empty((await api.GetJsonAsync("/api/cases")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Concurrent_identical_requests_create_one_case_and_every_answer_is_the_first_or_409()
    {
        var (admin, _) = await SignUpAsync(App);
        using var api = await KeySessionAsync(admin);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => PostAsync(api, "/api/cases", new { name = "Raced" }, "raced-key")));
        try
        {
            var created = responses.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
            Assert.NotEmpty(created);
            Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
            var originals = created.Where(r => !r.Headers.Contains(IdempotencyKeys.ReplayedHeaderName)).ToList();
            var original = Assert.Single(originals);
            var body = await original.Content.ReadAsStringAsync();
            foreach (var replay in created)
            {
                Assert.Equal(body, await replay.Content.ReadAsStringAsync());
            }
            foreach (var conflict in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
            {
                Assert.NotNull(conflict.Headers.RetryAfter);
                Assert.True((await ApiSession.ReadAsync(conflict, HttpStatusCode.Conflict)).GetProperty("errors").TryGetProperty("Idempotency-Key", out _));
            }
            Assert.Single((await api.GetJsonAsync("/api/cases")).GetProperty("items").EnumerateArray());
        }
        finally
        {
            foreach (var r in responses)
            {
                r.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_validation_answer_is_recorded_and_replayed()
    {
        var (admin, _) = await SignUpAsync(App);
        using var api = await KeySessionAsync(admin);

        using var first = await PostAsync(api, "/api/cases", new { name = "" }, "invalid-case");
        using var second = await PostAsync(api, "/api/cases", new { name = "" }, "invalid-case");

        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(["true"], second.Headers.GetValues(IdempotencyKeys.ReplayedHeaderName));
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);

        // A 404 without a body of its own gets the same ProblemDetails as the first time (the status-code pages add it).
        using var unknown1 = await PostAsync(api, "/api/cases/aaaaaaaaaaaaaaaa/complete", new { }, "unknown-case");
        using var unknown2 = await PostAsync(api, "/api/cases/aaaaaaaaaaaaaaaa/complete", new { }, "unknown-case");
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (unknown1.StatusCode, unknown2.StatusCode));
        Assert.Equal(["true"], unknown2.Headers.GetValues(IdempotencyKeys.ReplayedHeaderName));
        Assert.Equal("application/problem+json", unknown1.Content.Headers.ContentType?.MediaType);
        Assert.Equal(unknown1.Content.Headers.ContentType?.ToString(), unknown2.Content.Headers.ContentType?.ToString());
        Assert.Equal(404, (await ApiSession.ReadAsync(unknown2, HttpStatusCode.NotFound)).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_replayed_appointment_schedules_no_second_appointment()
    {
        var (admin, me) = await SignUpAsync(App);
        var operatorId = me.GetProperty("operator").GetProperty("id").GetString()!;
        using var api = await KeySessionAsync(admin);
        var caseId = (await ApiSession.ReadAsync(await api.PostAsync("/api/cases", new { name = "Termin", email = "termin@example.com" }), HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var body = new { start = "2030-01-07T10:00", end = "2030-01-07T11:00", timeZone = "Europe/Berlin", operatorIds = new[] { operatorId }, invitation = new { email = true } };

        using var first = await PostAsync(api, $"/api/cases/{caseId}/appointments", body, "appointment-1");
        using var second = await PostAsync(api, $"/api/cases/{caseId}/appointments", body, "appointment-1");

        var appointment = await ApiSession.ReadAsync(first, HttpStatusCode.Created);
        Assert.Equal(appointment.GetRawText(), (await ApiSession.ReadAsync(second, HttpStatusCode.Created)).GetRawText());
        Assert.Equal(["true"], second.Headers.GetValues(IdempotencyKeys.ReplayedHeaderName));
        Assert.Single((await api.GetJsonAsync($"/api/cases/{caseId}/appointments")).EnumerateArray());
        var stored = await api.GetJsonAsync($"/api/appointments/{appointment.GetProperty("id").GetString()}");
        Assert.Single(stored.GetProperty("history").EnumerateArray()); // scheduled once: one invitation request
    }

    [Fact]
    public async Task A_replayed_dialog_reply_adds_no_second_message()
    {
        var (admin, me) = await SignUpAsync(App);
        var (widgetKey, _) = await Dialogs.DialogApiTests.SetUpAsync(admin, me, voice: false);
        using (var customer = App.NewSession())
        {
            await ApiSession.ReadAsync(await customer.PostAsync($"/api/widget/{widgetKey}/dialogs", new
            {
                mode = "wish", wishedDate = "2030-01-11", wishedTime = "10:00", timeZone = "UTC", keyword = "Retry", message = "Hallo", email = "c@example.com", secretWord = "demo13",
            }), HttpStatusCode.Created);
        }
        var dialogId = (await admin.GetJsonAsync("/api/dialogs")).GetProperty("items")[0].GetProperty("id").GetString()!;
        using var api = await KeySessionAsync(admin);

        using var first = await PostAsync(api, $"/api/dialogs/{dialogId}/replies", new { text = "Gerne.", callCustomer = false }, "reply-1");
        using var second = await PostAsync(api, $"/api/dialogs/{dialogId}/replies", new { text = "Gerne.", callCustomer = false }, "reply-1");

        Assert.Equal((await ApiSession.ReadAsync(first, HttpStatusCode.Created)).GetRawText(), (await ApiSession.ReadAsync(second, HttpStatusCode.Created)).GetRawText());
        Assert.Equal(["true"], second.Headers.GetValues(IdempotencyKeys.ReplayedHeaderName));
        Assert.Equal(2, (await api.GetJsonAsync($"/api/dialogs/{dialogId}")).GetProperty("messages").GetArrayLength()); // the customer's and one reply
    }

    [Fact]
    public async Task A_dashboard_session_is_covered_too_and_requests_without_the_header_run_each_time()
    {
        var (admin, _) = await SignUpAsync(App);

        using var keyed = await PostAsync(admin, "/api/cases", new { name = "Dashboard" }, "dashboard-1");
        using var replayed = await PostAsync(admin, "/api/cases", new { name = "Dashboard" }, "dashboard-1");
        using var plain1 = await admin.PostAsync("/api/cases", new { name = "Plain" });
        using var plain2 = await admin.PostAsync("/api/cases", new { name = "Plain" });

        Assert.Equal(["true"], replayed.Headers.GetValues(IdempotencyKeys.ReplayedHeaderName));
        Assert.False(plain2.Headers.Contains(IdempotencyKeys.ReplayedHeaderName));
        Assert.Equal(3, (await admin.GetJsonAsync("/api/cases")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Keys_expire_after_24_hours_and_the_sweep_deletes_their_rows()
    {
        var (admin, me) = await SignUpAsync(App);
        var accountId = me.GetProperty("account").GetProperty("id").GetString()!;
        using var api = await KeySessionAsync(admin);
        var first = await ApiSession.ReadAsync(await PostAsync(api, "/api/cases", new { name = "Kept a day" }, "day-key"), HttpStatusCode.Created);
        Assert.Single(await RowsAsync(accountId));

        Clock.Advance(IdempotencyKeys.Keep + TimeSpan.FromMinutes(1));
        using var afterADay = await PostAsync(api, "/api/cases", new { name = "Kept a day" }, "day-key"); // expired, not swept yet: runs afresh
        var again = await ApiSession.ReadAsync(afterADay, HttpStatusCode.Created);
        Assert.False(afterADay.Headers.Contains(IdempotencyKeys.ReplayedHeaderName));
        Assert.NotEqual(first.GetProperty("id").GetString(), again.GetProperty("id").GetString());

        Clock.Advance(IdempotencyKeys.Keep + TimeSpan.FromMinutes(1));
        using (var scope = App.Services.CreateScope())
        {
            await scope.ServiceProvider.GetServices<ISweepTask>().Single(t => t.Name == "idempotency-cleanup").RunAsync(Clock.GetUtcNow(), CancellationToken.None);
        }
        Assert.Empty(await RowsAsync(accountId));
    }

    [Fact]
    public async Task A_claim_still_running_answers_in_progress_and_a_claim_left_by_a_crash_is_taken_over()
    {
        var keys = App.Services.GetRequiredService<IdempotencyKeys>();
        var accountId = "crash" + Guid.NewGuid().ToString("N")[..11];

        Assert.IsType<IdempotencyClaim.Proceed>(await keys.ClaimAsync(accountId, "crashed", "request-hash", CancellationToken.None));
        Assert.IsType<IdempotencyClaim.InProgress>(await keys.ClaimAsync(accountId, "crashed", "request-hash", CancellationToken.None)); // after its short wait
        Assert.IsType<IdempotencyClaim.Mismatch>(await keys.ClaimAsync(accountId, "crashed", "other-hash", CancellationToken.None));

        Clock.Advance(IdempotencyKeys.TakeOverAfter + TimeSpan.FromSeconds(1)); // the first request died without an answer
        Assert.IsType<IdempotencyClaim.Proceed>(await keys.ClaimAsync(accountId, "crashed", "request-hash", CancellationToken.None));
        await keys.CompleteAsync(accountId, "crashed", new RecordedAnswer(201, "application/json", "/api/cases/x", [1, 2, 3]), CancellationToken.None);
        var replay = Assert.IsType<IdempotencyClaim.Replay>(await keys.ClaimAsync(accountId, "crashed", "request-hash", CancellationToken.None));
        Assert.Equal((201, "application/json", "/api/cases/x"), (replay.Answer.Status, replay.Answer.ContentType, replay.Answer.Location));
        Assert.Equal([1, 2, 3], replay.Answer.Body);

        // A transient failure releases the claim: the retry runs afresh.
        Assert.IsType<IdempotencyClaim.Proceed>(await keys.ClaimAsync(accountId, "released", "request-hash", CancellationToken.None));
        await keys.ReleaseAsync(accountId, "released");
        Assert.IsType<IdempotencyClaim.Proceed>(await keys.ClaimAsync(accountId, "released", "request-hash", CancellationToken.None));
    }

    [Fact]
    public async Task A_large_answer_is_recorded_in_chunks_and_replayed_whole()
    {
        var keys = App.Services.GetRequiredService<IdempotencyKeys>();
        var accountId = "large" + Guid.NewGuid().ToString("N")[..11];
        var body = Enumerable.Range(0, 200_000).Select(i => (byte)(i % 251)).ToArray();

        Assert.IsType<IdempotencyClaim.Proceed>(await keys.ClaimAsync(accountId, "large", "h", CancellationToken.None));
        Assert.True(await keys.CompleteAsync(accountId, "large", new RecordedAnswer(200, "application/json", null, body), CancellationToken.None));

        var replay = Assert.IsType<IdempotencyClaim.Replay>(await keys.ClaimAsync(accountId, "large", "h", CancellationToken.None));
        Assert.Equal(body, replay.Answer.Body);
    }

    private async Task<List<TableEntity>> RowsAsync(string accountId)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in App.Storage.GetTableClient(IdempotencyKeys.TableName).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {accountId}")))
        {
            rows.Add(row);
        }
        return rows;
    }

    private async Task<ApiSession> KeySessionAsync(ApiSession admin)
    {
        var key = (await ApiSession.ReadAsync(await admin.PostAsync("/api/api-keys", new { name = "zapier" }), HttpStatusCode.Created)).GetProperty("key").GetString()!;
        var session = App.NewSession(dashboardHeader: false);
        session.UseApiKey(key);
        return session;
    }

    private static Task<HttpResponseMessage> PostAsync(ApiSession session, string path, object body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation(IdempotencyKeys.HeaderName, key);
        return session.Client.SendAsync(request);
    }
}
