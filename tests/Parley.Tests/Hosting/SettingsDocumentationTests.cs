using System.Globalization;
using Parley.Functions.Hosting;
using Parley.Functions.Workflows;
using Parley.Testing;

namespace Parley.Tests.Hosting;

/// <summary>Keeps local.settings.sample.json, the README and the option classes telling the same story.</summary>
public sealed class SettingsDocumentationTests
{
    private static readonly Dictionary<string, string?> Sample = LocalSettingsConfiguration.Read(RepositoryPaths.Combine("local.settings.sample.json"));
    private static readonly Dictionary<string, string> SampleRaw = System.Text.Json.JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Combine("local.settings.sample.json")))
        .RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
    private static readonly string Readme = File.ReadAllText(RepositoryPaths.Combine("README.md"));

    [Fact]
    public void Every_sample_setting_is_explained_in_the_readme()
    {
        foreach (var key in SampleRaw.Keys)
        {
            Assert.True(Readme.Contains($"`{key}`", StringComparison.Ordinal), $"README does not mention `{key}`");
        }
    }

    [Fact]
    public void Every_queue_pump_option_is_in_the_sample_with_its_default()
    {
        var defaults = new QueuePumpOptions();
        foreach (var property in typeof(QueuePumpOptions).GetProperties())
        {
            var key = $"QueuePump__{property.Name}";
            Assert.True(SampleRaw.TryGetValue(key, out var sample), $"{key} is missing from local.settings.sample.json");
            var value = property.GetValue(defaults);
            var expected = value switch
            {
                null => "",
                bool b => b ? "true" : "false",
                TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
                _ => Convert.ToString(value, CultureInfo.InvariantCulture),
            };
            Assert.Equal(expected, value is TimeSpan ? TimeSpan.Parse(sample, CultureInfo.InvariantCulture).ToString("c", CultureInfo.InvariantCulture) : sample);
        }
    }

    [Fact]
    public void The_sample_configures_development_storage_and_the_default_url()
    {
        Assert.Equal("UseDevelopmentStorage=true", Sample["AzureWebJobsStorage"]);
        Assert.Equal(HostingExtensions.DefaultUrl, Sample["urls"]);
        Assert.False(Sample.ContainsKey(HostingMode.CustomHandlerPortSetting), "the sample must not switch the app into Functions-host mode");
    }
}
