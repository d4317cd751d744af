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

    /// <summary>The next scheduled appointment from <paramref name="now"/> on, if any.</summary>
    public DateTimeOffset? NextAppointment(DateTimeOffset now) =>
        ScheduledAppointments.Values.Where(s => s >= now).Order().Cast<DateTimeOffset?>().FirstOrDefault();
}

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
    DateTimeOffset UpdatedAt)
{
    public static CaseView From(Case c, DateTimeOffset now, IEnumerable<string>? visibleCustomFields = null) => new(
        c.Id, c.Number, c.Name, Wire.Name(c.Origin), Wire.Name(c.CustomerStatus), c.Email, c.Phone, c.InternalReference, c.Notes,
        visibleCustomFields is null ? c.CustomFields : c.CustomFields.Where(f => visibleCustomFields.Contains(f.Key)).ToDictionary(),
        c.AssignedOperatorIds, c.Language, Wire.Name(c.Status), c.Location, c.NextAppointment(now), c.CreatedAt, c.UpdatedAt);
}

/// <summary>One row of the case list, read from the activity index alone.</summary>
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
    DateTimeOffset UpdatedAt);

public sealed record CasePage(IReadOnlyList<CaseSummary> Items, string? NextCursor);
