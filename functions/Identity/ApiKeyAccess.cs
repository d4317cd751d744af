using Microsoft.AspNetCore.Authorization;

namespace Parley.Functions.Identity;

/// <summary>
/// The integration role of API keys. A key acts for its whole account (it sees what an administrator sees), but
/// only on endpoints marked with <see cref="ApiKeyAccess.AllowApiKeys{TBuilder}"/>: cases, appointments with
/// their messages, custom-field values (definitions can be read, not changed), dialog reads and replies. Everything
/// else — operators and roles, API keys, account and dialog settings, custom-field definitions, the outbox — is
/// refused with 403, so a leaked key can neither mint people nor keys that outlive its revocation. Unmarked is
/// refused: a new endpoint is closed to keys until someone decides otherwise (and the access matrix test lists it).
/// </summary>
public static class ApiKeyAccess
{
    /// <summary>Opens the endpoint (or group) to API keys; authorization policies still apply as for an administrator.</summary>
    public static TBuilder AllowApiKeys<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(Marker.Instance);

    public static bool AllowsApiKeys(this Endpoint endpoint) => endpoint.Metadata.GetMetadata<Marker>() is not null;

    /// <summary>Endpoint metadata left by <see cref="AllowApiKeys{TBuilder}"/>.</summary>
    public sealed class Marker
    {
        public static readonly Marker Instance = new();

        private Marker()
        {
        }
    }

    /// <summary>Part of every Parley authorization policy: an API key passes only on endpoints open to keys.</summary>
    public sealed class Requirement : AuthorizationHandler<Requirement>, IAuthorizationRequirement
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, Requirement requirement)
        {
            var endpoint = context.Resource switch
            {
                HttpContext http => http.GetEndpoint(),
                Endpoint e => e,
                _ => null,
            };
            if (!context.User.HasClaim(c => c.Type == ParleyClaims.ApiKeyId) || endpoint?.AllowsApiKeys() == true)
            {
                context.Succeed(requirement);
            }
            return Task.CompletedTask;
        }
    }
}
