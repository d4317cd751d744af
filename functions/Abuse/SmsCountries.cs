using NodaTime.TimeZones;
using Parley.Functions.Accounts;
using Parley.Functions.Common;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Abuse;

/// <summary>
/// Which country calling codes SMS caused by public pages may go to. Until an administrator sets
/// <see cref="Account.SmsCountryCodes"/>, only the code of the account's own country: the country its time zone lies in
/// (as the dashboard's phone fields pick their default country, see docs/cases-and-appointments.md), else the country
/// its default language stands for. An account whose country cannot be told gets none: public pages then send no SMS
/// until an administrator chooses the countries.
/// </summary>
public static class SmsCountries
{
    private const int MaxCodes = 50;

    /// <summary>IANA zone → ISO country, from the tz database's zone.tab as NodaTime ships it (links resolved to their canonical zone).</summary>
    private static readonly Lazy<Dictionary<string, string>> ZoneCountries = new(() =>
    {
        var source = TzdbDateTimeZoneSource.Default;
        var byZone = (source.ZoneLocations ?? []).ToDictionary(l => l.ZoneId, l => l.CountryCode, StringComparer.Ordinal);
        foreach (var (alias, canonical) in source.CanonicalIdMap)
        {
            if (!byZone.ContainsKey(alias) && byZone.TryGetValue(canonical, out var country))
            {
                byZone[alias] = country;
            }
        }
        return byZone;
    });

    /// <summary>The country a language without a region most likely means (only the languages accounts can choose).</summary>
    private static readonly Dictionary<string, string> LanguageCountries = new(StringComparer.OrdinalIgnoreCase)
    {
        ["de"] = "DE", ["fr"] = "FR", ["es"] = "ES", ["it"] = "IT", ["pl"] = "PL", ["nl"] = "NL",
        // "en" names no single country (GB, US, IE, AU, …): the time zone has to tell.
    };

    /// <summary>The ISO 3166 country of the account: of its time zone, else of its default language; null when neither tells.</summary>
    public static string? CountryOf(string? timeZone, string? language)
    {
        if (timeZone is not null && ZoneCountries.Value.TryGetValue(timeZone, out var country) && PhoneNumber.IsCountry(country))
        {
            return country;
        }
        var parts = (language ?? "").Split('-', '_');
        if (parts.Length > 1 && PhoneNumber.IsCountry(parts[^1]))
        {
            return parts[^1].ToUpperInvariant();
        }
        return LanguageCountries.TryGetValue(parts[0], out var fromLanguage) ? fromLanguage : null;
    }

    /// <summary>The calling codes in force: the administrator's choice, else the code of the account's country (or none).</summary>
    public static IReadOnlyList<int> Effective(Account account)
    {
        if (account.SmsCountryCodes is { } chosen)
        {
            return chosen;
        }
        return CountryOf(account.TimeZone, account.DefaultLanguage) is { } country ? [PhoneNumber.DiallingCodeOf(country)] : [];
    }

    /// <summary>Checks a PATCHed list: known calling codes only, at most 50; returns them distinct and sorted.</summary>
    public static IReadOnlyList<int> Validate(Validation v, string field, IReadOnlyList<int> codes)
    {
        var known = PhoneNumber.Countries.Select(c => c.DiallingCode).ToHashSet();
        if (codes.Count > MaxCodes)
        {
            v.Add(field, L("Choose at most {0} country codes.", MaxCodes));
        }
        else if (codes.Where(c => !known.Contains(c)).Select(c => (int?)c).FirstOrDefault() is { } unknown)
        {
            v.Add(field, unknown > 0 ? L("+{0} is not a country calling code.", unknown) : L("Enter country calling codes such as +49, separated by commas."));
        }
        return codes.Distinct().Order().ToList();
    }
}
