using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Parley.Testing;

namespace Parley.Tests.Hosting;

/// <summary>
/// <c>npm run package</c> (scripts/package.mjs) produces the zip Flex Consumption's one deploy expects: the zip's root
/// is the Functions script root (host.json, one folder per function, the app) with the web front end in wwwroot/.
/// Runs alone (its own collection, parallelization off): a Release publish takes both cores for a minute, which would
/// starve the timing-bound tests running beside it (the crash-recovery test ran out of its bound that way).
/// </summary>
[Collection(Name)]
public sealed class PackageTests
{
    public const string Name = "Packaging (runs alone)";

    [Fact]
    public async Task The_package_is_the_script_root_with_the_app_and_the_web_front_end()
    {
        var zipPath = Path.Combine(Path.GetTempPath(), $"parley-package-{Guid.NewGuid():N}.zip");
        try
        {
            // The web front end is reused when built (other tests serve static-web/dist, and rebuilding would empty it under them).
            var built = File.Exists(RepositoryPaths.Combine("static-web", "dist", "index.html"));
            var info = new ProcessStartInfo("node") { WorkingDirectory = RepositoryPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(RepositoryPaths.Combine("scripts", "package.mjs"));
            info.ArgumentList.Add("--out");
            info.ArgumentList.Add(zipPath);
            if (built)
            {
                info.ArgumentList.Add("--skip-web");
            }
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"package.mjs failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");

            using var zip = ZipFile.OpenRead(zipPath);
            var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);

            Assert.Contains("host.json", names);
            foreach (var folder in Directory.GetDirectories(RepositoryPaths.Combine("functions", "Triggers")))
            {
                Assert.Contains($"{Path.GetFileName(folder)}/function.json", names);
            }
            Assert.Contains("Parley.Functions.dll", names);
            Assert.Contains("Parley.Functions.runtimeconfig.json", names);

            using (var host = JsonDocument.Parse(zip.GetEntry("host.json")!.Open()))
            {
                var description = host.RootElement.GetProperty("customHandler").GetProperty("description");
                Assert.Equal("dotnet", description.GetProperty("defaultExecutablePath").GetString());
                Assert.Contains(description.GetProperty("arguments")[0].GetString()!, names);
            }
            // Framework-dependent: the host's dotnet runs the DLL, so no apphost executable and no runtime in the package.
            Assert.DoesNotContain("Parley.Functions", names);
            Assert.DoesNotContain(names, n => n.StartsWith("System.Private.CoreLib", StringComparison.Ordinal));

            Assert.Contains("wwwroot/index.html", names);
            Assert.Contains("wwwroot/chat-embed.js", names);
            Assert.Contains("wwwroot/book-embed.js", names);

            // No local secrets, no debug symbols, no folder entries, nothing outside the root.
            Assert.DoesNotContain(names, n => Path.GetFileName(n).Equals("local.settings.json", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(names, n => Path.GetFileName(n).Equals("appsettings.Development.json", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(names, n => n.EndsWith(".pdb", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(names, n => n.EndsWith('/') || n.StartsWith('/') || n.Contains("..", StringComparison.Ordinal) || n.Contains('\\'));

            // Every entry reads back with its checksum (ZipArchive checks the CRC at the end of the stream).
            foreach (var entry in zip.Entries)
            {
                await using var stream = entry.Open();
                await stream.CopyToAsync(Stream.Null);
            }
            Assert.InRange(new FileInfo(zipPath).Length, 1, 100L * 1024 * 1024);
        }
        finally
        {
            File.Delete(zipPath);
        }
    }
}

/// <summary>The packaging test's collection: run after the parallel ones, by itself.</summary>
[CollectionDefinition(PackageTests.Name, DisableParallelization = true)]
public sealed class PackagingCollection;
