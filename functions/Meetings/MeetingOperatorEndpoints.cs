using Parley.Functions.Accounts;
using Parley.Functions.Appointments;
using Parley.Functions.Cases;
using Parley.Functions.Identity;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Meetings;

/// <summary>The operator's way into a meeting room (the dashboard's Join), a new code, and who is online or waiting now.</summary>
public static class MeetingOperatorEndpoints
{
    public static IEndpointRouteBuilder MapMeetingOperatorEndpoints(this IEndpointRouteBuilder api)
    {
        var appointments = api.MapGroup("/appointments/{id}/meeting").RequireAuthorization().WithTags("Meeting room");
        appointments.MapPost("", JoinAsync);
        appointments.MapPost("/pin", NewPinAsync);
        api.MapGet("/presence", PresenceAsync).RequireAuthorization().WithTags("Meeting room");
        return api;
    }

    /// <summary>Opens the room as this operator: a meeting session for the room API, and the room as it is now.</summary>
    private static async Task<IResult> JoinAsync(string id, Tenant tenant, AppointmentStore appointments, CaseStore cases, CaseRules rules, AccountStore accounts,
        MeetingRoom room, RoomStore rooms, MeetingSessions sessions, IRoomTransport transport, PinGuard pins, TimeProvider time, CancellationToken ct)
    {
        if (tenant.OperatorId is not { } operatorId || await VisibleAsync(id, tenant, appointments, cases, rules, ct) is not { } visible)
        {
            return TypedResults.NotFound();
        }
        var (a, c) = visible;
        if (a.Status == AppointmentStatus.Cancelled)
        {
            return Common.Validation.Single("status", L("This appointment is cancelled; schedule a new one instead."), StatusCodes.Status409Conflict, L("Appointment cancelled"));
        }
        var account = await accounts.GetSettingsAsync(tenant, ct);
        var me = await accounts.GetOperatorAsync(tenant, operatorId, ct);
        if (account is null || me is null)
        {
            return TypedResults.NotFound();
        }
        var key = new RoomKey(tenant.AccountId, a.Id);
        var participant = await rooms.AddParticipantAsync(key, new Participant("o" + operatorId, ParticipantRole.Operator, me.Name, operatorId, true, false, time.GetUtcNow()), ct);
        if (participant.Left || participant.Name != me.Name)
        {
            participant = await rooms.UpdateParticipantAsync(key, participant.Id, p => p with { Left = false, Name = me.Name }, ct) ?? participant;
        }
        var session = new MeetingSession(tenant.AccountId, a.Id, a.CaseId, participant.Id, ParticipantRole.Operator);
        await transport.PublishAsync(key, "joined", null, participant.Id, MeetingRoom.View(participant), ct);
        var ctx = new RoomContext(session, a, c, account, await rooms.GetRoomAsync(key, ct), participant);
        return TypedResults.Ok(new { session = sessions.Issue(session, room.SessionExpiry(a)), room = await room.ViewAsync(ctx, await pins.IsLockedAsync(a, ct), ct) });
    }

    /// <summary>A new meeting code, e.g. after the old one was locked; individual appointments send it to the customer with a new invitation.</summary>
    private static async Task<IResult> NewPinAsync(string id, Tenant tenant, AppointmentStore appointments, CaseStore cases, CaseRules rules, PinGuard pins, CancellationToken ct)
    {
        if (tenant.OperatorId is not { } operatorId || await VisibleAsync(id, tenant, appointments, cases, rules, ct) is not { } visible)
        {
            return TypedResults.NotFound();
        }
        if (visible.Appointment.Status == AppointmentStatus.Cancelled)
        {
            return Common.Validation.Single("status", L("This appointment is cancelled; schedule a new one instead."), StatusCodes.Status409Conflict, L("Appointment cancelled"));
        }
        var saved = await pins.ReissueAsync(tenant, id, operatorId, L("A new code was issued by an operator."), ct);
        return TypedResults.Ok(new { saved.PinProtected, saved.Pin });
    }

    /// <summary>Customers on their meeting page right now (the case list's and case page's Online, and who is waiting), for the cases this operator may see.</summary>
    private static async Task<IResult> PresenceAsync(Tenant tenant, CustomerPresence presence, CaseStore cases, CaseRules rules, CancellationToken ct)
    {
        var online = await presence.OnlineAsync(tenant.AccountId, ct);
        var visible = new List<object>();
        foreach (var group in online)
        {
            if (await cases.GetAsync(tenant, group.Key, ct) is { } c && await rules.CanSeeAsync(tenant, c, ct))
            {
                visible.Add(new
                {
                    caseId = c.Id,
                    waiting = group.Where(p => p.Waiting).Select(p => new { p.AppointmentId, p.ParticipantId, p.Name, since = p.LastSeen }),
                });
            }
        }
        return TypedResults.Ok(new { online = visible });
    }

    private static async Task<(Appointment Appointment, Case Case)?> VisibleAsync(string id, Tenant tenant, AppointmentStore appointments, CaseStore cases, CaseRules rules, CancellationToken ct)
    {
        var a = await appointments.GetAsync(tenant, id, ct);
        var c = a is null ? null : await cases.GetAsync(tenant, a.CaseId, ct);
        return a is not null && c is not null && await rules.CanSeeAsync(tenant, c, ct) ? (a, c) : null;
    }
}
