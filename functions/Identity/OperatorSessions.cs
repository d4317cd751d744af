using System.Security.Claims;
using Azure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Caching.Memory;
using Parley.Functions.Accounts;
using Parley.Functions.Common;
using Parley.Functions.Storage;
using Azure.Data.Tables;

namespace Parley.Functions.Identity;

/// <summary>
/// Cookie sessions of operators. Every sign-in writes a row to the Sessions table and puts its id in the cookie;
/// signing out deletes the row, so a copied cookie stops working at once, not when it expires. Each request
/// re-checks that the session row exists and that the operator still exists, is active and has the security stamp
/// the cookie was issued with (a password change or deactivation changes it). Both checks are cached briefly:
/// this instance forgets a session the moment it is signed out; other instances of a scaled-out app stop
/// accepting it within <see cref="SessionCacheFor"/>, and a deactivated operator within <see cref="OperatorCacheFor"/>.
/// </summary>
public sealed class OperatorSessions(AccountStore store, StorageAccount storage, IMemoryCache cache, TimeProvider time)
{
    public const string SchemeName = CookieAuthenticationDefaults.AuthenticationScheme;

    /// <summary>
    /// The <c>__Host-</c> prefix makes browsers accept the cookie only when it is Secure, has Path=/ and no Domain,
    /// so a sibling subdomain cannot plant or overwrite a session. Browsers treat http://localhost as secure too.
    /// </summary>
    public const string CookieName = "__Host-parley.session";

    public const string TableName = "Sessions";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);
    private static readonly TimeSpan OperatorCacheFor = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan SessionCacheFor = TimeSpan.FromSeconds(10);

    /// <summary>A session row's expiry is pushed forward at most once an hour while it is used (cookies slide too).</summary>
    private static readonly TimeSpan ExpiryResolution = TimeSpan.FromHours(1);

    private readonly TableClient _table = storage.GetTableClient(TableName);

    private static ClaimsPrincipal CreatePrincipal(Operator op, string sessionId) => new(new ClaimsIdentity([
        new Claim(ParleyClaims.AccountId, op.AccountId),
        new Claim(ParleyClaims.OperatorId, op.Id),
        new Claim(ParleyClaims.Role, op.Role.ToString()),
        new Claim(ParleyClaims.SecurityStamp, op.SecurityStamp),
        new Claim(ParleyClaims.SessionId, sessionId),
    ], SchemeName));

    /// <summary>Starts a new server-side session for the operator and sets its cookie; a session this request already had ends.</summary>
    public async Task SignInAsync(HttpContext context, Operator op)
    {
        await EndAsync(context.User, context.RequestAborted);
        var sessionId = SecureTokens.NewId(32);
        await _table.AddEntityAsync(new TableEntity(op.AccountId, sessionId)
        {
            { "OperatorId", op.Id },
            { "CreatedAt", time.GetUtcNow() },
            { "ExpiresAt", time.GetUtcNow() + Lifetime },
        }, context.RequestAborted);
        await context.SignInAsync(SchemeName, CreatePrincipal(op, sessionId), new AuthenticationProperties { IsPersistent = false });
    }

    /// <summary>Ends this request's session on the server (its cookie stops working everywhere) and clears the cookie.</summary>
    public async Task SignOutAsync(HttpContext context)
    {
        await EndAsync(context.User, context.RequestAborted);
        await context.SignOutAsync(SchemeName);
    }

    private async Task EndAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (user.Identity?.AuthenticationType == SchemeName
            && user.FindFirstValue(ParleyClaims.AccountId) is { } account && user.FindFirstValue(ParleyClaims.SessionId) is { } sessionId)
        {
            cache.Set(SessionCacheKey(account, sessionId), false, SessionCacheFor);
            await _table.DeleteEntityAsync(account, sessionId, cancellationToken: cancellationToken);
        }
    }

    /// <summary>Forget what we cached about an operator after changing them, so this instance sees it at once.</summary>
    public void Forget(string accountId, string operatorId) => cache.Remove(OperatorCacheKey(accountId, operatorId));

    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        try
        {
            await CheckAsync(context);
        }
        catch (Exception ex) when (Storage.StorageOutage.IsOutage(ex) && !context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // Not a sign-out: the session is fine, storage is not. The request answers 503 (UseIdentity) and the cookie stays.
            context.RejectPrincipal();
            Storage.StorageOutage.Defer(context.HttpContext, ex);
        }
    }

    private async Task CheckAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var account = principal?.FindFirstValue(ParleyClaims.AccountId);
        var operatorId = principal?.FindFirstValue(ParleyClaims.OperatorId);
        var stamp = principal?.FindFirstValue(ParleyClaims.SecurityStamp);
        var sessionId = principal?.FindFirstValue(ParleyClaims.SessionId);
        var ct = context.HttpContext.RequestAborted;
        if (account is null || operatorId is null || sessionId is null || !await IsOpenAsync(account, operatorId, sessionId, ct))
        {
            await RejectAsync(context);
            return;
        }
        var key = OperatorCacheKey(account, operatorId);
        if (!cache.TryGetValue(key, out Operator? op))
        {
            op = await store.GetOperatorAsync(account, operatorId, ct);
            cache.Set(key, op, OperatorCacheFor);
        }
        if (op is null || !op.Active || op.SecurityStamp != stamp)
        {
            await RejectAsync(context);
            return;
        }
        if (op.Role.ToString() != principal!.FindFirstValue(ParleyClaims.Role))
        {
            // Role changed by an administrator: carry the new role from now on.
            context.ReplacePrincipal(CreatePrincipal(op, sessionId));
            context.ShouldRenew = true;
        }
    }

    private async Task<bool> IsOpenAsync(string account, string operatorId, string sessionId, CancellationToken cancellationToken)
    {
        var key = SessionCacheKey(account, sessionId);
        if (cache.TryGetValue(key, out bool open))
        {
            return open;
        }
        var row = await _table.GetEntityOrNullAsync(account, sessionId, cancellationToken: cancellationToken);
        open = row is not null && row.GetString("OperatorId") == operatorId;
        if (open && row!.GetDateTimeOffset("ExpiresAt") < time.GetUtcNow() + Lifetime - ExpiryResolution)
        {
            // Still in use: keep the row from the cleanup sweep as long as the sliding cookie can live.
            try
            {
                await _table.UpdateEntityAsync(new TableEntity(account, sessionId) { { "ExpiresAt", time.GetUtcNow() + Lifetime } }, row.ETag, TableUpdateMode.Merge, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.IsConditionFailed() || ex.IsNotFound())
            {
                // Refreshed by a parallel request, or signed out meanwhile (the next check sees that).
            }
        }
        cache.Set(key, open, SessionCacheFor);
        return open;
    }

    private static async Task RejectAsync(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(SchemeName);
    }

    private static string OperatorCacheKey(string accountId, string operatorId) => $"operator|{accountId}|{operatorId}";

    private static string SessionCacheKey(string accountId, string sessionId) => $"session|{accountId}|{sessionId}";
}
