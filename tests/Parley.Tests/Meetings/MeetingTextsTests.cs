using System.Text.Json;
using System.Text.RegularExpressions;
using Parley.Functions.Common;
using Parley.Testing;

namespace Parley.Tests.Meetings;

/// <summary>The customer's meeting page speaks all seven customer languages, each with every text and the same placeholders.</summary>
public sealed partial class MeetingTextsTests
{
    private static Dictionary<string, string> Load(string language) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(RepositoryPaths.Combine("static-web", "src", "meet", "i18n", language + ".json")))!;

    [Fact]
    public void Every_customer_language_has_every_meeting_page_text_with_the_same_placeholders()
    {
        var english = Load("en");
        Assert.Equal(Languages.Supported.Order(), Directory.GetFiles(RepositoryPaths.Combine("static-web", "src", "meet", "i18n"), "*.json").Select(Path.GetFileNameWithoutExtension).Order());
        foreach (var language in Languages.Supported)
        {
            var texts = Load(language);
            Assert.Equal(english.Keys.Order(), texts.Keys.Order());
            foreach (var (key, text) in texts)
            {
                Assert.False(string.IsNullOrWhiteSpace(text), $"{language}: {key} is empty");
                Assert.Equal(Placeholders(english[key]), Placeholders(text));
                if (language != "en" && key is not ("chat.title" or "when" or "contact" or "video.title" or "device.camera" or "participants"))
                {
                    Assert.True(text != english[key] || text.Length < 8, $"{language}: {key} is still English");
                }
            }
        }
    }

    private static string[] Placeholders(string text) => [.. Placeholder().Matches(text).Select(m => m.Value).Order()];

    [GeneratedRegex(@"\{\w+\}")]
    private static partial Regex Placeholder();
}
