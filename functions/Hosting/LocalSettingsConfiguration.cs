using System.Text.Json;

namespace Parley.Functions.Hosting;

/// <summary>
/// Reads the <c>Values</c> of <c>local.settings.json</c> (the Functions Core Tools file) so a standalone run
/// uses the same settings file as <c>func start</c>. <c>Section__Key</c> names become <c>Section:Key</c>.
/// Environment variables and command-line arguments still win.
/// </summary>
public static class LocalSettingsConfiguration
{
    public const string FileName = "local.settings.json";

    public static void AddLocalSettings(this ConfigurationManager configuration, string contentRoot)
    {
        var path = new[] { Path.Combine(contentRoot, FileName), Path.Combine(contentRoot, "..", FileName) }.FirstOrDefault(File.Exists);
        if (path is null)
        {
            return;
        }
        var values = Read(path);
        // Insert just before the first environment-variables source so env vars and the command line override the file.
        var sources = (IList<IConfigurationSource>)configuration.Sources;
        var index = sources.ToList().FindIndex(s => s is Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource);
        var source = new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = values };
        if (index < 0)
        {
            sources.Add(source);
        }
        else
        {
            sources.Insert(index, source);
        }
    }

    public static Dictionary<string, string?> Read(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            if (doc.RootElement.TryGetProperty("Values", out var values) && values.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in values.EnumerateObject())
                {
                    var value = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText();
                    if (string.IsNullOrEmpty(value))
                    {
                        continue; // an empty entry in the sample means "not set"
                    }
                    var key = p.Name.Replace("__", ":", StringComparison.Ordinal);
                    result[key] = value;
                    // As with environment variables, ASPNETCORE_URLS also sets 'urls'.
                    if (key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase))
                    {
                        result[key["ASPNETCORE_".Length..]] = value;
                    }
                }
            }
            return result;
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{path} is not valid JSON: {ex.Message}", ex);
        }
    }
}
