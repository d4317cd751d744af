using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Parley.Functions.Dialogs;

/// <summary>What a customer asked the widget to remember on their device.</summary>
public sealed record RememberedDetails(string Keyword, string Email, string? CallPhone, string? SmsPhone, string? SecretWord);

/// <summary>
/// "Remember my details on this device". The widget runs in a frame of another site, where browsers that block
/// third-party storage (Safari, Chrome with third-party cookies blocked) deny <c>localStorage</c>. So the details live in
/// a <b>partitioned</b> cookie (CHIPS: kept per host site, allowed where third-party cookies are not), HttpOnly, Secure,
/// sealed with the data-protection keys — unreadable by the host page and by anyone holding only the cookie's bytes.
/// The secret word is included only when the customer ticked "also remember the secret word".
/// </summary>
public sealed class WidgetMemory(IDataProtectionProvider protection, TimeProvider time)
{
    public const string CookieName = "parley.widget-memory";
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(180);
    private readonly IDataProtector _protector = protection.CreateProtector("Parley.Dialogs.WidgetMemory.v1");

    public RememberedDetails? Read(HttpRequest request)
    {
        if (!request.Cookies.TryGetValue(CookieName, out var sealedValue) || string.IsNullOrEmpty(sealedValue))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<RememberedDetails>(_protector.Unprotect(sealedValue));
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or JsonException)
        {
            return null;
        }
    }

    public void Write(HttpResponse response, RememberedDetails details) =>
        response.Cookies.Append(CookieName, _protector.Protect(JsonSerializer.Serialize(details)), Options(time.GetUtcNow() + Lifetime));

    public void Forget(HttpResponse response) => response.Cookies.Append(CookieName, "", Options(DateTimeOffset.UnixEpoch));

    private static CookieOptions Options(DateTimeOffset expires)
    {
        var options = new CookieOptions { Path = "/api/", HttpOnly = true, Secure = true, SameSite = SameSiteMode.None, Expires = expires, IsEssential = true };
        options.Extensions.Add("Partitioned");
        return options;
    }
}
