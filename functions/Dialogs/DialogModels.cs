using Azure;

namespace Parley.Functions.Dialogs;

public enum DialogParty
{
    Customer,
    Adviser,
}

/// <summary>A secret word the account gives its regular customers; only with an active one can a dialog start.</summary>
public sealed record SecretWord(string Id, string Word, bool Active, DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt);

/// <summary>The account's dialog settings (administrators). Row "settings" of the account's Dialogs partition.</summary>
public sealed record DialogSettings(int MaxMessageLength, string? CallerId, string WidgetText, string WidgetColor, bool SmsToCustomers, IReadOnlyList<SecretWord> SecretWords)
{
    public static readonly DialogSettings Default = new(500, null, "Request a talk", "#2563eb", false, []);

    public ETag ETag { get; init; }
}

/// <summary>Where an adviser is alerted; never shown to customers. Row "adviser|{operator}".</summary>
public sealed record AdviserAlerts(string? Email, bool EmailOn, string? VoicePhone, bool VoiceOn, string? SmsPhone, bool SmsOn)
{
    public static readonly AdviserAlerts Off = new(null, false, null, false, null, false);
}

/// <summary>The customer's contact data: used to write and call them, never shown to the adviser.</summary>
public sealed record CustomerContact(string Email, string? CallPhone, string? SmsPhone);

/// <summary>
/// One conversation between a customer (known to the adviser only by <see cref="CustomerId"/> and keyword) and an
/// adviser. Stored twice in the account partition — "all|{id}" for administrators and "op|{operator}|{id}" for the
/// adviser — so both inboxes are one range query; ids sort newest first.
/// </summary>
public sealed record Dialog(
    string AccountId,
    string Id,
    string OperatorId,
    string CustomerId,
    string Keyword,
    DateTimeOffset? AvailableUntil,
    DateTimeOffset? WishedAt,
    string TimeZone,
    string Language,
    CustomerContact Contact,
    string FirstMessage,
    string LastMessage,
    DialogParty LastFrom,
    bool Answered,
    int MessageCount,
    bool Closed,
    string ProtectedReplySecret,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public ETag ETag { get; init; }

    public bool NeedsAnswer => !Closed && LastFrom == DialogParty.Customer;
}

/// <summary>One message of a dialog. Row "msg|{dialog}|{seq:D4}".</summary>
public sealed record DialogMessage(int Seq, DialogParty From, string Text, DateTimeOffset At, string? OperatorId);
