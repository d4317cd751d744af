using Azure;
using Parley.Functions.Accounts;
using Parley.Functions.Common;
using Parley.Functions.RateLimiting;
using Parley.Functions.Storage;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Identity;

public sealed record SignInRequest(string? Email, string? Password);

public sealed record SetPasswordRequest(string? Token, string? Password);

public sealed record ProfilePatch(string? Name, string? TimeZone, string? Language);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

public static class AuthEndpoints
{

    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("Sign-in");
        auth.MapPost("/sign-in", SignInAsync).AllowAnonymous().RateLimitedPerClient(RateLimitPolicy.SignIn);
        auth.MapPost("/sign-out", SignOutAsync).AllowAnonymous();
        auth.MapPost("/set-password", SetPasswordAsync).AllowAnonymous().RateLimitedPerClient(RateLimitPolicy.SetPassword);

        var me = api.MapGroup("/me").RequireAuthorization().WithTags("Sign-in");
        me.MapGet("", GetMeAsync).AllowApiKeys() // a key can see which key and account it is
            .WithName("getMe").WithSummary("Show the account and key in use (connection test)")
            .Produces<MeView>().ProducesProblem(StatusCodes.Status404NotFound);
        me.MapPatch("", UpdateProfileAsync);
        me.MapPost("/password", ChangePasswordAsync);
        return api;
    }

    /// <summary>
    /// Unknown e-mail, wrong password, deactivated operator and not-yet-set password all answer the same 401 after
    /// the same work (a password hash is always verified), and all count towards the per-address lock.
    /// </summary>
    private static async Task<IResult> SignInAsync(SignInRequest request, HttpContext http, AccountStore store, PasswordHashing hashing, SignInThrottle throttle, OperatorSessions sessions, CancellationToken ct)
    {
        var v = new Validation();
        var email = v.Text("email", request.Email, 254);
        if (string.IsNullOrEmpty(request.Password))
        {
            v.Add("password", L("Enter your password."));
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }

        SignInThrottle.State state;
        try
        {
            state = await throttle.ReadAsync(email!, ct);
        }
        catch (RequestFailedException)
        {
            return RateLimitEndpointExtensions.TooBusy();
        }
        if (state.LockedUntil is { } until)
        {
            return RateLimitEndpointExtensions.TooMany(http, until - DateTimeOffset.UtcNow,
                L("Too many failed sign-ins for this e-mail address. Try again in {0} minute(s).", Math.Max(1, (int)Math.Ceiling((until - DateTimeOffset.UtcNow).TotalMinutes))));
        }

        var login = await store.FindLoginAsync(email!, ct);
        // Same number of storage reads whether or not the address exists.
        var op = await store.GetOperatorAsync(login?.AccountId ?? "none", login?.OperatorId ?? SecureTokens.NewId(), ct);
        if (op is not null && op.Email != EmailAddress.Normalize(email!))
        {
            op = null; // an orphaned login row
        }
        var passwordOk = hashing.Verify(op?.PasswordHash, request.Password!, out var rehash);
        if (op is null || !passwordOk || !op.Active)
        {
            await throttle.RecordFailureAsync(email!, state, ct);
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Parley.SignIn")
                .LogWarning("Sign-in failed for {MaskedEmail} from {Client}", Mask(email!), ClientAddress.Get(http));
            return TypedResults.Problem(L("The e-mail address or password is not right."), statusCode: StatusCodes.Status401Unauthorized, title: L("Sign-in failed"), type: "https://parley.app/problems/sign-in-failed");
        }

        await throttle.ResetAsync(email!, state, ct);
        if (rehash is not null)
        {
            op = await TrySaveAsync(store, op, op with { PasswordHash = rehash }, ct) ?? op;
        }
        await sessions.SignInAsync(http, op);
        var account = await store.GetAccountAsync(op.AccountId, ct);
        return TypedResults.Ok(new MeView(OperatorView.From(op), AccountView.From(account!), null));
    }

    /// <summary>Ends the session on the server, so a copy of the cookie stops working too, and clears the cookie.</summary>
    private static async Task<IResult> SignOutAsync(HttpContext http, OperatorSessions sessions)
    {
        await sessions.SignOutAsync(http);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> SetPasswordAsync(SetPasswordRequest request, AccountStore store, PasswordHashing hashing, OperatorSessions sessions, CancellationToken ct)
    {
        var v = new Validation();
        if (string.IsNullOrWhiteSpace(request.Token))
        {
            v.Add("token", L("This link is incomplete. Open the whole link you were given."));
        }
        PasswordPolicy.Check(v, "password", request.Password);
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var invalidLink = L("This link is invalid, expired or already used. Ask your administrator for a new one.");
        var link = await store.FindPasswordLinkAsync(request.Token!.Trim(), ct);
        var op = link is null ? null : await store.GetOperatorAsync(link.AccountId, link.OperatorId, ct);
        if (link is null || op is null || !op.Active)
        {
            return Validation.Single("token", invalidLink);
        }
        PasswordPolicy.Check(v, "password", request.Password, op.Name, op.Email, op.Email.Split('@')[0]);
        if (!v.IsValid)
        {
            return v.Problem(); // the link stays usable
        }
        if (!await store.ConsumePasswordLinkAsync(link, ct))
        {
            return Validation.Single("token", invalidLink);
        }
        var tenant = new Tenant(op.AccountId, op.Id, op.Role, null);
        await SaveWithRetryAsync(store, tenant, op.Id, o => o with { PasswordHash = hashing.Hash(request.Password!), SecurityStamp = SecureTokens.NewId() }, ct);
        sessions.Forget(op.AccountId, op.Id);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> GetMeAsync(Tenant tenant, AccountStore store, CancellationToken ct)
    {
        var account = await store.GetAccountAsync(tenant, ct);
        if (account is null)
        {
            return TypedResults.NotFound();
        }
        if (tenant.IsApiKey)
        {
            // The connection test of integrations (Zapier's "test" call): which account and which key — never the key itself.
            var key = (await store.ListApiKeysAsync(tenant, ct)).FirstOrDefault(k => k.Id == tenant.ApiKeyId);
            return TypedResults.Ok(new MeView(null, AccountView.From(account), new MeApiKey(tenant.ApiKeyId!, key?.Name ?? "")));
        }
        var op = await store.GetOperatorAsync(tenant, tenant.OperatorId!, ct);
        return op is null ? TypedResults.NotFound() : TypedResults.Ok(new MeView(OperatorView.From(op), AccountView.From(account), null));
    }

    private static async Task<IResult> UpdateProfileAsync(ProfilePatch patch, Tenant tenant, AccountStore store, OperatorSessions sessions, CancellationToken ct)
    {
        if (tenant.IsApiKey)
        {
            return TypedResults.Problem(L("An API key has no profile."), statusCode: StatusCodes.Status400BadRequest);
        }
        var v = new Validation();
        var name = patch.Name is null ? null : v.Text("name", patch.Name, 100);
        var timeZone = patch.TimeZone is null ? null : v.TimeZone("timeZone", patch.TimeZone);
        var language = patch.Language is null ? null : v.Language("language", patch.Language);
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var saved = await SaveWithRetryAsync(store, tenant, tenant.OperatorId!, o => o with
        {
            Name = name ?? o.Name,
            TimeZone = timeZone ?? o.TimeZone,
            Language = language ?? o.Language,
        }, ct);
        sessions.Forget(tenant.AccountId, tenant.OperatorId!);
        return saved is null ? TypedResults.NotFound() : TypedResults.Ok(OperatorView.From(saved));
    }

    private static async Task<IResult> ChangePasswordAsync(ChangePasswordRequest request, Tenant tenant, HttpContext http, AccountStore store, PasswordHashing hashing, OperatorSessions sessions, CancellationToken ct)
    {
        if (tenant.IsApiKey)
        {
            return TypedResults.Problem(L("An API key has no password."), statusCode: StatusCodes.Status400BadRequest);
        }
        var op = await store.GetOperatorAsync(tenant, tenant.OperatorId!, ct);
        if (op is null)
        {
            return TypedResults.NotFound();
        }
        var v = new Validation();
        if (string.IsNullOrEmpty(request.CurrentPassword) || !hashing.Verify(op.PasswordHash, request.CurrentPassword, out _))
        {
            v.Add("currentPassword", L("This is not your current password."));
        }
        PasswordPolicy.Check(v, "newPassword", request.NewPassword, op.Name, op.Email, op.Email.Split('@')[0]);
        if (v.IsValid && request.NewPassword == request.CurrentPassword)
        {
            v.Add("newPassword", L("Choose a password different from the current one."));
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }
        // A new stamp ends every other session of this operator; this one is re-issued below.
        var saved = await SaveWithRetryAsync(store, tenant, op.Id, o => o with { PasswordHash = hashing.Hash(request.NewPassword!), SecurityStamp = SecureTokens.NewId() }, ct);
        sessions.Forget(tenant.AccountId, op.Id);
        await sessions.SignInAsync(http, saved!);
        return TypedResults.NoContent();
    }

    /// <summary>Read-change-write of one operator, re-reading on a concurrent change. Null when the operator is gone.</summary>
    internal static async Task<Operator?> SaveWithRetryAsync(AccountStore store, Tenant tenant, string operatorId, Func<Operator, Operator> change, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var op = await store.GetOperatorAsync(tenant, operatorId, ct);
            if (op is null)
            {
                return null;
            }
            try
            {
                return await store.SaveOperatorAsync(tenant, op, change(op), null, ct);
            }
            catch (RequestFailedException ex) when (ex.IsConditionFailed() && attempt < 5)
            {
            }
        }
    }

    private static async Task<Operator?> TrySaveAsync(AccountStore store, Operator before, Operator after, CancellationToken ct)
    {
        try
        {
            return await store.SaveOperatorAsync(new Tenant(before.AccountId, before.Id, before.Role, null), before, after, null, ct);
        }
        catch (RequestFailedException ex) when (ex.IsConditionFailed())
        {
            return null; // a rehash can wait for the next sign-in
        }
    }

    internal static string Mask(string email)
    {
        var at = email.IndexOf('@');
        return at <= 1 ? "***" : email[0] + "***" + email[at..];
    }
}
