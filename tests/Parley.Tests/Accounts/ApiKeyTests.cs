using Azure.Data.Tables;
using System.Net;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Accounts;

public sealed class ApiKeyTests : AppTest
{
    [Fact]
    public async Task A_key_is_shown_once_works_as_the_account_and_stops_working_when_revoked()
    {
        var (admin, me) = await SignUpAsync(App);
        using var created = await admin.PostAsync("/api/api-keys", new { name = "Zapier" });
        var body = await ApiSession.ReadAsync(created, HttpStatusCode.Created);
        var key = body.GetProperty("key").GetString()!;
        var id = body.GetProperty("id").GetString()!;

        using var integration = App.NewSession(dashboardHeader: false);
        integration.UseApiKey(key);
        var asKey = await integration.GetJsonAsync("/api/me");
        using var write = await integration.PostAsync("/api/cases", new { name = "Via API" });
        var listed = await admin.GetJsonAsync("/api/api-keys");

        Assert.StartsWith("parley_", key);
        Assert.StartsWith(body.GetProperty("prefix").GetString()! + "_", key);
        Assert.True(key.Length - body.GetProperty("prefix").GetString()!.Length - 1 >= 43, "at least 256 bits of secret");
        Assert.Equal(me.GetProperty("account").GetProperty("id").GetString(), asKey.GetProperty("account").GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, asKey.GetProperty("operator").ValueKind);
        Assert.Equal((id, "Zapier"), (asKey.GetProperty("apiKey").GetProperty("id").GetString(), asKey.GetProperty("apiKey").GetProperty("name").GetString())); // the connection test names the key
        Assert.DoesNotContain(key, asKey.GetRawText());
        Assert.Equal(HttpStatusCode.Created, write.StatusCode);
        var entry = Assert.Single(listed.EnumerateArray());
        Assert.Equal("Zapier", entry.GetProperty("name").GetString());
        Assert.False(entry.TryGetProperty("key", out _));
        Assert.DoesNotContain(key, listed.GetRawText());
        Assert.NotEqual(JsonValueKind.Null, entry.GetProperty("lastUsedAt").ValueKind);

        using var revoke = await admin.DeleteAsync($"/api/api-keys/{id}");
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        using var after = await integration.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal("application/problem+json", after.Content.Headers.ContentType?.MediaType);
        Assert.Empty((await admin.GetJsonAsync("/api/api-keys")).EnumerateArray());
    }

    [Fact]
    public async Task The_secret_is_stored_only_as_a_hash()
    {
        var (admin, me) = await SignUpAsync(App);
        using var created = await admin.PostAsync("/api/api-keys", new { name = "CRM" });
        var body = await ApiSession.ReadAsync(created, HttpStatusCode.Created);
        var key = body.GetProperty("key").GetString()!;
        // The format is parley_<id>_<secret>: the secret follows the prefix the API returns; it is base64url and may itself hold '_'.
        var prefix = body.GetProperty("prefix").GetString()!;
        Assert.StartsWith(prefix + "_", key, StringComparison.Ordinal);
        var secret = key[(prefix.Length + 1)..];
        Assert.Equal(43, secret.Length); // 256 bits, base64url without padding
        var accountId = me.GetProperty("account").GetProperty("id").GetString()!;

        // Everything stored about this account, and the key's own index row.
        var stored = new List<string>();
        await foreach (var row in App.Storage.GetTableClient("Accounts").QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {accountId}")))
        {
            stored.AddRange(row.Select(p => p.Value?.ToString() ?? ""));
        }
        var index = (await App.Storage.GetTableClient("ApiKeys").GetEntityIfExistsAsync<TableEntity>(body.GetProperty("id").GetString()!, "")).Value!;
        stored.AddRange(index.Select(p => p.Value?.ToString() ?? ""));

        Assert.Contains(stored, v => v.Length == 64 && v.All(char.IsAsciiHexDigitLower)); // the hash is there
        Assert.DoesNotContain(stored, v => v.Contains(secret, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("parley_")]
    [InlineData("parley_abc")]
    [InlineData("parley_aaaaaaaaaaaaaaaa_forged-secret-value-that-is-long-enough-000")]
    [InlineData("sk_live_other_vendor")]
    public async Task Malformed_forged_and_foreign_keys_are_rejected(string key)
    {
        using var session = App.NewSession(dashboardHeader: false);
        session.UseApiKey(key);

        using var response = await session.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Keys_cannot_manage_keys_and_operators_cannot_either()
    {
        var (admin, _) = await SignUpAsync(App);
        using var created = await admin.PostAsync("/api/api-keys", new { name = "Robot" });
        var key = (await ApiSession.ReadAsync(created, HttpStatusCode.Created)).GetProperty("key").GetString()!;
        var (_, email) = await AddOperatorAsync(admin, App);
        using var op = await SignInAsync(App, email);
        using var robot = App.NewSession(dashboardHeader: false);
        robot.UseApiKey(key);

        Assert.Equal(HttpStatusCode.Forbidden, (await robot.PostAsync("/api/api-keys", new { name = "Spawn" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await robot.GetAsync("/api/api-keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await op.GetAsync("/api/api-keys")).StatusCode);
    }

    [Fact]
    public async Task A_key_name_is_required()
    {
        var (admin, _) = await SignUpAsync(App);

        using var response = await admin.PostAsync("/api/api-keys", new { name = "  " });

        Assert.True((await ApiSession.ReadAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("name", out _));
    }
}
