using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Maintenance;
using Parley.Functions.Workflows;
using Parley.Testing;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Hosting;

/// <summary>
/// Under the Functions host, triggers arrive as POST /&lt;function-name&gt; with {Data, Metadata}. Payloads here
/// are the shapes from the custom-handler documentation.
/// </summary>
public sealed class FunctionInvocationTests : IAsyncLifetime
{
    private readonly string _queueName = Azurite.UniqueQueueName("invoke");
    private readonly RecordingHandler.Journal _journal = new();
    private ParleyApp _host = null!;

    public async Task InitializeAsync() => _host = await ParleyApp.StartAsync(
        new() { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "0" },
        services => services.AddSingleton(_journal).AddQueueHandler<RecordingHandler>(_queueName));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_queue_trigger_payload_reaches_the_handler_with_the_message_text_and_metadata()
    {
        var messageText = JsonSerializer.Serialize(new { caseId = "c-1", note = "Grüße" });
        var payload = $$"""
        {
          "Data": { "message": {{JsonSerializer.Serialize(messageText)}} },
          "Metadata": {
            "DequeueCount": 2,
            "ExpirationTime": "2026-11-29T17:58:31+00:00",
            "Id": "800ae4b3-bdbd-4a1d-8a44-8a6b86b0a6a1",
            "InsertionTime": "2026-11-22T17:58:31+00:00",
            "NextVisibleTime": "2026-11-22T18:08:32+00:00",
            "PopReceipt": "AgAAAAMAAAAAAAAAAgtnj8x+1QE=",
            "sys": { "MethodName": "{{_queueName}}", "UtcNow": "2026-11-22T17:58:32.22Z", "RandGuid": "24ad4de2-ba47-4a9d-8b2d-4a9e5a0c3a7b" }
          }
        }
        """;

        using var response = await PostAsync("/" + _queueName, payload);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Object, body.RootElement.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Array, body.RootElement.GetProperty("Logs").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("ReturnValue").ValueKind);
        var delivery = Assert.Single(_journal.Deliveries);
        Assert.Equal(messageText, delivery.Text);
        Assert.Equal(2, delivery.DequeueCount);
        Assert.Equal("800ae4b3-bdbd-4a1d-8a44-8a6b86b0a6a1", delivery.MessageId);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 17, 58, 31, TimeSpan.Zero), delivery.InsertedOn);
    }

    [Fact]
    public async Task A_message_put_with_our_queue_client_reaches_the_handler_through_the_hosts_payload_unchanged()
    {
        // What the host does with messageEncoding "none": receive, hand the text over as a JSON string, delete on 2xx.
        var queue = _host.Storage.GetQueueClient(_queueName);
        var sent = """{"text":"<b>Grüße</b> & 'quotes' \"escaped\""}""";
        await queue.SendMessageAsync(sent);
        var received = Assert.Single((await queue.ReceiveMessagesAsync(16, TimeSpan.FromMinutes(10))).Value);
        var payload = JsonSerializer.Serialize(new
        {
            Data = new { message = received.MessageText },
            Metadata = new
            {
                received.DequeueCount,
                ExpirationTime = received.ExpiresOn,
                Id = received.MessageId,
                InsertionTime = received.InsertedOn,
                NextVisibleTime = received.NextVisibleOn,
                received.PopReceipt,
                sys = new { MethodName = _queueName, UtcNow = DateTimeOffset.UtcNow, RandGuid = Guid.NewGuid() },
            },
        });

        using var response = await PostAsync("/" + _queueName, payload);
        if (response.IsSuccessStatusCode)
        {
            await queue.DeleteMessageAsync(received.MessageId, received.PopReceipt);
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var delivery = Assert.Single(_journal.Deliveries);
        Assert.Equal(sent, delivery.Text);
        Assert.Equal(received.MessageId, delivery.MessageId);
        Assert.Equal(0, await queue.ApproximateCountAsync());
    }

    [Fact]
    public async Task A_failing_handler_answers_500_so_the_host_retries_and_poisons()
    {
        _journal.AlwaysFail = true;

        using var response = await PostAsync("/" + _queueName, """{"Data":{"message":"{\"x\":1}"},"Metadata":{"DequeueCount":"5","Id":"m-5"}}""");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("failed", body.RootElement.GetProperty("Logs")[0].GetString());
        Assert.Equal(5, Assert.Single(_journal.Deliveries).DequeueCount);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"Metadata":{}}""")]
    [InlineData("""{"Data":{}}""")]
    [InlineData("[]")]
    public async Task A_payload_without_a_trigger_value_is_a_bad_request(string payload)
    {
        using var response = await PostAsync("/" + _queueName, payload);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(_journal.Deliveries);
    }

    [Fact]
    public async Task The_timer_payload_runs_the_sweep_which_queues_one_message_per_task()
    {
        var sweeps = _host.Storage.GetQueueClient(SweepQueueHandler.QueueName);
        const string payload = """
        {
          "Data": { "timer": { "Schedule": { "AdjustForDST": true }, "ScheduleStatus": { "Last": "2026-11-22T09:55:00+00:00", "Next": "2026-11-22T10:05:00+00:00", "LastUpdated": "2026-11-22T09:55:00+00:00" }, "IsPastDue": false } },
          "Metadata": { "sys": { "MethodName": "sweep-timer", "UtcNow": "2026-11-22T10:00:00.0000000Z", "RandGuid": "f4c3c8b5-3e51-4f59-9d6b-5b2a8d0e7f10" } }
        }
        """;

        using var response = await PostAsync("/sweep-timer", payload);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var queued = (await sweeps.PeekMessagesAsync(32)).Value
            .Select(m => JsonSerializer.Deserialize<SweepRequest>(m.MessageText, QueueJson.Options)!)
            .Where(r => r.ScheduledFor == new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero))
            .ToList();
        Assert.Equal(["booking-cleanup", "durable-history-purge", "idempotency-cleanup", "poison-report", "rate-limit-cleanup", "refused-sends-cleanup", "session-cleanup", "stale-presence", "webhook-deliveries-cleanup", "webhook-events-cleanup"], queued.Select(r => r.Task).Order());
    }

    [Fact]
    public async Task The_sweeps_queue_payload_runs_the_named_task_and_an_unknown_task_fails()
    {
        using var ok = await PostAsync("/sweeps", """{"Data":{"message":"{\"task\":\"poison-report\",\"scheduledFor\":\"2026-11-22T10:00:00Z\"}"},"Metadata":{"DequeueCount":1,"Id":"s-1"}}""");
        using var unknown = await PostAsync("/sweeps", """{"Data":{"message":"{\"task\":\"no-such-task\",\"scheduledFor\":\"2026-11-22T10:00:00Z\"}"},"Metadata":{"DequeueCount":1,"Id":"s-2"}}""");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, unknown.StatusCode);
        Assert.Contains("no-such-task", await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Invocation_routes_exist_only_under_the_functions_host()
    {
        await using var standalone = await ParleyApp.StartAsync();
        using var client = standalone.CreateClient();

        using var response = await client.PostAsync("/sweeps", new StringContent("""{"Data":{"message":"{}"},"Metadata":{}}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_readiness_probe_and_health_answer_cheaply()
    {
        using var client = _host.CreateClient();

        using var root = await client.GetAsync("/");
        var health = await client.GetFromJsonAsync<JsonElement>("/api/health");

        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal("functions-host", health.GetProperty("mode").GetString());
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.7")]
    [InlineData("X-ARR-LOG-ID", "4f1c2b1e-0000-0000-0000-000000000000")]
    [InlineData("X-Original-URL", "/sweeps")]
    public async Task A_public_request_forwarded_by_the_catch_all_http_function_cannot_invoke_a_trigger(string header, string value)
    {
        // The http function forwards every path, so POST /<queue> from the internet reaches us with Azure's front-end headers.
        var payload = JsonSerializer.Serialize(new { Data = new { message = "forged" }, Metadata = new { Id = "x", DequeueCount = 1 } });
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/" + _queueName) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(_journal.Deliveries);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string payload)
    {
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        request.Headers.Add("User-Agent", "Azure-Functions-Host/4.1040.0");
        return await client.SendAsync(request);
    }
}
