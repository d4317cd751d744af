using System.Text.Json;
using Parley.Testing;

namespace Parley.Tests.Browser;

public sealed class UiStringsTests
{
    [Fact]
    public void German_and_English_ui_strings_have_the_same_keys_and_placeholders()
    {
        var en = Read("en");
        var de = Read("de");

        Assert.Equal(en.Keys.Order(), de.Keys.Order());
        foreach (var (key, text) in en)
        {
            Assert.Equal(Placeholders(text), Placeholders(de[key]));
            Assert.False(string.IsNullOrWhiteSpace(de[key]), key);
        }
    }

    private static Dictionary<string, string> Read(string language) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(RepositoryPaths.Combine("static-web", "src", "i18n", language + ".json")))!;

    private static IEnumerable<string> Placeholders(string text) =>
        System.Text.RegularExpressions.Regex.Matches(text, @"\{\w+\}").Select(m => m.Value).Order();
}
