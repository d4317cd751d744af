using System.Net.Mail;

namespace Parley.Functions.Common;

public static class EmailAddress
{
    /// <summary>One address, no display name, a dot in the domain.</summary>
    public static bool IsValid(string value)
    {
        if (value.Length > 254 || value.Any(char.IsWhiteSpace) || value.Contains('<') || value.Contains('>'))
        {
            return false;
        }
        return MailAddress.TryCreate(value, out var parsed)
            && string.Equals(parsed.Address, value, StringComparison.OrdinalIgnoreCase)
            && parsed.Host.Contains('.')
            && !parsed.Host.StartsWith('.') && !parsed.Host.EndsWith('.');
    }

    /// <summary>The form addresses are compared and indexed in: trimmed and lower-cased.</summary>
    public static string Normalize(string value) => value.Trim().ToLowerInvariant();
}
