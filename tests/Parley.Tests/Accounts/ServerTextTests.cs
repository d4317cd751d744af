using System.Net;
using System.Text.RegularExpressions;
using Parley.Functions.Common;
using Parley.Testing;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Accounts;

public sealed partial class ServerTextTests
{
    [Fact]
    public void Every_message_the_api_shows_people_has_a_german_translation_with_the_same_placeholders()
    {
        var sources = Directory.GetFiles(RepositoryPaths.Combine("functions"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.EndsWith("ServerText.cs", StringComparison.Ordinal));
        var used = sources.SelectMany(f => MessageRegex().Matches(File.ReadAllText(f)).Select(m => Regex.Unescape(m.Groups[1].Value))).Distinct().ToList();

        Assert.True(used.Count > 30, $"found only {used.Count} messages; is the scan still finding L(\"…\") calls?");
        var missing = used.Where(m => !ServerText.German.ContainsKey(m)).ToList();
        Assert.True(missing.Count == 0, "Translate into German: " + string.Join(" | ", missing));
        foreach (var (english, german) in ServerText.German)
        {
            Assert.Equal(PlaceholderRegex().Matches(english).Select(m => m.Value).Order(), PlaceholderRegex().Matches(german).Select(m => m.Value).Order());
        }
    }

    [Fact]
    public async Task The_api_answers_in_german_when_asked_in_german()
    {
        await using var app = await ParleyApp.StartAsync();
        using var session = app.NewSession();
        session.Client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("de-DE");

        using var response = await session.PostAsync("/api/accounts", new { businessName = "", timeZone = "Europe/Berlin", adminName = "Anna", email = "anna@example.com", password = "kurz" });

        var problem = await ApiSession.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("Einige Felder brauchen Ihre Aufmerksamkeit.", problem.GetProperty("title").GetString());
        Assert.Equal("Dieses Feld ist erforderlich.", problem.GetProperty("errors").GetProperty("businessName")[0].GetString());
        Assert.Equal("Verwenden Sie mindestens 10 Zeichen.", problem.GetProperty("errors").GetProperty("password")[0].GetString());
    }

    [GeneratedRegex(@"\bL\(""((?:[^""\\]|\\.)*)""")]
    private static partial Regex MessageRegex();

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex PlaceholderRegex();
}
