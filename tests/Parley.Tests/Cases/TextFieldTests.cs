using System.Net;
using System.Text.Json;
using Parley.Functions.Common;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Cases;

/// <summary>
/// Every text field refuses control characters (multi-line fields keep line breaks and tabs) and names that only look
/// filled (spaces, zero-width and other invisible characters), with a message on the field. The rule lives in
/// <see cref="Validation.Text"/>, so each feature gets it.
/// </summary>
public sealed class TextFieldTests : AppTest
{
    [Theory]
    [InlineData("Anna\0Müller", false, "control characters")]
    [InlineData("Anna\u001B[31m", false, "control characters")]
    [InlineData("two\nlines", false, "control characters")]
    [InlineData("tab\there", false, "control characters")]
    [InlineData("bell\u0007", true, "control characters")]
    [InlineData("next\u0085line", false, "control characters")]
    [InlineData("\u200B\u200C\u200D", false, "visible characters")]
    [InlineData("\u2060\uFEFF \u00A0", false, "visible characters")]
    [InlineData("\u3164\u115F", false, "visible characters")]
    [InlineData("\u0301\u0308", false, "visible characters")]
    [InlineData("\U000E0041\U000E0042", false, "visible characters")] // tag characters
    public void Control_characters_and_invisible_names_are_refused(string value, bool multiLine, string message)
    {
        var v = new Validation();

        v.Text("name", value, 100, multiLine: multiLine);

        Assert.False(v.IsValid);
        Assert.Contains(message, v.Errors["name"][0]);
    }

    [Theory]
    [InlineData("Anna Müller", false, "Anna Müller")]
    [InlineData("  José 👋 Ñandú ", false, "José 👋 Ñandú")]
    [InlineData("محمد\u200F", false, "محمد\u200F")] // a right-to-left mark next to visible text is fine
    [InlineData("first\r\nsecond\rthird\n\tindented", true, "first\nsecond\nthird\n\tindented")]
    public void Ordinary_text_passes_and_multi_line_fields_keep_line_breaks_and_tabs(string value, bool multiLine, string expected)
    {
        var v = new Validation();

        var result = v.Text("notes", value, 100, multiLine: multiLine);

        Assert.True(v.IsValid);
        Assert.Equal(expected, result);
    }

    [Fact]
    public void A_lone_surrogate_which_storage_cannot_encode_is_refused()
    {
        var v = new Validation();

        v.Text("name", "broken " + (char)0xD800 + " half", 100);

        Assert.Contains("invalid character at position 8", v.Errors["name"][0]);
    }

    [Fact]
    public void An_optional_field_that_only_looks_filled_counts_as_empty()
    {
        var v = new Validation();

        Assert.Null(v.Text("internalReference", "\u200B", 100, required: false));
        Assert.True(v.IsValid);
    }

    [Fact]
    public async Task Every_feature_refuses_them_with_a_field_message()
    {
        var (admin, _) = await SignUpAsync(App);
        await ApiSession.ReadAsync(await admin.PostAsync("/api/custom-fields", new { key = "tier", label = "Tier", type = "text" }), HttpStatusCode.Created);

        var invisibleCase = await ErrorsAsync(await admin.PostAsync("/api/cases", new { name = "\u200B\u2060" }));
        var nulCase = await ErrorsAsync(await admin.PostAsync("/api/cases", new { name = "Anna\0" }));
        var escapeInNotes = await ErrorsAsync(await admin.PostAsync("/api/cases", new { name = "Anna", notes = "colour \u001B[31m" }));
        var controlInCustomField = await ErrorsAsync(await admin.PostAsync("/api/cases", new { name = "Anna", customFields = new { tier = "gold\0" } }));
        var invisibleProfile = await ErrorsAsync(await admin.PatchAsync("/api/me", new { name = "\u3164" }));
        var nulBusiness = await ErrorsAsync(await admin.PatchAsync("/api/account", new { businessName = "Kanzlei\0" }));
        var controlChoice = await ErrorsAsync(await admin.PostAsync("/api/custom-fields", new { key = "size", label = "Size", type = "choice", choices = new[] { "S", "M\u0007" } }));
        var invisibleLabel = await ErrorsAsync(await admin.PostAsync("/api/custom-fields", new { key = "ghost", label = "\u200D", type = "text" }));
        var loneSurrogate = await ErrorsAsync(await admin.Client.PostAsync("/api/cases", new StringContent("""{"name": "Anna \ud800"}""", System.Text.Encoding.UTF8, "application/json")));
        using var multiLine = await admin.PostAsync("/api/cases", new { name = "Anna", notes = "line one\r\nline two\tindented" });

        Assert.Contains("visible characters", invisibleCase.GetProperty("name")[0].GetString());
        Assert.Contains("control characters", nulCase.GetProperty("name")[0].GetString());
        Assert.Contains("only line breaks and tabs", escapeInNotes.GetProperty("notes")[0].GetString());
        Assert.Contains("control characters", controlInCustomField.GetProperty("customFields.tier")[0].GetString());
        Assert.Contains("visible characters", invisibleProfile.GetProperty("name")[0].GetString());
        Assert.Contains("control characters", nulBusiness.GetProperty("businessName")[0].GetString());
        Assert.Contains("control characters", controlChoice.GetProperty("choices")[0].GetString());
        Assert.Contains("visible characters", invisibleLabel.GetProperty("label")[0].GetString());
        Assert.True(loneSurrogate.TryGetProperty("name", out _), loneSurrogate.GetRawText());
        Assert.Equal("line one\nline two\tindented", (await ApiSession.ReadAsync(multiLine, HttpStatusCode.Created)).GetProperty("notes").GetString());
    }

    private static async Task<JsonElement> ErrorsAsync(HttpResponseMessage response)
    {
        using (response)
        {
            return (await ApiSession.ReadAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        }
    }
}
