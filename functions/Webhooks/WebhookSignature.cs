using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Functions.Webhooks;

/// <summary>
/// Signing per the Standard Webhooks specification: secrets <c>whsec_</c> + base64 of 24–64 random bytes; headers
/// <c>webhook-id</c> (the same for every attempt of one delivery), <c>webhook-timestamp</c> (the attempt's time, Unix
/// seconds) and <c>webhook-signature</c> (<c>v1,</c> + base64 HMAC-SHA256 of <c>{id}.{timestamp}.{body}</c> with the
/// secret's bytes; during a rotation one signature per secret, space-separated). Receivers verify with any Standard
/// Webhooks library (the tests use the reference one, <c>StandardWebhooks</c>).
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const int MinSecretBytes = 24;
    public const int MaxSecretBytes = 64;

    /// <summary>A new signing secret: 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The secret's key bytes, or null when it is not <c>whsec_</c> + base64 of 24–64 bytes.</summary>
    public static byte[]? KeyOf(string? secret)
    {
        if (secret is null || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return null;
        }
        try
        {
            var key = Convert.FromBase64String(secret[SecretPrefix.Length..]);
            return key.Length is >= MinSecretBytes and <= MaxSecretBytes ? key : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>One signature, <c>v1,&lt;base64&gt;</c>.</summary>
    public static string Sign(string secret, string id, DateTimeOffset timestamp, string body)
    {
        var key = KeyOf(secret) ?? throw new ArgumentException("Not a whsec_ secret of 24 to 64 bytes.", nameof(secret));
        var signed = Encoding.UTF8.GetBytes($"{id}.{Unix(timestamp)}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }

    /// <summary>The three headers of one attempt, signed with every given secret (the current one, and the previous one during a rotation).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Headers(IEnumerable<string> secrets, string id, DateTimeOffset timestamp, string body) =>
    [
        new(IdHeader, id),
        new(TimestampHeader, Unix(timestamp)),
        new(SignatureHeader, string.Join(' ', secrets.Select(s => Sign(s, id, timestamp, body)))),
    ];

    private static string Unix(DateTimeOffset t) => t.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}
