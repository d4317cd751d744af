using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Accounts;

/// <summary>Adding an operator e-mails them their set-password link through the message provider (the outbox locally).</summary>
public sealed partial class OperatorInvitationTests : AppTest
{
    [Fact]
    public async Task Adding_an_operator_emails_them_the_set_password_link_and_the_link_in_the_email_sets_the_password()
    {
        var (admin, _) = await SignUpAsync(App);
        var email = NewEmail("otto");
        using var created = await admin.PostAsync("/api/operators", new { name = "Otto Operator", email, language = "en" });
        var body = await ApiSession.ReadAsync(created, HttpStatusCode.Created);

        var mail = await InvitationToAsync(admin, email);
        var url = LinkIn(mail);
        using var anonymous = App.NewSession();
        using var set = await anonymous.PostAsync("/api/auth/set-password", new { token = TokenOf(url), password = Password });
        using var otto = await SignInAsync(App, email);

        Assert.True(body.GetProperty("invitationSent").GetBoolean());
        Assert.Equal(body.GetProperty("setPasswordUrl").GetString(), url);
        Assert.Equal("Otto Operator, you have been invited to Parley by Kanzlei Beispiel", mail.GetProperty("subject").GetString());
        Assert.Contains("added you to Kanzlei Beispiel's Parley dashboard", mail.GetProperty("text").GetString());
        Assert.Contains(email, mail.GetProperty("text").GetString());
        Assert.Contains("Choose your password", mail.GetProperty("html").GetString());
        Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
    }

    [Fact]
    public async Task The_invitation_speaks_the_operators_language_and_falls_back_to_the_accounts()
    {
        var (admin, _) = await SignUpAsync(App);
        var polish = NewEmail("piotr");
        var byDefault = NewEmail("default");
        using (await admin.PatchAsync("/api/account", new { defaultLanguage = "de" }))
        using (await admin.PostAsync("/api/operators", new { name = "Piotr", email = polish, language = "pl" }))
        using (await admin.PostAsync("/api/operators", new { name = "Berta", email = byDefault }))
        {
        }

        var german = await InvitationToAsync(admin, byDefault);
        var inPolish = await InvitationToAsync(admin, polish);

        Assert.Equal("Berta, Sie wurden von Kanzlei Beispiel zu Parley eingeladen", german.GetProperty("subject").GetString());
        Assert.Contains("Passwort wählen", german.GetProperty("text").GetString());
        Assert.Contains("Ustaw hasło", inPolish.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Resending_the_invitation_emails_a_new_link_and_the_older_link_stops_working()
    {
        var (admin, _) = await SignUpAsync(App);
        var (id, email) = await AddOperatorAsync(admin, App);
        var first = LinkIn(await InvitationToAsync(admin, email));

        using var resent = await admin.PostAsync($"/api/operators/{id}/password-link");
        var body = await ApiSession.ReadAsync(resent, HttpStatusCode.OK);
        var mails = await InvitationsToAsync(admin, email, count: 2);
        var second = LinkIn(mails[0]);
        using var anonymous = App.NewSession();
        using var old = await anonymous.PostAsync("/api/auth/set-password", new { token = TokenOf(first), password = Password });
        using var fresh = await anonymous.PostAsync("/api/auth/set-password", new { token = TokenOf(second), password = Password });

        Assert.True(body.GetProperty("invitationSent").GetBoolean());
        Assert.Equal(body.GetProperty("setPasswordUrl").GetString(), second);
        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.BadRequest, old.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, fresh.StatusCode);
    }

    private static async Task<JsonElement> InvitationToAsync(ApiSession admin, string email) => (await InvitationsToAsync(admin, email, 1))[0];

    /// <summary>The invitations in the outbox to <paramref name="email"/>, newest first; sent within the request, so no waiting.</summary>
    private static async Task<List<JsonElement>> InvitationsToAsync(ApiSession admin, string email, int count)
    {
        var outbox = await admin.GetJsonAsync("/api/outbox");
        var mails = outbox.EnumerateArray().Where(m => m.GetProperty("to").GetString() == email && m.GetProperty("channel").GetString() == "email").ToList();
        Assert.Equal(count, mails.Count);
        return mails;
    }

    private static string LinkIn(JsonElement mail) => LinkRegex().Match(mail.GetProperty("text").GetString()!).Value;

    private static string TokenOf(string url) => Uri.UnescapeDataString(url[(url.IndexOf("#token=", StringComparison.Ordinal) + 7)..]);

    [GeneratedRegex(@"https?://\S+/set-password#token=\S+")]
    private static partial Regex LinkRegex();
}
