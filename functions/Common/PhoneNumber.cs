using PhoneNumbers;

namespace Parley.Functions.Common;

/// <summary>Why a phone number was refused.</summary>
public enum PhoneNumberProblem { None, NoCountryCode, NotANumber, TooShort, TooLong, WrongLength }

/// <summary>
/// Phone numbers, parsed by libphonenumber (Google's metadata): stored as E.164 (<c>+49 9999 999</c> →
/// <c>+499999999</c>) and shown in the international format (<c>+49 9999 999</c>). A number needs its country:
/// a leading '+' and the country code, or a chosen <c>country</c> (ISO 3166 alpha-2) for a national number.
/// The check is libphonenumber's "possible number" (length per country), not its stricter validity: the help
/// articles' own example, +49 9999 999, is not an assigned German range, and new ranges must not be refused
/// before the metadata catches up.
/// </summary>
public static class PhoneNumber
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>Every country the metadata knows, with its dialling code, ordered by ISO code.</summary>
    public static IReadOnlyList<(string Country, int DiallingCode)> Countries { get; } =
        [.. Util.GetSupportedRegions().Order(StringComparer.Ordinal).Select(r => (r, Util.GetCountryCodeForRegion(r)))];

    /// <summary>The country a shared dialling code stands for when nothing else says (+1 → US, +44 → GB).</summary>
    public static string MainCountryOf(int diallingCode) => Util.GetRegionCodeForCountryCode(diallingCode);

    /// <summary>The dialling code of an ISO 3166 country (DE → 49); 0 for an unknown country.</summary>
    public static int DiallingCodeOf(string country) => Util.GetCountryCodeForRegion(country.ToUpperInvariant());

    /// <summary>
    /// What kind of line a stored E.164 number is by libphonenumber's metadata (mobile, fixed line, premium rate, …);
    /// <see cref="PhoneNumberType.UNKNOWN"/> for a number outside every assigned range. Also returns its calling code.
    /// </summary>
    public static (int CountryCode, PhoneNumberType Type) Classify(string e164)
    {
        try
        {
            var number = Util.Parse(e164, null);
            return (number.CountryCode, Util.GetNumberType(number));
        }
        catch (NumberParseException)
        {
            return (0, PhoneNumberType.UNKNOWN);
        }
    }

    /// <summary>
    /// A number as logs and abuse reports may show it: the calling code, the first three national digits and the
    /// last two (<c>+4915112345067</c> → <c>+49 151 ****67</c>); short or unreadable numbers show less.
    /// </summary>
    public static string Mask(string? e164)
    {
        if (string.IsNullOrWhiteSpace(e164))
        {
            return "****";
        }
        try
        {
            var number = Util.Parse(e164, null);
            var national = Util.GetNationalSignificantNumber(number);
            return national.Length >= 8 ? $"+{number.CountryCode} {national[..3]} ****{national[^2..]}" : $"+{number.CountryCode} ****";
        }
        catch (NumberParseException)
        {
            return "****";
        }
    }

    public static bool IsCountry(string? country) => country is not null && Util.GetSupportedRegions().Contains(country.ToUpperInvariant());

    public static bool TryNormalize(string input, out string e164) => Normalize(input, null, out e164) == PhoneNumberProblem.None;

    /// <summary>Parses <paramref name="input"/>; a number without '+' is read as a national number of <paramref name="country"/> when given.</summary>
    public static PhoneNumberProblem Normalize(string input, string? country, out string e164)
    {
        e164 = "";
        var text = input.Trim();
        // Only what people write in numbers: libphonenumber would read letters as a keypad (1-800-FLOWERS) and
        // ';ext=' as an extension, neither of which an SMS or a call can use.
        if (text.Length == 0 || text.Any(c => !(char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '(' or ')' or '.' or '/' or '\u00A0')))
        {
            return PhoneNumberProblem.NotANumber;
        }
        var international = text.StartsWith('+');
        if (!international && !IsCountry(country))
        {
            return PhoneNumberProblem.NoCountryCode;
        }
        PhoneNumbers.PhoneNumber number;
        try
        {
            number = Util.Parse(text, international ? null : country!.ToUpperInvariant());
        }
        catch (NumberParseException ex)
        {
            return ex.ErrorType switch
            {
                ErrorType.INVALID_COUNTRY_CODE => PhoneNumberProblem.NoCountryCode,
                ErrorType.TOO_SHORT_AFTER_IDD or ErrorType.TOO_SHORT_NSN => PhoneNumberProblem.TooShort,
                ErrorType.TOO_LONG => PhoneNumberProblem.TooLong,
                _ => PhoneNumberProblem.NotANumber,
            };
        }
        switch (Util.IsPossibleNumberWithReason(number))
        {
            case PhoneNumberUtil.ValidationResult.IS_POSSIBLE:
                e164 = Util.Format(number, PhoneNumberFormat.E164);
                return PhoneNumberProblem.None;
            case PhoneNumberUtil.ValidationResult.TOO_LONG:
                return PhoneNumberProblem.TooLong;
            case PhoneNumberUtil.ValidationResult.INVALID_COUNTRY_CODE:
                return PhoneNumberProblem.NoCountryCode;
            case PhoneNumberUtil.ValidationResult.INVALID_LENGTH:
                return PhoneNumberProblem.WrongLength;
            default: // TOO_SHORT, and IS_POSSIBLE_LOCAL_ONLY: a number without its area code reaches nobody by SMS or call

                return PhoneNumberProblem.TooShort;
        }
    }

    /// <summary>A stored E.164 number grouped for reading (<c>+499999999</c> → <c>+49 9999 999</c>); anything unreadable as it is.</summary>
    public static string? Display(string? e164)
    {
        if (string.IsNullOrEmpty(e164))
        {
            return e164;
        }
        try
        {
            return Util.Format(Util.Parse(e164, null), PhoneNumberFormat.INTERNATIONAL);
        }
        catch (NumberParseException)
        {
            return e164;
        }
    }
}
