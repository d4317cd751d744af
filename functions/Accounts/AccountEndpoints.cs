using Azure;
using Parley.Functions.Common;
using Parley.Functions.Identity;
using Parley.Functions.RateLimiting;
using Parley.Functions.Storage;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Accounts;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapPost("/accounts", SignUpAsync).AllowAnonymous().RateLimitedPerClient(RateLimitPolicy.SignUp).WithTags("Accounts");

        var account = api.MapGroup("/account").RequireAuthorization().WithTags("Accounts");
        account.MapGet("", GetAsync);
        account.MapPatch("", UpdateAsync).RequireAuthorization(ParleyPolicies.Administrator);
        return api;
    }

    private static async Task<IResult> SignUpAsync(SignUpRequest request, HttpContext http, AccountStore store, PasswordHashing hashing, OperatorSessions sessions, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation();
        var businessName = v.Text("businessName", request.BusinessName, 100);
        var timeZone = v.TimeZone("timeZone", request.TimeZone);
        var adminName = v.Text("adminName", request.AdminName, 100);
        var email = v.Email("email", request.Email);
        PasswordPolicy.Check(v, "password", request.Password, request.AdminName, request.Email, request.Email?.Split('@')[0], request.BusinessName);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var now = time.GetUtcNow();
        var language = PreferredLanguage(http);
        var account = new Account(SecureTokens.NewId(), businessName!, timeZone!, language, SeparateOperators: false,
            MeetingMode.VideoAndChat, PinPolicy.Off, SenderEmail: null, SenderName: businessName, now);
        var admin = new Operator(SecureTokens.NewId(), account.Id, adminName!, email!, OperatorRole.Administrator, timeZone!, LineId: null,
            Active: true, language, hashing.Hash(request.Password!), SecureTokens.NewId(), now, now);
        try
        {
            await store.CreateAccountAsync(account, admin, ct);
        }
        catch (EmailTakenException)
        {
            return Validation.Single("email", L("This e-mail address is already registered. Sign in, or use another address."), StatusCodes.Status409Conflict, L("E-mail already registered"));
        }
        await sessions.SignInAsync(http, admin);
        var created = await store.GetAccountAsync(account.Id, ct) ?? account;
        return TypedResults.Created("/api/account", new MeView(OperatorView.From(admin), AccountView.From(created), null));
    }

    private static async Task<IResult> GetAsync(Tenant tenant, AccountStore store, CancellationToken ct) =>
        await store.GetAccountAsync(tenant, ct) is { } account ? TypedResults.Ok(AccountView.From(account)) : TypedResults.NotFound();

    private static async Task<IResult> UpdateAsync(AccountPatch patch, Tenant tenant, AccountStore store, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var account = await store.GetAccountAsync(tenant, ct);
            if (account is null)
            {
                return TypedResults.NotFound();
            }
            var v = new Validation();
            var updated = account with
            {
                BusinessName = patch.BusinessName is null ? account.BusinessName : v.Text("businessName", patch.BusinessName, 100) ?? account.BusinessName,
                TimeZone = patch.TimeZone is null ? account.TimeZone : v.TimeZone("timeZone", patch.TimeZone) ?? account.TimeZone,
                DefaultLanguage = patch.DefaultLanguage is null ? account.DefaultLanguage : v.Language("defaultLanguage", patch.DefaultLanguage) ?? account.DefaultLanguage,
                SeparateOperators = patch.SeparateOperators ?? account.SeparateOperators,
                MeetingMode = patch.MeetingMode is null ? account.MeetingMode : v.OneOf<MeetingMode>("meetingMode", patch.MeetingMode) ?? account.MeetingMode,
                PinPolicy = patch.PinPolicy is null ? account.PinPolicy : v.OneOf<PinPolicy>("pinPolicy", patch.PinPolicy) ?? account.PinPolicy,
                SenderEmail = patch.SenderEmail is null ? account.SenderEmail : patch.SenderEmail.Trim().Length == 0 ? null : v.Email("senderEmail", patch.SenderEmail),
                SenderName = patch.SenderName is null ? account.SenderName : patch.SenderName.Trim().Length == 0 ? null : v.Text("senderName", patch.SenderName, 100),
                ReminderOffsetMinutes = patch.ReminderOffsetMinutes is null ? account.ReminderOffsetMinutes : Offsets(v, patch.ReminderOffsetMinutes),
                MeetingOpensMinutesBefore = patch.MeetingOpensMinutesBefore is null ? account.MeetingOpensMinutesBefore : OpensBefore(v, patch.MeetingOpensMinutesBefore.Value),
                LocationSharing = patch.LocationSharing ?? account.LocationSharing,
                ContactLine = patch.ContactLine is null ? account.ContactLine : patch.ContactLine.Trim().Length == 0 ? null : v.Text("contactLine", patch.ContactLine, 200),
                BookingConsentText = patch.BookingConsentText is null ? account.BookingConsentText
                    : patch.BookingConsentText.Trim().Length == 0 ? null : v.Text("bookingConsentText", patch.BookingConsentText, 1000, multiLine: true),
                EmbedOrigins = patch.EmbedOrigins is null ? account.EmbedOrigins : EmbedOrigins(v, patch.EmbedOrigins),
            };
            if (!v.IsValid)
            {
                return v.Problem();
            }
            try
            {
                return TypedResults.Ok(AccountView.From(await store.UpdateAccountAsync(tenant, updated, ct)));
            }
            catch (RequestFailedException ex) when (ex.IsConditionFailed() && attempt < 3)
            {
                // Someone changed the account meanwhile (e.g. an operator's role): apply the patch to the new state.
            }
        }
    }

    public const int MaxEmbedOrigins = 20;

    /// <summary>
    /// Origins that may embed booking pages: https://host[:port], or http on this machine (localhost, 127.0.0.1) for
    /// trying it out. Stored lower-case without a trailing slash, as browsers send them.
    /// </summary>
    private static IReadOnlyList<string> EmbedOrigins(Validation v, IReadOnlyList<string> origins)
    {
        var result = new List<string>();
        if (origins.Count > MaxEmbedOrigins)
        {
            v.Add("embedOrigins", L("List at most {0} websites.", MaxEmbedOrigins));
            return result;
        }
        foreach (var raw in origins)
        {
            if (!Uri.TryCreate((raw ?? "").Trim(), UriKind.Absolute, out var uri) || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0
                || uri.UserInfo.Length > 0 || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
            {
                v.Add("embedOrigins", L("Enter websites as https://www.example.com (no path)."));
                return result;
            }
            var origin = uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
            if (!result.Contains(origin))
            {
                result.Add(origin);
            }
        }
        return result;
    }

    /// <summary>Up to 5 distinct offsets from 5 minutes to 30 days; an empty list switches reminders off.</summary>
    private static IReadOnlyList<int> Offsets(Validation v, IReadOnlyList<int> minutes)
    {
        if (minutes.Count > 5 || minutes.Any(m => m is < 5 or > 43_200))
        {
            v.Add("reminderOffsetMinutes", ServerText.L("Use up to 5 reminders between 5 minutes and 30 days before the appointment."));
        }
        return minutes.Distinct().OrderDescending().ToList();
    }

    private static int OpensBefore(Validation v, int minutes)
    {
        if (minutes is < 0 or > 120)
        {
            v.Add("meetingOpensMinutesBefore", ServerText.L("Use a number of minutes from 0 to 120."));
        }
        return minutes;
    }

    private static string PreferredLanguage(HttpContext http)
    {
        foreach (var part in http.Request.Headers.AcceptLanguage.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var code = part.Split(';')[0].Split('-')[0].ToLowerInvariant();
            if (Languages.Supported.Contains(code))
            {
                return code;
            }
        }
        return "en";
    }
}
