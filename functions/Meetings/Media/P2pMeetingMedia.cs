using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Parley.Functions.Meetings.Media;

/// <summary>
/// Browser-to-browser WebRTC: nothing to create or revoke; the pages exchange offers, answers and ICE candidates through
/// the room's events and connect as a full mesh (at most <see cref="MeetingOptions.MaxVideoParticipants"/> people).
/// The only thing handed out is the STUN/TURN configuration from the settings.
/// </summary>
public sealed class P2pMeetingMedia(IOptions<MeetingOptions> options) : IMeetingMedia
{
    public string Provider => "p2p";

    public Task<JsonObject> JoinAsync(MediaRoom room, MediaParticipant participant, CancellationToken ct)
    {
        var servers = new JsonArray();
        // Empty entries (the sample's placeholders) are skipped.
        foreach (var s in options.Value.IceServers.Where(s => s.Urls.Any(u => !string.IsNullOrWhiteSpace(u))))
        {
            var server = new JsonObject { ["urls"] = new JsonArray([.. s.Urls.Where(u => !string.IsNullOrWhiteSpace(u)).Select(u => (JsonNode)u!)]) };
            if (!string.IsNullOrEmpty(s.Username))
            {
                server["username"] = s.Username;
            }
            if (!string.IsNullOrEmpty(s.Credential))
            {
                server["credential"] = s.Credential;
            }
            servers.Add(server);
        }
        return Task.FromResult(new JsonObject { ["provider"] = Provider, ["iceServers"] = servers });
    }

    public Task<JsonObject> RefreshAsync(MediaRoom room, MediaParticipant participant, CancellationToken ct) => JoinAsync(room, participant, ct);

    public Task MoveAsync(MediaRoom room, CancellationToken ct) => Task.CompletedTask;

    public Task EndAsync(MediaRoom room, CancellationToken ct) => Task.CompletedTask;
}
