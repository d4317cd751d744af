using Azure.Data.Tables;
using Azure;
using Parley.Functions.Accounts;
using Parley.Functions.Common;
using Parley.Functions.Identity;
using Parley.Functions.Notifications;
using Parley.Functions.Storage;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Operators;

public sealed record CreateOperatorRequest(string? Name, string? Email, string? Role, string? TimeZone, string? LineId, string? Language);

public sealed record OperatorPatch(string? Name, string? Email, string? Role, string? TimeZone, string? LineId, string? Language, bool? Active);

/// <summary>
/// A new operator and the one-time link where they choose their password: e-mailed to them (<see cref="InvitationSent"/>
/// says whether the provider took it) and shown to the administrator once, to hand over when the e-mail does not arrive.
/// </summary>
public sealed record CreatedOperator(OperatorView Operator, string SetPasswordUrl, DateTimeOffset SetPasswordUrlExpiresAt, bool InvitationSent);

/// <summary>A new link (the older one stops working), e-mailed to the operator and shown to the administrator.</summary>
public sealed record PasswordLinkView(string SetPasswordUrl, DateTimeOffset ExpiresAt, bool InvitationSent);

public static class OperatorEndpoints
{
    public static readonly TimeSpan PasswordLinkLifetime = TimeSpan.FromDays(7);

    public static IEndpointRouteBuilder MapOperatorEndpoints(this IEndpointRouteBuilder api)
    {
        var operators = api.MapGroup("/operators").RequireAuthorization().WithTags("Operators");
        operators.MapGet("", ListAsync);
        operators.MapGet("/{id}", GetAsync);

        var admin = operators.MapGroup("").RequireAuthorization(ParleyPolicies.Administrator);
        admin.MapPost("", CreateAsync);
        admin.MapPatch("/{id}", UpdateAsync);
        admin.MapDelete("/{id}", DeactivateAsync);
        admin.MapPost("/{id}/password-link", NewPasswordLinkAsync);
        return api;
    }

    private static async Task<IResult> ListAsync(Tenant tenant, AccountStore store, CancellationToken ct) =>
        TypedResults.Ok((await store.ListOperatorsAsync(tenant, ct)).OrderByDescending(o => o.Active).ThenBy(o => o.Name, StringComparer.CurrentCultureIgnoreCase).Select(OperatorView.From));

    private static async Task<IResult> GetAsync(string id, Tenant tenant, AccountStore store, CancellationToken ct) =>
        await store.GetOperatorAsync(tenant, id, ct) is { } op ? TypedResults.Ok(OperatorView.From(op)) : TypedResults.NotFound();

    private static async Task<IResult> CreateAsync(CreateOperatorRequest request, Tenant tenant, HttpContext http, AccountStore store, OperatorInvitations invitations,
        TimeProvider time, CancellationToken ct)
    {
        var account = await store.GetAccountAsync(tenant, ct);
        if (account is null)
        {
            return TypedResults.NotFound();
        }
        var v = new Validation();
        var name = v.Text("name", request.Name, 100);
        var email = v.Email("email", request.Email);
        var role = v.OneOf<OperatorRole>("role", request.Role, required: false) ?? OperatorRole.Operator;
        var timeZone = v.TimeZone("timeZone", request.TimeZone, required: false) ?? account.TimeZone;
        var lineId = v.Text("lineId", request.LineId, 32, required: false);
        var language = v.Language("language", request.Language, required: false) ?? account.DefaultLanguage;
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var now = time.GetUtcNow();
        var op = new Operator(SecureTokens.NewId(), tenant.AccountId, name!, email!, role, timeZone, lineId, Active: true, language,
            PasswordHash: null, SecureTokens.NewId(), now, now);
        try
        {
            await store.AddOperatorAsync(tenant, op, ct);
        }
        catch (EmailTakenException)
        {
            return Validation.Single("email", L("This e-mail address is already in use."), StatusCodes.Status409Conflict, L("E-mail already in use"));
        }
        var (url, expiresAt, sent) = await NewLinkAsync(tenant, account, op, http, store, invitations, time, ct);
        return TypedResults.Created($"/api/operators/{op.Id}", new CreatedOperator(OperatorView.From(op), url, expiresAt, sent));
    }

    private static async Task<IResult> UpdateAsync(string id, OperatorPatch patch, Tenant tenant, AccountStore store, OperatorSessions sessions, CancellationToken ct)
    {
        var v = new Validation();
        var name = patch.Name is null ? null : v.Text("name", patch.Name, 100);
        var email = patch.Email is null ? null : v.Email("email", patch.Email);
        var role = patch.Role is null ? null : v.OneOf<OperatorRole>("role", patch.Role);
        var timeZone = patch.TimeZone is null ? null : v.TimeZone("timeZone", patch.TimeZone);
        var lineId = patch.LineId is null ? null : v.Text("lineId", patch.LineId, 32, required: false) ?? "";
        var language = patch.Language is null ? null : v.Language("language", patch.Language);
        if (!v.IsValid)
        {
            return v.Problem();
        }
        return await ChangeAsync(id, tenant, store, sessions, o => o with
        {
            Name = name ?? o.Name,
            Email = email ?? o.Email,
            Role = role ?? o.Role,
            TimeZone = timeZone ?? o.TimeZone,
            LineId = lineId is null ? o.LineId : lineId.Length == 0 ? null : lineId,
            Language = language ?? o.Language,
            Active = patch.Active ?? o.Active,
            // Deactivation ends the operator's sessions at once.
            SecurityStamp = patch.Active == false && o.Active ? SecureTokens.NewId() : o.SecurityStamp,
        }, ct);
    }

