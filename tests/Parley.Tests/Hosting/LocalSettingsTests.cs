using Microsoft.Extensions.Configuration;
using Parley.Functions.Hosting;

namespace Parley.Tests.Hosting;

public sealed class LocalSettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("parley-settings").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Values_become_configuration_keys_and_environment_variables_still_win()
    {
        File.WriteAllText(Path.Combine(_dir, LocalSettingsConfiguration.FileName), """
        {
          "IsEncrypted": false,
          "Values": {
            "FUNCTIONS_WORKER_RUNTIME": "Custom",
            "AzureWebJobsStorage": "UseDevelopmentStorage=true",
            "QueuePump__BatchSize": "8",
            "Storage__NetworkTimeout": "00:00:20"
          }
        }
        """);
        var configuration = new ConfigurationManager();
        configuration.AddJsonFile(Path.Combine(_dir, "absent.json"), optional: true);
        configuration.AddEnvironmentVariables();
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["QueuePump:BatchSize"] = "4" });

        configuration.AddLocalSettings(_dir);

        Assert.Equal("UseDevelopmentStorage=true", configuration["AzureWebJobsStorage"]);
        Assert.Equal("00:00:20", configuration["Storage:NetworkTimeout"]);
        Assert.Equal("4", configuration["QueuePump:BatchSize"]); // a later source overrides the file
        Assert.Equal("Custom", configuration["FUNCTIONS_WORKER_RUNTIME"]);
    }

    [Fact]
    public void A_broken_file_names_itself()
    {
        var path = Path.Combine(_dir, LocalSettingsConfiguration.FileName);
        File.WriteAllText(path, "{ \"Values\": ");

        var ex = Assert.Throws<InvalidOperationException>(() => LocalSettingsConfiguration.Read(path));

        Assert.Contains(path, ex.Message);
    }
}
