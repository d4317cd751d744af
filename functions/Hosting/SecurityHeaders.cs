namespace Parley.Functions.Hosting;

/// <summary>
/// Headers on every response: a strict Content-Security-Policy (scripts and styles only from our origin, no
/// plugins, no framing, no base-tag tricks), no MIME sniffing, and no referrer (links carrying tokens stay private).
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    /// <summary>For the dialog widget's frame: the same policy, but any site may frame it.</summary>
    public static void AllowFramingByAnySite(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy.Replace("frame-ancestors 'none'", "frame-ancestors *", StringComparison.Ordinal);
        response.Headers.Remove("X-Frame-Options");
    }

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        return next(context);
    }
}
