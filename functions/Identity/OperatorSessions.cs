using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Caching.Memory;
using Parley.Functions.Accounts;

namespace Parley.Functions.Identity;

/// <summary>
/// Cookie sessions of operators. Each request re-checks that the operator still exists, is active and has the
/// security stamp the cookie was issued with (a password change or deactivation changes it), from a 15-second
/// cache; so a deactivated operator is signed out within seconds everywhere.
/// </summary>
public sealed class OperatorSessions(AccountStore store, IMemoryCache cache)
{
    public const string SchemeName = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string CookieName = "parley.session";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(15);

    public static ClaimsPrincipal CreatePrincipal(Operator op) => new(new ClaimsIdentity([
        new Claim(ParleyClaims.AccountId, op.AccountId),
        new Claim(ParleyClaims.OperatorId, op.Id),
        new Claim(ParleyClaims.Role, op.Role.ToString()),
        new Claim(ParleyClaims.SecurityStamp, op.SecurityStamp),
    ], SchemeName));

    public static Task SignInAsync(HttpContext context, Operator op) =>
        context.SignInAsync(SchemeName, CreatePrincipal(op), new AuthenticationProperties { IsPersistent = false });

    /// <summary>Forget what we cached about an operator after changing them, so this instance sees it at once.</summary>
    public void Forget(string accountId, string operatorId) => cache.Remove(CacheKey(accountId, operatorId));

    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var account = principal?.FindFirstValue(ParleyClaims.AccountId);
        var operatorId = principal?.FindFirstValue(ParleyClaims.OperatorId);
        var stamp = principal?.FindFirstValue(ParleyClaims.SecurityStamp);
        if (account is null || operatorId is null)
        {
            await RejectAsync(context);
            return;
        }
        var key = CacheKey(account, operatorId);
        if (!cache.TryGetValue(key, out Operator? op))
        {
            try
            {
                op = await store.GetOperatorAsync(account, operatorId, context.HttpContext.RequestAborted);
            }
            catch (Exception ex) when (Storage.StorageOutage.IsOutage(ex))
            {
                // Not a sign-out: the session is fine, storage is not. The request answers 503 (UseIdentity) and the cookie stays.
                context.RejectPrincipal();
                Storage.StorageOutage.Defer(context.HttpContext, ex);
                return;
            }
            cache.Set(key, op, CacheFor);
        }
        if (op is null || !op.Active || op.SecurityStamp != stamp)
        {
            await RejectAsync(context);
            return;
        }
        if (op.Role.ToString() != principal!.FindFirstValue(ParleyClaims.Role))
        {
            // Role changed by an administrator: carry the new role from now on.
            context.ReplacePrincipal(CreatePrincipal(op));
            context.ShouldRenew = true;
        }
    }

    private static async Task RejectAsync(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(SchemeName);
    }

    private static string CacheKey(string accountId, string operatorId) => $"operator|{accountId}|{operatorId}";
}
