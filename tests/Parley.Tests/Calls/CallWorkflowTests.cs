using System.Net;
using System.Text;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Calls;
using Parley.Functions.Durable;
using Parley.Tests.Communication;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Calls;

/// <summary>
/// The call orchestration on the real durable engine (Azurite), against the real ACS clients and a fake ACS that
/// verifies signatures and posts CloudEvents to the callback URL our app gave it, as ACS does — into the app's real
/// callback endpoint. Timing comes from the <c>Calls</c> settings: seconds instead of minutes.
/// </summary>
public sealed class CallWorkflowTests
{
    private const string Text = "Ein Kunde hat Ihnen eine Nachricht per E-Mail hinterlassen.";
    private static readonly TimeSpan Finish = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_call_rings_speaks_in_the_persons_language_hangs_up_and_is_completed()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AcsAppAsync(acs);
        var account = Guid.NewGuid().ToString("N");

        await Calls(app).StartAsync(Request(account, "alert-1", "+491701234567"), CancellationToken.None);
        var call = await UntilAsync(app, account, "alert-1", CallStatus.Completed);
        var orchestration = await Orchestrations(app).WaitForCompletionAsync(CallOrchestrator.InstanceId(account, "alert-1"), Finish);

        Assert.Null(call.Reason);
        Assert.Equal(0, call.Attempt);
        var created = Assert.Single(acs.Calls).Value;
        Assert.Equal("+491701234567", created.GetProperty("targets")[0].GetProperty("phoneNumber").GetProperty("value").GetString());
        Assert.Equal("+4930999999", created.GetProperty("sourceCallerIdNumber").GetProperty("value").GetString());
        Assert.StartsWith($"https://parley.example/api/acs/calls/{account}/alert-1/0/", created.GetProperty("callbackUri").GetString());
        var connection = "call-" + acs.Calls.Keys.Single();
        Assert.Equal([$"play:{connection}:de-DE:de-DE-KatjaNeural:{Text}", $"terminate:{connection}"], acs.CallActions);
        Assert.Equal(3, acs.CallbackResponses.Count); // CallConnected, PlayCompleted, CallDisconnected (after our hang-up)
        Assert.All(acs.CallbackResponses, s => Assert.Equal(200, s));
        Assert.Empty(acs.SignatureFailures);
        Assert.Equal(DurableTask.Core.OrchestrationStatus.Completed, orchestration!.Status);
        Assert.Equal(new CallProgress(0, "completed"), orchestration.CustomStatus<CallProgress>());
    }

    [Fact]
    public async Task No_answer_is_tried_again_after_the_back_off_and_the_first_attempts_callback_address_then_is_refused()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AcsAppAsync(acs);
        var account = Guid.NewGuid().ToString("N");
        acs.UnansweredTimes["+491709999999"] = 1; // CreateCallFailed 408/8523 once, then the phone is picked up
        var callbacks = new List<Uri>();
        var post = acs.Callbacks!;
        acs.Callbacks = (uri, json) => { lock (callbacks) { callbacks.Add(uri); } return post(uri, json); };

        await Calls(app).StartAsync(Request(account, "alert-2", "+491709999999"), CancellationToken.None);
        var call = await UntilAsync(app, account, "alert-2", CallStatus.Completed);
        var firstAttempt = callbacks.First(u => u.AbsolutePath.Contains("/alert-2/0/", StringComparison.Ordinal));
        using var late = await app.CreateClient().PostAsync(firstAttempt.PathAndQuery, Json(Event("CallConnected")));

        Assert.Equal(1, call.Attempt);
        Assert.Equal(2, acs.Calls.Count); // one call per attempt, each with its own repeatability id
        Assert.Single(acs.CallActions, a => a.StartsWith("play:", StringComparison.Ordinal));
        Assert.All(acs.CallbackResponses, s => Assert.Equal(200, s));
        Assert.Equal(HttpStatusCode.NotFound, late.StatusCode); // the secret died with its attempt
        Assert.Equal(TimeSpan.FromMinutes(5), new CallOptions().Delays()[0]);
        Assert.Equal(TimeSpan.FromMinutes(15), new CallOptions().Delays().Aggregate(TimeSpan.Zero, (sum, d) => sum + d)); // 3 attempts over 15 minutes
        Assert.Equal(TimeSpan.FromMinutes(3), new CallOptions().QuietLimit);
    }

    [Fact]
    public async Task Callbacks_with_a_wrong_secret_or_an_old_attempt_are_refused_and_change_nothing_while_the_right_one_connects()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AcsAppAsync(acs);
        var account = Guid.NewGuid().ToString("N");
        acs.Callbacks = null; // ACS stays silent; this test speaks for it
        await Calls(app).StartAsync(Request(account, "alert-5", "+491701234567"), CancellationToken.None);
        await Poll.UntilAsync("the call is placed", () => Task.FromResult(!acs.Calls.IsEmpty));
        var callback = new Uri(acs.Calls.Single().Value.GetProperty("callbackUri").GetString()!);
        var segments = callback.AbsolutePath.Split('/');
        var client = app.CreateClient();
        var connected = Json(Event("CallConnected"));

        var wrongSecret = await client.PostAsync(string.Join('/', segments[..^1]) + "/" + new string('A', 43), connected);
        var oldAttempt = await client.PostAsync(string.Join('/', segments[..^2]) + "/1/" + segments[^1], connected);
        var otherAccount = await client.PostAsync(callback.AbsolutePath.Replace(account, Guid.NewGuid().ToString("N"), StringComparison.Ordinal), connected);
        var notJson = await client.PostAsync(callback.AbsolutePath, Json("{not json"));
        var refusedAll = acs.CallActions.IsEmpty && (await Calls(app).GetAsync(account, "alert-5", CancellationToken.None))!.Status == CallStatus.Dialing;
        var right = await client.PostAsync(callback.AbsolutePath, connected);
        await Poll.UntilAsync("the text is played", () => Task.FromResult(acs.CallActions.Any(a => a.StartsWith("play:c:", StringComparison.Ordinal))));

        Assert.Equal(HttpStatusCode.NotFound, wrongSecret.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, oldAttempt.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherAccount.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.True(refusedAll, "a refused callback played something or changed the call");
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal(CallStatus.Connected, (await UntilAsync(app, account, "alert-5", CallStatus.Connected)).Status);
    }

    [Fact]
    public async Task A_line_that_stays_silent_is_hung_up_after_the_quiet_limit_tried_again_and_failed_after_three_attempts()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AcsAppAsync(acs, quietLimit: "00:00:02");
        var account = Guid.NewGuid().ToString("N");
        acs.Callbacks = null; // ACS never calls back

        await Calls(app).StartAsync(Request(account, "alert-8", "+491701234567"), CancellationToken.None);
        var call = await UntilAsync(app, account, "alert-8", CallStatus.Failed);

        Assert.Equal("Not reached after 3 attempts: no word from the line within 2 seconds.", call.Reason);
        Assert.Equal(2, call.Attempt);
        Assert.Equal(3, acs.Calls.Count);
        Assert.Equal(acs.Calls.Keys.Select(k => $"terminate:call-{k}").Order(), acs.CallActions.Order()); // every silent line hung up, nothing played
        var orchestration = await Orchestrations(app).WaitForCompletionAsync(CallOrchestrator.InstanceId(account, "alert-8"), Finish);
        Assert.Equal(new CallProgress(2, "failed"), orchestration!.CustomStatus<CallProgress>());
    }

    [Fact]
    public async Task Events_that_arrive_twice_and_a_second_start_place_one_call_and_speak_once()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AcsAppAsync(acs);
        var account = Guid.NewGuid().ToString("N");
        var post = acs.Callbacks!;
        acs.Callbacks = async (uri, json) => { await post(uri, json); return await post(uri, json); }; // ACS delivering every event twice

        await Calls(app).StartAsync(Request(account, "alert-3", "+491701234567"), CancellationToken.None);
        await Calls(app).StartAsync(Request(account, "alert-3", "+491701234567"), CancellationToken.None); // asked twice
        await UntilAsync(app, account, "alert-3", CallStatus.Completed);
        await Orchestrations(app).WaitForCompletionAsync(CallOrchestrator.InstanceId(account, "alert-3"), Finish);

        Assert.Single(acs.Calls);
        Assert.Equal(1, acs.CallCreateRequests);
        Assert.Single(acs.CallActions, a => a.StartsWith("play:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_place_that_runs_again_after_a_crash_re_places_with_the_same_repeatability_id_and_callback()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await ParleyApp.StartAsync(acs.AppSettings()); // no worker: this test is the worker
        var account = Guid.NewGuid().ToString("N");
        acs.Callbacks = null;
        await Calls(app).StartAsync(Request(account, "alert-4", "+491701234567"), CancellationToken.None);
        var place = app.Services.GetRequiredService<PlaceCallActivity>();
        var attempt = new CallAttempt(account, "alert-4", 0);

        var first = await place.RunAsync(new ActivityContext(), attempt);
        // The worker died after ACS accepted the call, before it recorded the connection: the activity runs again.
        var store = app.Services.GetRequiredService<CallStore>();
        var placed = await store.GetAsync(account, "alert-4", CancellationToken.None);
        await store.SaveAsync(placed! with { ConnectionId = null }, CancellationToken.None);
        var again = await place.RunAsync(new ActivityContext(), attempt);
        var thenDuplicate = await place.RunAsync(new ActivityContext(), attempt);

        Assert.Equal(PlaceResult.Placed, first.Result);
        Assert.Equal(first, again);
        Assert.Equal(first, thenDuplicate); // found placed: ACS is not asked a third time
        Assert.Equal(2, acs.CallCreateRequests);
        Assert.Single(acs.Calls); // ACS took the second create as the same call, at the same callback address
        Assert.Equal(placed.ProtectedSecret, (await store.GetAsync(account, "alert-4", CancellationToken.None))!.ProtectedSecret);
    }

    [Fact]
    public async Task An_outage_at_placing_counts_as_an_attempt_and_an_invalid_number_fails_at_once()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AcsAppAsync(acs, retryDelays: "00:10:00,00:10:00"); // the retry stays ahead
        var account = Guid.NewGuid().ToString("N");
        for (var i = 0; i < 4; i++)
        {
            acs.Failures.Enqueue((503, null)); // the client's own retries, then it gives up
        }
        await Calls(app).StartAsync(Request(account, "alert-6", "+491701234567"), CancellationToken.None);
        var outage = await UntilAsync(app, account, "alert-6", CallStatus.Retrying);
        acs.Failures.Enqueue((400, null));
        await Calls(app).StartAsync(Request(account, "alert-7", "+491701234567"), CancellationToken.None);
        var refused = await UntilAsync(app, account, "alert-7", CallStatus.Failed);

        Assert.Equal("Communication Services answered 503", outage.Reason);
        Assert.Equal(1, outage.Attempt);
        Assert.StartsWith("Refused by Communication Services (400", refused.Reason);
        Assert.Equal(0, refused.Attempt);
        Assert.Empty(acs.Calls);
    }

    [Fact]
    public async Task The_outbox_simulates_the_line_through_the_same_orchestration()
    {
        await using var app = await ParleyApp.StartAsync(DurableSettings());
        var account = Guid.NewGuid().ToString("N");

        await Calls(app).StartAsync(Request(account, "alert-9", "+491701234567"), CancellationToken.None);
        await Calls(app).StartAsync(Request(account, "alert-10", "+491701230000"), CancellationToken.None);
        var answered = await UntilAsync(app, account, "alert-9", CallStatus.Completed);
        var unanswered = await UntilAsync(app, account, "alert-10", CallStatus.Failed);

        var outbox = await app.Services.GetRequiredService<Parley.Functions.Notifications.Providers.OutboxProvider>().ListAsync(account, 10, CancellationToken.None);
        Assert.Null(answered.Reason);
        Assert.Equal("Not reached after 3 attempts: no answer (408/8523).", unanswered.Reason);
        var script = Assert.Single(outbox, e => e.To == "+491701234567");
        Assert.Equal(("call", Text, "hung up"), (script.Channel, script.Text, script.Status));
        Assert.Equal(["no answer", "no answer", "no answer"], outbox.Where(e => e.To == "+491701230000").Select(e => e.Status));
    }

    private static CallRequest Request(string account, string id, string to) => new(account, id, "test", null, to, null, "de", Text);

    private static CallService Calls(ParleyApp app) => app.Services.GetRequiredService<CallService>();

    private static Orchestrations Orchestrations(ParleyApp app) => app.Services.GetRequiredService<Orchestrations>();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Event(string type) =>
        $$$"""[{"id":"x","type":"Microsoft.Communication.{{{type}}}","specversion":"1.0","data":{"callConnectionId":"c"}}]""";

    /// <summary>The worker on, with seconds where production waits minutes (the quiet limit stays long unless a test is about it).</summary>
    private static Dictionary<string, string?> DurableSettings(string quietLimit = "00:01:00", string retryDelays = "00:00:01,00:00:01", Dictionary<string, string?>? more = null)
        => new(more ?? []) { ["Durable:Enabled"] = "true", ["Calls:QuietLimit"] = quietLimit, ["Calls:RetryDelays"] = retryDelays };

    private static async Task<ParleyApp> AcsAppAsync(FakeAcs acs, string quietLimit = "00:01:00", string retryDelays = "00:00:01,00:00:01")
    {
        var app = await ParleyApp.StartAsync(DurableSettings(quietLimit, retryDelays, acs.AppSettings()));
        var client = app.CreateClient();
        acs.Callbacks = async (uri, json) => (int)(await client.PostAsync(uri.PathAndQuery, Json(json))).StatusCode; // ACS → our callback endpoint
        return app;
    }

    private static async Task<CallRecord> UntilAsync(ParleyApp app, string account, string callId, CallStatus status) =>
        (await Poll.ForAsync($"call {callId} is {status}", () => Calls(app).GetAsync(account, callId, CancellationToken.None), c => c?.Status == status, Finish))!;

    private sealed class ActivityContext : TaskActivityContext
    {
        public override TaskName Name => nameof(PlaceCallActivity);

        public override string InstanceId => "test";
    }
}
