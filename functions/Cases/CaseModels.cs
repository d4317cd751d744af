using System.Text.Json;
using Azure;
using Parley.Functions.Common;

namespace Parley.Functions.Cases;

/// <summary>How a case came to be; set by the entry point, never by the client (API callers may declare zapier).</summary>
public enum CaseOrigin
{
    Manual,
    Api,
    Widget,
    BookingPage,
    Zapier,
    /// <summary>Turned into a case from an adviser dialog: the customer's contact data is hidden (<see cref="HiddenContact"/>).</summary>
    Dialog,
    /// <summary>Created by a visitor's first message in the website chat (functions/Chat, docs/chat.md).</summary>
    WebsiteChat,
}

public enum CaseStatus
{
    Active,
    Completed,
}

/// <summary>Online while the customer is on their meeting page, Away otherwise.</summary>
public enum CustomerStatus
{
    Away,
    Online,
}

/// <summary>Every customer interaction lives in a case. Row "case|{id}" of the account's partition in the Cases table.</summary>
public sealed record Case(
    string Id,
    string AccountId,
    int Number,
    string Name,
    CaseOrigin Origin,
    CustomerStatus CustomerStatus,
    string? Email,
    string? Phone,
    string? InternalReference,
    string? Notes,
    IReadOnlyDictionary<string, string> CustomFields,
    IReadOnlyList<string> AssignedOperatorIds,
    string Language,
    CaseStatus Status,
    string? Location,
    IReadOnlyDictionary<string, DateTimeOffset> ScheduledAppointments,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public ETag ETag { get; init; }

    /// <summary>
    /// Contact data nobody in the account may see (a case made from an adviser dialog); <see cref="Email"/> and
    /// <see cref="Phone"/> are then empty and the messages use these addresses.
    /// </summary>
    public HiddenContact? Hidden { get; init; }

    /// <summary>What the website that embedded a booking page passed along (e.g. its own customer id); shown, never interpreted.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Where e-mails to the customer go: the visible address, else the hidden one.</summary>
    public string? ReachEmail => Email ?? Hidden?.Email;

    /// <summary>Where the customer said they are, when they agreed to share it in a meeting (accounts that enable location sharing).</summary>
    public CustomerLocation? SharedLocation { get; init; }

    /// <summary>Where SMS to the customer go: the visible mobile number, else the hidden SMS number (never the hidden call number).</summary>
    public string? ReachSms => Phone ?? Hidden?.SmsPhone;

    /// <summary>
    /// Set when a public page (no signed-in person) created the case, e.g. the booking page: its customer messages then
    /// pass the abuse guard (<see cref="Abuse.PublicSendGuard"/>). Null for cases operators or integrations created.
    /// </summary>
    public PublicSource? PublicSource { get; init; }

    /// <summary>A website-chat visitor wrote last and no operator has answered yet (docs/chat.md: a flag, not a status).</summary>
    public bool AwaitingReply { get; init; }

    /// <summary>A website-chat visitor's messages since an operator last read or answered the case.</summary>
    public int UnreadMessages { get; init; }

    /// <summary>The next scheduled appointment from <paramref name="now"/> on, if any.</summary>
    public DateTimeOffset? NextAppointment(DateTimeOffset now) =>
        ScheduledAppointments.Values.Where(s => s >= now).Order().Cast<DateTimeOffset?>().FirstOrDefault();
}

/// <summary>
/// The customer's contact data from an adviser dialog (seed 004: advisers never see the customer's e-mail or numbers).
/// Stored so invitations and reminders reach the customer, shown to nobody: views carry only <see cref="HiddenContactView"/>.
/// </summary>
public sealed record HiddenContact(string DialogCustomerId, string? Email, string? SmsPhone, string? CallPhone)
{
    /// <summary>What any screen or response shows where a hidden address would stand (e.g. a message's recipient).</summary>
    public const string Shown = "(hidden)";

    public HiddenContactView View() => new(DialogCustomerId,
        [.. new[] { (Email, "email"), (SmsPhone, "sms"), (CallPhone, "call") }.Where(c => c.Item1 is not null).Select(c => c.Item2)]);
}

/// <summary>
/// Which public page created a case, and a hash of the client address it came from (never the address itself), so
/// the abuse guard can count messages per requester long after the request.
/// </summary>
public sealed record PublicSource(string Kind, string ClientAddressHash)
{
    public const string BookingPage = "bookingPage";
    public const string WebsiteChat = "websiteChat";

    /// <summary>The source of a request to a public page: the client's rate-limit key (IPv6: its /64), hashed.</summary>
    public static PublicSource FromRequest(Microsoft.AspNetCore.Http.HttpContext http, string kind = BookingPage) =>
        new(kind, HashClientAddress(RateLimiting.ClientAddress.RateLimitKey(http)));

