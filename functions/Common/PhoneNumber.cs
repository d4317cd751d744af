namespace Parley.Functions.Common;

/// <summary>
/// E.164 numbers: '+', a country code, at most 15 digits in all. Spaces, dashes, dots and parentheses are allowed
/// on input and removed (<c>+49 9999 999</c> → <c>+499999999</c>); anything else, or a number without '+', is refused.
/// </summary>
public static class PhoneNumber
{
    public static bool TryNormalize(string input, out string normalized)
    {
        var cleaned = new string(input.Where(c => c is not (' ' or '-' or '(' or ')' or '.' or '\u00A0')).ToArray());
        normalized = cleaned;
        return cleaned.Length is >= 8 and <= 16
            && cleaned[0] == '+'
            && cleaned[1] is >= '1' and <= '9'
            && cleaned.Skip(1).All(char.IsAsciiDigit);
    }
}
