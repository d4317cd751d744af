using System.Text.Json;
using System.Text.RegularExpressions;
using Parley.Functions.Common;
using Parley.Testing;

namespace Parley.Tests.Booking;

/// <summary>
/// The public booking page and the booker's link speak all seven customer languages, each with every text and the
/// same placeholders; every text is used by the pages' code (static-web/src/book), none is left behind.
/// </summary>
public sealed partial class BookingTextsTests
{
    private static readonly string Folder = RepositoryPaths.Combine("static-web", "src", "book", "i18n");

    private static Dictionary<string, string> Load(string language) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(Folder, language + ".json")))!;

    [Fact]
    public void Every_customer_language_has_every_booking_page_text_with_the_same_placeholders()
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
                if (language != "en" && key is not ("when" or "length.option"))
                {
                    Assert.True(text != english[key] || text.Length < 8, $"{language}: {key} is still English");
                }
            }
        }
    }

    [Fact]
    public void Every_booking_page_text_is_used_by_the_pages()
    {
        var source = string.Concat(Directory.GetFiles(RepositoryPaths.Combine("static-web", "src", "book"), "*.ts").Select(File.ReadAllText));
        var unused = Load("en").Keys.Where(key => !source.Contains($"\"{key}\"", StringComparison.Ordinal)).ToList();
        Assert.Empty(unused);
    }

    private static string[] Placeholders(string text) => [.. Placeholder().Matches(text).Select(m => m.Value).Order()];

    [GeneratedRegex(@"\{\w+\}")]
    private static partial Regex Placeholder();
}
