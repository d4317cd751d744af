using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Notifications;
using Parley.Functions.Notifications.Providers;
using Azure.Data.Tables;
using Parley.Functions.Storage;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Dialogs;

/// <summary>
/// Seed 004: advisers never see the customer's e-mail or numbers — also after a dialog has become a case with an
/// appointment. The case keeps the contact data hidden; the invitation still reaches the customer.
/// </summary>
public sealed class DialogConversionPrivacyTests
{
    private const string CustomerEmail = "claire.lyon@example.com";
    private const string CustomerCall = "+33612345678";
    private const string CustomerSms = "+33698765432";
    private const string Keyword = "Claire de Lyon";
    private static readonly string[] Secrets = [CustomerEmail, "claire.lyon", CustomerCall, CustomerSms, "612345678", "698765432"];

    [Fact]
    public async Task A_case_made_from_a_dialog_hides_the_customers_contact_data_from_everyone_yet_the_invitation_reaches_the_customer()
    {
        var logs = new CapturedLogs();
        await using var app = await ParleyApp.StartAsync(
            settings: new() { ["Logging:LogLevel:Default"] = "Information" },
            services: s => s.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs));
        var (admin, me) = await SignUpAsync(app);
        var accountId = me.GetProperty("account").GetProperty("id").GetString()!;
        await ApiSession.ReadAsync(await admin.PostAsync("/api/dialog-settings/secret-words", new { word = "lyon2026" }), HttpStatusCode.Created);
        var (operatorId, operatorEmail) = await AddOperatorAsync(admin, app);
        using var adviser = await SignInAsync(app, operatorEmail);
        var apiKey = (await ApiSession.ReadAsync(await admin.PostAsync("/api/api-keys", new { name = "reader" }), HttpStatusCode.Created)).GetProperty("key").GetString()!;
        using var integration = app.NewSession(dashboardHeader: false);
        integration.UseApiKey(apiKey);

        // A French-speaking customer leaves a message on the (plain) operator's button with all three channels.
        using (var customer = app.NewSession())
        {
            await ApiSession.ReadAsync(await customer.PostAsync($"/api/widget/{accountId}-{operatorId}/dialogs", new
            {
                mode = "wish", wishedDate = DateTime.UtcNow.Date.AddDays(3).ToString("yyyy-MM-dd"), wishedTime = "10:00", timeZone = "Europe/Paris",
                keyword = Keyword, message = "Je voudrais un rendez-vous.", email = CustomerEmail, callPhone = CustomerCall, smsPhone = CustomerSms,
                secretWord = "lyon2026", language = "fr",
            }), HttpStatusCode.Created);
        }
        var dialog = (await adviser.GetJsonAsync("/api/dialogs")).GetProperty("items")[0];
        var dialogId = dialog.GetProperty("id").GetString()!;
        var pseudonym = dialog.GetProperty("customerId").GetString()!;
        var day = DateTime.UtcNow.Date.AddDays(5).ToString("yyyy-MM-dd");

        // The operator (not an administrator) converts it, with the invitation by e-mail and SMS.
        var converted = await ApiSession.ReadAsync(await adviser.PostAsync($"/api/dialogs/{dialogId}/convert",
            new { start = $"{day}T10:00", end = $"{day}T10:30", timeZone = "Europe/Paris", invitation = new { sms = true, email = true } }), HttpStatusCode.Created);
        var caseId = converted.GetProperty("caseId").GetString()!;
        var appointmentId = converted.GetProperty("appointmentId").GetString()!;
        var send = app.Services.GetRequiredService<SendAppointmentMessageActivity>(); // the invitation's activity, as the engine runs it
        foreach (var channel in new[] { Parley.Functions.Notifications.Providers.MessageChannel.Email, Parley.Functions.Notifications.Providers.MessageChannel.Sms })
        {
            await send.RunAsync(null!, new EntryMessage(accountId, appointmentId, 0, channel, 0));
        }

