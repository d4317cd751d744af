using Azure;

namespace Parley.Functions.Appointments;

public enum AppointmentType
{
    Individual,
    Group,
}

public enum AppointmentStatus
{
    Scheduled,
    Cancelled,
}

/// <summary>Which invitations the operator asked for; delivering them is the notifications workflow's job.</summary>
public sealed record InvitationRequest(bool Sms, bool Email, string Language);

/// <summary>What happened to an appointment, in order; the notifications workflow acts on these entries.</summary>
public sealed record HistoryEntry(DateTimeOffset At, string Action, string By, DateTimeOffset? Start, DateTimeOffset? End, string? Reason, InvitationRequest? Invitation);

/// <summary>A meeting of a case. Row "appt|{id}" in the account's partition of the Cases table.</summary>
public sealed record Appointment(
    string Id,
    string AccountId,
    string CaseId,
    AppointmentType Type,
    DateTimeOffset Start,
    DateTimeOffset End,
    string TimeZone,
    IReadOnlyList<string> OperatorIds,
    InvitationRequest Invitation,
    bool PinProtected,
    string? Pin,
    string JoinToken,
    AppointmentStatus Status,
    IReadOnlyList<HistoryEntry> History,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public ETag ETag { get; init; }
}

public sealed record InvitationInput(bool? Sms, bool? Email, string? Language);

public sealed record AppointmentRequest(
    string? Type,
    string? Start,
    string? End,
    string? TimeZone,
    IReadOnlyList<string>? OperatorIds,
    InvitationInput? Invitation,
    bool? PinProtected,
    string? Email,
    string? Phone);

/// <summary>POST /api/appointments: a new case and its first appointment in one step.</summary>
public sealed record CaseWithAppointmentRequest(
    Cases.CaseRequest? Case,
    string? Type,
    string? Start,
    string? End,
    string? TimeZone,
    IReadOnlyList<string>? OperatorIds,
    InvitationInput? Invitation,
    bool? PinProtected)
{
    public AppointmentRequest Appointment => new(Type, Start, End, TimeZone, OperatorIds, Invitation, PinProtected, null, null);
}

public sealed record ReschedulePatch(string? Start, string? End, string? TimeZone, IReadOnlyList<string>? OperatorIds, InvitationInput? Invitation, bool? PinProtected);

public sealed record CancelRequest(string? Reason);

public sealed record ResendRequest(bool? Sms, bool? Email);

public sealed record AppointmentView(
    string Id,
    string CaseId,
    string Type,
    DateTimeOffset Start,
    DateTimeOffset End,
    string TimeZone,
    IReadOnlyList<string> OperatorIds,
    InvitationRequest Invitation,
    bool PinProtected,
    string? Pin,
    string JoinUrl,
    string Status,
    IReadOnlyList<HistoryEntry> History);

/// <summary>A calendar entry (from the calendar index, no secrets).</summary>
public sealed record CalendarEntry(string Id, string CaseId, string CaseName, int CaseNumber, string Type, DateTimeOffset Start, DateTimeOffset End, IReadOnlyList<string> OperatorIds);
