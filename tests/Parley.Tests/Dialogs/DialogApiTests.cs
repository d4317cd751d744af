using Azure.Data.Tables;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Calls;
using Parley.Functions.Dialogs;
using Parley.Functions.Durable;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Dialogs;

/// <summary>The dialog story through the API, with the outbox as provider; where a test is about alerts, the durable engine sends them.</summary>
public sealed class DialogApiTests
{
    private const string CustomerEmail = "petra.koeln@example.com";
    private const string CustomerCall = "+491701112233";
    private const string CustomerSms = "+491704445566";
    private const string AdviserVoice = "+491709998877";
    internal const string AdviserAlertEmail = "alerts.adviser@example.com";

    [Fact]
    public async Task A_dialog_goes_back_and_forth_and_neither_side_sees_the_others_contact_data()
    {
        var clock = new TestClock(Now);
        await using var app = await StartAppAsync(clock: clock, durable: true);
        var (admin, me) = await SignUpAsync(app);
        var (key, accountId) = await SetUpAsync(admin, me);

        var (status, body) = await StartAsync(app, key, Start(email: CustomerEmail));
        var again = await StartAsync(app, key, Start(email: " Petra.Koeln@Example.com ", message: "Second dialog"));
        var other = await StartAsync(app, key, Start(email: "someone.else@example.com"));

        Assert.Equal(HttpStatusCode.Created, status);
        var customerId = body.GetProperty("customerId").GetString()!;
        Assert.Matches("^[A-Z]{5}$", customerId);
        Assert.Equal(customerId, again.Body.GetProperty("customerId").GetString());
        Assert.NotEqual(customerId, other.Body.GetProperty("customerId").GetString());

        var inbox = await admin.GetJsonAsync("/api/dialogs");
        var row = inbox.GetProperty("items").EnumerateArray().Last(); // newest first: the first dialog is last
        var id = row.GetProperty("id").GetString()!;
        Assert.Equal(3, inbox.GetProperty("items").GetArrayLength());
        Assert.Equal(("red", true, "Petra aus Köln"), (row.GetProperty("lastMessageColor").GetString(), row.GetProperty("needsAnswer").GetBoolean(), row.GetProperty("keyword").GetString()));

        // The first message alerts the adviser by e-mail and by a call (the durable engine runs the alert).
        var alert = await OutboxEntryAsync(admin, e => e.GetProperty("to").GetString() == AdviserAlertEmail && Mentions(e, $"/dialogs/{id}"));
        var handOver = await Orchestrations(app).WaitForCompletionAsync(DialogAlertOrchestrator.InstanceId(accountId, id, 1), Finish);
        var progress = handOver!.CustomStatus<DialogAlertProgress>()!;
        Assert.Equal(("sent", "event"), (progress.State, progress.HandOver)); // woken by the writer's event, not by the timer
        Assert.Single((await admin.GetJsonAsync("/api/outbox")).EnumerateArray(), e => e.GetProperty("to").GetString() == AdviserAlertEmail && Mentions(e, $"/dialogs/{id}"));
        Assert.Contains(customerId, alert.GetProperty("subject").GetString());
        var alertCall = await CallAsync(app, accountId, $"dlg-{id}-alert");
        Assert.Equal((AdviserVoice, "Ein Kunde hat Ihnen eine Nachricht per E-Mail hinterlassen."), (alertCall.To, alertCall.Text)); // the adviser chose German

        // The adviser answers and has the customer called.
        using var reply = await admin.PostAsync($"/api/dialogs/{id}/replies", new { text = "Gerne, morgen um 10?", callCustomer = true });
        var detail = await ApiSession.ReadAsync(reply, HttpStatusCode.Created);
        Assert.Equal("green", detail.GetProperty("lastMessageColor").GetString());
        // The outbox page hides the customer's address as every other screen does; the provider got the real one.
        var answer = await OutboxEntryAsync(admin, e => e.GetProperty("to").GetString() == "(hidden)" && e.GetProperty("channel").GetString() == "email");
        Assert.Equal(CustomerEmail, await OutboxRecipientAsync(app, accountId, answer.GetProperty("id").GetString()!));
        Assert.Contains("Gerne, morgen um 10?", answer.GetProperty("text").GetString());
        Assert.Contains("Ich hätte gern einen Termin", answer.GetProperty("text").GetString()); // the whole dialog
        var customerCall = await CallAsync(app, accountId, $"dlg-{id}-m2-call");
        Assert.Equal(CustomerCall, customerCall.To);
        Assert.Equal("An adviser has left you a message by e-mail.", customerCall.Text); // the customer wrote in English

        // The customer opens the link from the e-mail and answers; the adviser is e-mailed, not called.
        var token = answer.GetProperty("text").GetString()!.Split("/reply#")[1].Split(['\n', ' '])[0];
        using var customer = app.NewSession();
        var thread = await ApiSession.ReadAsync(await customer.PostAsync("/api/dialog-thread", new { token }), HttpStatusCode.OK);
        Assert.Equal(2, thread.GetProperty("messages").GetArrayLength());
        var afterReply = await ApiSession.ReadAsync(await customer.PostAsync("/api/dialog-thread/replies", new { token, text = "Passt, danke!" }), HttpStatusCode.Created);
        await OutboxEntryAsync(admin, e => e.GetProperty("to").GetString() == AdviserAlertEmail && Mentions(e, "Passt, danke!"));
        await Orchestrations(app).WaitForCompletionAsync(DialogAlertOrchestrator.InstanceId(accountId, id, 3), Finish);
        var adviserMails = (await admin.GetJsonAsync("/api/outbox")).EnumerateArray().Where(e => e.GetProperty("to").GetString() == AdviserAlertEmail && Mentions(e, $"/dialogs/{id}")).ToList();
        Assert.Equal(2, adviserMails.Count);
        // Every call asked for in this dialog: the adviser's alert (first message only) and the one the adviser ticked.
        var calls = new List<string>();
        await foreach (var callRow in app.Storage.GetTableClient(CallStore.TableName).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {accountId}")))
        {
            calls.Add(callRow.RowKey);
        }
        Assert.Equal([$"dlg-{id}-alert", $"dlg-{id}-m2-call"], calls.Where(c => c.StartsWith($"dlg-{id}-", StringComparison.Ordinal)).Order());
        var black = await admin.GetJsonAsync($"/api/dialogs/{id}");
        Assert.Equal("black", black.GetProperty("lastMessageColor").GetString());
        Assert.Equal(3, black.GetProperty("messages").GetArrayLength());

        // Privacy: the adviser's answers never hold the customer's contact data; the customer's never the adviser's.
        var adviserSide = (await admin.GetJsonAsync("/api/dialogs")).GetRawText() + black.GetRawText() + detail.GetRawText();
        foreach (var secret in new[] { "petra.koeln", CustomerCall, CustomerSms, "1701112233" })
        {
            Assert.DoesNotContain(secret, adviserSide, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(secret, alert.GetRawText(), StringComparison.OrdinalIgnoreCase);
        }
        var customerSide = thread.GetRawText() + afterReply.GetRawText() + answer.GetProperty("text").GetString() + answer.GetProperty("html").GetString();
        foreach (var secret in new[] { AdviserAlertEmail, AdviserVoice, me.GetProperty("operator").GetProperty("email").GetString()! })
        {
            Assert.DoesNotContain(secret, customerSide, StringComparison.OrdinalIgnoreCase);
        }

        // The available-until time turns red once it has passed (injected clock).
        Assert.False(black.GetProperty("availableUntilPast").GetBoolean());
        clock.Advance(TimeSpan.FromHours(3));
        Assert.True((await admin.GetJsonAsync($"/api/dialogs/{id}")).GetProperty("availableUntilPast").GetBoolean());

        // Closing revokes the link for replies.
        await ApiSession.ReadAsync(await admin.PostAsync($"/api/dialogs/{id}/close", new { }), HttpStatusCode.OK);
        var closed = await ApiSession.ReadAsync(await customer.PostAsync("/api/dialog-thread", new { token }), HttpStatusCode.OK);
        Assert.True(closed.GetProperty("closed").GetBoolean());
        using var late = await customer.PostAsync("/api/dialog-thread/replies", new { token, text = "Noch etwas" });
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        using var forged = await customer.PostAsync("/api/dialog-thread", new { token = token[..^4] + "AAAA" });
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
    }

    [Fact]
    public async Task A_wrong_secret_word_an_unknown_adviser_and_an_inactive_adviser_look_the_same()
    {
        await using var app = await StartAppAsync();
        var (admin, me) = await SignUpAsync(app);
        var (key, accountId) = await SetUpAsync(admin, me);
        var (operatorId, _) = await AddOperatorAsync(admin, app);
        await ApiSession.ReadAsync(await admin.DeleteAsync($"/api/operators/{operatorId}"), HttpStatusCode.NoContent);

        var wrongWord = await StartAsync(app, key, Start(secretWord: "demo14"));
        var unknown = await StartAsync(app, $"{accountId}-aaaaaaaaaaaaaaaa", Start());
        var inactive = await StartAsync(app, $"{accountId}-{operatorId}", Start());
        var retired = await RetireAndStartAsync(app, admin, key);

        foreach (var (status, body) in new[] { wrongWord, unknown, inactive, retired })
        {
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.Equal(WithoutTrace(wrongWord.Body), WithoutTrace(body));
        }
        Assert.Empty((await admin.GetJsonAsync("/api/dialogs")).GetProperty("items").EnumerateArray());
        // What the widget frame asks first does not tell advisers apart either.
        using var anonymous = app.NewSession();
        var configs = new List<string>();
        foreach (var k in new[] { key, $"{accountId}-aaaaaaaaaaaaaaaa", $"{accountId}-{operatorId}" })
        {
            configs.Add((await anonymous.GetJsonAsync($"/api/widget/{k}")).GetRawText());
        }
        Assert.Single(configs.Distinct());
    }

    [Fact]
    public async Task Bad_input_gets_field_errors_and_too_many_dialogs_from_one_e_mail_are_refused()
    {
        await using var app = await StartAppAsync(new() { ["RateLimits:DialogStartEmail:Limit"] = "2" });
        var (admin, me) = await SignUpAsync(app);
        var (key, _) = await SetUpAsync(admin, me);

        var invalid = await StartAsync(app, key, new
        {
            mode = "wish", wishedDate = "2020-01-01", wishedTime = "10:00", timeZone = "Europe/Berlin", keyword = "", message = new string('x', 501),
            email = "not-an-email", callPhone = "0170", smsPhone = (string?)null, secretWord = "demo13", language = "en",
        });
        var first = await StartAsync(app, key, Start());
        var second = await StartAsync(app, key, Start());
        var third = await StartAsync(app, key, Start());

        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        var errors = invalid.Body.GetProperty("errors");
        Assert.Equal(["callPhone", "email", "keyword", "message", "wishedDate"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests), (first.Status, second.Status, third.Status));
    }

    [Fact]
    public async Task Advisers_see_only_their_own_dialogs_and_other_accounts_see_none()
    {
        await using var app = await StartAppAsync();
        var (admin, me) = await SignUpAsync(app);
        var (key, accountId) = await SetUpAsync(admin, me);
        var (operatorId, operatorEmail) = await AddOperatorAsync(admin, app);
        await StartAsync(app, key, Start(keyword: "for the admin"));
        await StartAsync(app, $"{accountId}-{operatorId}", Start(keyword: "for Otto"));
        using var otto = await SignInAsync(app, operatorEmail);
        var (stranger, _) = await SignUpAsync(app);

        var adminRows = (await admin.GetJsonAsync("/api/dialogs")).GetProperty("items").EnumerateArray().ToList();
        var ottoRows = (await otto.GetJsonAsync("/api/dialogs")).GetProperty("items").EnumerateArray().ToList();
        var adminsDialog = adminRows.Single(r => r.GetProperty("keyword").GetString() == "for the admin").GetProperty("id").GetString();

        Assert.Equal(2, adminRows.Count);
        Assert.Equal("for Otto", Assert.Single(ottoRows).GetProperty("keyword").GetString());
        Assert.Equal("201", ottoRows[0].GetProperty("lineId").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await otto.GetAsync($"/api/dialogs/{adminsDialog}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/dialogs/{adminsDialog}")).StatusCode);
        Assert.Empty((await stranger.GetJsonAsync("/api/dialogs")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_dialog_becomes_a_case_with_an_appointment_in_one_action()
    {
        await using var app = await StartAppAsync();
        var (admin, me) = await SignUpAsync(app);
        var (key, _) = await SetUpAsync(admin, me);
        await StartAsync(app, key, Start());
        var id = (await admin.GetJsonAsync("/api/dialogs")).GetProperty("items")[0].GetProperty("id").GetString()!;
        var day = Now.AddDays(5).ToString("yyyy-MM-dd");

        using var response = await admin.PostAsync($"/api/dialogs/{id}/convert", new { start = $"{day}T10:00", end = $"{day}T10:30" });
        var created = await ApiSession.ReadAsync(response, HttpStatusCode.Created);

        Assert.DoesNotContain("petra", created.GetRawText(), StringComparison.OrdinalIgnoreCase);
        var c = await admin.GetJsonAsync($"/api/cases/{created.GetProperty("caseId").GetString()}");
        Assert.StartsWith(JsonDocument.Parse((await admin.GetJsonAsync($"/api/dialogs/{id}")).GetRawText()).RootElement.GetProperty("customerId").GetString()!,
            c.GetProperty("name").GetString());
        var appointment = await admin.GetJsonAsync($"/api/appointments/{created.GetProperty("appointmentId").GetString()}");
        Assert.Equal("scheduled", appointment.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Remembered_details_live_in_a_sealed_partitioned_cookie_without_the_secret_word_unless_asked()
    {
        await using var app = await StartAppAsync();
        var (admin, me) = await SignUpAsync(app);
        var (key, _) = await SetUpAsync(admin, me);
        using var device = app.NewSession();

        using var started = await device.PostAsync($"/api/widget/{key}/dialogs", new
        {
            mode = "until", availableUntil = LaterToday(), timeZone = "UTC", keyword = "Petra aus Köln", message = "Hallo", email = CustomerEmail,
            callPhone = CustomerCall, secretWord = "demo13", language = "de", remember = true, rememberSecretWord = false,
        });
        await ApiSession.ReadAsync(started, HttpStatusCode.Created);
        var cookie = started.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("parley.widget-memory=", StringComparison.Ordinal));
        var remembered = (await device.GetJsonAsync($"/api/widget/{key}")).GetProperty("remembered");
        using var forget = await device.DeleteAsync("/api/widget-memory");
        var afterForget = (await device.GetJsonAsync($"/api/widget/{key}")).GetProperty("remembered");

        foreach (var attribute in new[] { "httponly", "secure", "samesite=none", "partitioned", "path=/api/" })
        {
            Assert.Contains(attribute, cookie.ToLowerInvariant());
        }
        Assert.DoesNotContain("petra", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal((CustomerEmail, CustomerCall, JsonValueKind.Null), (remembered.GetProperty("email").GetString(), remembered.GetProperty("callPhone").GetString(), remembered.GetProperty("secretWord").ValueKind));
        Assert.Equal(JsonValueKind.Null, afterForget.ValueKind);
    }

    [Fact]
    public async Task Sms_alerts_reach_the_adviser_and_answers_reach_the_customer_when_switched_on()
    {
        await using var app = await StartAppAsync(durable: true);
        var (admin, me) = await SignUpAsync(app);
        var (key, accountId) = await SetUpAsync(admin, me);
        await ApiSession.ReadAsync(await admin.PutAsync("/api/me/dialog-alerts", new
        {
            email = AdviserAlertEmail, emailOn = false, voicePhone = (string?)null, voiceOn = false, smsPhone = "+49 170 7776655", smsOn = true,
        }), HttpStatusCode.OK);
        await ApiSession.ReadAsync(await admin.PutAsync("/api/dialog-settings", new
        {
            maxMessageLength = 300, callerId = "+49 30 555555", widgetText = "Terminwunsch", widgetColor = "#0F766E", smsToCustomers = true,
        }), HttpStatusCode.OK);
        await StartAsync(app, key, Start());
        var id = (await admin.GetJsonAsync("/api/dialogs")).GetProperty("items")[0].GetProperty("id").GetString()!;

        var adviserSms = await OutboxEntryAsync(admin, e => e.GetProperty("to").GetString() == "+491707776655");
        await ApiSession.ReadAsync(await admin.PostAsync($"/api/dialogs/{id}/replies", new { text = "Gerne.", callCustomer = false }), HttpStatusCode.Created);
        var customerSms = await OutboxEntryAsync(admin, e => e.GetProperty("to").GetString() == "(hidden)" && e.GetProperty("channel").GetString() == "sms");
        await Orchestrations(app).WaitForCompletionAsync(DialogAlertOrchestrator.InstanceId(accountId, id, 1), Finish);

        var outbox = (await admin.GetJsonAsync("/api/outbox")).EnumerateArray().ToList();
        Assert.Equal("sms", adviserSms.GetProperty("channel").GetString());
        Assert.Contains($"/dialogs/{id}", adviserSms.GetProperty("text").GetString());
        Assert.DoesNotContain(outbox, e => e.GetProperty("to").GetString() == AdviserAlertEmail); // e-mail alerts switched off
        Assert.Equal(CustomerSms, await OutboxRecipientAsync(app, accountId, customerSms.GetProperty("id").GetString()!));
        Assert.Null(await app.Services.GetRequiredService<CallService>().GetAsync(accountId, $"dlg-{id}-alert", CancellationToken.None)); // voice off
        var settings = await admin.GetJsonAsync("/api/dialog-settings");
        Assert.Equal(("+4930555555", "#0f766e", 300), (settings.GetProperty("callerId").GetString(), settings.GetProperty("widgetColor").GetString(), settings.GetProperty("maxMessageLength").GetInt32()));
        using var tooLong = await app.NewSession().PostAsync($"/api/widget/{key}/dialogs", Start(message: new string('x', 301)));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
    }

    // ---- helpers ----

    private static string WithoutTrace(JsonElement problem) =>
        string.Join(";", problem.EnumerateObject().Where(p => p.Name != "traceId").Select(p => $"{p.Name}={p.Value.GetRawText()}"));

    /// <summary>A secret word, the admin's own alert settings (German, e-mail and — unless not wanted — voice on); returns the admin's widget key.</summary>
    internal static async Task<(string Key, string AccountId)> SetUpAsync(ApiSession admin, JsonElement me, bool voice = true)
    {
        await ApiSession.ReadAsync(await admin.PostAsync("/api/dialog-settings/secret-words", new { word = "demo13" }), HttpStatusCode.Created);
        await ApiSession.ReadAsync(await admin.PatchAsync("/api/me", new { language = "de" }), HttpStatusCode.OK);
        var alerts = await ApiSession.ReadAsync(await admin.PutAsync("/api/me/dialog-alerts", new
        {
            email = AdviserAlertEmail, emailOn = true, voicePhone = "+49 170 9998877", voiceOn = voice, smsPhone = (string?)null, smsOn = false,
        }), HttpStatusCode.OK);
        return (alerts.GetProperty("widgetKey").GetString()!, me.GetProperty("account").GetProperty("id").GetString()!);
    }

    private static object Start(string email = CustomerEmail, string message = "Ich hätte gern einen Termin.", string secretWord = "demo13", string keyword = "Petra aus Köln") => new
    {
        mode = "until", availableUntil = LaterToday(), timeZone = "UTC", keyword, message, email, callPhone = CustomerCall, smsPhone = CustomerSms, secretWord, language = "en",
    };

    /// <summary>An "available until" time two hours after the app's "now" (<see cref="Now"/>), on the same day.</summary>
    private static string LaterToday() => Now.AddHours(2).ToString("HH:mm");

    /// <summary>The app's "now": 09:00 UTC on a fixed day, so "later today" is never past midnight whenever the test runs.</summary>
    private static readonly DateTimeOffset Now = new(2027, 1, 5, 9, 0, 0, TimeSpan.Zero);

    /// <summary>The app on <see cref="Now"/>; <paramref name="durable"/> runs the alert orchestrations (the other tests leave them waiting in storage).</summary>
    private static Task<ParleyApp> StartAppAsync(Dictionary<string, string?>? settings = null, TestClock? clock = null, bool durable = false)
    {
        settings ??= [];
        settings["Durable:Enabled"] = durable ? "true" : "false";
        return ParleyApp.StartAsync(settings, s => s.AddSingleton<TimeProvider>(clock ?? new TestClock(Now)));
    }

    internal static readonly TimeSpan Finish = TimeSpan.FromSeconds(90);

    internal static Orchestrations Orchestrations(ParleyApp app) => app.Services.GetRequiredService<Orchestrations>();

    internal static bool Mentions(JsonElement outboxEntry, string text) => outboxEntry.GetProperty("text").GetString()!.Contains(text, StringComparison.Ordinal);

    /// <summary>Waits until the developer outbox holds a message that matches, and returns it.</summary>
    internal static async Task<JsonElement> OutboxEntryAsync(ApiSession admin, Func<JsonElement, bool> match) =>
        (await Poll.ForAsync("the outbox has the message", async () => (await admin.GetJsonAsync("/api/outbox")).EnumerateArray().FirstOrDefault(match),
            e => e.ValueKind != JsonValueKind.Undefined, Finish));

    /// <summary>Waits until the call was asked for, and returns it.</summary>
    private static async Task<CallRecord> CallAsync(ParleyApp app, string accountId, string callId) =>
        (await Poll.ForAsync($"call {callId} is asked for", () => app.Services.GetRequiredService<CallService>().GetAsync(accountId, callId, CancellationToken.None), c => c is not null, Finish))!;

    internal static async Task<(HttpStatusCode Status, JsonElement Body)> StartAsync(ParleyApp app, string key, object body)
    {
        using var session = app.NewSession();
        using var response = await session.PostAsync($"/api/widget/{key}/dialogs", body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone());
    }

    private static async Task<(HttpStatusCode, JsonElement)> RetireAndStartAsync(ParleyApp app, ApiSession admin, string key)
    {
        await ApiSession.ReadAsync(await admin.PostAsync("/api/dialog-settings/secret-words", new { word = "winter26" }), HttpStatusCode.Created);
        var word = (await admin.GetJsonAsync("/api/dialog-settings")).GetProperty("secretWords").EnumerateArray().Single(w => w.GetProperty("word").GetString() == "winter26");
        await ApiSession.ReadAsync(await admin.DeleteAsync($"/api/dialog-settings/secret-words/{word.GetProperty("id").GetString()}"), HttpStatusCode.OK);
        var (status, body) = await StartAsync(app, key, Start(secretWord: "winter26"));
        return (status, body);
    }

    /// <summary>Where the outbox provider delivered a message (the page itself shows customers' addresses as hidden).</summary>
    internal static async Task<string?> OutboxRecipientAsync(ParleyApp app, string accountId, string id) =>
        (await app.Storage.GetTableClient(Parley.Functions.Notifications.Providers.OutboxProvider.TableName).GetEntityIfExistsAsync<TableEntity>(accountId, id)).Value?.GetString("To");
}
