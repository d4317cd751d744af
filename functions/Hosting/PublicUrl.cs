using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Parley.Functions.Hosting;

/// <summary>
/// The public address of the dashboard, the origin of every link Parley hands out (set-password, meeting join,
/// dialog reply page) and of the callback URLs Communication Services posts to. It is never taken from an incoming
/// request: a request's Host header is the caller's to choose, and an anonymous widget request would otherwise decide
/// the host of the reply link the customer later receives. <c>App__PublicUrl</c> when set; else (local runs, tests)
/// the address Parley itself listens on. Under the Functions host the setting is required, since Parley listens
/// there on a loopback port only the host can reach.
/// </summary>
public sealed class PublicUrl(IConfiguration configuration, IServer server, ILogger<PublicUrl> logger)
{
    public const string Setting = "App:PublicUrl";

    private string? _origin;

    /// <summary>Scheme, host and port without a trailing slash, e.g. <c>https://parley.example.com</c>.</summary>
    public string Origin => _origin ??= Resolve();

    /// <summary>The origin for links built while handling a request (it does not depend on the request).</summary>
    public static string Of(HttpContext http) => http.RequestServices.GetRequiredService<PublicUrl>().Origin;

    private string Resolve()
    {
        if (configuration[Setting] is { Length: > 0 } configured)
        {
            return configured.TrimEnd('/');
        }
        // Known once the server has started (always so by the time a request or queue message is handled).
        var listening = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? configuration["urls"]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
            ?? HostingExtensions.DefaultUrl;
        var origin = ForPeopleOnThisMachine(listening);
        logger.LogInformation("App__PublicUrl is not set: links point to {Origin}, where Parley listens", origin);
        return origin;
    }

    /// <summary>A wildcard or loopback listen address as a browser on this machine reaches it: localhost (a secure context, so Secure cookies work over http).</summary>
    private static string ForPeopleOnThisMachine(string address)
    {
        var uri = new UriBuilder(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "127.0.0.1" or "[::1]")
        {
            uri.Host = "localhost";
        }
        return uri.Uri.GetLeftPart(UriPartial.Authority);
    }

    /// <summary>Checks the setting at startup: an absolute http(s) URL when set, and set under the Functions host.</summary>
    internal sealed class Validator(IConfiguration configuration) : IValidateOptions<Options>
    {
        public ValidateOptionsResult Validate(string? name, Options options)
        {
            var value = options.PublicUrl;
            if (string.IsNullOrWhiteSpace(value))
            {
                return HostingMode.IsFunctionsHost(configuration)
                    ? ValidateOptionsResult.Fail("App__PublicUrl is required under the Functions host: set it to the dashboard's public https address, the origin of every link Parley sends.")
                    : ValidateOptionsResult.Success;
            }
            return Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && uri.AbsolutePath == "/" && uri.Query.Length == 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"App__PublicUrl must be an absolute http(s) address without a path, like https://parley.example.com, not '{value}'.");
        }
    }

    /// <summary>The <c>App</c> section, bound so that the setting is validated at startup with the other options.</summary>
    internal sealed class Options
    {
        public string? PublicUrl { get; set; }
    }
}
