using System.Net;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Cases;

public sealed class CaseApiTests : AppTest
{
    [Fact]
    public async Task Cases_get_sequential_numbers_and_record_how_they_were_created()
    {
        var (admin, _) = await SignUpAsync(App);
        var key = await CreateKeyAsync(admin);
        using var api = App.NewSession(dashboardHeader: false);
        api.UseApiKey(key);

        var first = await CreateAsync(admin, new { name = "Anna Müller" });
        var viaApi = await CreateAsync(api, new { name = "API case" });
        var viaZapier = await CreateAsync(api, new { name = "Zap", origin = "zapier" });
        using var forged = await admin.PostAsync("/api/cases", new { name = "Forged", origin = "widget" });

        Assert.Equal([1, 2, 3], new[] { first, viaApi, viaZapier }.Select(c => c.GetProperty("number").GetInt32()));
        Assert.Equal(["manual", "api", "zapier"], new[] { first, viaApi, viaZapier }.Select(c => c.GetProperty("origin").GetString()));
        Assert.Equal("away", first.GetProperty("customerStatus").GetString());
        Assert.Equal("active", first.GetProperty("status").GetString());
        Assert.Equal(1, first.GetProperty("assignedOperatorIds").GetArrayLength()); // the creator
        Assert.True((await ApiSession.ReadAsync(forged, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("origin", out _));
    }

    [Theory]
    [InlineData("", "name", "required")]
    [InlineData("123456789012345678901234567890123456789012345678901", "name", "at most 50")]
    public async Task A_case_name_is_required_and_at_most_50_characters(string name, string field, string message)
    {
        var (admin, _) = await SignUpAsync(App);

        using var response = await admin.PostAsync("/api/cases", new { name });
        using var fifty = await admin.PostAsync("/api/cases", new { name = "  " + new string('x', 50) + "  " });

        Assert.Contains(message, (await ApiSession.ReadAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty(field)[0].GetString());
        Assert.Equal(new string('x', 50), (await ApiSession.ReadAsync(fifty, HttpStatusCode.Created)).GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("+49 9999 999", "+499999999")]
    [InlineData("+49 (30) 1234-5678", "+493012345678")]
    [InlineData("+1.212.555.0100", "+12125550100")]
    public async Task Phone_numbers_are_normalised_to_e164(string input, string stored)
    {
        var (admin, _) = await SignUpAsync(App);

        var created = await CreateAsync(admin, new { name = "Phone", phone = input });

        Assert.Equal(stored, created.GetProperty("phone").GetString());
    }

    [Theory]
    [InlineData("9999 999")]
    [InlineData("0049 9999 999")]
    [InlineData("+49 9999 999 ext. 5")]
    [InlineData("+0 123456789")]
    public async Task Phone_numbers_without_plus_and_country_code_are_refused_with_the_form_explained(string input)
    {
        var (admin, _) = await SignUpAsync(App);

        using var response = await admin.PostAsync("/api/cases", new { name = "Phone", phone = input, email = "not-an-email" });

        var errors = (await ApiSession.ReadAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Contains("+49 9999 999", errors.GetProperty("phone")[0].GetString());
        Assert.True(errors.TryGetProperty("email", out _));
    }

    [Fact]
    public async Task Autosave_changes_one_field_and_moves_the_case_to_the_top_of_the_list()
    {
        var (admin, _) = await SignUpAsync(App);
        var older = await CreateAsync(admin, new { name = "Older", email = "older@example.com", notes = "keep me" });
        await CreateAsync(admin, new { name = "Newer" });

        using var patch = await admin.PatchAsync($"/api/cases/{Id(older)}", new { internalReference = "K-2026-17" });
        var saved = await ApiSession.ReadAsync(patch, HttpStatusCode.OK);
        var list = await admin.GetJsonAsync("/api/cases");

        Assert.Equal("K-2026-17", saved.GetProperty("internalReference").GetString());
        Assert.Equal("older@example.com", saved.GetProperty("email").GetString());
        Assert.Equal("keep me", saved.GetProperty("notes").GetString());
        Assert.Equal(["Older", "Newer"], list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()));

        using var clear = await admin.PatchAsync($"/api/cases/{Id(older)}", new { email = "" });
        Assert.Equal(JsonValueKind.Null, (await ApiSession.ReadAsync(clear, HttpStatusCode.OK)).GetProperty("email").ValueKind);
    }

    [Fact]
    public async Task The_list_pages_with_a_cursor_and_searches_by_prefix_ignoring_case_and_accents()
    {
        var (admin, _) = await SignUpAsync(App);
        await CreateAsync(admin, new { name = "Jürgen Groß", internalReference = "ABO-77" });
        await CreateAsync(admin, new { name = "Anna Müller", email = "anna@kanzlei.example" });
        for (var i = 0; i < 5; i++)
        {
            await CreateAsync(admin, new { name = $"Filler {(char)('a' + i)}" });
        }

        var pages = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await admin.GetJsonAsync("/api/cases?limit=3" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            pages.Add(page);
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(7, pages.Sum(p => p.GetProperty("items").GetArrayLength()));
        Assert.Equal(7, pages.SelectMany(p => p.GetProperty("items").EnumerateArray()).Select(i => i.GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal(["Anna Müller"], await SearchAsync(admin, "mull"));
        Assert.Equal(["Anna Müller"], await SearchAsync(admin, "MÜLLER anna"));
        Assert.Equal(["Jürgen Groß"], await SearchAsync(admin, "gross"));
        Assert.Equal(["Jürgen Groß"], await SearchAsync(admin, "abo-7"));
        Assert.Equal(["Anna Müller"], await SearchAsync(admin, "anna@kanz"));
        Assert.Equal(["Anna Müller"], await SearchAsync(admin, "2")); // case number 2
        Assert.Empty(await SearchAsync(admin, "ller")); // prefix, not substring
    }

    [Fact]
    public async Task Completing_and_reopening_filter_the_list_by_status()
    {
        var (admin, _) = await SignUpAsync(App);
        var done = await CreateAsync(admin, new { name = "Done" });
        await CreateAsync(admin, new { name = "Open" });

        await ApiSession.ReadAsync(await admin.PostAsync($"/api/cases/{Id(done)}/complete"), HttpStatusCode.OK);
        var completed = await admin.GetJsonAsync("/api/cases?status=completed");
        var active = await admin.GetJsonAsync("/api/cases?status=active");
        await ApiSession.ReadAsync(await admin.PostAsync($"/api/cases/{Id(done)}/reopen"), HttpStatusCode.OK);
        using var bad = await admin.GetAsync("/api/cases?status=archived");

        Assert.Equal(["Done"], Names(completed));
        Assert.Equal(["Open"], Names(active));
        Assert.Equal(2, Names(await admin.GetJsonAsync("/api/cases?status=active")).Count);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task With_separate_operators_an_operator_sees_only_the_cases_assigned_to_them()
    {
        var (admin, me) = await SignUpAsync(App);
        var (operatorId, email) = await AddOperatorAsync(admin, App);
        using var op = await SignInAsync(App, email);
        var mine = await CreateAsync(admin, new { name = "Mine", assignedOperatorIds = new[] { operatorId } });
        var theirs = await CreateAsync(admin, new { name = "Admin only" });

        Assert.Equal(2, Names(await op.GetJsonAsync("/api/cases")).Count); // not separated yet
        await ApiSession.ReadAsync(await admin.PatchAsync("/api/account", new { separateOperators = true }), HttpStatusCode.OK);

        Assert.Equal(["Mine"], Names(await op.GetJsonAsync("/api/cases")));
        Assert.Equal(HttpStatusCode.NotFound, (await op.GetAsync($"/api/cases/{Id(theirs)}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await op.PatchAsync($"/api/cases/{Id(theirs)}", new { name = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await op.GetAsync($"/api/cases/{Id(mine)}")).StatusCode);
        Assert.Equal(2, Names(await admin.GetJsonAsync("/api/cases")).Count);
        Assert.Equal(["Admin only"], Names(await admin.GetJsonAsync($"/api/cases?operatorId={me.GetProperty("operator").GetProperty("id").GetString()}")));
    }

    [Fact]
    public async Task Fifty_parallel_creations_get_fifty_distinct_consecutive_numbers()
    {
        var (admin, _) = await SignUpAsync(App);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => admin.PostAsync("/api/cases", new { name = "Parallel " + i })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var numbers = new List<int>();
        foreach (var r in responses)
        {
            numbers.Add((await ApiSession.ReadAsync(r, HttpStatusCode.Created)).GetProperty("number").GetInt32());
        }
        Assert.Equal(Enumerable.Range(1, 50), numbers.Order());
    }

    [Fact]
    public async Task Only_administrators_delete_cases()
    {
        var (admin, _) = await SignUpAsync(App);
        var (_, email) = await AddOperatorAsync(admin, App);
        using var op = await SignInAsync(App, email);
        var c = await CreateAsync(admin, new { name = "To delete" });

        Assert.Equal(HttpStatusCode.Forbidden, (await op.DeleteAsync($"/api/cases/{Id(c)}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/cases/{Id(c)}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/cases/{Id(c)}")).StatusCode);
        Assert.Empty(Names(await admin.GetJsonAsync("/api/cases")));
    }

    [Fact]
    public async Task The_case_list_is_served_by_one_storage_query_and_one_for_presence()
    {
        var (admin, _) = await SignUpAsync(App);
        for (var i = 0; i < 5; i++)
        {
            await CreateAsync(admin, new { name = "Case " + i });
        }
        await admin.GetJsonAsync("/api/cases"); // warm the session cache

        var before = App.Storage.RoundTrips.Count;
        var list = await admin.GetJsonAsync("/api/cases?q=case");
        var after = App.Storage.RoundTrips.Count;

        Assert.Equal(5, list.GetProperty("items").GetArrayLength());
        Assert.Equal(2, after - before); // the list's range query, and one query of who is on a meeting page now (Online)
    }

    internal static async Task<JsonElement> CreateAsync(ApiSession session, object body)
    {
        using var response = await session.PostAsync("/api/cases", body);
        return await ApiSession.ReadAsync(response, HttpStatusCode.Created);
    }

    internal static async Task<string> CreateKeyAsync(ApiSession admin)
    {
        using var response = await admin.PostAsync("/api/api-keys", new { name = "tests" });
        return (await ApiSession.ReadAsync(response, HttpStatusCode.Created)).GetProperty("key").GetString()!;
    }

    internal static string Id(JsonElement c) => c.GetProperty("id").GetString()!;

    private static List<string?> Names(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()).ToList();

    private static async Task<List<string?>> SearchAsync(ApiSession session, string q) => Names(await session.GetJsonAsync("/api/cases?q=" + Uri.EscapeDataString(q)));
}
