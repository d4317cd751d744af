using System.Net;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.CustomFields;

public sealed class CustomFieldOrderTests : AppTest
{
    [Fact]
    public async Task An_administrator_puts_the_custom_fields_in_a_new_order_that_the_list_keeps()
    {
        var (admin, _) = await SignUpAsync(App);
        foreach (var key in new[] { "tier", "since", "region" })
        {
            await ApiSession.ReadAsync(await admin.PostAsync("/api/custom-fields", new { key, label = key, type = "text" }), HttpStatusCode.Created);
        }

        using var reorder = await admin.PutAsync("/api/custom-fields/order", new { keys = new[] { "region", "tier", "since" } });
        var answer = await ApiSession.ReadAsync(reorder, HttpStatusCode.OK);
        var list = await admin.GetJsonAsync("/api/custom-fields");

        Assert.Equal(["region", "tier", "since"], answer.EnumerateArray().Select(f => f.GetProperty("key").GetString()));
        Assert.Equal(["region", "tier", "since"], list.EnumerateArray().Select(f => f.GetProperty("key").GetString()));
    }

    [Fact]
    public async Task An_order_that_misses_or_repeats_a_field_is_refused_and_changes_nothing()
    {
        var (admin, _) = await SignUpAsync(App);
        foreach (var key in new[] { "tier", "since", "gone" })
        {
            await ApiSession.ReadAsync(await admin.PostAsync("/api/custom-fields", new { key, label = key, type = "text" }), HttpStatusCode.Created);
        }
        using (await admin.DeleteAsync("/api/custom-fields/gone"))
        {
        }

        using var missing = await admin.PutAsync("/api/custom-fields/order", new { keys = new[] { "since" } });
        using var repeated = await admin.PutAsync("/api/custom-fields/order", new { keys = new[] { "since", "since", "tier" } });
        using var archived = await admin.PutAsync("/api/custom-fields/order", new { keys = new[] { "gone", "since", "tier" } });
        using var withoutArchived = await admin.PutAsync("/api/custom-fields/order", new { keys = new[] { "since", "tier" } });

        Assert.Contains("changed meanwhile", (await ApiSession.ReadAsync(missing, HttpStatusCode.Conflict)).GetProperty("errors").GetProperty("keys")[0].GetString());
        Assert.Contains("once", (await ApiSession.ReadAsync(repeated, HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("keys")[0].GetString());
        Assert.Equal(HttpStatusCode.Conflict, archived.StatusCode);
        Assert.Equal(["since", "tier"], (await ApiSession.ReadAsync(withoutArchived, HttpStatusCode.OK)).EnumerateArray().Select(f => f.GetProperty("key").GetString()));
    }

    [Fact]
    public async Task Renaming_a_field_keeps_its_key_its_place_and_the_values_on_cases()
    {
        var (admin, _) = await SignUpAsync(App);
        await ApiSession.ReadAsync(await admin.PostAsync("/api/custom-fields", new { key = "tier", label = "Tier", type = "text" }), HttpStatusCode.Created);
        await ApiSession.ReadAsync(await admin.PostAsync("/api/custom-fields", new { key = "since", label = "Since", type = "text" }), HttpStatusCode.Created);
        var created = await ApiSession.ReadAsync(await admin.PostAsync("/api/cases", new { name = "Anna", customFields = new { tier = "Pro" } }), HttpStatusCode.Created);

        using var rename = await admin.PatchAsync("/api/custom-fields/tier", new { label = "Subscription tier" });
        var list = await admin.GetJsonAsync("/api/custom-fields");
        var c = await admin.GetJsonAsync($"/api/cases/{created.GetProperty("id").GetString()}");

        Assert.Equal(HttpStatusCode.OK, rename.StatusCode);
        Assert.Equal(["Subscription tier", "Since"], list.EnumerateArray().Select(f => f.GetProperty("label").GetString()));
        Assert.Equal("Pro", c.GetProperty("customFields").GetProperty("tier").GetString());
    }
}
