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
