using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Identity;

/// <summary>
/// Cross-site request forgery guard for the cookie-authenticated API. A state-changing <c>/api</c> request
/// without an API key must carry <c>X-Parley-Client</c> (a custom header a foreign site can only send after a
/// CORS preflight we never allow) and must not be marked cross-site by the browser (<c>Sec-Fetch-Site</c>, <c>Origin</c>).
/// Together with SameSite=Strict cookies this covers old and new browsers alike. <c>/api/acs</c> is exempt: Communication
/// Services' webhooks carry no cookies and are authenticated by their own secrets. So is <c>/api/meet</c>, the meeting
/// room: it reads no cookie at all (the meeting session travels in a header, or in the body of the page-hide beacon,
/// which cannot set headers), so a forged cross-site request has nothing to ride on. The public booking API
/// (<c>/api/book</c>, <c>/api/booking</c>) likewise reads no cookie: a booking page is anonymous and the booker's link
/// is its own credential. The website chat's visitor API (<c>/api/chat</c>) too: its token travels in a header.
/// </summary>
public sealed class CsrfProtection(RequestDelegate next)
{
    public const string HeaderName = "X-Parley-Client";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path.StartsWithSegments("/api") && !request.Path.StartsWithSegments("/api/acs") && !request.Path.StartsWithSegments("/api/meet")
            && !request.Path.StartsWithSegments("/api/book") && !request.Path.StartsWithSegments("/api/booking") && !request.Path.StartsWithSegments("/api/chat") && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
            && !request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
            var origin = request.Headers.Origin.ToString();
            var crossSite = fetchSite is "cross-site" or "same-site"
                || (origin.Length > 0 && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase));
            if (crossSite || string.IsNullOrEmpty(request.Headers[HeaderName]))
            {
                await ProblemResponses.WriteAsync(context, StatusCodes.Status403Forbidden, L("Request refused"),
                    L("State-changing requests must come from the Parley dashboard (header {0}) or carry an API key.", HeaderName));
                return;
            }
        }
        await next(context);
    }
}
