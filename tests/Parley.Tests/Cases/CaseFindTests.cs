using System.Net;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Cases.CaseApiTests;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Cases;

/// <summary>
/// <c>GET /api/cases/find</c>, the Zapier-style "find case" action: by number, internal reference or visible e-mail,
/// newest first, 200 with an empty list when nothing matches; never by a hidden (dialog) address, never another account's
/// case, and an operator of a separated account finds only their own cases.
/// </summary>
public sealed class CaseFindTests : AppTest
{
    /// <summary>The January 2030 dates below are a few weeks ahead of the app's clock.</summary>
    protected override TestClock Clock { get; } = new(new DateTimeOffset(2029, 12, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_case_is_found_by_number_with_an_api_key_in_one_range_query()
    {
        var (admin, _) = await SignUpAsync(App);
        using var api = KeySession(await CreateKeyAsync(admin));
        await CreateAsync(api, new { name = "First" });
        var second = await CreateAsync(api, new { name = "Second" });
        await CreateAsync(api, new { name = "Third" });

        var before = App.Storage.RoundTrips.Count;
        var found = await FindAsync(api, $"number={second.GetProperty("number").GetInt32()}");
        var after = App.Storage.RoundTrips.Count;

        Assert.Equal([Id(second)], Ids(found));
        Assert.Equal("Second", found.GetProperty("items")[0].GetProperty("name").GetString());
        Assert.Empty(Ids(await FindAsync(api, "number=99")));
        Assert.True(after - before <= 3, $"{after - before} round trips"); // the key's check, the range query, who is online
    }

    [Fact]
    public async Task A_case_is_found_by_its_reference_or_visible_email_ignoring_case_newest_first()
    {
        var (admin, _) = await SignUpAsync(App);
        var older = await CreateAsync(admin, new { name = "Older", email = "petra@example.com", internalReference = "AZ-2029/17" });
        var newer = await CreateAsync(admin, new { name = "Newer", email = "petra@example.com" });
        await CreateAsync(admin, new { name = "Other", email = "someone@example.com", internalReference = "AZ-2029/18" });

        Assert.Equal([Id(older)], Ids(await FindAsync(admin, "reference=" + Uri.EscapeDataString("az-2029/17"))));
        Assert.Equal([Id(newer), Id(older)], Ids(await FindAsync(admin, "email=" + Uri.EscapeDataString("Petra@Example.COM"))));
        Assert.Empty(Ids(await FindAsync(admin, "reference=AZ-2029")));  // exact, not a prefix
        Assert.Empty(Ids(await FindAsync(admin, "email=" + Uri.EscapeDataString("nobody@example.com"))));
    }

    [Fact]
    public async Task A_case_made_from_a_dialog_is_never_found_by_its_hidden_email()
    {
        var (admin, me) = await SignUpAsync(App);
        var (widgetKey, _) = await Dialogs.DialogApiTests.SetUpAsync(admin, me, voice: false);
        using (var customer = App.NewSession())
        {
            await ApiSession.ReadAsync(await customer.PostAsync($"/api/widget/{widgetKey}/dialogs", new
            {
                mode = "wish", wishedDate = "2030-01-11", wishedTime = "10:00", timeZone = "UTC", keyword = "Hidden", message = "Hallo",
                email = "hidden.customer@example.com", secretWord = "demo13",
            }), HttpStatusCode.Created);
        }
        var dialogId = (await admin.GetJsonAsync("/api/dialogs")).GetProperty("items")[0].GetProperty("id").GetString()!;
        var converted = await ApiSession.ReadAsync(await admin.PostAsync($"/api/dialogs/{dialogId}/convert", new { start = "2030-01-10T10:00", end = "2030-01-10T11:00" }), HttpStatusCode.Created);
        var caseId = converted.GetProperty("caseId").GetString()!;
        var number = (await admin.GetJsonAsync($"/api/cases/{caseId}")).GetProperty("number").GetInt32();
        using var api = KeySession(await CreateKeyAsync(admin));

        foreach (var session in new[] { admin, api })
        {
            Assert.Empty(Ids(await FindAsync(session, "email=" + Uri.EscapeDataString("hidden.customer@example.com"))));
            var byNumber = await FindAsync(session, $"number={number}");
            Assert.Equal([caseId], Ids(byNumber));
            Assert.DoesNotContain("hidden.customer", byNumber.GetRawText(), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Another_accounts_case_is_never_found_and_a_separated_operator_finds_only_their_own()
    {
        var (adminA, _) = await SignUpAsync(App, business: "A");
        var (adminB, _) = await SignUpAsync(App, business: "B");
        var caseB = await CreateAsync(adminB, new { name = "B's case", email = "shared@example.com", internalReference = "REF-1" });
        using var apiA = KeySession(await CreateKeyAsync(adminA));
        var (operatorId, operatorEmail) = await AddOperatorAsync(adminA, App);
        var mine = await CreateAsync(adminA, new { name = "Mine", email = "shared@example.com", assignedOperatorIds = new[] { operatorId } });
        var adminsOnly = await CreateAsync(adminA, new { name = "Admin's", email = "shared@example.com", internalReference = "REF-1" });
        await ApiSession.ReadAsync(await adminA.PatchAsync("/api/account", new { separateOperators = true }), HttpStatusCode.OK);
        using var op = await SignInAsync(App, operatorEmail);

        foreach (var session in new[] { adminA, apiA })
        {
            Assert.Equal([Id(adminsOnly), Id(mine)], Ids(await FindAsync(session, "email=shared%40example.com")));
            Assert.Equal([Id(adminsOnly)], Ids(await FindAsync(session, "reference=REF-1")));
            Assert.DoesNotContain(Id(caseB), Ids(await FindAsync(session, $"number={caseB.GetProperty("number").GetInt32()}")));
        }
        Assert.Equal([Id(mine)], Ids(await FindAsync(op, "email=shared%40example.com")));
        Assert.Empty(Ids(await FindAsync(op, "reference=REF-1")));
        Assert.Equal([Id(caseB)], Ids(await FindAsync(adminB, "reference=ref-1")));
    }

    [Theory]
    [InlineData("", "number,reference,email")]
    [InlineData("number=1&email=a%40example.com", "number,email")]
    [InlineData("number=abc", "number")]
    [InlineData("number=0", "number")]
    [InlineData("reference=", "reference")]
    [InlineData("email=not-an-email", "email")]
    public async Task Anything_but_exactly_one_valid_criterion_is_refused_with_field_messages(string query, string fields)
    {
        var (admin, _) = await SignUpAsync(App);

        using var response = await admin.GetAsync("/api/cases/find?" + query);

        var problem = await ApiSession.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(fields.Split(',').Order(), problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
    }

    private ApiSession KeySession(string key)
    {
        var session = App.NewSession(dashboardHeader: false);
        session.UseApiKey(key);
        return session;
    }

    private static Task<JsonElement> FindAsync(ApiSession session, string query) => session.GetJsonAsync("/api/cases/find?" + query);

    private static List<string> Ids(JsonElement found) => [.. found.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!)];
}
