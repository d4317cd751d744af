using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Parley.Functions.Accounts;
using Parley.Functions.Common;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Identity;

/// <summary>
/// <c>Authorization: Bearer parley_&lt;id&gt;_&lt;secret&gt;</c>. The id finds the key in one point read; the secret is
/// compared by its SHA-256 hash in constant time. The key acts for its account with an administrator's view of the
/// data, but only on the endpoints of the integration role (<see cref="ApiKeyAccess"/>).
/// Keys are accepted only in this header, never in URLs.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccountStore store,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string KeyPrefix = "parley_";
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ValidatedFor = TimeSpan.FromSeconds(10);

    public static string ValidatedCacheKey(string keyId) => "apikey|" + keyId;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var key = header["Bearer ".Length..].Trim();
        if (!TryParse(key, out var keyId))
        {
            return AuthenticateResult.Fail("Malformed API key.");
        }
        var cache = Context.RequestServices.GetRequiredService<IMemoryCache>();
        var cacheKey = ValidatedCacheKey(keyId);
        if (!cache.TryGetValue(cacheKey, out (string AccountId, string SecretHash)? found))
        {
            found = await store.FindApiKeyAsync(keyId, Context.RequestAborted);
            if (found is not null)
            {
                // Saves a storage read on most API calls; revoking evicts at once on this instance, others follow within 10 s.
                cache.Set(cacheKey, found, ValidatedFor);
            }
        }
        if (found is null || !SecureTokens.FixedTimeEquals(found.Value.SecretHash, SecureTokens.Hash(key)))
        {
            Logger.LogWarning("API key {KeyId} rejected", keyId);
            return AuthenticateResult.Fail("Unknown or revoked API key.");
        }
        await TouchAsync(found.Value.AccountId, keyId);
        var identity = new ClaimsIdentity([
            new Claim(ParleyClaims.AccountId, found.Value.AccountId),
            new Claim(ParleyClaims.Role, nameof(OperatorRole.Administrator)),
            new Claim(ParleyClaims.ApiKeyId, keyId),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>Records "last used" at most once a minute per key, to keep a write off most requests.</summary>
    private async Task TouchAsync(string accountId, string keyId)
    {
        var cache = Context.RequestServices.GetRequiredService<Microsoft.Extensions.Caching.Memory.IMemoryCache>();
        var cacheKey = "apikey-touch|" + keyId;
        if (cache.TryGetValue(cacheKey, out _))
        {
            return;
        }
        cache.Set(cacheKey, true, LastUsedResolution);
        await store.TouchApiKeyAsync(accountId, keyId, time.GetUtcNow(), Context.RequestAborted);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await ProblemResponses.WriteAsync(Context, StatusCodes.Status401Unauthorized, L("Not signed in"), L("Send a valid API key as 'Authorization: Bearer parley_…', or sign in."));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ProblemResponses.WriteAsync(Context, StatusCodes.Status403Forbidden, L("Not allowed"), L("This API key may not do this."));

    /// <summary>Key format: <c>parley_</c> + 16-character id + <c>_</c> + 43-character secret (256 bits).</summary>
    public static bool TryParse(string key, out string keyId)
    {
        keyId = "";
        if (!key.StartsWith(KeyPrefix, StringComparison.Ordinal) || key.Length > 100)
        {
            return false;
        }
        var rest = key[KeyPrefix.Length..];
        var underscore = rest.IndexOf('_');
        if (underscore <= 0 || underscore == rest.Length - 1)
        {
            return false;
        }
        keyId = rest[..underscore];
        return AccountStore.IsId(keyId);
    }
}
