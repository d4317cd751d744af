using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Dialogs;
using Parley.Functions.Durable;
using Parley.Functions.Notifications;
using Parley.Testing;
using Parley.Tests.Communication;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Dialogs.DialogApiTests;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Dialogs;

/// <summary>
/// The alert orchestration's guarantees on the real durable engine: the hand-over from a write (the timer covers a
/// writer that never says "written"; a failed write sends nothing; an orchestration that cannot start stops the
/// write), and provider outages retried until the message is sent once.
/// </summary>
public sealed class DialogAlertTests
{
    /// <summary>A short hand-over wait: what a minute is in production.</summary>
    private static readonly Dictionary<string, string?> Engine = new() { ["Durable:Enabled"] = "true", ["Dialogs:HandOverWait"] = "00:00:02" };

    [Fact]
    public async Task A_message_whose_writer_never_says_written_is_alerted_after_the_hand_over_wait()
    {
        await using var app = await ParleyApp.StartAsync(new(Engine));
        var (admin, dialog) = await OpenDialogAsync(app);

        // What DialogService does, except that the writer "dies" before it raises "written".
        var message = new DialogMessage(2, DialogParty.Customer, "Noch eine Frage", DateTimeOffset.UtcNow, null);
        var instance = await HandOverAsync(app, dialog, message);
        await Store(app).SaveAsync(dialog with { LastMessage = message.Text, MessageCount = 2 }, message, CancellationToken.None);

        var alert = await OutboxEntryAsync(admin, e => e.GetProperty("to").GetString() == AdviserAlertEmail && Mentions(e, "Noch eine Frage"));
        var done = await Orchestrations(app).WaitForCompletionAsync(instance, Finish);
        Assert.Equal(("sent", "timer"), (done!.CustomStatus<DialogAlertProgress>()!.State, done.CustomStatus<DialogAlertProgress>()!.HandOver));
        Assert.Contains($"/dialogs/{dialog.Id}", alert.GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_write_that_failed_after_the_hand_over_sends_nothing_and_its_retry_is_still_alerted()
    {
        await using var app = await ParleyApp.StartAsync(new(Engine));
        var (admin, dialog) = await OpenDialogAsync(app);

        // An answer's orchestration was started, then its write failed: after the wait it finds no message 2 and ends.
        var instance = await HandOverAsync(app, dialog, new DialogMessage(2, DialogParty.Adviser, "Lost answer", DateTimeOffset.UtcNow, dialog.OperatorId));
        var ended = await Orchestrations(app).WaitForCompletionAsync(instance, Finish);
        // The adviser tries again: message 2 once more, whose first orchestration is over.
        await ApiSession.ReadAsync(await admin.PostAsync($"/api/dialogs/{dialog.Id}/replies", new { text = "Gerne, morgen um 10?", callCustomer = false }), HttpStatusCode.Created);

        var answer = await OutboxEntryAsync(admin, e => e.GetProperty("to").GetString() == "(hidden)" && Mentions(e, "Gerne, morgen um 10?"));
        Assert.Equal(("nothing to send", "timer"), (ended!.CustomStatus<DialogAlertProgress>()!.State, ended.CustomStatus<DialogAlertProgress>()!.HandOver));
        Assert.DoesNotContain((await admin.GetJsonAsync("/api/outbox")).EnumerateArray(), e => Mentions(e, "Lost answer"));
        Assert.Equal("email", answer.GetProperty("channel").GetString());
    }

    [Fact]
    public async Task When_the_orchestration_cannot_start_the_message_is_not_written_and_the_answer_is_503()
    {
        var azurite = await Azurite.SharedAsync();
        await using var queues = new PausableTcpProxy(azurite.QueuePort);
        await using var app = await ParleyApp.StartAsync(new()
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString.Replace($"127.0.0.1:{azurite.QueuePort}", $"127.0.0.1:{queues.Port}", StringComparison.Ordinal),
            ["Storage:NetworkTimeout"] = "00:00:02",
            ["Storage:MaxRetries"] = "0",
        });
        var (admin, me) = await SignUpAsync(app);
        var (key, _) = await SetUpAsync(admin, me, voice: false);

        queues.Sever(); // the durable engine's control queues are out of reach
        using var session = app.NewSession();
        using var response = await session.PostAsync($"/api/widget/{key}/dialogs", Wish("Hallo"));
        queues.Resume();

        var problem = await ApiSession.ReadAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Parley.Functions.Storage.StorageOutage.ProblemType, problem.GetProperty("type").GetString());
        Assert.Empty((await admin.GetJsonAsync("/api/dialogs")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_provider_outage_is_retried_after_its_retry_after_and_the_alert_is_sent_once()
    {
        await using var acs = await FakeAcs.StartAsync();
        var settings = acs.AppSettings();
        settings["Durable:Enabled"] = "true"; // the hand-over wait as in production: the writer's event wakes the orchestration
        await using var app = await ParleyApp.StartAsync(settings);
        var (admin, me) = await SignUpAsync(app);
        var (key, accountId) = await SetUpAsync(admin, me, voice: false); // e-mail only: the one channel meets every failure
        for (var i = 0; i < 4; i++)
        {
            acs.Failures.Enqueue((503, 1)); // the client's own retries, then it gives up: "try again in a second"
        }

        await StartAsync(app, key, Wish("Guten Tag"));
        var dialog = await FirstDialogAsync(app, admin, accountId);
        var id = $"{dialog.Id}|m1|email";
        var messages = app.Services.GetRequiredService<MessageStore>();
        var sent = await Poll.ForAsync("the alert e-mail is sent", () => messages.GetAsync(accountId, id, CancellationToken.None), m => m?.Status == MessageStatus.Sent, Finish);
        var done = await Orchestrations(app).WaitForCompletionAsync(DialogAlertOrchestrator.InstanceId(accountId, dialog.Id, 1), Finish);

        Assert.Equal(2, sent!.Attempts); // the outage, then the retry
        Assert.Single(acs.SentEmails);
        Assert.True(acs.Failures.IsEmpty);
        Assert.Equal("sent", done!.CustomStatus<DialogAlertProgress>()!.State);
        Assert.Empty(acs.SignatureFailures);
        Assert.Equal(TimeSpan.FromSeconds(30), Parley.Functions.Durable.ActivityRetry.ProviderBackoff(0));
        Assert.Equal(TimeSpan.FromHours(2), Parley.Functions.Durable.ActivityRetry.ProviderBackoff(DialogAlertOrchestrator.MaxAttempts - 1));
    }

    /// <summary>A widget start with a wished time in the future whatever the clock says (these apps run on real time).</summary>
    private static object Wish(string message) => new
    {
        mode = "wish", wishedDate = "2030-01-11", wishedTime = "10:00", timeZone = "UTC", keyword = "K", message, email = "customer@example.com", secretWord = "demo13", language = "en",
    };

    private static DialogStore Store(ParleyApp app) => app.Services.GetRequiredService<DialogStore>();

    /// <summary>A new account whose adviser is alerted by e-mail only, with one dialog the customer started.</summary>
    private static async Task<(ApiSession Admin, Dialog Dialog)> OpenDialogAsync(ParleyApp app)
    {
        var (admin, me) = await SignUpAsync(app);
        var (key, accountId) = await SetUpAsync(admin, me, voice: false);
        await StartAsync(app, key, Wish("Guten Tag"));
        return (admin, await FirstDialogAsync(app, admin, accountId));
    }

    /// <summary>Starts the alert orchestration of <paramref name="message"/> as <see cref="DialogService"/> does before its write; returns the instance id.</summary>
    private static async Task<string> HandOverAsync(ParleyApp app, Dialog dialog, DialogMessage message)
    {
        var instance = DialogAlertOrchestrator.InstanceId(dialog.AccountId, dialog.Id, message.Seq);
        Assert.True(await Orchestrations(app).StartAsync(nameof(DialogAlertOrchestrator), instance,
            new DialogAlertJob(new DialogAlert(dialog.AccountId, dialog.Id, message.Seq, false, DialogAlert.FingerprintOf(message)), TimeSpan.FromSeconds(2)), CancellationToken.None));
        return instance;
    }

    private static async Task<Dialog> FirstDialogAsync(ParleyApp app, ApiSession admin, string accountId)
    {
        var id = (await admin.GetJsonAsync("/api/dialogs")).GetProperty("items")[0].GetProperty("id").GetString()!;
        return (await Store(app).GetAsync(accountId, id, CancellationToken.None))!;
    }
}
