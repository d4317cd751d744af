namespace Parley.Functions.Hosting;

/// <summary>
/// Headers on every response: a strict Content-Security-Policy (scripts and styles only from our origin, no
/// plugins, no framing, no base-tag tricks), no MIME sniffing, and no referrer (links carrying tokens stay private).
/// HTTPS deployments add HSTS (see <see cref="SendsHsts"/>).
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next, IWebHostEnvironment environment, IConfiguration configuration)
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    /// <summary>One year, the usual HSTS lifetime; no includeSubDomains, since the parent domain may not be ours (azurewebsites.net).</summary>
    public const string StrictTransportSecurity = "max-age=31536000";

    private readonly bool _functionsHost = HostingMode.IsFunctionsHost(configuration);

    /// <summary>For the dialog widget's frame: the same policy, but any site may frame it.</summary>
    public static void AllowFramingByAnySite(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy.Replace("frame-ancestors 'none'", "frame-ancestors *", StringComparison.Ordinal);
        response.Headers.Remove("X-Frame-Options");
    }

    /// <summary>For a booking page, the chat frame and a meeting opened from the chat: framable by the account's own websites only (none listed: by nobody).</summary>
    public static void AllowFramingBy(HttpResponse response, IReadOnlyList<string> origins)
    {
        if (origins.Count == 0)
        {
            return;
        }
        response.Headers.ContentSecurityPolicy = Current(response).Replace("frame-ancestors 'none'", "frame-ancestors 'self' " + string.Join(' ', origins), StringComparison.Ordinal);
        response.Headers.Remove("X-Frame-Options");
    }

    /// <summary>
    /// The meeting page when video runs on Azure Communication Services: the Calling SDK talks to Communication Services'
    /// and its signalling hosts over HTTPS and WebSockets and uses blob workers. Taken from the hosts named in the SDK
    /// bundle; not verified against a live resource (see docs/meetings.md).
    /// </summary>
    public static void AllowAcsCalling(HttpResponse response) =>
        response.Headers.ContentSecurityPolicy = Current(response).Replace("connect-src 'self'",
            "connect-src 'self' https://*.communication.azure.com wss://*.communication.azure.com https://*.skype.com wss://*.skype.com " +
            "https://*.teams.microsoft.com wss://*.teams.microsoft.com https://*.communication.microsoft.com https://*.office.net https://*.events.data.microsoft.com; " +
            "worker-src 'self' blob:; media-src 'self' blob:", StringComparison.Ordinal);

    /// <summary>
    /// The API reference page (Scalar, <see cref="OpenApi.OpenApiEndpoints"/>): its script files come from our origin, but
    /// it starts them with one inline module script, allowed by this response's <paramref name="nonce"/> only; and the
    /// page's components set their styles at run time (style elements and attributes), which no nonce covers, so
    /// inline styles are allowed on this page alone. It holds no user data, only the public document.
    /// </summary>
    public static void AllowApiReference(HttpResponse response, string nonce) =>
        response.Headers.ContentSecurityPolicy = Current(response)
            .Replace("script-src 'self'", $"script-src 'self' 'nonce-{nonce}'", StringComparison.Ordinal)
            .Replace("style-src 'self'", "style-src 'self' 'unsafe-inline'", StringComparison.Ordinal);

    /// <summary>The policy set so far for this response (so the page-specific changes above add up), else the default.</summary>
    private static string Current(HttpResponse response) =>
        response.Headers.ContentSecurityPolicy.ToString() is { Length: > 0 } current ? current : ContentSecurityPolicy;

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        if (SendsHsts(context.Request))
        {
            headers.StrictTransportSecurity = StrictTransportSecurity;
        }
        return next(context);
    }

    /// <summary>
    /// HTTPS requests outside Development, except to loopback hosts (as UseHsts), and every response under the Functions
    /// host: it forwards to us over loopback http (the Host we see may be loopback too), but a deployment is https only.
    /// </summary>
    private bool SendsHsts(HttpRequest request) =>
        !environment.IsDevelopment() && (_functionsHost || (request.IsHttps && !IsLoopback(request.Host.Host)));

    private static bool IsLoopback(string host) =>
        host is "localhost" or "127.0.0.1" or "[::1]" or "::1" || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
}