    /// <summary>What the guard counts a client by: the hash of its rate-limit key.</summary>
    public static string HashClientAddress(string rateLimitKey) => SecureTokens.Hash("public-source|" + rateLimitKey);
}

/// <summary>A position the customer's browser reported (WGS 84), how exact it is, and when.</summary>
public sealed record CustomerLocation(double Latitude, double Longitude, double? AccuracyMeters, DateTimeOffset At)
{
    /// <summary>A map of the position (OpenStreetMap), for the operator to open.</summary>
    public string MapUrl => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"https://www.openstreetmap.org/?mlat={Latitude:0.######}&mlon={Longitude:0.######}#map=16/{Latitude:0.######}/{Longitude:0.######}");
}

/// <summary>What a case shows of hidden contact data: where it came from and which channels exist, never an address.</summary>
public sealed record HiddenContactView(string FromDialogCustomer, IReadOnlyList<string> Channels);

/// <summary>POST body; PATCH uses <see cref="CasePatch"/>.</summary>
public sealed record CaseRequest(
    string? Name,
    string? Email,
    string? Phone,
    string? InternalReference,
    string? Notes,
    Dictionary<string, JsonElement>? CustomFields,
    IReadOnlyList<string>? AssignedOperatorIds,
    string? Language,
    string? Origin);

/// <summary>Any subset of fields (the dashboard autosaves one at a time). An empty string clears an optional field; a custom field set to null or "" is cleared.</summary>
public sealed record CasePatch(
    string? Name,
    string? Email,
    string? Phone,
    string? InternalReference,
    string? Notes,
    Dictionary<string, JsonElement>? CustomFields,
    IReadOnlyList<string>? AssignedOperatorIds,
    string? Language);

/// <summary>A case as the API shows it: <c>phone</c> is E.164 (what integrations read and send), <c>phoneDisplay</c> the same number grouped for reading.</summary>
public sealed record CaseView(
    string Id,
    int Number,
    string Name,
    string Origin,
    string CustomerStatus,
    string? Email,
    string? Phone,
    string? InternalReference,
    string? Notes,
    IReadOnlyDictionary<string, string> CustomFields,
    IReadOnlyList<string> AssignedOperatorIds,
    string Language,
    string Status,
    string? Location,
    DateTimeOffset? NextAppointmentAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    HiddenContactView? ContactHidden,
    string? PhoneDisplay,
    CustomerLocationView? SharedLocation = null,
    string? WaitingAppointmentId = null,
    IReadOnlyDictionary<string, string>? Metadata = null,
    bool AwaitingReply = false,
    int UnreadMessages = 0)
{
    public static CaseView From(Case c, DateTimeOffset now, IEnumerable<string>? visibleCustomFields = null) => new(
        c.Id, c.Number, c.Name, Wire.Name(c.Origin), Wire.Name(c.CustomerStatus), c.Email, c.Phone, c.InternalReference, c.Notes,
        visibleCustomFields is null ? c.CustomFields : c.CustomFields.Where(f => visibleCustomFields.Contains(f.Key)).ToDictionary(),
        c.AssignedOperatorIds, c.Language, Wire.Name(c.Status), c.Location, c.NextAppointment(now), c.CreatedAt, c.UpdatedAt, c.Hidden?.View(),
        PhoneNumber.Display(c.Phone), c.SharedLocation is { } l ? new CustomerLocationView(l.Latitude, l.Longitude, l.AccuracyMeters, l.At, l.MapUrl) : null,
        Metadata: c.Metadata, AwaitingReply: c.AwaitingReply, UnreadMessages: c.UnreadMessages);
}

public sealed record CustomerLocationView(double Latitude, double Longitude, double? AccuracyMeters, DateTimeOffset At, string MapUrl);

/// <summary>
/// One row of the case list, read from the activity index; <see cref="CustomerStatus"/> and <see cref="WaitingAppointmentId"/>
/// (a customer waiting to be let into that meeting) come from the customers' presence at the moment of reading.
/// </summary>
public sealed record CaseSummary(
    string Id,
    int Number,
    string Name,
    string Origin,
    string Status,
    string CustomerStatus,
    string? Email,
    string? InternalReference,
    IReadOnlyList<string> AssignedOperatorIds,
    DateTimeOffset? NextAppointmentAt,
    DateTimeOffset UpdatedAt,
    string? WaitingAppointmentId = null,
    bool AwaitingReply = false,
    int UnreadMessages = 0);

public sealed record CasePage(IReadOnlyList<CaseSummary> Items, string? NextCursor);

/// <summary>The answer of <c>GET /api/cases/find</c>: the matching cases, newest activity first; empty when none match.</summary>
public sealed record CaseMatches(IReadOnlyList<CaseSummary> Items);
