using Parley.Functions.Accounts;
using Parley.Functions.Common;
using Parley.Functions.Identity;

namespace Parley.Functions.ApiKeys;

public sealed record CreateApiKeyRequest(string? Name);

/// <summary>The only response that ever contains the key itself.</summary>
public sealed record CreatedApiKey(string Id, string Name, string Prefix, string Key, DateTimeOffset CreatedAt);

public sealed record ApiKeyView(string Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, string CreatedBy)
{
    public static ApiKeyView From(ApiKeyRecord k) => new(k.Id, k.Name, k.Prefix, k.CreatedAt, k.LastUsedAt, k.CreatedBy);
}

public static class ApiKeyEndpoints
{
    public static IEndpointRouteBuilder MapApiKeyEndpoints(this IEndpointRouteBuilder api)
    {
        // Managed by signed-in administrators only, never opened to API keys: a leaked key must not be able to mint more keys.
        var keys = api.MapGroup("/api-keys").RequireAuthorization(ParleyPolicies.Administrator).WithTags("API keys");
        keys.MapGet("", ListAsync);
        keys.MapPost("", CreateAsync);
        keys.MapDelete("/{id}", RevokeAsync);
        return api;
    }

    private static async Task<IResult> ListAsync(Tenant tenant, AccountStore store, CancellationToken ct) =>
        TypedResults.Ok((await store.ListApiKeysAsync(tenant, ct)).Select(ApiKeyView.From));

    private static async Task<IResult> CreateAsync(CreateApiKeyRequest request, Tenant tenant, AccountStore store, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation();
        var name = v.Text("name", request.Name, 60);
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var id = SecureTokens.NewId();
        var prefix = ApiKeyAuthenticationHandler.KeyPrefix + id;
        var key = prefix + "_" + SecureTokens.NewSecret(); // 256 random bits after the id
        var record = new ApiKeyRecord(id, tenant.AccountId, name!, prefix, SecureTokens.Hash(key), tenant.OperatorId ?? "", time.GetUtcNow(), null);
        await store.AddApiKeyAsync(tenant, record, ct);
        return TypedResults.Created($"/api/api-keys/{id}", new CreatedApiKey(id, record.Name, prefix, key, record.CreatedAt));
    }

    private static async Task<IResult> RevokeAsync(string id, Tenant tenant, AccountStore store, Microsoft.Extensions.Caching.Memory.IMemoryCache cache, CancellationToken ct)
    {
        if (!await store.RevokeApiKeyAsync(tenant, id, ct))
        {
            return TypedResults.NotFound();
        }
        cache.Remove(ApiKeyAuthenticationHandler.ValidatedCacheKey(id));
        return TypedResults.NoContent();
    }
}
