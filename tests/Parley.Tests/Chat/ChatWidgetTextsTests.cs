using System.Text.Json;
using System.Text.RegularExpressions;
using Parley.Functions.Common;
using Parley.Testing;

namespace Parley.Tests.Chat;

/// <summary>
/// The chat widget speaks all seven customer languages: the chat page (static-web/src/chat/i18n) and the launcher of
/// chat-embed.js (static-web/src/chatEmbed/i18n/texts.json), each with every text and the same placeholders; every
/// text of the chat page is used by its code.
/// </summary>
public sealed partial class ChatWidgetTextsTests
{
    private static readonly string Folder = RepositoryPaths.Combine("static-web", "src", "chat", "i18n");

    private static Dictionary<string, string> Load(string language) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(Folder, language + ".json")))!;

    [Fact]
    public void Every_customer_language_has_every_chat_page_text_with_the_same_placeholders()
    {
        var english = Load("en");
        Assert.Equal(Languages.Supported.Order(), Directory.GetFiles(Folder, "*.json").Select(Path.GetFileNameWithoutExtension).Order());
        foreach (var language in Languages.Supported)
        {
            var texts = Load(language);
            Assert.Equal(english.Keys.Order(), texts.Keys.Order());
            foreach (var (key, text) in texts)
            {
                Assert.False(string.IsNullOrWhiteSpace(text), $"{language}: {key} is empty");
                Assert.Equal(Placeholders(english[key]), Placeholders(text));
                if (language != "en" && key is not ("counter" or "prechat.optional" or "title" or "operator" or "log.label"))
                {
                    Assert.True(text != english[key] || text.Length < 8, $"{language}: {key} is still English");
                }
            }
        }
    }

    [Fact]
    public void Every_chat_page_text_is_used_by_the_page()
    {
        var source = string.Concat(Directory.GetFiles(RepositoryPaths.Combine("static-web", "src", "chat"), "*.ts").Select(File.ReadAllText));
        var unused = Load("en").Keys.Where(key => !source.Contains($"\"{key}\"", StringComparison.Ordinal)).ToList();
        Assert.Empty(unused);
    }

    [Fact]
    public void The_launcher_has_its_texts_in_every_customer_language()
    {
        var catalog = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(
            File.ReadAllText(RepositoryPaths.Combine("static-web", "src", "chatEmbed", "i18n", "texts.json")))!;
        Assert.Equal(Languages.Supported.Order(), catalog.Keys.Order());
        foreach (var (language, texts) in catalog)
        {
            Assert.Equal(catalog["en"].Keys.Order(), texts.Keys.Order());
            Assert.All(texts, t => Assert.Equal(Placeholders(catalog["en"][t.Key]), Placeholders(t.Value)));
        }
    }

    private static string[] Placeholders(string text) => [.. Placeholder().Matches(text).Select(m => m.Value).Order()];

    [GeneratedRegex(@"\{\w+\}")]
    private static partial Regex Placeholder();
}
