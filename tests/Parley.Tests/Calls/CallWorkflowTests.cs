using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Calls;
using Parley.Functions.Workflows;
using Parley.Testing;
using Parley.Tests.Communication;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Calls;

/// <summary>One storage account of its own, so the tests (which run one after another) can drain the calls queue by hand.</summary>
public sealed class CallQueueStorage
{
    public string ConnectionString { get; } = Azurite.SharedAsync().GetAwaiter().GetResult().IsolatedConnectionString();
}

/// <summary>
/// The call workflow against the real ACS clients and a fake ACS that verifies signatures and posts CloudEvents to the
/// callback URL our app gave it, as ACS does; steps are taken from the real calls queue in Azurite.
/// </summary>
public sealed class CallWorkflowTests(CallQueueStorage storage) : IClassFixture<CallQueueStorage>
{
    private const string Text = "Ein Kunde hat Ihnen eine Nachricht per E-Mail hinterlassen.";

    [Fact]
    public async Task A_call_rings_speaks_in_the_persons_language_hangs_up_and_is_completed()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AcsAppAsync(acs);
        var account = Guid.NewGuid().ToString("N");

        await Calls(app).StartAsync(Request(account, "alert-1", "+491701234567"), CancellationToken.None);
        await DrainAsync(app);

        var call = await Calls(app).GetAsync(account, "alert-1", CancellationToken.None);
        Assert.Equal(CallStatus.Completed, call!.Status);
        Assert.Null(call.Reason);
        var created = Assert.Single(acs.Calls).Value;
        Assert.Equal("+491701234567", created.GetProperty("targets")[0].GetProperty("phoneNumber").GetProperty("value").GetString());
        Assert.Equal("+4930999999", created.GetProperty("sourceCallerIdNumber").GetProperty("value").GetString());
        Assert.StartsWith($"https://parley.example/api/acs/calls/{account}/alert-1/0/", created.GetProperty("callbackUri").GetString());
        var connection = "call-" + acs.Calls.Keys.Single();
        Assert.Equal([$"play:{connection}:de-DE:de-DE-KatjaNeural:{Text}", $"terminate:{connection}"], acs.CallActions);
        Assert.All(acs.CallbackResponses, s => Assert.Equal(200, s));
        Assert.Empty(acs.SignatureFailures);
    }

    [Fact]
    public async Task No_answer_is_tried_three_times_with_backoff_and_then_marked_failed_with_the_reason()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AcsAppAsync(acs);
        var account = Guid.NewGuid().ToString("N");
        acs.Unanswered.Add("+491709999999");

        await Calls(app).StartAsync(Request(account, "alert-2", "+491709999999"), CancellationToken.None);
        await DrainAsync(app);
        var afterFirst = await Calls(app).GetAsync(account, "alert-2", CancellationToken.None);
        var nextAttempt = await PeekAsync(app, w => w.Step == CallWork.Place && w.CallId == "alert-2");
        await RunAsync(app, new CallWork(account, "alert-2", 1, CallWork.Place)); // what the delayed message does in 5 minutes
        await DrainAsync(app);
        await RunAsync(app, new CallWork(account, "alert-2", 2, CallWork.Place));
        await DrainAsync(app);
        await RunAsync(app, new CallWork(account, "alert-2", 2, CallWork.Place)); // a late duplicate after the end
        var final = await Calls(app).GetAsync(account, "alert-2", CancellationToken.None);

        Assert.Equal(CallStatus.Retrying, afterFirst!.Status);
        Assert.Equal(1, afterFirst.Attempt);
        Assert.Equal("no answer (408/8523)", afterFirst.Reason);
        Assert.Null(nextAttempt); // hidden for the backoff, not visible at once
        Assert.Equal(CallStatus.Failed, final!.Status);
        Assert.Equal("Not reached after 3 attempts: no answer (408/8523).", final.Reason);
        Assert.Equal(3, acs.Calls.Count); // one call per attempt, each with its own repeatability id
        Assert.Empty(acs.CallActions); // nothing played to nobody
        Assert.Equal(TimeSpan.FromMinutes(5), CallQueueHandler.Backoff(0));
        Assert.Equal(TimeSpan.FromMinutes(15), CallQueueHandler.Backoff(0) + CallQueueHandler.Backoff(1));
    }

    [Fact]
    public async Task Duplicate_steps_and_events_place_one_call_and_speak_once()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AcsAppAsync(acs);
        var account = Guid.NewGuid().ToString("N");
        var callbacks = new List<(Uri, string)>();
        var post = acs.Callbacks!;
        acs.Callbacks = async (uri, json) => { callbacks.Add((uri, json)); return await post(uri, json); };

        await Calls(app).StartAsync(Request(account, "alert-3", "+491701234567"), CancellationToken.None);
        await Calls(app).StartAsync(Request(account, "alert-3", "+491701234567"), CancellationToken.None); // asked twice
        await RunAsync(app, new CallWork(account, "alert-3", 0, CallWork.Place));
        await DrainAsync(app);
        foreach (var (uri, json) in callbacks.ToList())
        {
            await post(uri, json); // ACS delivering every event a second time
        }
        await DrainAsync(app);

        Assert.Single(acs.Calls);
        Assert.Equal(1, acs.CallCreateRequests);
        Assert.Single(acs.CallActions, a => a.StartsWith("play:", StringComparison.Ordinal));
        Assert.Equal(CallStatus.Completed, (await Calls(app).GetAsync(account, "alert-3", CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task A_crash_after_ringing_re_places_with_the_same_repeatability_id_and_callback()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AcsAppAsync(acs);
        var account = Guid.NewGuid().ToString("N");
        var post = acs.Callbacks!;
        var held = new List<(Uri, string)>();
        acs.Callbacks = (uri, json) => { held.Add((uri, json)); return Task.FromResult(200); }; // the line's events arrive late
        await Calls(app).StartAsync(Request(account, "alert-4", "+491701234567"), CancellationToken.None);
        await DrainAsync(app);
        // Simulate the worker dying after ACS accepted the call, before it recorded the connection: the step comes back.
        var placed = await Calls(app).GetAsync(account, "alert-4", CancellationToken.None);
        var store = app.Services.GetRequiredService<CallStore>();
        await store.SaveAsync(placed! with { ConnectionId = null }, CancellationToken.None);
        acs.Callbacks = post;
        await RunAsync(app, new CallWork(account, "alert-4", 0, CallWork.Place), dequeueCount: 2);
        foreach (var (uri, json) in held)
        {
            Assert.Equal(200, await post(uri, json)); // the first create's callback URL still works: same attempt, same secret
        }
        await DrainAsync(app);

        Assert.Equal(2, acs.CallCreateRequests);
        Assert.Single(acs.Calls); // ACS took the second create as the same call
        Assert.Equal(CallStatus.Dialing, placed.Status);
        Assert.Equal(CallStatus.Completed, (await Calls(app).GetAsync(account, "alert-4", CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task Callbacks_with_a_wrong_secret_or_an_old_attempt_are_refused_and_change_nothing()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AcsAppAsync(acs);
        var account = Guid.NewGuid().ToString("N");
        acs.Callbacks = null;
        await Calls(app).StartAsync(Request(account, "alert-5", "+491701234567"), CancellationToken.None);
        await DrainAsync(app);
        var callback = new Uri(acs.Calls.Single().Value.GetProperty("callbackUri").GetString()!);
        var segments = callback.AbsolutePath.Split('/');
        var client = app.CreateClient();
        var connected = """[{"id":"x","type":"Microsoft.Communication.CallConnected","specversion":"1.0","data":{"callConnectionId":"c"}}]""";

        var wrongSecret = await client.PostAsync(string.Join('/', segments[..^1]) + "/" + new string('A', 43), Json(connected));
        var oldAttempt = await client.PostAsync(string.Join('/', segments[..^2]) + "/1/" + segments[^1], Json(connected));
        var otherAccount = await client.PostAsync(callback.AbsolutePath.Replace(account, Guid.NewGuid().ToString("N"), StringComparison.Ordinal), Json(connected));
        var notJson = await client.PostAsync(callback.AbsolutePath, Json("{not json"));
        await DrainAsync(app);

        Assert.Equal(HttpStatusCode.NotFound, wrongSecret.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, oldAttempt.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherAccount.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Empty(acs.CallActions);
        Assert.Equal(CallStatus.Dialing, (await Calls(app).GetAsync(account, "alert-5", CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task An_outage_at_placing_counts_as_an_attempt_and_an_invalid_number_fails_at_once()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AcsAppAsync(acs);
        var account = Guid.NewGuid().ToString("N");
        for (var i = 0; i < 4; i++)
        {
            acs.Failures.Enqueue((503, null)); // the client's own retries, then it gives up
        }
        await Calls(app).StartAsync(Request(account, "alert-6", "+491701234567"), CancellationToken.None);
        await DrainAsync(app);
        acs.Failures.Enqueue((400, null));
        await Calls(app).StartAsync(Request(account, "alert-7", "+491701234567"), CancellationToken.None);
        await DrainAsync(app);

        var outage = await Calls(app).GetAsync(account, "alert-6", CancellationToken.None);
        var refused = await Calls(app).GetAsync(account, "alert-7", CancellationToken.None);
        Assert.Equal(CallStatus.Retrying, outage!.Status);
        Assert.Equal("Communication Services answered 503", outage.Reason);
        Assert.Equal(CallStatus.Failed, refused!.Status);
        Assert.StartsWith("Refused by Communication Services (400", refused.Reason);
        Assert.Empty(acs.Calls);
    }

    [Fact]
    public async Task A_line_that_stays_silent_is_given_up_by_the_watchdog_and_tried_again()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AcsAppAsync(acs);
        var account = Guid.NewGuid().ToString("N");
        acs.Callbacks = null; // ACS never calls back
        await Calls(app).StartAsync(Request(account, "alert-8", "+491701234567"), CancellationToken.None);
        await DrainAsync(app);
        var watchdog = await Calls(app).GetAsync(account, "alert-8", CancellationToken.None);

        await RunAsync(app, new CallWork(account, "alert-8", 0, CallWork.Check)); // what the hidden check does after 3 minutes
        var after = await Calls(app).GetAsync(account, "alert-8", CancellationToken.None);

        Assert.Equal(CallStatus.Dialing, watchdog!.Status);
        Assert.Equal(CallStatus.Retrying, after!.Status);
        Assert.Equal(1, after.Attempt);
        Assert.Contains($"terminate:call-{acs.Calls.Keys.Single()}", acs.CallActions);
    }

    [Fact]
    public async Task The_outbox_simulates_the_line_through_the_same_workflow()
    {
        await using var app = await ParleyApp.StartAsync(new() { ["AzureWebJobsStorage"] = storage.ConnectionString });
        var account = Guid.NewGuid().ToString("N");

        await Calls(app).StartAsync(Request(account, "alert-9", "+491701234567"), CancellationToken.None);
        await Calls(app).StartAsync(Request(account, "alert-10", "+491701230000"), CancellationToken.None);
        // The simulated line answers after a second: run the steps as they become visible until both calls have their outcome.
        await DrainAsync(app, until: async () =>
            (await Calls(app).GetAsync(account, "alert-9", CancellationToken.None))?.Status == CallStatus.Completed
            && (await Calls(app).GetAsync(account, "alert-10", CancellationToken.None))?.Status == CallStatus.Retrying);

        var answered = await Calls(app).GetAsync(account, "alert-9", CancellationToken.None);
        var unanswered = await Calls(app).GetAsync(account, "alert-10", CancellationToken.None);
        var outbox = await app.Services.GetRequiredService<Parley.Functions.Notifications.Providers.OutboxProvider>().ListAsync(account, 10, CancellationToken.None);
        Assert.Equal(CallStatus.Completed, answered!.Status);
        Assert.Equal(CallStatus.Retrying, unanswered!.Status);
        Assert.Equal("no answer (408/8523)", unanswered.Reason);
        var script = Assert.Single(outbox, e => e.To == "+491701234567");
        Assert.Equal(("call", Text, "hung up"), (script.Channel, script.Text, script.Status));
        Assert.Equal("no answer", Assert.Single(outbox, e => e.To == "+491701230000").Status);
    }

    private static CallRequest Request(string account, string id, string to) => new(account, id, "test", null, to, null, "de", Text);

    private static CallService Calls(ParleyApp app) => app.Services.GetRequiredService<CallService>();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<ParleyApp> AcsAppAsync(FakeAcs acs)
    {
        var app = await ParleyApp.StartAsync(acs.AppSettings(storage.ConnectionString));
        var client = app.CreateClient();
        acs.Callbacks = async (uri, json) => (int)(await client.PostAsync(uri.PathAndQuery, Json(json))).StatusCode; // ACS → our callback endpoint
        return app;
    }

    private static Task RunAsync(ParleyApp app, CallWork work, long dequeueCount = 1) => app.RunQueueStepAsync(CallQueueHandler.QueueName, work, dequeueCount);

    /// <summary>
    /// Runs every visible step on the calls queue until none is left (hidden ones — watchdogs, backoffs — stay); with
    /// <paramref name="until"/>, goes on running steps as they become visible until the condition holds.
    /// </summary>
    private static async Task DrainAsync(ParleyApp app, Func<Task<bool>>? until = null)
    {
        var queue = app.Storage.GetQueueClient(CallQueueHandler.QueueName);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value;
            if (batch.Length == 0)
            {
                if (until is null || await until())
                {
                    return;
                }
                Assert.True(DateTime.UtcNow < deadline, "The calls did not reach the expected state within 20 s.");
                await Task.Delay(100); // polling interval of the condition
                continue;
            }
            foreach (var m in batch)
            {
                await app.RunQueueStepAsync(CallQueueHandler.QueueName, m.MessageText, m.DequeueCount);
                await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
            }
        }
    }

    private static async Task<CallWork?> PeekAsync(ParleyApp app, Func<CallWork, bool> match) =>
        (await app.Storage.GetQueueClient(CallQueueHandler.QueueName).PeekMessagesAsync(32)).Value
            .Select(m => JsonSerializer.Deserialize<CallWork>(m.MessageText, QueueJson.Options)!).FirstOrDefault(match);
}
