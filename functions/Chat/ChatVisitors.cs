using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Parley.Functions.Common;

namespace Parley.Functions.Chat;

/// <summary>Who a visitor token belongs to: the account and the visitor (verified: derived from the website's own identifier).</summary>
public sealed record ChatVisitor(string AccountId, string VisitorId, bool Verified);

/// <summary>
/// The visitor token the widget holds after <c>POST /api/chat/{key}/session</c>: sealed with the app's data-protection
/// keys, time-limited, scoped to its account, sent in the <c>X-Chat-Visitor</c> header (never a cookie).
/// </summary>
public sealed class ChatVisitors(IDataProtectionProvider provider, TimeProvider time)
{
    public const string Header = "X-Chat-Visitor";
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);
    private readonly IDataProtector _protector = provider.CreateProtector("Parley.Chat.Visitor.v1");
    private readonly IDataProtector _links = provider.CreateProtector("Parley.Chat.Link.v1");

    /// <summary>How long the link in an e-mail (<c>/chat#token</c>) opens the conversation.</summary>
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromDays(30);

    /// <summary>The partitioned cookie that keeps an anonymous visitor where the frame has no localStorage (per account).</summary>
    public static string CookieName(string key) => "parley.chat." + key;

    /// <summary>
    /// Keeps the token in a partitioned (CHIPS), HttpOnly, Secure cookie for the chat API's path only: kept per host
    /// site even where third-party storage is blocked, like the dialog widget's memory (WidgetMemory).
    /// </summary>
    public void Remember(HttpResponse response, string key, string token)
    {
        var options = new CookieOptions { Path = "/api/chat/", HttpOnly = true, Secure = true, SameSite = SameSiteMode.None, Expires = time.GetUtcNow() + Lifetime, IsEssential = true };
        options.Extensions.Add("Partitioned");
        response.Cookies.Append(CookieName(key), token, options);
    }

    /// <summary>A link back to the visitor's conversation, for e-mails; a different purpose than session tokens, so neither passes as the other.</summary>
    public string IssueLink(ChatVisitor visitor) => _links.Protect(JsonSerializer.Serialize(new Sealed(visitor, time.GetUtcNow() + LinkLifetime)));

    public ChatVisitor? ReadLink(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2000)
        {
            return null;
        }
        try
        {
            var s = JsonSerializer.Deserialize<Sealed>(_links.Unprotect(token));
            return s is null || s.Expires < time.GetUtcNow() ? null : s.Visitor;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or JsonException)
        {
            return null;
        }
    }

    public string Issue(ChatVisitor visitor) => _protector.Protect(JsonSerializer.Serialize(new Sealed(visitor, time.GetUtcNow() + Lifetime)));

    /// <summary>The token's visitor when it is genuine, unexpired and of <paramref name="accountId"/>; null otherwise.</summary>
    public ChatVisitor? Read(string? token, string accountId)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2000)
        {
            return null;
        }
        try
        {
            var s = JsonSerializer.Deserialize<Sealed>(_protector.Unprotect(token));
            return s is null || s.Expires < time.GetUtcNow() || s.Visitor.AccountId != accountId ? null : s.Visitor;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>A verified identifier's visitor id: the same on every device, and unrelated between accounts.</summary>
    public static string VerifiedVisitorId(string accountId, string identifier) => "v" + SecureTokens.Hash("chat-visitor|" + accountId + "|" + identifier)[..31];

    public static string NewVisitorId() => "a" + SecureTokens.NewId(24);

    /// <summary>hex(HMAC-SHA256(secret, identifier)), compared in fixed time.</summary>
    public static bool SignatureMatches(string secret, string identifier, string signature)
    {
        var expected = Sign(secret, identifier);
        return SecureTokens.FixedTimeEquals(expected, signature.Trim().ToLowerInvariant());
    }

    public static string Sign(string secret, string identifier) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(identifier)));

    private sealed record Sealed(ChatVisitor Visitor, DateTimeOffset Expires);
}
