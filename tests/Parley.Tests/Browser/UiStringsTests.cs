using System.Text.RegularExpressions;
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

/// <summary>Text people read comes from i18n/*.json; German typed straight into the code would show in the English UI.</summary>
public sealed partial class HardCodedTextTests
{
    /// <summary>Language names are written in their own language on purpose (a German speaker looks for "Deutsch").</summary>
    private static readonly string[] Endonyms = ["Deutsch", "Français", "Español", "Italiano", "Polski", "Nederlands", "English"];

    [Fact]
    public void No_string_in_the_dashboard_code_is_german()
    {
        var root = RepositoryPaths.Combine("static-web");
        var files = Directory.GetFiles(Path.Combine(root, "src"), "*.ts", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}i18n{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Concat(Directory.GetFiles(root, "*.html"));
        var found = new List<string>();
        foreach (var file in files)
        {
            var source = File.ReadAllText(file);
            var literals = file.EndsWith(".html", StringComparison.Ordinal)
                ? HtmlTextRegex().Matches(source).Select(m => m.Groups[1].Value)
                : GermanLiterals(source);
            found.AddRange(literals.Where(l => !Endonyms.Contains(l) && GermanRegex().IsMatch(l)).Select(l => $"{Path.GetFileName(file)}: {l}"));
        }
        Assert.Empty(found);
    }

    [Fact]
    public void The_check_finds_german_in_strings_but_not_in_comments()
    {
        Assert.Contains("Termin absagen", GermanLiterals("label: \"Termin absagen\","));
        Assert.Contains("Noch keine Antwort", GermanLiterals("h(\"p\", {}, 'Noch keine Antwort')"));
        Assert.Contains("Antwort senden", GermanLiterals("const a = `Antwort senden`; // a link"));
        Assert.Empty(GermanLiterals("/** \"Kunde seit\" → \"kunde-seit\" */\nconst x = 1; // \"Uhr\"\nfetch(\"https://example.com/a\");"));
    }

    /// <summary>The string literals of TypeScript source that read as German (comments left out).</summary>
    private static List<string> GermanLiterals(string source)
    {
        var code = LineCommentRegex().Replace(BlockCommentRegex().Replace(source, ""), "");
        return StringLiteralRegex().Matches(code).Select(m => m.Groups[2].Value).Where(l => GermanRegex().IsMatch(l)).ToList();
    }

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex BlockCommentRegex();

    /// <summary>"//" at a line's start or after a space; "https://" in a string is not a comment.</summary>
    [GeneratedRegex(@"(^|\s)//.*$", RegexOptions.Multiline)]
    private static partial Regex LineCommentRegex();

    [GeneratedRegex("""(["'`])((?:\\.|(?!\1)[^\\\n])*)\1""")]
    private static partial Regex StringLiteralRegex();

    [GeneratedRegex(@">([^<>]+)<")]
    private static partial Regex HtmlTextRegex();

    [GeneratedRegex(@"[äöüÄÖÜß]|\b(und|oder|nicht|Sie|Ihre?|bitte|Bitte|Uhr|Termine?|Kunden?|Antwort|Nachricht|zeigen|Senden|Speichern|Abbrechen|Noch|keine)\b")]
    private static partial Regex GermanRegex();
}
