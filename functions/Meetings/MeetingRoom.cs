using Microsoft.Extensions.Options;
using Parley.Functions.Accounts;
using Parley.Functions.Appointments;
using Parley.Functions.Cases;
using Parley.Functions.Common;
using Parley.Functions.Identity;

namespace Parley.Functions.Meetings;

/// <summary>Where a meeting stands for one person on its page.</summary>
public enum RoomState
{
    /// <summary>Too early: the room opens <see cref="Account.MeetingOpensMinutesBefore"/> minutes before the start.</summary>
    NotYetOpen,
    /// <summary>Too early, and the appointment was moved: the page shows the new time.</summary>
    Moved,
    /// <summary>Open, waiting for the operator to let them in.</summary>
    Waiting,
    InMeeting,
    Ended,
    Cancelled,
}

/// <summary>Everything a room request needs, read once.</summary>
public sealed record RoomContext(MeetingSession Session, Appointment Appointment, Case Case, Account Account, RoomRecord Room, Participant Participant)
{
    public RoomKey Key => new(Session.AccountId, Session.AppointmentId);

    public Tenant Tenant => new(Session.AccountId, null, OperatorRole.Administrator, "meeting");

    public bool ChatOnly => Account.MeetingMode == MeetingMode.ChatOnly;
}

public sealed record ParticipantView(string Id, string Name, string Role, bool Admitted);

/// <summary>What the meeting page shows. The code is never in it; the case name only after the join check.</summary>
public sealed record RoomView(
    string State,
    string BusinessName,
    string CaseName,
    string Language,
    DateTimeOffset Start,
    DateTimeOffset End,
    string TimeZone,
    DateTimeOffset OpensAt,
    DateTimeOffset? MovedFrom,
    string? ContactLine,
    string Mode,
    string Provider,
    ParticipantView You,
    IReadOnlyList<ParticipantView> Participants,
    bool LocationSharing,
    int MaxParticipants,
    string Type,
    string? CaseId,
    bool? PinLocked);

/// <summary>The room's rules: state, who sees which event, who may be admitted. Shared by the customer's and the operator's endpoints.</summary>
public sealed class MeetingRoom(MeetingSessions sessions, AppointmentStore appointments, CaseStore cases, AccountStore accounts, RoomStore rooms, TimeProvider time,
    IOptions<MeetingOptions> options, Media.IMeetingMedia media)
{
    public MeetingOptions Options => options.Value;

    /// <summary>The session's room as it is now, or null when the session is not valid (any more).</summary>
    public async Task<RoomContext?> LoadAsync(string? sealedSession, CancellationToken ct)
    {
        if (sessions.Read(sealedSession) is not { } s)
        {
            return null;
        }
        var tenant = new Tenant(s.AccountId, null, OperatorRole.Administrator, "meeting");
        var appointmentTask = appointments.GetAsync(tenant, s.AppointmentId, ct);
        var caseTask = cases.GetAsync(tenant, s.CaseId, ct);
        var accountTask = accounts.GetSettingsAsync(tenant, ct);
        var roomTask = rooms.GetRoomAsync(new RoomKey(s.AccountId, s.AppointmentId), ct);
        var participantTask = rooms.GetParticipantAsync(new RoomKey(s.AccountId, s.AppointmentId), s.ParticipantId, ct);
        await Task.WhenAll(appointmentTask, caseTask, accountTask, roomTask, participantTask);
        if (appointmentTask.Result is not { } a || caseTask.Result is not { } c || accountTask.Result is not { } account || participantTask.Result is not { } p || p.Left)
        {
            return null;
        }
        return new RoomContext(s, a, c, account, roomTask.Result, p);
    }

    public DateTimeOffset OpensAt(Appointment a, Account account) => a.Start - TimeSpan.FromMinutes(account.MeetingOpensMinutesBefore);

    /// <summary>A session lives until the link stops working.</summary>
    public DateTimeOffset SessionExpiry(Appointment a) => a.End + options.Value.LinkValidAfterEnd;

    /// <summary>Past this, the link fails exactly like an unknown one.</summary>
    public bool LinkExpired(Appointment a) => time.GetUtcNow() > a.End + options.Value.LinkValidAfterEnd;

    public bool IsEnded(Appointment a, RoomRecord room) =>
        room.EndedForStart == a.Start || time.GetUtcNow() > a.End + options.Value.EndsAfter;

    public RoomState StateOf(Appointment a, Account account, RoomRecord room, Participant p)
    {
        if (a.Status == AppointmentStatus.Cancelled)
        {
            return RoomState.Cancelled;
        }
        if (IsEnded(a, room))
        {
            return RoomState.Ended;
        }
        if (p.Admitted)
        {
            return RoomState.InMeeting;
        }
        if (time.GetUtcNow() < OpensAt(a, account))
        {
            return MovedFrom(a) is null ? RoomState.NotYetOpen : RoomState.Moved;
        }
        return RoomState.Waiting;
    }

    /// <summary>The start before the last move, when the appointment was moved.</summary>
    public static DateTimeOffset? MovedFrom(Appointment a)
    {
        DateTimeOffset? previous = null, current = null;
        var moved = false;
        foreach (var e in a.History.Where(e => e.Action is "scheduled" or "rescheduled" && e.Start is not null))
        {
            previous = current;
            current = e.Start;
            moved = e.Action == "rescheduled" && previous != current;
        }
        return moved ? previous : null;
    }

    public int MaxParticipants(Account account) =>
        account.MeetingMode == MeetingMode.ChatOnly ? options.Value.MaxChatParticipants : options.Value.MaxVideoParticipants;

    /// <summary>Waiting people see only what is addressed to them or to everyone; admitted people and operators see the room.</summary>
    public static bool Visible(RoomEvent e, MeetingSession s, bool admitted) =>
        e.To == s.ParticipantId
        || e.To == RoomEvent.ToEveryone
        || (e.To == RoomEvent.ToOperators && s.IsOperator)
        || (e.To is null && (s.IsOperator || admitted));

    public async Task<RoomView> ViewAsync(RoomContext ctx, bool? pinLocked, CancellationToken ct)
    {
        var a = ctx.Appointment;
        var state = StateOf(a, ctx.Account, ctx.Room, ctx.Participant);
        var everyone = ctx.Participant.Admitted || ctx.Session.IsOperator
            ? await rooms.ListParticipantsAsync(ctx.Key, ct)
            : [ctx.Participant];
        var shown = everyone.Where(p => !p.Left && (ctx.Session.IsOperator || p.Admitted || p.Id == ctx.Participant.Id)).Select(View).ToList();
        return new RoomView(Wire.Name(state), ctx.Account.BusinessName, ctx.Case.Name, a.Invitation.Language, a.Start, a.End, a.TimeZone,
            OpensAt(a, ctx.Account), MovedFrom(a), state == RoomState.Cancelled ? ctx.Account.ContactLine : null,
            Wire.Name(ctx.Account.MeetingMode), media.Provider, View(ctx.Participant), shown,
            ctx.Session.IsOperator && ctx.Account.LocationSharing, MaxParticipants(ctx.Account), Wire.Name(a.Type),
            ctx.Session.IsOperator ? a.CaseId : null, ctx.Session.IsOperator ? pinLocked : null);
    }

    public static ParticipantView View(Participant p) => new(p.Id, p.Name, Wire.Name(p.Role), p.Admitted || p.Role == ParticipantRole.Operator);
}
