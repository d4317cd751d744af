using System.Diagnostics;
using Parley.Testing;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Hosting;

/// <summary>scripts/smoke.mjs, the check a user runs after <c>azd up</c>, passes against the real app on Kestrel (outbox provider).</summary>
public sealed class SmokeScriptTests
{
    [Fact]
    public async Task The_smoke_script_signs_up_schedules_and_finds_the_invitation_in_the_outbox()
    {
        await using var app = await ParleyApp.StartOnKestrelAsync(new() { ["Durable:Enabled"] = "true" }); // the engine sends the invitation
        var info = new ProcessStartInfo("node") { WorkingDirectory = RepositoryPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(RepositoryPaths.Combine("scripts", "smoke.mjs"));
        info.ArgumentList.Add(app.BaseUrl!.ToString());
        // The app serves static-web/dist when it is built (npm test builds it first); a bare test run may not have it.
        var web = File.Exists(RepositoryPaths.Combine("static-web", "dist", "index.html"));
        if (!web)
        {
            info.ArgumentList.Add("--no-web");
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;

        Assert.True(process.ExitCode == 0, $"smoke.mjs exited {process.ExitCode}:\n{output}\n{await stderr}");
        Assert.DoesNotContain("✗", output, StringComparison.Ordinal);
        Assert.Contains("✓ health: ok", output, StringComparison.Ordinal);
        if (web)
        {
            Assert.Contains("✓ dashboard: GET / serves the web front end", output, StringComparison.Ordinal);
        }
        Assert.Contains("✓ sign-up: smoke-", output, StringComparison.Ordinal);
        Assert.Contains("✓ case created:", output, StringComparison.Ordinal);
        Assert.Contains("✓ appointment scheduled:", output, StringComparison.Ordinal);
        Assert.Contains("✓ invitation sent: in the developer outbox", output, StringComparison.Ordinal);
        Assert.Contains("Smoke test passed.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_smoke_script_fails_with_a_cross_when_nothing_answers()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        var info = new ProcessStartInfo("node") { WorkingDirectory = RepositoryPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(RepositoryPaths.Combine("scripts", "smoke.mjs"));
        info.ArgumentList.Add($"http://127.0.0.1:{port}");

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(1, process.ExitCode);
        Assert.Contains("✗ GET /api/health", await stdout, StringComparison.Ordinal);
    }
}
