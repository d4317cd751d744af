using Parley.Functions.Hosting;

namespace Parley.Tests.Hosting;

/// <summary>Where the app finds the built web front end: the package's wwwroot/, a setting, or the local build.</summary>
public sealed class StaticWebRootTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("parley-webroot-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Built(params string[] parts)
    {
        var folder = Path.Combine([_dir, .. parts]);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "index.html"), "<!doctype html>");
        return folder;
    }

    [Fact]
    public void Without_a_setting_wwwroot_next_to_the_executable_wins_over_the_local_build()
    {
        var package = Built("package", "wwwroot");
        Built("repo", "static-web", "dist");
        Directory.CreateDirectory(Path.Combine(_dir, "repo", "functions"));

        Assert.Equal(package, HostingExtensions.StaticWebRoot(null, Path.Combine(_dir, "repo", "functions"), Path.Combine(_dir, "package")));
    }

    [Fact]
    public void Without_a_setting_or_wwwroot_the_local_build_is_used()
    {
        var dist = Built("repo", "static-web", "dist");

        Assert.Equal(dist, HostingExtensions.StaticWebRoot("", Path.Combine(_dir, "repo", "functions"), Path.Combine(_dir, "bin")));
    }

    [Fact]
    public void A_relative_setting_is_found_under_the_content_root_or_else_next_to_the_executable()
    {
        var package = Built("package", "wwwroot");

        Assert.Equal(package, HostingExtensions.StaticWebRoot("wwwroot", Path.Combine(_dir, "elsewhere"), Path.Combine(_dir, "package")));
        Assert.Equal(package, HostingExtensions.StaticWebRoot("wwwroot", Path.Combine(_dir, "package"), Path.Combine(_dir, "bin")));
        Assert.Null(HostingExtensions.StaticWebRoot("missing", Path.Combine(_dir, "package"), Path.Combine(_dir, "bin")));
    }
}
