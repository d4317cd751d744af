using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Workflows;
using Parley.Testing;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Hosting;

/// <summary>
/// Guards against drift between the code and what the Functions host reads: every queue the code processes
/// has a function folder with the same queue name, every folder has a handler, timers share their schedule,
/// and host.json's queue settings match the local pump's defaults.
/// </summary>
public sealed class TriggerFolderTests
{
    private static readonly string TriggersRoot = RepositoryPaths.Combine("functions", "Triggers");

    private static Dictionary<string, JsonElement> ReadFolders() =>
        Directory.GetDirectories(TriggersRoot).ToDictionary(
            d => Path.GetFileName(d),
            d => JsonDocument.Parse(File.ReadAllText(Path.Combine(d, "function.json"))).RootElement.Clone());

    private static async Task<WorkflowInvoker> ProductionInvokerAsync()
    {
        await using var app = await ParleyApp.StartAsync();
        return app.Services.GetRequiredService<WorkflowInvoker>();
    }

    [Fact]
    public void Every_function_folder_holds_only_its_function_json()
    {
        foreach (var dir in Directory.GetDirectories(TriggersRoot))
        {
            Assert.Equal(["function.json"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));
        }
    }

    [Fact]
    public async Task Every_queue_handler_has_a_queue_trigger_folder_and_every_queue_folder_has_a_handler()
    {
        var invoker = await ProductionInvokerAsync();
        var queueFolders = ReadFolders()
            .Where(f => Trigger(f.Value).GetProperty("type").GetString() == "queueTrigger")
            .ToDictionary(f => f.Key, f => f.Value);

        Assert.NotEmpty(invoker.Queues);
        Assert.Equal(invoker.Queues.Select(q => q.QueueName).Order(), queueFolders.Keys.Order());
        foreach (var (folder, json) in queueFolders)
        {
            var trigger = Trigger(json);
            Assert.Equal(folder, trigger.GetProperty("queueName").GetString());
            Assert.Equal("AzureWebJobsStorage", trigger.GetProperty("connection").GetString());
            Assert.Single(json.GetProperty("bindings").EnumerateArray());
        }
    }

    [Fact]
    public async Task Every_timer_handler_has_a_timer_folder_with_the_same_schedule()
    {
        var invoker = await ProductionInvokerAsync();
        var timerFolders = ReadFolders()
            .Where(f => Trigger(f.Value).GetProperty("type").GetString() == "timerTrigger")
            .ToDictionary(f => f.Key, f => Trigger(f.Value).GetProperty("schedule").GetString());

        Assert.Equal(invoker.Timers.ToDictionary(t => t.FunctionName, t => (string?)t.Schedule).OrderBy(p => p.Key), timerFolders.OrderBy(p => p.Key));
    }

    [Fact]
    public void Exactly_one_http_function_forwards_every_path()
    {
        var http = ReadFolders().Where(f => Trigger(f.Value).GetProperty("type").GetString() == "httpTrigger").ToList();

        var (name, json) = Assert.Single(http);
        var bindings = json.GetProperty("bindings").EnumerateArray().ToList();
        // Forwarding only applies to functions with exactly one httpTrigger in and one http out.
        Assert.Equal(2, bindings.Count);
        Assert.Equal("http", bindings[1].GetProperty("type").GetString());
        Assert.Equal("out", bindings[1].GetProperty("direction").GetString());
        // Every path: the app serves the dashboard, the booking and chat pages and the embed scripts itself (docs/hosting.md).
        Assert.Equal("{*path}", bindings[0].GetProperty("route").GetString());
        Assert.Equal("anonymous", bindings[0].GetProperty("authLevel").GetString());
        Assert.Equal("http", name);
    }

    [Fact]
    public void Host_json_configures_the_custom_handler_and_matches_the_local_pump()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Combine("host.json")));
        var root = doc.RootElement;
        var queues = root.GetProperty("extensions").GetProperty("queues");
        var defaults = new QueuePumpOptions();

        Assert.Equal("2.0", root.GetProperty("version").GetString());
        Assert.True(root.GetProperty("customHandler").GetProperty("enableForwardingHttpRequest").GetBoolean());
        Assert.Equal("Parley.Functions.dll", root.GetProperty("customHandler").GetProperty("description").GetProperty("arguments")[0].GetString());
        Assert.Equal("", root.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.StartsWith("Microsoft.Azure.Functions.ExtensionBundle", root.GetProperty("extensionBundle").GetProperty("id").GetString());
        // We enqueue XML-escaped plain text (QueueClient), so the trigger must not expect base64.
        Assert.Equal("none", queues.GetProperty("messageEncoding").GetString());
        Assert.Equal(defaults.MaxDequeueCount, queues.GetProperty("maxDequeueCount").GetInt32());
        Assert.Equal(5, defaults.MaxDequeueCount);
        Assert.Equal(defaults.BatchSize, queues.GetProperty("batchSize").GetInt32());
        Assert.Equal(defaults.RetryDelay, TimeSpan.Parse(queues.GetProperty("visibilityTimeout").GetString()!));
        Assert.Equal(defaults.MaxPollingInterval, TimeSpan.Parse(queues.GetProperty("maxPollingInterval").GetString()!));
    }

    [Fact]
    public void The_build_assembles_the_script_root_next_to_the_executable()
    {
        // The functions project's own output folder, for the configuration this test run was built with.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var output = RepositoryPaths.Combine("functions", "bin", configuration, "net10.0");

        Assert.True(File.Exists(Path.Combine(output, "Parley.Functions.dll")), output);
        Assert.True(File.Exists(Path.Combine(output, "host.json")));
        foreach (var folder in ReadFolders().Keys)
        {
            Assert.True(File.Exists(Path.Combine(output, folder, "function.json")), $"{folder}/function.json is missing from {output}");
        }
        Assert.False(Directory.Exists(Path.Combine(output, "Triggers")));
    }

    private static JsonElement Trigger(JsonElement functionJson) =>
        functionJson.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "in");
}
