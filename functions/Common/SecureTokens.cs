using System.Security.Cryptography;
using System.Text;

namespace Parley.Functions.Common;

/// <summary>Identifiers and secrets from the CSPRNG, and the one-way hashes we store instead of secrets.</summary>
public static class SecureTokens
{
    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>A random lowercase base32 string of <paramref name="length"/> characters (5 bits each).</summary>
    public static string NewId(int length = 16)
    {
        Span<byte> bytes = stackalloc byte[length];
        RandomNumberGenerator.Fill(bytes);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = Base32[bytes[i] & 31];
        }
        return new string(chars);
    }

    /// <summary>A URL-safe secret of <paramref name="bytes"/> random bytes (default 32 = 256 bits).</summary>
    public static string NewSecret(int bytes = 32) => Base64Url(RandomNumberGenerator.GetBytes(bytes));

    /// <summary>SHA-256 of a high-entropy secret, hex encoded. Fine for random tokens; passwords use a slow hash.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
