using Azure.Data.Tables;
using System.Net;
using System.Text.Json;
using Parley.Functions.Identity;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Accounts;

public sealed class SignUpAndSettingsTests : AppTest
{
    [Fact]
    public async Task Signing_up_creates_the_account_and_its_administrator_and_signs_them_in()
    {
        var email = NewEmail();
        var (session, me) = await SignUpAsync(App, email, "Praxis Sonnenschein");

        Assert.Equal("administrator", me.GetProperty("operator").GetProperty("role").GetString());
        Assert.Equal(email, me.GetProperty("operator").GetProperty("email").GetString());
        Assert.Equal("Praxis Sonnenschein", me.GetProperty("account").GetProperty("businessName").GetString());
        Assert.Equal("Europe/Berlin", me.GetProperty("account").GetProperty("timeZone").GetString());
        var current = await session.GetJsonAsync("/api/me");
        Assert.Equal(me.GetProperty("operator").GetProperty("id").GetString(), current.GetProperty("operator").GetProperty("id").GetString());
        Assert.False(current.GetRawText().Contains("password", StringComparison.OrdinalIgnoreCase) && current.GetRawText().Contains("hash", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_session_cookie_is_a_host_only_secure_http_only_same_site_strict_cookie()
    {
        using var session = App.NewSession();
        using var response = await session.PostAsync("/api/accounts", new { businessName = "B", timeZone = "UTC", adminName = "A", email = NewEmail(), password = Password });

        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(OperatorSessions.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        // The __Host- prefix: browsers take it only with Secure, Path=/ and no Domain.
        Assert.StartsWith("__Host-", cookie, StringComparison.Ordinal);
        Assert.Contains("path=/;", cookie + ";", StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_email_address_can_register_only_once_whatever_its_case()
    {
        var email = NewEmail();
        await SignUpAsync(App, email);
        using var second = App.NewSession();

        using var response = await second.PostAsync("/api/accounts", new { businessName = "Other", timeZone = "Europe/Berlin", adminName = "Other", email = "  " + email.ToUpperInvariant() + " ", password = Password });

        var problem = await ApiSession.ReadAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("already registered", problem.GetProperty("errors").GetProperty("email")[0].GetString());
    }

    [Theory]
    [InlineData("", "Europe/Berlin", "Anna", "a@example.com", "correct horse battery", "businessName", "required")]
    [InlineData("Biz", "Mars/Olympus", "Anna", "a@example.com", "correct horse battery", "timeZone", "IANA")]
    [InlineData("Biz", "W. Europe Standard Time", "Anna", "a@example.com", "correct horse battery", "timeZone", "IANA")]
    [InlineData("Biz", "Europe/Berlin", "", "a@example.com", "correct horse battery", "adminName", "required")]
    [InlineData("Biz", "Europe/Berlin", "Anna", "not-an-email", "correct horse battery", "email", "name@example.com")]
    [InlineData("Biz", "Europe/Berlin", "Anna", "Anna <a@example.com>", "correct horse battery", "email", "name@example.com")]
    [InlineData("Biz", "Europe/Berlin", "Anna", "a@example.com", "", "password", "Choose a password")]
    [InlineData("Biz", "Europe/Berlin", "Anna", "a@example.com", "short", "password", "at least 10")]
    [InlineData("Biz", "Europe/Berlin", "Anna", "a@example.com", "password123", "password", "too easy")]
    [InlineData("Biz", "Europe/Berlin", "Annabelle", "a@example.com", "annabelle-rocks-2026", "password", "name or e-mail")]
    public async Task Invalid_sign_up_answers_400_with_a_message_for_the_field(string business, string timeZone, string name, string email, string password, string field, string message)
    {
        using var session = App.NewSession();

        using var response = await session.PostAsync("/api/accounts", new { businessName = business, timeZone, adminName = name, email, password });

        var problem = await ApiSession.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(message, problem.GetProperty("errors").GetProperty(field)[0].GetString());
        using var me = await session.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task Administrators_change_account_settings_and_bad_values_are_refused_field_by_field()
    {
        var (admin, _) = await SignUpAsync(App);

        using var ok = await admin.PatchAsync("/api/account", new
        {
            businessName = "Neuer Name", timeZone = "America/New_York", defaultLanguage = "de", separateOperators = true,
            meetingMode = "chatOnly", pinPolicy = "mandatory", senderEmail = "Termine@Example.com", senderName = "Termine",
        });
        var settings = await ApiSession.ReadAsync(ok, HttpStatusCode.OK);
        using var bad = await admin.PatchAsync("/api/account", new { timeZone = "Nowhere/City", pinPolicy = "sometimes", defaultLanguage = "xx", senderEmail = "nope" });
        var problem = await ApiSession.ReadAsync(bad, HttpStatusCode.BadRequest);
        var after = await admin.GetJsonAsync("/api/account");

        Assert.Equal("chatOnly", settings.GetProperty("meetingMode").GetString());
        Assert.Equal("mandatory", settings.GetProperty("pinPolicy").GetString());
        Assert.Equal("termine@example.com", settings.GetProperty("senderEmail").GetString());
        Assert.True(settings.GetProperty("separateOperators").GetBoolean());
        Assert.Equal(["defaultLanguage", "pinPolicy", "senderEmail", "timeZone"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order());
        Assert.Contains("off, defaultOn, mandatory", problem.GetProperty("errors").GetProperty("pinPolicy")[0].GetString());
        Assert.Equal("America/New_York", after.GetProperty("timeZone").GetString());
        Assert.Equal("Neuer Name", after.GetProperty("businessName").GetString());
    }

    [Fact]
    public async Task Reminder_offsets_default_to_a_day_and_an_hour_and_are_bounded()
    {
        var (admin, _) = await SignUpAsync(App);

        var defaults = await admin.GetJsonAsync("/api/account");
        using var ok = await admin.PatchAsync("/api/account", new { reminderOffsetMinutes = new[] { 60, 10080, 60 } });
        using var tooMany = await admin.PatchAsync("/api/account", new { reminderOffsetMinutes = new[] { 5, 10, 15, 20, 25, 30 } });
        using var tooFar = await admin.PatchAsync("/api/account", new { reminderOffsetMinutes = new[] { 50_000 } });
        using var off = await admin.PatchAsync("/api/account", new { reminderOffsetMinutes = Array.Empty<int>() });

        Assert.Equal([1440, 60], defaults.GetProperty("reminderOffsetMinutes").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([10080, 60], (await ApiSession.ReadAsync(ok, HttpStatusCode.OK)).GetProperty("reminderOffsetMinutes").EnumerateArray().Select(e => e.GetInt32()));
        Assert.True((await ApiSession.ReadAsync(tooMany, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("reminderOffsetMinutes", out _));
        Assert.True((await ApiSession.ReadAsync(tooFar, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("reminderOffsetMinutes", out _));
        Assert.Empty((await ApiSession.ReadAsync(off, HttpStatusCode.OK)).GetProperty("reminderOffsetMinutes").EnumerateArray());
    }

    [Fact]
    public async Task Operators_read_the_settings_but_may_not_change_them()
    {
        var (admin, _) = await SignUpAsync(App);
        var (_, email) = await AddOperatorAsync(admin, App);
        using var op = await SignInAsync(App, email);

        var settings = await op.GetJsonAsync("/api/account");
        using var patch = await op.PatchAsync("/api/account", new { businessName = "Hijacked" });

        Assert.Equal("Kanzlei Beispiel", settings.GetProperty("businessName").GetString());
        await ApiSession.ReadAsync(patch, HttpStatusCode.Forbidden);
        Assert.Equal("Kanzlei Beispiel", (await admin.GetJsonAsync("/api/account")).GetProperty("businessName").GetString());
    }

    [Fact]
    public async Task Without_a_session_the_api_answers_401_problem_details()
    {
        using var anonymous = App.NewSession();

        using var me = await anonymous.GetAsync("/api/me");
        using var operators = await anonymous.GetAsync("/api/operators");

        var problem = await ApiSession.ReadAsync(me, HttpStatusCode.Unauthorized);
        Assert.Equal("application/problem+json", me.Content.Headers.ContentType?.MediaType);
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.Unauthorized, operators.StatusCode);
    }

    [Fact]
    public async Task Sessions_survive_a_restart_because_the_key_ring_is_in_table_storage()
    {
        using var first = App.NewSession();
        using var signUp = await first.PostAsync("/api/accounts", new { businessName = "B", timeZone = "UTC", adminName = "A", email = NewEmail(), password = Password });
        await ApiSession.ReadAsync(signUp, HttpStatusCode.Created);
        var cookie = signUp.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(OperatorSessions.CookieName + "=", StringComparison.Ordinal)).Split(';')[0];

        await using var restarted = await ParleyApp.StartAsync();
        using var client = restarted.CreateClient(new() { BaseAddress = new Uri("https://localhost"), HandleCookies = false });
        client.DefaultRequestHeaders.Add("Cookie", cookie);
        using var me = await client.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var keys = new List<string>();
        await foreach (var row in App.Storage.GetTableClient("DataProtectionKeys").QueryAsync<TableEntity>())
        {
            keys.Add(row.GetString("Xml")!);
        }
        Assert.Contains(keys, k => k.Contains("<key ", StringComparison.Ordinal));
    }
}
