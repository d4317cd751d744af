using System.Globalization;
using System.Text.Json;
using Azure.Core;
using Parley.Functions.Communication.Acs;

namespace Parley.Functions.Meetings.Media.Acs;

/// <summary>An ACS room as the service answered it.</summary>
public sealed record AcsRoom(string Id, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil);

/// <summary>The role of a room participant: Presenter (the operator) or Attendee (customers and guests).</summary>
public static class AcsRoomRole
{
    public const string Presenter = "Presenter";
    public const string Attendee = "Attendee";
}

/// <summary>
/// Communication Services Rooms over REST (api-version 2025-03-13), on the app's <see cref="AcsClient"/> pipeline
/// (HMAC or Entra ID, retries). Participants are keyed by their raw id (<c>8:acs:…</c>). Failures throw
/// <see cref="Azure.RequestFailedException"/>; a delete of a room that is gone answers false.
/// </summary>
public sealed class AcsRoomsClient(AcsClient client)
{
    public const string ApiVersion = "2025-03-13";

    /// <summary>
    /// Creates a room open from <paramref name="validFrom"/> to <paramref name="validUntil"/>. The repeatability id and
    /// its first-sent time make a retried create answer the room the first one created instead of a second room.
    /// </summary>
    public async Task<AcsRoom> CreateAsync(DateTimeOffset validFrom, DateTimeOffset validUntil, IReadOnlyDictionary<string, string> participants, Guid repeatabilityId, DateTimeOffset firstSent, CancellationToken ct)
    {
        var body = new Dictionary<string, object>
        {
            ["validFrom"] = Wire(validFrom),
            ["validUntil"] = Wire(validUntil),
        };
        if (participants.Count > 0)
        {
            body["participants"] = participants.ToDictionary(p => p.Key, p => new { role = p.Value });
        }
        using var message = client.Create(RequestMethod.Post, $"rooms?api-version={ApiVersion}", body);
        message.Request.Headers.SetValue("Repeatability-Request-ID", repeatabilityId.ToString("D"));
        message.Request.Headers.SetValue("Repeatability-First-Sent", firstSent.ToString("r", CultureInfo.InvariantCulture));
        return Read(await client.SendAsync(message, ct));
    }

    /// <summary>Moves the room's validity window (a JSON merge patch: only the window changes).</summary>
    public async Task<AcsRoom> UpdateValidityAsync(string roomId, DateTimeOffset validFrom, DateTimeOffset validUntil, CancellationToken ct)
    {
        using var message = client.Create(RequestMethod.Patch, $"rooms/{Uri.EscapeDataString(roomId)}?api-version={ApiVersion}", new { validFrom = Wire(validFrom), validUntil = Wire(validUntil) });
        message.Request.Headers.SetValue("Content-Type", "application/merge-patch+json");
        return Read(await client.SendAsync(message, ct));
    }

    /// <summary>Adds participants with their roles, or changes the role of ones already in (a merge patch: others stay).</summary>
    public async Task AddParticipantsAsync(string roomId, IReadOnlyDictionary<string, string> participants, CancellationToken ct)
    {
        var body = new { participants = participants.ToDictionary(p => p.Key, p => new { role = p.Value }) };
        using var message = client.Create(RequestMethod.Patch, $"rooms/{Uri.EscapeDataString(roomId)}/participants?api-version={ApiVersion}", body);
        message.Request.Headers.SetValue("Content-Type", "application/merge-patch+json");
        await client.SendAsync(message, ct);
    }

    /// <summary>Deletes the room; false when it was already gone (404).</summary>
    public async Task<bool> DeleteAsync(string roomId, CancellationToken ct)
    {
        using var message = client.Create(RequestMethod.Delete, $"rooms/{Uri.EscapeDataString(roomId)}?api-version={ApiVersion}", null);
        try
        {
            await client.SendAsync(message, ct);
            return true;
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    /// <summary>RFC 3339 in UTC to the second, as the service documents it (<c>yyyy-MM-ddTHH:mm:ssZ</c>).</summary>
    private static string Wire(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static AcsRoom Read(Azure.Response response)
    {
        using var doc = JsonDocument.Parse(response.Content.ToMemory());
        var root = doc.RootElement;
        return new AcsRoom(root.GetProperty("id").GetString()!, root.GetProperty("validFrom").GetDateTimeOffset(), root.GetProperty("validUntil").GetDateTimeOffset());
    }
}
