using Azure;

namespace Parley.Functions.Accounts;

public enum OperatorRole
{
    Operator,
    Administrator,
}

public enum MeetingMode
{
    VideoAndChat,
    ChatOnly,
}

public enum PinPolicy
{
    Off,
    DefaultOn,
    Mandatory,
}

/// <summary>One business (a "line"): the tenant boundary. Row "account" of its partition in the Accounts table.</summary>
public sealed record Account(
    string Id,
    string BusinessName,
    string TimeZone,
    string DefaultLanguage,
    bool SeparateOperators,
    MeetingMode MeetingMode,
    PinPolicy PinPolicy,
    string? SenderEmail,
    string? SenderName,
    DateTimeOffset CreatedAt)
{
    /// <summary>Minutes before an appointment at which customers are reminded (default 24 h and 1 h).</summary>
    public IReadOnlyList<int> ReminderOffsetMinutes { get; init; } = [1440, 60];

    /// <summary>How many minutes before the start customers may enter the meeting room (default 10).</summary>
    public int MeetingOpensMinutesBefore { get; init; } = 10;

    /// <summary>Whether operators may ask customers in a meeting to share their location (off unless an administrator enables it).</summary>
    public bool LocationSharing { get; init; }

    /// <summary>How customers reach the business (shown with a cancelled meeting), e.g. "Call us on +49 30 1234567".</summary>
    public string? ContactLine { get; init; }

    /// <summary>Shown on booking pages next to a checkbox the booker must tick (privacy notice, terms); none when null.</summary>
    public string? BookingConsentText { get; init; }

    /// <summary>Websites (origins such as https://www.example.com) allowed to embed the account's booking pages.</summary>
    public IReadOnlyList<string> EmbedOrigins { get; init; } = [];

    /// <summary>Version of the account row; every change to who administers the account bumps it (see AccountStore).</summary>
    public ETag ETag { get; init; }
}

/// <summary>A person of the account: adviser (operator) or line operator (administrator). Row "operator|{id}".</summary>
public sealed record Operator(
    string Id,
    string AccountId,
    string Name,
    string Email,
    OperatorRole Role,
    string TimeZone,
    string? LineId,
    bool Active,
    string Language,
    string? PasswordHash,
    string SecurityStamp,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public ETag ETag { get; init; }

    public bool IsActiveAdministrator => Active && Role == OperatorRole.Administrator;
}

/// <summary>An API key's public record (the secret is never stored). Row "apikey|{id}".</summary>
public sealed record ApiKeyRecord(
    string Id,
    string AccountId,
    string Name,
    string Prefix,
    string SecretHash,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt);