        // The case says where the contact came from and which channels exist, never an address; its origin is the dialog.
        var c = await adviser.GetJsonAsync($"/api/cases/{caseId}");
        Assert.Equal("dialog", c.GetProperty("origin").GetString());
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), (c.GetProperty("email").ValueKind, c.GetProperty("phone").ValueKind));
        Assert.Equal(pseudonym, c.GetProperty("contactHidden").GetProperty("fromDialogCustomer").GetString());
        Assert.Equal(["email", "sms", "call"], c.GetProperty("contactHidden").GetProperty("channels").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("fr", c.GetProperty("language").GetString());

        // The invitation reached the customer's own e-mail and SMS number (never the call number), greeting neutrally in French.
        var delivered = await OutboxAsync(app, accountId);
        var mail = Assert.Single(delivered, m => m.To == CustomerEmail);
        var sms = Assert.Single(delivered, m => m.To == CustomerSms);
        Assert.DoesNotContain(delivered, m => m.To == CustomerCall);
        Assert.Equal(("Email", "Sms"), (mail.Channel, sms.Channel));
        Assert.StartsWith("Bonjour,", mail.Text);
        Assert.Null(mail.ToName);
        foreach (var text in new[] { mail.Text, mail.Html, sms.Text, mail.Subject })
        {
            Assert.DoesNotContain(pseudonym, text);
            Assert.DoesNotContain(Keyword, text);
        }

        // Trying to read or overwrite the addresses gets nothing.
        using var overwrite = await adviser.PatchAsync($"/api/cases/{caseId}", new { email = "mine@example.com" });
        Assert.Equal(HttpStatusCode.BadRequest, overwrite.StatusCode);
        using var rebook = await admin.PostAsync($"/api/cases/{caseId}/appointments", new { start = $"{day}T14:00", end = $"{day}T14:30", phone = "+33600000000" });
        Assert.Equal(HttpStatusCode.BadRequest, rebook.StatusCode);
        foreach (var reader in new[] { adviser, admin, integration })
        {
            Assert.Empty((await reader.GetJsonAsync($"/api/cases?q={Uri.EscapeDataString(CustomerEmail)}")).GetProperty("items").EnumerateArray());
            Assert.Empty((await reader.GetJsonAsync("/api/cases?q=claire.lyon")).GetProperty("items").EnumerateArray());
            Assert.Single((await reader.GetJsonAsync($"/api/cases?q={pseudonym}")).GetProperty("items").EnumerateArray());
            var messages = await reader.GetJsonAsync($"/api/appointments/{appointmentId}/messages");
            Assert.Equal(2, messages.GetArrayLength());
            Assert.All(messages.EnumerateArray(), m => Assert.Equal("(hidden)", m.GetProperty("to").GetString()));
        }

        // Every GET route of the app, as the operator, the administrator and the API key, with this case's, appointment's
        // and dialog's ids: the e-mail and numbers appear nowhere (the route table keeps new routes in this sweep).
        var read = new List<string>();
        foreach (var (who, reader) in new[] { ("operator", adviser), ("administrator", admin), ("api key", integration) })
        {
            foreach (var path in GetPaths(app, [caseId, appointmentId, dialogId], day))
            {
                using var response = await reader.GetAsync(path);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    read.Add($"{who} {path}");
                }
                foreach (var secret in Secrets)
                {
                    Assert.False(body.Contains(secret, StringComparison.OrdinalIgnoreCase), $"{who}: GET {path} shows {secret}");
                }
            }
        }
        foreach (var expected in new[] { "/api/cases", $"/api/cases/{caseId}", $"/api/appointments/{appointmentId}", "/api/appointments?", $"/api/cases/{caseId}/appointments", "/api/outbox" })
        {
            Assert.Contains(read, r => r.StartsWith("administrator " + expected, StringComparison.Ordinal));
        }
        Assert.Contains(read, r => r.StartsWith($"operator /api/cases/{caseId}", StringComparison.Ordinal));
        Assert.Contains(read, r => r.StartsWith($"api key /api/cases/{caseId}", StringComparison.Ordinal));

        // Nor does any log line.
        Assert.NotEmpty(logs.Entries);
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(logs.Entries, l => l.Text.Contains(secret, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>Every parameterless GET route, and every GET route with one id filled with each of <paramref name="ids"/>.</summary>
    private static IEnumerable<string> GetPaths(ParleyApp app, string[] ids, string day)
    {
        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(e => "/" + e.RoutePattern.RawText!.Trim('/'))
            .Where(r => r.StartsWith("/api/", StringComparison.Ordinal) || r.StartsWith("/cases", StringComparison.Ordinal))
            .Distinct();
        foreach (var route in routes)
        {
            var parameters = System.Text.RegularExpressions.Regex.Matches(route, @"\{[^}]+\}");
            if (parameters.Count == 0)
            {
                yield return route == "/api/appointments" ? $"{route}?from={day}T00:00:00Z&to={day}T23:59:59Z" : route;
            }
            else if (parameters.Count == 1)
            {
                foreach (var id in ids)
                {
                    yield return route.Replace(parameters[0].Value, id, StringComparison.Ordinal);
                }
            }
        }
    }

    private static async Task<List<(string To, string Channel, string? ToName, string Subject, string Text, string Html)>> OutboxAsync(ParleyApp app, string accountId)
    {
        var list = new List<(string, string, string?, string, string, string)>();
        await foreach (var e in app.Storage.GetTableClient(OutboxProvider.TableName).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {accountId}")))
        {
            list.Add((e.GetString("To")!, e.GetString("Channel")!, e.GetString("ToName"), e.GetString("Subject") ?? "", e.GetString("Text") ?? "", e.GetString("Html") ?? ""));
        }
        return list;
    }
}
