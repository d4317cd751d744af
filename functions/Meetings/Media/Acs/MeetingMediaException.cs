using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Meetings.Media.Acs;

/// <summary>Why a media call failed, and so what the room API answers (see <see cref="MeetingMediaException.StatusCode"/>).</summary>
public enum MeetingMediaFailure
{
    /// <summary>Communication Services is unreachable, overloaded (429) or failing (5xx): answer 503 with Retry-After.</summary>
    Unavailable,

    /// <summary>Communication Services refused our request (4xx other than 404/429: bad configuration or a bug): answer 502.</summary>
    Refused,

    /// <summary>The meeting's media was ended (<see cref="IMeetingMedia.EndAsync"/> or the cleanup after the meeting): answer 409.</summary>
    Ended,
}

/// <summary>
/// What <see cref="AcsMeetingMedia"/> throws when it cannot hand out media credentials. The room API maps it to a
/// <c>ProblemDetails</c>: <see cref="StatusCode"/> (503 Unavailable, 502 Refused, 409 Ended), <see cref="Title"/>
/// and <see cref="Detail"/> as title and detail (already in the request's language), and a <c>Retry-After</c> header
/// from <see cref="RetryAfter"/> when it has one. <see cref="Exception.Message"/> is for the log and names the ACS
/// status and error code; it is never shown to people.
/// </summary>
public sealed class MeetingMediaException(MeetingMediaFailure failure, string message, TimeSpan? retryAfter = null, Exception? inner = null) : Exception(message, inner)
{
    public MeetingMediaFailure Failure { get; } = failure;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    public int StatusCode => Failure switch
    {
        MeetingMediaFailure.Unavailable => 503,
        MeetingMediaFailure.Refused => 502,
        _ => 409,
    };

    public string Title => Failure switch
    {
        MeetingMediaFailure.Unavailable => L("Video is temporarily unavailable"),
        MeetingMediaFailure.Refused => L("Video could not be set up"),
        _ => L("Meeting ended"),
    };

    public string Detail => Failure switch
    {
        MeetingMediaFailure.Unavailable => L("The video service cannot be reached right now. Please try again in a minute."),
        MeetingMediaFailure.Refused => L("The video service refused the request. Please tell the person who invited you."),
        _ => L("This meeting has ended."),
    };
}
