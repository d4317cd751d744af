using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Parley.Functions.Meetings;

public enum ParticipantRole
{
    Operator,
    Customer,
    Guest,
}

/// <summary>Who a meeting session belongs to: the meeting, the participant and their role.</summary>
public sealed record MeetingSession(string AccountId, string AppointmentId, string CaseId, string ParticipantId, ParticipantRole Role)
{
    public bool IsOperator => Role == ParticipantRole.Operator;
}

/// <summary>
/// The meeting session a page holds after the join check (link token and code) or after an operator's Join: sealed with
/// the app's data-protection keys and time-limited, sent in the <c>X-Meeting-Session</c> header (the page keeps it in
/// sessionStorage; no cookie). It never carries the link token or the code.
/// </summary>
public sealed class MeetingSessions(IDataProtectionProvider provider, TimeProvider time)
{
    public const string Header = "X-Meeting-Session";
    private readonly IDataProtector _protector = provider.CreateProtector("Parley.Meetings.Session.v1");

    /// <summary>Seals the session until <paramref name="expires"/> (judged by the app's clock, so tests can move it).</summary>
    public string Issue(MeetingSession session, DateTimeOffset expires) =>
        _protector.Protect(JsonSerializer.Serialize(new Sealed(session, expires)));

    public MeetingSession? Read(string? sealedValue)
    {
        if (string.IsNullOrEmpty(sealedValue) || sealedValue.Length > 2000)
        {
            return null;
        }
        try
        {
            var sealedSession = JsonSerializer.Deserialize<Sealed>(_protector.Unprotect(sealedValue));
            return sealedSession is null || sealedSession.Expires < time.GetUtcNow() ? null : sealedSession.Session;
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or FormatException or JsonException)
        {
            return null;
        }
    }

    private sealed record Sealed(MeetingSession Session, DateTimeOffset Expires);
}