    /// <summary>Deactivates (never deletes): history keeps the operator, sign-in is refused, sessions end.</summary>
    private static async Task<IResult> DeactivateAsync(string id, Tenant tenant, AccountStore store, OperatorSessions sessions, CancellationToken ct)
    {
        var result = await ChangeAsync(id, tenant, store, sessions, o => o with { Active = false, SecurityStamp = o.Active ? SecureTokens.NewId() : o.SecurityStamp }, ct);
        return result is Microsoft.AspNetCore.Http.HttpResults.Ok<OperatorView> ? TypedResults.NoContent() : result;
    }

    private static async Task<IResult> NewPasswordLinkAsync(string id, Tenant tenant, HttpContext http, AccountStore store, OperatorInvitations invitations,
        TimeProvider time, CancellationToken ct)
    {
        var op = await store.GetOperatorAsync(tenant, id, ct);
        var account = await store.GetAccountAsync(tenant, ct);
        if (op is null || account is null)
        {
            return TypedResults.NotFound();
        }
        if (!op.Active)
        {
            return Validation.Single("active", L("Reactivate this operator before sending a new password link."), StatusCodes.Status409Conflict, L("Operator is deactivated"));
        }
        var (url, expiresAt, sent) = await NewLinkAsync(tenant, account, op, http, store, invitations, time, ct);
        return TypedResults.Ok(new PasswordLinkView(url, expiresAt, sent));
    }

    /// <summary>Issues a set-password link (the operator's older one stops working) and e-mails it to the operator.</summary>
    private static async Task<(string Url, DateTimeOffset ExpiresAt, bool Sent)> NewLinkAsync(Tenant tenant, Account account, Operator op, HttpContext http,
        AccountStore store, OperatorInvitations invitations, TimeProvider time, CancellationToken ct)
    {
        var token = await store.CreatePasswordLinkAsync(tenant.AccountId, op.Id, PasswordLinkLifetime, ct);
        var url = SetPasswordUrl(http, token);
        var expiresAt = time.GetUtcNow() + PasswordLinkLifetime;
        // Named after the administrator who invites; an integration (API key) invites in the business's name.
        var invitedBy = tenant.OperatorId is { } me && await store.GetOperatorAsync(tenant, me, ct) is { } admin ? admin.Name : account.BusinessName;
        var sent = await invitations.SendAsync(account, op, invitedBy, url, expiresAt, ct);
        return (url, expiresAt, sent);
    }

    /// <summary>
    /// Applies a change to an operator. Changes that touch who administers the account are written together with
    /// the account row under its ETag, so the account always keeps at least one active administrator even when
    /// two administrators demote each other at the same moment.
    /// </summary>
    private static async Task<IResult> ChangeAsync(string id, Tenant tenant, AccountStore store, OperatorSessions sessions, Func<Operator, Operator> change, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var before = await store.GetOperatorAsync(tenant, id, ct);
            if (before is null)
            {
                return TypedResults.NotFound();
            }
            var after = change(before);
            Account? account = null;
            if (before.IsActiveAdministrator && !after.IsActiveAdministrator)
            {
                account = await store.GetAccountAsync(tenant, ct);
                var others = (await store.ListOperatorsAsync(tenant, ct)).Count(o => o.Id != id && o.IsActiveAdministrator);
                if (others == 0)
                {
                    var field = after.Active ? "role" : "active";
                    return Validation.Single(field, L("An account needs at least one active administrator. Make someone else an administrator first."),
                        StatusCodes.Status409Conflict, L("Last administrator"));
                }
            }
            try
            {
                var saved = await store.SaveOperatorAsync(tenant, before, after, account, ct);
                sessions.Forget(tenant.AccountId, id);
                return TypedResults.Ok(OperatorView.From(saved));
            }
            catch (EmailTakenException)
            {
                return Validation.Single("email", L("This e-mail address is already in use."), StatusCodes.Status409Conflict, L("E-mail already in use"));
            }
            catch (RequestFailedException ex) when ((ex.IsConditionFailed() || ex is TableTransactionFailedException { Status: 412 }) && attempt < 5)
            {
                // Changed meanwhile: decide again on fresh state.
            }
        }
    }

    internal static string SetPasswordUrl(HttpContext http, string token)
    {
        var origin = Hosting.PublicUrl.Of(http);
        // The token travels in the fragment: browsers never send it to a server, so it stays out of logs.
        return $"{origin}/set-password#token={Uri.EscapeDataString(token)}";
    }
}
