using Parley.Functions.Common;
using Parley.Functions.Identity;
using Parley.Functions.Maintenance;
using Parley.Functions.Storage;

namespace Parley.Functions.Abuse;

/// <summary>A refused message in <c>GET /api/abuse/refused</c>: when, where to (masked), why (a stable code and the text).</summary>
public sealed record RefusedSendView(DateTimeOffset At, string Channel, string Destination, string Code, string Reason, string Source, string? MessageId);

public static class AbuseEndpoints
{
    /// <summary>The guard for messages caused by public pages, its refusal log and that log's cleanup.</summary>
    public static IServiceCollection AddAbuseGuard(this IServiceCollection services)
    {
        services.AddSingleton<RefusedSendStore>();
        services.AddSingleton<PublicSendGuard>();
        services.AddStorageTable(RefusedSendStore.TableName);
        services.AddExpiredRowsCleanup("refused-sends-cleanup", RefusedSendStore.TableName, TimeSpan.Zero);
        return services;
    }

    public static IEndpointRouteBuilder MapAbuseEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/abuse/refused", RefusedAsync).RequireAuthorization(ParleyPolicies.Administrator).WithTags("Abuse guard");
        return api;
    }

    /// <summary>Messages the abuse guard refused for this account, newest first (up to <paramref name="limit"/>, default 100, at most 500).</summary>
    private static async Task<IResult> RefusedAsync(Tenant tenant, RefusedSendStore store, int? limit, CancellationToken ct) =>
        TypedResults.Ok((await store.ListAsync(tenant.AccountId, Math.Clamp(limit ?? 100, 1, 500), ct))
            .Select(r => new RefusedSendView(r.At, Wire.Name(r.Channel), r.Destination, Wire.Name(r.Reason), PublicSendGuard.Describe(r.Reason, localized: true), r.Source, r.MessageId)));
}
