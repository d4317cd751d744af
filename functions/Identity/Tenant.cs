using System.Security.Claims;
using Parley.Functions.Accounts;

namespace Parley.Functions.Identity;

/// <summary>
/// Who is calling, for which account, taken from the authenticated principal and never from the request.
/// Endpoints declare a <see cref="Tenant"/> parameter (bound by <see cref="BindAsync"/>) and pass it to stores,
/// which key every read and write by <see cref="AccountId"/>: an id of another account is simply not found.
/// </summary>
public sealed record Tenant(string AccountId, string? OperatorId, OperatorRole Role, string? ApiKeyId)
{
    public bool IsAdministrator => Role == OperatorRole.Administrator;

    public bool IsApiKey => ApiKeyId is not null;

    public static Tenant? From(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true || user.FindFirstValue(ParleyClaims.AccountId) is not { Length: > 0 } account)
        {
            return null;
        }
        var role = Enum.TryParse<OperatorRole>(user.FindFirstValue(ParleyClaims.Role), out var r) ? r : OperatorRole.Operator;
        return new Tenant(account, user.FindFirstValue(ParleyClaims.OperatorId), role, user.FindFirstValue(ParleyClaims.ApiKeyId));
    }

    /// <summary>Minimal-API binding. Endpoint groups require authentication, so null only reaches unprotected routes.</summary>
    public static ValueTask<Tenant?> BindAsync(HttpContext context) => ValueTask.FromResult(From(context.User));
}
