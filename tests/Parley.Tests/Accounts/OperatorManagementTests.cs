using System.Net;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Accounts;

public sealed class OperatorManagementTests : AppTest
{
    [Fact]
    public async Task An_added_operator_sets_a_password_through_the_one_time_link_and_signs_in()
    {
        var (admin, _) = await SignUpAsync(App);
        var email = NewEmail("otto");
        using var created = await admin.PostAsync("/api/operators", new { name = "Otto", email, lineId = "0221-55", timeZone = "Europe/Vienna" });
        var body = await ApiSession.ReadAsync(created, HttpStatusCode.Created);
        var url = body.GetProperty("setPasswordUrl").GetString()!;
        var token = Uri.UnescapeDataString(url[(url.IndexOf("#token=", StringComparison.Ordinal) + 7)..]);
        using var anonymous = App.NewSession();

        using var beforePassword = await anonymous.PostAsync("/api/auth/sign-in", new { email, password = Password });
        using var set = await anonymous.PostAsync("/api/auth/set-password", new { token, password = Password });
        using var reused = await anonymous.PostAsync("/api/auth/set-password", new { token, password = "another fine passphrase" });
        using var otto = await SignInAsync(App, email);

        Assert.StartsWith("https://localhost/set-password#token=", url);
        Assert.True(token.Length >= 43, "the token carries at least 256 bits");
        Assert.Equal("operator", body.GetProperty("operator").GetProperty("role").GetString());
        Assert.False(body.GetProperty("operator").GetProperty("hasPassword").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, beforePassword.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        Assert.Contains("invalid, expired or already used", (await ApiSession.ReadAsync(reused, HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("token")[0].GetString());
        var me = await otto.GetJsonAsync("/api/me");
        Assert.Equal("0221-55", me.GetProperty("operator").GetProperty("lineId").GetString());
        Assert.Equal("Europe/Vienna", me.GetProperty("operator").GetProperty("timeZone").GetString());
    }

    [Fact]
    public async Task A_password_that_contains_the_operators_name_is_refused_and_the_link_stays_usable()
    {
        var (admin, _) = await SignUpAsync(App);
        using var created = await admin.PostAsync("/api/operators", new { name = "Bernadette", email = NewEmail() });
        var url = (await ApiSession.ReadAsync(created, HttpStatusCode.Created)).GetProperty("setPasswordUrl").GetString()!;
        var token = Uri.UnescapeDataString(url[(url.IndexOf("#token=", StringComparison.Ordinal) + 7)..]);
        using var anonymous = App.NewSession();

        using var personal = await anonymous.PostAsync("/api/auth/set-password", new { token, password = "bernadette-2026!" });
        using var good = await anonymous.PostAsync("/api/auth/set-password", new { token, password = Password });

        await ApiSession.ReadAsync(personal, HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.NoContent, good.StatusCode);
    }

    [Fact]
    public async Task Only_administrators_manage_operators()
    {
        var (admin, _) = await SignUpAsync(App);
        var (otherId, email) = await AddOperatorAsync(admin, App);
        using var op = await SignInAsync(App, email);

        var list = await op.GetJsonAsync("/api/operators");
        using var create = await op.PostAsync("/api/operators", new { name = "X", email = NewEmail() });
        using var promote = await op.PatchAsync($"/api/operators/{otherId}", new { role = "administrator" });

        Assert.Equal(2, list.GetArrayLength());
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, promote.StatusCode);
    }

    [Fact]
    public async Task Operator_validation_and_duplicate_emails_are_reported_per_field()
    {
        var (admin, me) = await SignUpAsync(App);
        var adminEmail = me.GetProperty("operator").GetProperty("email").GetString()!;

        using var invalid = await admin.PostAsync("/api/operators", new { name = "", email = "nope", role = "boss", timeZone = "Berlin", lineId = new string('9', 40) });
        using var duplicate = await admin.PostAsync("/api/operators", new { name = "Dup", email = adminEmail.ToUpperInvariant() });

        var problem = await ApiSession.ReadAsync(invalid, HttpStatusCode.BadRequest);
        Assert.Equal(["email", "lineId", "name", "role", "timeZone"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order());
        Assert.Contains("operator, administrator", problem.GetProperty("errors").GetProperty("role")[0].GetString());
        Assert.Contains("already in use", (await ApiSession.ReadAsync(duplicate, HttpStatusCode.Conflict)).GetProperty("errors").GetProperty("email")[0].GetString());
        Assert.Equal(1, (await admin.GetJsonAsync("/api/operators")).GetArrayLength());
    }

    [Fact]
    public async Task A_deactivated_operator_cannot_sign_in_loses_their_session_and_stays_in_the_list()
    {
        var (admin, _) = await SignUpAsync(App);
        var (id, email) = await AddOperatorAsync(admin, App);
        using var op = await SignInAsync(App, email);

        using var deactivate = await admin.DeleteAsync($"/api/operators/{id}");
        using var signIn = App.NewSession();
        using var attempt = await signIn.PostAsync("/api/auth/sign-in", new { email, password = Password });

        Assert.Equal(HttpStatusCode.NoContent, deactivate.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, attempt.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await op.GetAsync("/api/me")).StatusCode);
        var listed = (await admin.GetJsonAsync("/api/operators")).EnumerateArray().Single(o => o.GetProperty("id").GetString() == id);
        Assert.False(listed.GetProperty("active").GetBoolean());

        using var reactivate = await admin.PatchAsync($"/api/operators/{id}", new { active = true });
        await ApiSession.ReadAsync(reactivate, HttpStatusCode.OK);
        using var back = await SignInAsync(App, email);
    }

    [Fact]
    public async Task The_last_active_administrator_cannot_be_demoted_or_deactivated()
    {
        var (admin, me) = await SignUpAsync(App);
        var adminId = me.GetProperty("operator").GetProperty("id").GetString()!;

        using var demote = await admin.PatchAsync($"/api/operators/{adminId}", new { role = "operator" });
        using var deactivate = await admin.DeleteAsync($"/api/operators/{adminId}");

        Assert.Contains("at least one active administrator", (await ApiSession.ReadAsync(demote, HttpStatusCode.Conflict)).GetProperty("errors").GetProperty("role")[0].GetString());
        Assert.True((await ApiSession.ReadAsync(deactivate, HttpStatusCode.Conflict)).GetProperty("errors").TryGetProperty("active", out _));
        Assert.Equal("administrator", (await admin.GetJsonAsync("/api/me")).GetProperty("operator").GetProperty("role").GetString());
    }

    [Fact]
    public async Task Two_administrators_demoting_each_other_at_once_leave_one_administrator()
    {
        var (admin, me) = await SignUpAsync(App);
        var firstId = me.GetProperty("operator").GetProperty("id").GetString()!;
        var (secondId, secondEmail) = await AddOperatorAsync(admin, App, role: "administrator");
        using var second = await SignInAsync(App, secondEmail);

        var results = await Task.WhenAll(
            admin.PatchAsync($"/api/operators/{secondId}", new { role = "operator" }),
            second.PatchAsync($"/api/operators/{firstId}", new { role = "operator" }));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], results.Select(r => r.StatusCode).Order());
        var admins = (await admin.GetJsonAsync("/api/operators")).EnumerateArray().Count(o => o.GetProperty("role").GetString() == "administrator" && o.GetProperty("active").GetBoolean());
        Assert.Equal(1, admins);
    }

