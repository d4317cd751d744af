using Parley.Functions.Accounts;

namespace Parley.Functions.Chat;

/// <summary>
/// CORS for the visitor API (<c>/api/chat/{key}/…</c>): only the account's <c>embedOrigins</c> (the websites that may
/// embed its booking pages) get <c>Access-Control-Allow-Origin</c>; a preflight from any other origin is answered 204
/// without it, so the browser blocks the call. Credentials are never allowed (the API reads no cookie).
/// </summary>
public static class ChatCors
{
    public static WebApplication UseChatCors(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            var origin = request.Headers.Origin.ToString();
            if (!request.Path.StartsWithSegments("/api/chat", out var rest) || origin.Length == 0)
            {
                await next(context);
                return;
            }
            var key = rest.Value?.Trim('/').Split('/')[0] ?? "";
            var allowed = false;
            if (AccountStore.IsId(key))
            {
                var accounts = context.RequestServices.GetRequiredService<AccountStore>();
                var account = await accounts.GetSettingsAsync(ChatService.TenantOf(key), context.RequestAborted);
                allowed = account is not null && account.EmbedOrigins.Contains(origin.ToLowerInvariant(), StringComparer.Ordinal);
            }
            context.Response.Headers.Vary = "Origin";
            if (allowed)
            {
                context.Response.Headers.AccessControlAllowOrigin = origin;
            }
            if (HttpMethods.IsOptions(request.Method))
            {
                if (allowed)
                {
                    context.Response.Headers.AccessControlAllowMethods = "GET, POST";
                    context.Response.Headers.AccessControlAllowHeaders = "Content-Type, " + ChatVisitors.Header;
                    context.Response.Headers.AccessControlMaxAge = "600";
                }
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }
            await next(context);
        });
        return app;
    }
}
