using System.Net;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Accounts;

public sealed class PasswordLinkTests : AppTest
{
    [Fact]
    public async Task Issuing_a_new_set_password_link_revokes_the_earlier_ones()
    {
        var (admin, _) = await SignUpAsync(App);
        var email = NewEmail("op");
        var created = await ApiSession.ReadAsync(await admin.PostAsync("/api/operators", new { name = "Otto Operator", email }), HttpStatusCode.Created);
        var id = created.GetProperty("operator").GetProperty("id").GetString();
        var first = Token(created.GetProperty("setPasswordUrl"));
        var second = Token(await ApiSession.ReadAsync(await admin.PostAsync($"/api/operators/{id}/password-link"), HttpStatusCode.OK), "setPasswordUrl");
        var third = Token(await ApiSession.ReadAsync(await admin.PostAsync($"/api/operators/{id}/password-link"), HttpStatusCode.OK), "setPasswordUrl");
        using var anonymous = App.NewSession();

        using var withFirst = await anonymous.PostAsync("/api/auth/set-password", new { token = first, password = Password });
        using var withSecond = await anonymous.PostAsync("/api/auth/set-password", new { token = second, password = Password });
        using var withThird = await anonymous.PostAsync("/api/auth/set-password", new { token = third, password = Password });

        var refused = await ApiSession.ReadAsync(withFirst, HttpStatusCode.BadRequest);
        Assert.True(refused.GetProperty("errors").TryGetProperty("token", out _), refused.GetRawText());
        await ApiSession.ReadAsync(withSecond, HttpStatusCode.BadRequest);
        await ApiSession.ReadAsync(withThird, HttpStatusCode.NoContent);
        using var signedIn = await SignInAsync(App, email);
    }

    [Fact]
    public async Task A_new_link_for_one_operator_leaves_another_operators_link_valid()
    {
        var (admin, _) = await SignUpAsync(App);
        var one = await ApiSession.ReadAsync(await admin.PostAsync("/api/operators", new { name = "One", email = NewEmail("one") }), HttpStatusCode.Created);
        var two = await ApiSession.ReadAsync(await admin.PostAsync("/api/operators", new { name = "Two", email = NewEmail("two") }), HttpStatusCode.Created);
        await ApiSession.ReadAsync(await admin.PostAsync($"/api/operators/{two.GetProperty("operator").GetProperty("id").GetString()}/password-link"), HttpStatusCode.OK);
        using var anonymous = App.NewSession();

        using var set = await anonymous.PostAsync("/api/auth/set-password", new { token = Token(one.GetProperty("setPasswordUrl")), password = Password });

        await ApiSession.ReadAsync(set, HttpStatusCode.NoContent);
    }

    private static string Token(JsonElement body, string property) => Token(body.GetProperty(property));

    private static string Token(JsonElement url)
    {
        var text = url.GetString()!;
        return Uri.UnescapeDataString(text[(text.IndexOf("#token=", StringComparison.Ordinal) + 7)..]);
    }
}