    [Fact]
    public async Task A_promoted_operator_gets_administrator_rights_in_their_running_session()
    {
        var (admin, _) = await SignUpAsync(App);
        var (id, email) = await AddOperatorAsync(admin, App);
        using var op = await SignInAsync(App, email);
        Assert.Equal(HttpStatusCode.Forbidden, (await op.PatchAsync("/api/account", new { senderName = "x" })).StatusCode);

        using var promote = await admin.PatchAsync($"/api/operators/{id}", new { role = "administrator" });
        await ApiSession.ReadAsync(promote, HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.OK, (await op.PatchAsync("/api/account", new { senderName = "Team" })).StatusCode);
    }

    [Fact]
    public async Task Changing_an_operators_email_moves_their_sign_in_to_the_new_address()
    {
        var (admin, _) = await SignUpAsync(App);
        var (id, oldEmail) = await AddOperatorAsync(admin, App);
        var newEmail = NewEmail("renamed");

        using var patch = await admin.PatchAsync($"/api/operators/{id}", new { email = newEmail });

        await ApiSession.ReadAsync(patch, HttpStatusCode.OK);
        using var withNew = await SignInAsync(App, newEmail);
        using var old = App.NewSession();
        Assert.Equal(HttpStatusCode.Unauthorized, (await old.PostAsync("/api/auth/sign-in", new { email = oldEmail, password = Password })).StatusCode);
        var (_, reused) = await SignUpAsync(App, oldEmail); // the old address is free again
    }

    [Fact]
    public async Task An_administrator_can_issue_a_fresh_password_link()
    {
        var (admin, _) = await SignUpAsync(App);
        using var created = await admin.PostAsync("/api/operators", new { name = "Late", email = NewEmail() });
        var id = (await ApiSession.ReadAsync(created, HttpStatusCode.Created)).GetProperty("operator").GetProperty("id").GetString();

        using var link = await admin.PostAsync($"/api/operators/{id}/password-link");

        var body = await ApiSession.ReadAsync(link, HttpStatusCode.OK);
        Assert.Contains("/set-password#token=", body.GetProperty("setPasswordUrl").GetString());
    }
}
