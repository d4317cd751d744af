using System.Text.Json.Nodes;

namespace Parley.Functions.Meetings.Media;

/// <summary>
/// Where a meeting's audio and video run (<c>Meetings__Provider</c>): <c>p2p</c> (browser-to-browser WebRTC, signalled
/// through Parley's own room API) or <c>acs</c> (Azure Communication Services Rooms). The room API calls it only after
/// the join check (token and PIN) passed and the participant was admitted.
/// </summary>
public interface IMeetingMedia
{
    /// <summary>"p2p" or "acs": tells the page which media module to load.</summary>
    string Provider { get; }

    /// <summary>
    /// What the participant's page needs to connect: p2p answers <c>{ iceServers: [...] }</c>; acs answers
    /// <c>{ roomId, userId, token, expiresOn, refreshAfter }</c>. Idempotent: a second call for the same participant
    /// returns credentials for the same identity (a fresh token). Creates the provider's room on first use.
    /// </summary>
    Task<JsonObject> JoinAsync(MediaRoom room, MediaParticipant participant, CancellationToken ct);

    /// <summary>A fresh token for a participant who already joined (acs: before the old one expires); p2p answers as JoinAsync.</summary>
    Task<JsonObject> RefreshAsync(MediaRoom room, MediaParticipant participant, CancellationToken ct);

    /// <summary>The appointment moved: the provider's room (if any) gets the new validity, so the link stays the same.</summary>
    Task MoveAsync(MediaRoom room, CancellationToken ct);

    /// <summary>The meeting ended or was cancelled: tokens revoked, identities and the provider's room deleted. Idempotent.</summary>
    Task EndAsync(MediaRoom room, CancellationToken ct);
}

/// <summary>A meeting as the media provider sees it: the appointment and the window its room is valid (open time to end).</summary>
public sealed record MediaRoom(string AccountId, string AppointmentId, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil);

/// <summary>One person in the room: the operator (ACS role Presenter) or a customer/guest (Attendee).</summary>
public sealed record MediaParticipant(string ParticipantId, bool IsOperator, string DisplayName);
