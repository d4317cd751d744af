using System.Net;
using Parley.Tests.Dialogs;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Webhooks;

/// <summary>
/// An endpoint whose deliveries keep failing is disabled once it failed for <c>Webhooks__DisableAfter</c> (5 days in
/// production; 2 s here) and the account's administrators are told by e-mail; enabling it again starts afresh.
/// </summary>
public sealed class WebhookDisableTests
{
    [Fact]
    public async Task An_endpoint_failing_for_the_whole_window_is_disabled_and_the_administrators_get_an_email()
    {
        await using var receiver = await FakeHttpServer.StartAsync((context, _) =>
        {
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        });
        await using var app = await ParleyApp.StartAsync(new()
        {
            ["Durable:Enabled"] = "true",
            ["Webhooks:AllowLoopback"] = "true",
            ["Webhooks:RetrySchedule"] = "00:00:00," + string.Join(",", Enumerable.Repeat("00:00:02", 11)),
            ["Webhooks:DisableAfter"] = "00:00:02",
        });
        var email = NewEmail();
        var (admin, _) = await SignUpAsync(app, email);
        var created = await ApiSession.ReadAsync(await admin.PostAsync("/api/webhooks/endpoints",
            new { url = new Uri(receiver.BaseAddress, "down").ToString(), eventTypes = new[] { "case.created" } }), HttpStatusCode.Created);
        var id = created.GetProperty("endpoint").GetProperty("id").GetString()!;
        await ApiSession.ReadAsync(await admin.PostAsync("/api/cases", new { name = "Never received" }), HttpStatusCode.Created);

        var endpoint = await Poll.ForAsync("the endpoint is disabled", () => admin.GetJsonAsync($"/api/webhooks/endpoints/{id}"), e => !e.GetProperty("enabled").GetBoolean());
        Assert.Equal("failing", endpoint.GetProperty("disabledReason").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.String, JsonValueKindOf(endpoint, "failingSince"));
        var mail = await DialogApiTests.OutboxEntryAsync(admin, e => e.GetProperty("to").GetString() == email);
        Assert.Contains("/down", mail.GetProperty("subject").GetString(), StringComparison.Ordinal);
        Assert.Contains("/settings/integrations", mail.GetProperty("text").GetString(), StringComparison.Ordinal);
        var attempts = receiver.Requests.Count;
        // Disabled within the schedule, not after giving up. The waits are 2 s because the storage backend's timers are
        // precise to whole seconds (a 1 s timer may fire at once), so 11 of them can never pass before the 2 s window.
        Assert.InRange(attempts, 2, 11);

        var enabled = await ApiSession.ReadAsync(await admin.PatchAsync($"/api/webhooks/endpoints/{id}", new { enabled = true }), HttpStatusCode.OK);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, JsonValueKindOf(enabled, "failingSince")); // a fresh start
        Assert.Equal(System.Text.Json.JsonValueKind.Null, JsonValueKindOf(enabled, "disabledReason"));
    }

    private static System.Text.Json.JsonValueKind JsonValueKindOf(System.Text.Json.JsonElement e, string property) => e.GetProperty(property).ValueKind;
}
