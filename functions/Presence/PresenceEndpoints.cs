using Microsoft.Extensions.Caching.Memory;
using Parley.Functions.Accounts;
using Parley.Functions.Common;
using Parley.Functions.Identity;
using Parley.Functions.RateLimiting;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Presence;

public sealed record PresenceInput(string? Mode);
/// <summary>The signed-in operator's own presence: the chosen mode, the effective status and the last activity seen.</summary>
public sealed record MyPresenceView(string Mode, string Status, DateTimeOffset? LastActiveAt);
public sealed record OperatorStatusView(string OperatorId, string Status);
public sealed record TeamPresenceView(IReadOnlyList<OperatorStatusView> Operators);

/// <summary>Operators' presence: their own switch and heartbeats (people only), the team's statuses, and the dialog button's public status.</summary>
public static class PresenceEndpoints
{
    /// <summary>Public presence reads per client address, counted in memory (an idle button asks once per 20 s and key).</summary>
    public static readonly RateLimitPolicy WidgetReads = new("WidgetPresence", 300, TimeSpan.FromMinutes(5));

    /// <summary>How long one answer of the public endpoint is reused per widget key.</summary>
    public static readonly TimeSpan PublicCacheFor = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapPresenceEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/me/presence", GetMineAsync).RequireAuthorization().WithTags("Presence");
        api.MapPut("/me/presence", PutMineAsync).RequireAuthorization().WithTags("Presence");
        api.MapPost("/me/presence/heartbeat", HeartbeatAsync).RequireAuthorization().WithTags("Presence");
        api.MapGet("/operators/presence", TeamAsync).RequireAuthorization().WithTags("Presence");
        api.MapGet("/widget/{widgetKey}/presence", WidgetAsync).AllowAnonymous().RateLimitedPerClientInMemory(WidgetReads).WithTags("Dialog widget");
        return api;
    }

    private static IResult NeedsOperator() =>
        Validation.Single("operator", L("Only a signed-in person has a presence; API keys do not."), StatusCodes.Status403Forbidden, L("Not allowed"));

    private static async Task<IResult> GetMineAsync(Tenant tenant, OperatorPresenceStore store, CancellationToken ct)
    {
        if (tenant.IsApiKey || tenant.OperatorId is not { } operatorId)
        {
            return NeedsOperator();
        }
        var record = await store.GetAsync(tenant.AccountId, operatorId, ct);
        return TypedResults.Ok(new MyPresenceView(record.Mode, store.StatusOf(record), record.LastActiveAt));
    }

    private static async Task<IResult> PutMineAsync(PresenceInput input, Tenant tenant, OperatorPresenceStore store, Chat.ChatPresence chat, CancellationToken ct)
    {
        if (tenant.IsApiKey || tenant.OperatorId is not { } operatorId)
        {
            return NeedsOperator();
        }
        if (!PresenceMode.IsValid(input.Mode))
        {
            return Validation.Single("mode", L("Choose one of: {0}.", "online, away"));
        }
        var record = await store.SetModeAsync(tenant.AccountId, operatorId, input.Mode!, ct);
        chat.Forget(tenant.AccountId); // the chat widgets of this account see the switch at once (served from this instance)
        return TypedResults.Ok(new MyPresenceView(record.Mode, store.StatusOf(record), record.LastActiveAt));
    }

    private static async Task<IResult> HeartbeatAsync(Tenant tenant, OperatorPresenceStore store, CancellationToken ct)
    {
        if (tenant.IsApiKey || tenant.OperatorId is not { } operatorId)
        {
            return NeedsOperator();
        }
        await store.HeartbeatAsync(tenant.AccountId, operatorId, ct);
        return TypedResults.NoContent();
    }

    /// <summary>Every operator's effective status in the account (one query each for operators and presence rows).</summary>
    private static async Task<IResult> TeamAsync(Tenant tenant, AccountStore accounts, OperatorPresenceStore store, CancellationToken ct)
    {
        if (tenant.IsApiKey)
        {
            return NeedsOperator();
        }
        var operators = await accounts.ListOperatorsAsync(tenant, ct);
        var rows = await store.ListAsync(tenant.AccountId, ct);
        var list = operators
            .Select(o => new OperatorStatusView(o.Id, o.Active && rows.TryGetValue(o.Id, out var r) ? store.StatusOf(r) : PresenceMode.Away))
            .ToList();
        return TypedResults.Ok(new TeamPresenceView(list));
    }

    /// <summary>
    /// The dialog button's status: <c>{ status }</c> and nothing else, the same shape for unknown keys and inactive
    /// operators ("away"), so it tells nobody which advisers exist. Cached per key for a few seconds.
    /// </summary>
    private static async Task<IResult> WidgetAsync(string widgetKey, HttpContext http, AccountStore accounts, OperatorPresenceStore store, IMemoryCache cache, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        // Read by widget.js on the business's own website (any origin); no credentials, nothing private in the answer.
        http.Response.Headers.AccessControlAllowOrigin = "*";
        var cacheKey = "widget-presence|" + widgetKey;
        if (!cache.TryGetValue(cacheKey, out string? status) || status is null)
        {
            status = PresenceMode.Away;
            if (widgetKey.Split('-') is [{ Length: > 0 and <= 32 } accountId, { Length: > 0 and <= 32 } operatorId])
            {
                var adviser = await accounts.GetOperatorAsync(accountId, operatorId, ct);
                var record = await store.GetAsync(accountId, operatorId, ct);
                status = adviser is { Active: true } ? store.StatusOf(record) : PresenceMode.Away;
            }
            cache.Set(cacheKey, status, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = PublicCacheFor, Size = 1 });
        }
        return TypedResults.Ok(new { status });
    }
}
