using System.Text.Json;
using Azure.Core;
using Parley.Functions.Communication.Acs;

namespace Parley.Functions.Meetings.Media.Acs;

/// <summary>An ACS access token and when it expires.</summary>
public sealed record AcsAccessToken(string Token, DateTimeOffset ExpiresOn);

/// <summary>
/// Communication Services identities over REST (api-version 2023-10-01), on the app's <see cref="AcsClient"/>
/// pipeline: users (<c>8:acs:…</c>) and their access tokens. Meetings ask only for the <c>voip.join</c> scope: a
/// token that can join the rooms its user was added to, and nothing else (no calls to anyone, no chat).
/// </summary>
public sealed class AcsIdentityClient(AcsClient client)
{
    public const string ApiVersion = "2023-10-01";

    /// <summary>The only scope meetings ask for: join rooms (and Teams meetings) the identity is a participant of.</summary>
    public const string VoipJoin = "voip.join";

    /// <summary>Creates a user and a token for it in one request. Not idempotent: a retry may create a second user.</summary>
    public async Task<(string UserId, AcsAccessToken Token)> CreateUserWithTokenAsync(TimeSpan lifetime, CancellationToken ct)
    {
        using var message = client.Create(RequestMethod.Post, $"identities?api-version={ApiVersion}",
            new { createTokenWithScopes = new[] { VoipJoin }, expiresInMinutes = (int)lifetime.TotalMinutes });
        var response = await client.SendAsync(message, ct);
        using var doc = JsonDocument.Parse(response.Content.ToMemory());
        var root = doc.RootElement;
        return (root.GetProperty("identity").GetProperty("id").GetString()!, ReadToken(root.GetProperty("accessToken")));
    }

    /// <summary>A fresh token for an existing user (earlier tokens stay valid until they expire or are revoked).</summary>
    public async Task<AcsAccessToken> IssueTokenAsync(string userId, TimeSpan lifetime, CancellationToken ct)
    {
        using var message = client.Create(RequestMethod.Post, $"identities/{Uri.EscapeDataString(userId)}/:issueAccessToken?api-version={ApiVersion}",
            new { scopes = new[] { VoipJoin }, expiresInMinutes = (int)lifetime.TotalMinutes });
        var response = await client.SendAsync(message, ct);
        using var doc = JsonDocument.Parse(response.Content.ToMemory());
        return ReadToken(doc.RootElement);
    }

    /// <summary>Revokes every token of the user; false when the user is gone (404).</summary>
    public async Task<bool> RevokeTokensAsync(string userId, CancellationToken ct)
    {
        using var message = client.Create(RequestMethod.Post, $"identities/{Uri.EscapeDataString(userId)}/:revokeAccessTokens?api-version={ApiVersion}", null);
        return await SendTolerating404Async(message, ct);
    }

    /// <summary>Deletes the user and all its data; false when it was already gone (404).</summary>
    public async Task<bool> DeleteUserAsync(string userId, CancellationToken ct)
    {
        using var message = client.Create(RequestMethod.Delete, $"identities/{Uri.EscapeDataString(userId)}?api-version={ApiVersion}", null);
        return await SendTolerating404Async(message, ct);
    }

    private async Task<bool> SendTolerating404Async(HttpMessage message, CancellationToken ct)
    {
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

    private static AcsAccessToken ReadToken(JsonElement token) =>
        new(token.GetProperty("token").GetString()!, token.GetProperty("expiresOn").GetDateTimeOffset());
}
