using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Testing;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Hosting;

/// <summary>The real executable: where it listens, and how it refuses to start on bad storage configuration.</summary>
public sealed class StartupTests
{
    [Theory]
    [InlineData("AccountName=devstoreaccount1", "no AccountKey")]
    [InlineData("this is not a connection string", "not a valid connection string")]
    [InlineData("", "Storage is not configured")]
    public async Task Bad_storage_configuration_stops_startup_with_one_clear_line_naming_the_setting(string value, string expected)
    {
        await using var app = AppProcess.Start(new() { ["AzureWebJobsStorage"] = value, ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{AppProcess.FreePort()}" });

        var exitCode = await app.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, exitCode);
        var line = Assert.Single(app.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Parley cannot start: ", line);
        Assert.Contains("AzureWebJobsStorage", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", app.StandardOutput + app.StandardError);
    }

    [Fact]
    public async Task Invalid_queue_pump_settings_stop_startup_with_a_clear_line()
    {
        var azurite = await Azurite.SharedAsync();
        await using var app = AppProcess.Start(new()
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{AppProcess.FreePort()}",
            ["QueuePump__BatchSize"] = "99",
        });

        var exitCode = await app.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, exitCode);
        Assert.Equal("Parley cannot start: QueuePump__BatchSize must be 1–32.", Assert.Single(app.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task Unreachable_storage_stops_startup_with_a_clear_line_instead_of_failing_the_first_request()
    {
        var closedPort = AppProcess.FreePort();
        var connection = $"AccountName=devstoreaccount1;AccountKey={Parley.Functions.Storage.StorageConnection.DevelopmentAccountKey};" +
                         $"TableEndpoint=http://127.0.0.1:{closedPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{closedPort}/devstoreaccount1";
        await using var app = AppProcess.Start(new()
        {
            ["AzureWebJobsStorage"] = connection,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{AppProcess.FreePort()}",
            ["Storage__MaxRetries"] = "0",
        });

        var exitCode = await app.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        var line = Assert.Single(app.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Cannot reach storage configured by 'AzureWebJobsStorage'", line);
        Assert.Contains($"127.0.0.1:{closedPort}", line);
    }

    [Theory]
    [InlineData("127.0.0.1", "Production")]
    [InlineData("localhost", "Development")] // as npm start runs it
    public async Task A_taken_port_stops_startup_with_one_line_naming_the_address_and_no_stack_trace(string host, string environment)
    {
        var azurite = await Azurite.SharedAsync();
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        await using var app = AppProcess.Start(new() { ["AzureWebJobsStorage"] = azurite.ConnectionString, ["ASPNETCORE_URLS"] = $"http://{host}:{port}", ["DOTNET_ENVIRONMENT"] = environment });

        var exitCode = await app.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 1, app.StandardOutput + "\n" + app.StandardError);
        var line = Assert.Single(app.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", app.StandardOutput);
        Assert.DoesNotContain("crit:", app.StandardOutput);
        Assert.Equal($"Parley cannot start: http://{host}:{port} is already in use. Stop what runs there, or set ASPNETCORE_URLS (or --urls) to a free port.", line);
    }

    [Theory]
    [InlineData("environment")]
    [InlineData("arguments")]
    public async Task Npm_start_on_a_taken_port_says_so_in_one_line_and_stops_before_building(string how)
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://localhost:{((IPEndPoint)taken.LocalEndpoint).Port}";
        var info = new System.Diagnostics.ProcessStartInfo("node") { WorkingDirectory = RepositoryPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(RepositoryPaths.Combine("scripts", "parley.mjs"));
        info.ArgumentList.Add("start");
        info.Environment.Remove("ASPNETCORE_URLS");
        if (how == "environment")
        {
            info.Environment["ASPNETCORE_URLS"] = url;
        }
        else
        {
            info.ArgumentList.Add("--urls");
            info.ArgumentList.Add(url);
        }
        using var npmStart = System.Diagnostics.Process.Start(info)!;
        var stdout = npmStart.StandardOutput.ReadToEndAsync();
        var stderr = npmStart.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        await npmStart.WaitForExitAsync(timeout.Token);

        Assert.Equal(1, npmStart.ExitCode);
        Assert.Equal("", await stdout);
        var line = Assert.Single((await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"[parley] {url} is already in use.", line);
    }

    [Fact]
    public async Task Under_the_functions_host_it_listens_on_the_custom_handler_port_and_serves_trigger_routes()
    {
        var azurite = await Azurite.SharedAsync();
        var port = AppProcess.FreePort();
        await using var app = AppProcess.Start(new()
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:1", // ignored under the host
            ["App__PublicUrl"] = "https://parley.example",
        });
        await app.WaitForPortAsync(port, TimeSpan.FromSeconds(30));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        using var ready = await http.GetAsync("/");
        var health = await http.GetFromJsonAsync<JsonElement>("/api/health");
        using var sweep = await http.PostAsync("/sweeps", new StringContent("""{"Data":{"message":"{\"task\":\"poison-report\",\"scheduledFor\":\"2026-11-22T10:00:00Z\"}"},"Metadata":{"DequeueCount":1}}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("functions-host", health.GetProperty("mode").GetString());
        Assert.Equal(HttpStatusCode.OK, sweep.StatusCode);
    }

    [Fact]
    public async Task Standalone_it_listens_on_the_configured_url()
    {
        var azurite = await Azurite.SharedAsync();
        var port = AppProcess.FreePort();
        await using var app = AppProcess.Start(new()
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["QueuePump__Enabled"] = "false",
            ["Timers__Enabled"] = "false",
        });
        await app.WaitForPortAsync(port, TimeSpan.FromSeconds(30));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var health = await http.GetFromJsonAsync<JsonElement>("/api/health");
        using var sweep = await http.PostAsync("/sweeps", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        using var missing = await http.GetAsync("/api/no-such-route");

        Assert.Equal("standalone", health.GetProperty("mode").GetString());
        Assert.Equal(HttpStatusCode.NotFound, sweep.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
