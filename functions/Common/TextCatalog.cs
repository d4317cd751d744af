using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Parley.Functions.Common;

/// <summary>
/// Texts for customers in several languages, from JSON files embedded in the build (<c>{prefix}.{language}.json</c>:
/// key → template with <c>{name}</c> placeholders). A language or key that is missing falls back to English.
/// </summary>
public sealed partial class TextCatalog
{
    private readonly Dictionary<string, Dictionary<string, string>> _catalogs;

    public TextCatalog(string resourcePrefix, IEnumerable<string> languages) =>
        _catalogs = languages.ToDictionary(l => l, l => Load(resourcePrefix, l));

    public IReadOnlyCollection<string> Languages => _catalogs.Keys;

    public string Get(string language, string key, params (string Name, string Value)[] values)
    {
        var catalog = _catalogs.TryGetValue(language, out var c) ? c : _catalogs["en"];
        var template = catalog.TryGetValue(key, out var t) ? t : _catalogs["en"][key];
        var map = values.ToDictionary(v => v.Name, v => v.Value);
        return Placeholder().Replace(template, m => map.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);
    }

    private static Dictionary<string, string> Load(string prefix, string language)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"{prefix}.{language}.json")
            ?? throw new InvalidOperationException($"The {language} texts of {prefix} are missing from the build.");
        return JsonSerializer.Deserialize<Dictionary<string, string>>(stream)!;
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();
}
