using Parley.Functions.Common;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Identity;

/// <summary>NIST 800-63B style: long enough, not absurdly long, not a well-known password, not the e-mail or name.</summary>
public static class PasswordPolicy
{
    public const int MinLength = 10;
    public const int MaxLength = 128;

    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "1234567890", "12345678910", "123456789012", "0123456789", "password1", "password12", "password123", "password1234",
        "passwort123", "passwort1234", "qwertzuiop", "qwertyuiop", "1q2w3e4r5t", "iloveyou123", "administrator", "letmein123",
        "welcome123", "willkommen", "willkommen1", "sommer2026", "winter2026", "changeme123", "abcdefghij", "aaaaaaaaaa",
        "0000000000", "1111111111", "qwerty12345", "asdfghjkl1", "trustno1234", "parley1234", "parleypassword",
    };

    public static void Check(Validation validation, string field, string? password, params string?[] personal)
    {
        if (string.IsNullOrEmpty(password))
        {
            validation.Add(field, L("Choose a password."));
            return;
        }
        if (password.Length < MinLength)
        {
            validation.Add(field, L("Use at least {0} characters.", MinLength));
            return;
        }
        if (password.Length > MaxLength)
        {
            validation.Add(field, L("Use at most {0} characters.", MaxLength));
            return;
        }
        if (Common.Contains(password) || password.Distinct().Count() <= 2)
        {
            validation.Add(field, L("This password is too easy to guess. Try a few unrelated words."));
            return;
        }
        foreach (var value in personal)
        {
            if (!string.IsNullOrWhiteSpace(value) && password.Contains(value.Trim(), StringComparison.OrdinalIgnoreCase) && value.Trim().Length >= 4)
            {
                validation.Add(field, L("Don't use your name or e-mail address in the password."));
                return;
            }
        }
    }
}
