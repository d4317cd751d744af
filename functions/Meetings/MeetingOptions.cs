namespace Parley.Functions.Meetings;

/// <summary>Settings of the meeting room (section <c>Meetings</c>, e.g. <c>Meetings__Provider</c>).</summary>
public sealed class MeetingOptions
{
    public const string Section = "Meetings";

    /// <summary><c>p2p</c> (browser-to-browser WebRTC, the default) or <c>acs</c> (Azure Communication Services Rooms).</summary>
    public string Provider { get; set; } = "p2p";

    /// <summary>STUN/TURN servers handed to browsers for p2p; none: host candidates only (same network, or one machine).</summary>
    public List<IceServerSetting> IceServers { get; set; } = [];

    /// <summary>
    /// Every failed join (unknown link, wrong or locked code, expired meeting) is answered this long after the request
    /// arrived, so no failure is faster than another (the work behind each differs by a few storage round trips).
    /// </summary>
    public TimeSpan FailureDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How long after its end a meeting link still opens (to show "ended"); later it fails like an unknown link.</summary>
    public TimeSpan LinkValidAfterEnd { get; set; } = TimeSpan.FromDays(7);

    /// <summary>A meeting nobody ended counts as ended this long after its planned end.</summary>
    public TimeSpan EndsAfter { get; set; } = TimeSpan.FromHours(2);

    /// <summary>A customer whose page gave no sign of life for this long is Away (the page polls at least every <see cref="PollWait"/>).</summary>
    public TimeSpan PresenceTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a poll for room events waits for something new before it answers empty.</summary>
    public TimeSpan PollWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>While a poll waits, how often it looks at storage for events written by another instance (same instance: at once).</summary>
    public TimeSpan PollRecheck { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Peer-to-peer video is a full mesh: at most this many people (operators included) in a video meeting.</summary>
    public int MaxVideoParticipants { get; set; } = 4;

    /// <summary>At most this many people in a chat-only meeting.</summary>
    public int MaxChatParticipants { get; set; } = 20;

    /// <summary>Wrong codes a code survives; the next locks it.</summary>
    public int PinMaxFailures { get; set; } = 10;

    /// <summary>Locked codes replaced automatically per meeting (each sends a new invitation); beyond that the operator issues one.</summary>
    public int PinMaxReissues { get; set; } = 3;
}

public sealed class IceServerSetting
{
    public List<string> Urls { get; set; } = [];

    public string? Username { get; set; }

    public string? Credential { get; set; }
}
