using Parley.Functions.Common;

namespace Parley.Functions.Accounts;

public sealed record SignUpRequest(string? BusinessName, string? TimeZone, string? AdminName, string? Email, string? Password);

/// <summary>PATCH body: absent fields stay as they are; an empty string clears an optional field.</summary>
public sealed record AccountPatch(
    string? BusinessName,
    string? TimeZone,
    string? DefaultLanguage,
    bool? SeparateOperators,
    string? MeetingMode,
    string? PinPolicy,
    string? SenderEmail,
    string? SenderName,
    IReadOnlyList<int>? ReminderOffsetMinutes = null,
    int? MeetingOpensMinutesBefore = null,
    bool? LocationSharing = null,
    string? ContactLine = null,
    string? BookingConsentText = null,
    IReadOnlyList<string>? EmbedOrigins = null,
    int? PublicMessagesPerDay = null,
    IReadOnlyList<int>? SmsCountryCodes = null);

public sealed record AccountView(
    string Id,
    string BusinessName,
    string TimeZone,
    string DefaultLanguage,
    bool SeparateOperators,
    string MeetingMode,
    string PinPolicy,
    string? SenderEmail,
    string? SenderName,
    IReadOnlyList<int> ReminderOffsetMinutes,
    DateTimeOffset CreatedAt,
    int MeetingOpensMinutesBefore,
    bool LocationSharing,
    string? ContactLine,
    string? BookingConsentText,
    IReadOnlyList<string> EmbedOrigins,
    int PublicMessagesPerDay,
    IReadOnlyList<int> SmsCountryCodes)
{
    public static AccountView From(Account a) => new(
        a.Id, a.BusinessName, a.TimeZone, a.DefaultLanguage, a.SeparateOperators,
        Wire.Name(a.MeetingMode), Wire.Name(a.PinPolicy), a.SenderEmail, a.SenderName, a.ReminderOffsetMinutes, a.CreatedAt,
        a.MeetingOpensMinutesBefore, a.LocationSharing, a.ContactLine, a.BookingConsentText, a.EmbedOrigins, a.PublicMessagesPerDay, Abuse.SmsCountries.Effective(a));
}

public sealed record OperatorView(
    string Id,
    string Name,
    string Email,
    string Role,
    string TimeZone,
    string? LineId,
    bool Active,
    string Language,
    bool HasPassword,
    DateTimeOffset CreatedAt)
{
    public static OperatorView From(Operator o) => new(
        o.Id, o.Name, o.Email, Wire.Name(o.Role), o.TimeZone, o.LineId, o.Active, o.Language, o.PasswordHash is not null, o.CreatedAt);
}

/// <summary>GET /api/me: who is signed in and the account settings the dashboard needs.</summary>
public sealed record MeView(OperatorView? Operator, AccountView Account, MeApiKey? ApiKey);

public sealed record MeApiKey(string Id, string Name);
