using System.Text.Json;

namespace Parley.Functions.Booking;

/// <summary><c>POST /api/book/{handle}</c> (see docs/booking.md).</summary>
public sealed record BookingRequest(
    string? Start,
    int? Length,
    string? Name,
    string? Email,
    string? Phone,
    string? Language,
    string? TimeZone,
    string? Note,
    bool? Consent,
    Dictionary<string, JsonElement>? Answers,
    Dictionary<string, JsonElement>? Metadata);

/// <summary>What the booker gets back: enough for the confirmation page.</summary>
public sealed record BookingConfirmation(
    string Id,
    DateTimeOffset Start,
    DateTimeOffset End,
    string TimeZone,
    string OperatorName,
    string BusinessName,
    string ManageUrl,
    string IcsUrl);

public sealed record BookingQuestion(string Key, string Label, string Type, IReadOnlyList<string> Choices, bool Required);

/// <summary><c>GET /api/book/{handle}</c>: what the booking page shows before any time is chosen.</summary>
public sealed record BookingPageView(
    string Handle,
    string OperatorName,
    string BusinessName,
    IReadOnlyList<int> Lengths,
    string TimeZone,
    int DaysAhead,
    string? ConsentText,
    IReadOnlyList<BookingQuestion> Questions,
    string DefaultLanguage,
    IReadOnlyList<string> Languages,
    IReadOnlyList<string> EmbedOrigins);

public sealed record SlotDay(string Date, IReadOnlyList<DateTimeOffset> Slots);

public sealed record SlotsView(int Length, string TimeZone, IReadOnlyList<SlotDay> Days);

/// <summary>The booker's own view of their booking (<c>GET /api/booking/{token}</c>).</summary>
public sealed record BookerView(
    string Status,
    DateTimeOffset Start,
    DateTimeOffset End,
    string TimeZone,
    string OperatorName,
    string BusinessName,
    string? Handle,
    int Length,
    string? MovedBy,
    DateTimeOffset? PreviousStart,
    string? CancelledBy,
    string? Reason,
    bool CanChange);

public sealed record BookerChange(string? Start, string? Reason);
