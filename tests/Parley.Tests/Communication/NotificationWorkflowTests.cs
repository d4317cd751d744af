using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Appointments;
using Parley.Functions.Durable;
using Parley.Functions.Accounts;
using Parley.Functions.Identity;
using Parley.Functions.Notifications;
using Parley.Functions.Notifications.Providers;
using Parley.Functions.Workflows;
using Parley.Testing;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Communication;

public sealed class NotificationWorkflowTests
{
    private static readonly string Tomorrow = DateTime.UtcNow.Date.AddDays(3).ToString("yyyy-MM-dd");

    [Fact]
    public async Task A_booked_appointment_reaches_the_outbox_by_sms_and_email_in_its_language_through_the_durable_engine()
    {
        await using var app = await ParleyApp.StartAsync(new() { ["Durable:Enabled"] = "true" });
        var (admin, me) = await SignUpAsync(app);
        var (appointment, _) = await BookAsync(admin, language: "de", pin: true);

        var messages = await WaitForAsync(admin, appointment.GetProperty("id").GetString()!, m => m.EnumerateArray().Count(x => x.GetProperty("kind").GetString() == "invitation" && x.GetProperty("status").GetString() == "sent") == 2);
        var reminders = messages.EnumerateArray().Where(m => m.GetProperty("kind").GetString() == "reminder").ToList();
        messages = JsonSerializer.SerializeToElement(messages.EnumerateArray().Where(m => m.GetProperty("kind").GetString() == "invitation"));
        var outbox = await admin.GetJsonAsync("/api/outbox");

        Assert.Equal(["email", "sms"], messages.EnumerateArray().Select(m => m.GetProperty("channel").GetString()).Order());
        var email = outbox.EnumerateArray().Single(e => e.GetProperty("channel").GetString() == "email");
        var sms = outbox.EnumerateArray().Single(e => e.GetProperty("channel").GetString() == "sms");
        Assert.StartsWith("Ihr Termin bei Kanzlei Beispiel am", email.GetProperty("subject").GetString());
        Assert.Contains(appointment.GetProperty("joinUrl").GetString()!.Split('#')[1], email.GetProperty("html").GetString());
        Assert.Contains("PIN " + appointment.GetProperty("pin").GetString(), sms.GetProperty("text").GetString());
        Assert.Equal("+491701234567", sms.GetProperty("to").GetString());
        Assert.Equal("anna@example.com", email.GetProperty("to").GetString());
        Assert.Equal("Kanzlei Beispiel", email.GetProperty("fromName").GetString());
        // The account's default reminders (a day and an hour before) wait in the reminder orchestration, one per channel.
        Assert.Equal(4, reminders.Count);
        Assert.All(reminders, r => Assert.Equal("scheduled", r.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Running_the_same_send_activity_twice_sends_once()
    {
        await using var app = await ParleyApp.StartAsync();
        var (admin, _) = await SignUpAsync(app);
        var (appointment, accountId) = await BookAsync(admin);
        var id = appointment.GetProperty("id").GetString()!;

        await SendAsync(app, accountId, id, 0); // an activity runs at least once: after a crash, twice
        await SendAsync(app, accountId, id, 0);

        var outbox = await admin.GetJsonAsync("/api/outbox");
        Assert.Equal(2, outbox.GetArrayLength());
        var messages = await admin.GetJsonAsync($"/api/appointments/{id}/messages");
        Assert.All(messages.EnumerateArray(), m => Assert.Equal(1, m.GetProperty("attempts").GetInt32()));
    }

    [Fact]
    public async Task A_cancellation_tells_the_customer_why_and_an_invitation_processed_after_it_is_not_sent()
    {
        await using var app = await ParleyApp.StartAsync();
        var (admin, _) = await SignUpAsync(app);
        var (appointment, accountId) = await BookAsync(admin);
        var id = appointment.GetProperty("id").GetString()!;
        await ApiSession.ReadAsync(await admin.PostAsync($"/api/appointments/{id}/cancel", new { reason = "The adviser is ill" }), HttpStatusCode.OK);

        await SendAsync(app, accountId, id, 1); // the cancellation
        await SendAsync(app, accountId, id, 0); // the invitation, its activity running late

        var outbox = (await admin.GetJsonAsync("/api/outbox")).EnumerateArray().ToList();
        Assert.Equal(2, outbox.Count);
        Assert.All(outbox, e => Assert.Contains("cancelled", (e.GetProperty("subject").GetString() + e.GetProperty("text").GetString()).ToLowerInvariant()));
        Assert.Contains(outbox, e => e.GetProperty("text").GetString()!.Contains("Reason: The adviser is ill", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_outage_at_the_provider_is_waited_out_with_its_retry_after_and_each_message_is_sent_once_when_it_recovers()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await ParleyApp.StartAsync(new(acs.AppSettings()) { ["Durable:Enabled"] = "true" });
        var (admin, _) = await SignUpAsync(app);
        for (var i = 0; i < 10_000; i++)
        {
            acs.Failures.Enqueue((503, 1));
        }
        var (appointment, _) = await BookAsync(admin);
        var id = appointment.GetProperty("id").GetString()!;

        var during = await WaitForAsync(admin, id, m => Invitations(m).Count == 2 && Invitations(m).All(x => x.GetProperty("reason").GetString()?.Contains("503", StringComparison.Ordinal) == true));
        acs.Failures.Clear();
        var after = await WaitForAsync(admin, id, m => Invitations(m).Count == 2 && Invitations(m).All(x => x.GetProperty("status").GetString() == "sent"));

        Assert.All(Invitations(during), m => Assert.Equal("sending", m.GetProperty("status").GetString()));
        Assert.All(Invitations(after), m => Assert.True(m.GetProperty("late").GetBoolean()));
        Assert.All(Invitations(after), m => Assert.True(m.GetProperty("attempts").GetInt32() >= 2));
        Assert.Single(acs.SentSms);
        Assert.Single(acs.SentEmails);
        Assert.Empty(acs.SignatureFailures);
    }

    private static List<JsonElement> Invitations(JsonElement messages) =>
        messages.EnumerateArray().Where(m => m.GetProperty("kind").GetString() == "invitation").ToList();

    [Fact]
    public async Task A_crash_between_the_provider_call_and_the_record_does_not_send_twice()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AcsAppAsync(acs);
        var (admin, _) = await SignUpAsync(app);
        var (appointment, accountId) = await BookAsync(admin);
        var id = appointment.GetProperty("id").GetString()!;
        // The first run reached ACS, then the worker died before recording "sent": replay exactly that provider call.
        var provider = app.Services.GetRequiredService<IMessageProvider>();
        await provider.SendAsync(new OutgoingMessage(accountId, $"{id}|h0|sms", MessageChannel.Sms, "+491701234567", null, "+4930123456", null, "", "first try", null, DateTimeOffset.UtcNow), CancellationToken.None);

        await SendAsync(app, accountId, id, 0);

        Assert.Single(acs.SentSms);
        Assert.Single(acs.SentEmails);
        Assert.All((await admin.GetJsonAsync($"/api/appointments/{id}/messages")).EnumerateArray(), m => Assert.Equal("sent", m.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task The_hand_over_delivers_what_a_lost_written_event_would_have_and_nothing_twice()
    {
        await using var app = await ParleyApp.StartAsync(new() { ["Durable:Enabled"] = "true", ["Notifications:HandOverWait"] = "00:00:03" });
        var (admin, _) = await SignUpAsync(app);
        var (lost, accountId) = await BookAsync(admin);
        var (delivered, _) = await BookAsync(admin, start: "11:00");
        var lostId = lost.GetProperty("id").GetString()!;
        var deliveredId = delivered.GetProperty("id").GetString()!;
        await WaitForAsync(admin, deliveredId, m => Invitations(m).Count(x => x.GetProperty("status").GetString() == "sent") == 2);
        await WaitForAsync(admin, lostId, m => Invitations(m).Count(x => x.GetProperty("status").GetString() == "sent") == 2);
        var workflow = app.Services.GetRequiredService<AppointmentMessages>();
        var orchestrations = app.Services.GetRequiredService<Orchestrations>();
        var store = app.Services.GetRequiredService<AppointmentStore>();
        var tenant = new Tenant(accountId, null, OperatorRole.Administrator, "test");

        // A cancellation written while its process dies before raising "written": the hand-over started before the
        // write still runs, after its wait. Plus hand-overs of a write that failed, and a repeat over a delivered entry.
        var cancelling = await workflow.HandOverAsync(accountId, lostId, 1, CancellationToken.None);
        await store.UpdateAsync(tenant, lostId, a => a with
        {
            Status = AppointmentStatus.Cancelled,
            History = [.. a.History, new HistoryEntry(DateTimeOffset.UtcNow, "cancelled", "test", null, null, "Moved abroad", null)],
        }, CancellationToken.None);
        var neverWritten = await workflow.HandOverAsync(accountId, "never-written", 0, CancellationToken.None);
        var repeat = await workflow.HandOverAsync(accountId, deliveredId, 0, CancellationToken.None);

        var results = new List<int>();
        foreach (var instance in new[] { cancelling, neverWritten, repeat })
        {
            var done = await orchestrations.WaitForCompletionAsync(instance, TimeSpan.FromSeconds(60));
            Assert.Equal(DurableTask.Core.OrchestrationStatus.Completed, done!.Status);
            results.Add(JsonSerializer.Deserialize<int>((await app.Services.GetRequiredService<DurableEngine>().Client.GetOrchestrationStateAsync(instance))!.Output));
        }

        Assert.Equal([1, 0, 0], results); // the cancellation's entry; nothing to do; the invitation was sent before
        var outbox = (await admin.GetJsonAsync("/api/outbox")).EnumerateArray().ToList();
        Assert.Equal(6, outbox.Count); // two invitations (2 each) and the cancellation (2)
        var lostMessages = (await admin.GetJsonAsync($"/api/appointments/{lostId}/messages")).EnumerateArray().ToList();
        Assert.Equal(2, lostMessages.Count(m => m.GetProperty("kind").GetString() == "cancellation" && m.GetProperty("status").GetString() == "sent"));
        Assert.All(Invitations(await admin.GetJsonAsync($"/api/appointments/{deliveredId}/messages")), m => Assert.Equal(1, m.GetProperty("attempts").GetInt32()));
    }

    [Fact]
    public async Task When_storage_cannot_take_the_hand_over_booking_is_refused_with_503_and_nothing_is_written()
    {
        var azurite = await Azurite.SharedAsync();
        await using var proxy = new PausableTcpProxy(azurite.QueuePort);
        await using var app = await ParleyApp.StartAsync(new()
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString.Replace($"127.0.0.1:{azurite.QueuePort}", $"127.0.0.1:{proxy.Port}", StringComparison.Ordinal),
            ["Storage:NetworkTimeout"] = "00:00:00.500",
            ["Storage:MaxRetries"] = "0",
        });
        var (admin, _) = await SignUpAsync(app);

        proxy.Pause();
        using var response = await admin.PostAsync("/api/appointments", new
        {
            @case = new { name = "Anna Müller", email = "anna@example.com" },
            start = $"{Tomorrow}T10:00", end = $"{Tomorrow}T10:30",
        });
        proxy.Resume();

        var problem = await ApiSession.ReadAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("nothing was saved", problem.GetProperty("detail").GetString());
        Assert.Empty((await admin.GetJsonAsync("/api/cases")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Delivery_reports_from_event_grid_mark_messages_delivered_or_failed_with_the_reason()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AcsAppAsync(acs);
        var (admin, _) = await SignUpAsync(app);
        var (appointment, accountId) = await BookAsync(admin);
        var id = appointment.GetProperty("id").GetString()!;
        await SendAsync(app, accountId, id, 0);
        var tag = acs.SentSms.Values.Single().GetProperty("smsSendOptions").GetProperty("tag").GetString()!;
        var operationId = acs.SentEmails.Keys.Single();

        // As Event Grid writes them into the delivery-reports queue: one event per message, Event Grid schema.
        await ReportAsync(app, $$$"""
            {"id":"1","eventType":"Microsoft.Communication.SMSDeliveryReportReceived","subject":"/phonenumber/15555555555","dataVersion":"1.0",
            "data":{"MessageId":"sms-x","From":"4930123456","To":"+491701234567","DeliveryStatus":"Delivered","DeliveryStatusDetails":"No error.","Tag":"{{{tag}}}",
            "ReceivedTimestamp":"2026-11-22T10:00:00Z","DeliveryAttempts":[{"Timestamp":"2026-11-22T10:00:00Z","SegmentsSucceeded":1,"SegmentsFailed":0}]}}
            """);
        await ReportAsync(app, $$$"""
            {"id":"2","eventType":"Microsoft.Communication.EmailDeliveryReportReceived","dataVersion":"1.0",
            "data":{"sender":"DoNotReply@parley.example","recipient":"anna@example.com","messageId":"{{{operationId}}}","status":"Bounced",
            "deliveryStatusDetails":{"statusMessage":"Mailbox does not exist"},"deliveryAttemptTimeStamp":"2026-11-22T10:00:00Z"}}
            """);
        await ReportAsync(app, """{"id":"3","eventType":"Microsoft.Communication.SMSDeliveryReportReceived","data":{"DeliveryStatus":"Failed","Tag":"someone-else/x|y|sms"}}""");
        await ReportAsync(app, $$$"""{"id":"4","eventType":"Microsoft.Communication.SMSDeliveryReportReceived","data":{"DeliveryStatus":"Failed","Tag":"{{{tag}}}"}}"""); // late and contradicting

        var messages = (await admin.GetJsonAsync($"/api/appointments/{id}/messages")).EnumerateArray().ToDictionary(m => m.GetProperty("channel").GetString()!);
        Assert.StartsWith(accountId + "/", tag);
        Assert.Equal("delivered", messages["sms"].GetProperty("status").GetString());
        Assert.Equal("failed", messages["email"].GetProperty("status").GetString());
        Assert.Equal("Not delivered: Mailbox does not exist", messages["email"].GetProperty("reason").GetString());
    }

    private static Task ReportAsync(ParleyApp app, string json) => app.RunQueueStepAsync(DeliveryReportQueueHandler.QueueName, json);

    [Fact]
    public async Task Choosing_communication_services_without_its_settings_fails_at_startup_naming_them()
    {
        var azurite = await Azurite.SharedAsync();
        await using var app = AppProcess.Start(new()
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{AppProcess.FreePort()}",
            ["Communication__Provider"] = "acs",
        });

        Assert.Equal(1, await app.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var line = Assert.Single(app.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Parley cannot start: ", line);
        Assert.Contains("Communication__ConnectionString", line);
        Assert.Contains("Communication__SmsFrom", line);
        Assert.Contains("Communication__CognitiveServicesEndpoint", line);
        Assert.Contains("App__PublicUrl", line);
    }

    private static Task<ParleyApp> AcsAppAsync(FakeAcs acs) => ParleyApp.StartAsync(acs.AppSettings());

    private static async Task<(JsonElement Appointment, string AccountId)> BookAsync(ApiSession admin, string language = "en", bool pin = false, string start = "10:00")
    {
        using var response = await admin.PostAsync("/api/appointments", new
        {
            @case = new { name = "Anna Müller", email = "anna@example.com", phone = "+49 170 1234567" },
            start = $"{Tomorrow}T{start}", end = $"{Tomorrow}T{start[..2]}:30", invitation = new { language }, pinProtected = pin,
        });
        var body = await ApiSession.ReadAsync(response, HttpStatusCode.Created);
        var me = await admin.GetJsonAsync("/api/me");
        return (body.GetProperty("appointment"), me.GetProperty("account").GetProperty("id").GetString()!);
    }

    /// <summary>Runs the send activity of a history entry on both channels, as the engine would.</summary>
    private static async Task SendAsync(ParleyApp app, string accountId, string appointmentId, int index)
    {
        var activity = app.Services.GetRequiredService<SendAppointmentMessageActivity>();
        foreach (var channel in new[] { MessageChannel.Email, MessageChannel.Sms })
        {
            await activity.RunAsync(null!, new EntryMessage(accountId, appointmentId, index, channel, 0));
        }
    }

    private static async Task<JsonElement> WaitForAsync(ApiSession session, string appointmentId, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var messages = await session.GetJsonAsync($"/api/appointments/{appointmentId}/messages");
            if (done(messages) || DateTime.UtcNow > deadline)
            {
                return messages;
            }
            await Task.Delay(100);
        }
    }
}
