using Parley.Functions.Accounts;
using Parley.Functions.Cases;
using Parley.Functions.Common;
using Parley.Functions.Identity;
using Parley.Functions.RateLimiting;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Dialogs;

public sealed record StartDialogInput(string? Mode, string? AvailableUntil, string? WishedDate, string? WishedTime, string? TimeZone, string? Keyword, string? Message,
    string? Email, string? CallPhone, string? SmsPhone, string? SecretWord, string? Language, bool? Remember = null, bool? RememberSecretWord = null);

/// <summary>The customer side of the dialog button: what the widget frame asks, and starting a dialog.</summary>
public static class WidgetEndpoints
{
    public static readonly RateLimitPolicy StartPerAddress = new("DialogStart", 20, TimeSpan.FromHours(1));
    public static readonly RateLimitPolicy StartPerEmail = new("DialogStartEmail", 5, TimeSpan.FromHours(1));

    public static IEndpointRouteBuilder MapWidgetEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/widget/{widgetKey}", ConfigAsync).AllowAnonymous().WithTags("Dialog widget");
        api.MapPost("/widget/{widgetKey}/dialogs", StartAsync).AllowAnonymous().RateLimitedPerClient(StartPerAddress).WithTags("Dialog widget");
        api.MapDelete("/widget-memory", Forget).AllowAnonymous().WithTags("Dialog widget");
        return api;
    }

    private static (string AccountId, string OperatorId)? Parse(string key) =>
        key.Split('-') is [{ Length: > 0 and <= 32 } account, { Length: > 0 and <= 32 } op] ? (account, op) : null;

    /// <summary>The same shape for every key, so the answer does not tell which advisers exist.</summary>
    /// <summary>What the customer's browser asked to be remembered comes only from its own sealed cookie.</summary>
    private static async Task<IResult> ConfigAsync(string widgetKey, HttpRequest request, DialogStore store, WidgetMemory memory, CancellationToken ct)
    {
        var settings = Parse(widgetKey) is { } k ? await store.GetSettingsAsync(k.AccountId, ct) : DialogSettings.Default;
        return TypedResults.Ok(new { settings.MaxMessageLength, remembered = memory.Read(request) });
    }

    /// <summary>"Forget my details" (or only the secret word) on this device.</summary>
    private static IResult Forget(HttpContext http, WidgetMemory memory, bool? secretWordOnly)
    {
        if (secretWordOnly == true && memory.Read(http.Request) is { } details)
        {
            memory.Write(http.Response, details with { SecretWord = null });
        }
        else
        {
            memory.Forget(http.Response);
        }
        return TypedResults.NoContent();
    }

    private static async Task<IResult> StartAsync(string widgetKey, StartDialogInput input, HttpContext http, DialogStore store, AccountStore accounts,
        DialogService dialogs, TableRateLimiter limiter, WidgetMemory memory, IConfiguration configuration, TimeProvider time, CancellationToken ct)
    {
        var key = Parse(widgetKey);
        // Read what the checks need whatever the key, so a wrong key costs the same as a wrong word.
        var settings = await store.GetSettingsAsync(key?.AccountId ?? "-", ct);
        var tenant = new Tenant(key?.AccountId ?? "-", null, OperatorRole.Administrator, "system");
        var adviser = key is null ? null : await accounts.GetOperatorAsync(tenant, key.Value.OperatorId, ct);
        var account = key is null ? null : await accounts.GetSettingsAsync(tenant, ct);

        var v = new Validation();
        var zoneId = v.TimeZone("timeZone", input.TimeZone, required: false) ?? account?.TimeZone ?? "Europe/Berlin";
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var now = time.GetUtcNow();
        DateTimeOffset? until = null, wished = null;
        switch (input.Mode)
        {
            case "until":
                var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
                if (!TimeOnly.TryParseExact(input.AvailableUntil ?? "", "HH:mm", out var untilTime))
                {
                    v.Add("availableUntil", L("Enter a time like 18:30."));
                }
                else if (WallClock.TryResolve($"{today:yyyy-MM-dd}T{untilTime:HH:mm}", zone, out var instant, out _) && instant > now)
                {
                    until = instant;
                }
                else
                {
                    v.Add("availableUntil", L("Choose a time later today."));
                }
                break;
            case "wish":
                if (!DateOnly.TryParseExact(input.WishedDate ?? "", "yyyy-MM-dd", out var date))
                {
                    v.Add("wishedDate", L("Choose a date."));
                }
                if (!TimeOnly.TryParseExact(input.WishedTime ?? "", "HH:mm", out var wishTime))
                {
                    v.Add("wishedTime", L("Enter a time like 18:30."));
                }
                else if (v.IsValid)
                {
                    if (WallClock.TryResolve($"{date:yyyy-MM-dd}T{wishTime:HH:mm}", zone, out var at, out _) && at > now)
                    {
                        wished = at;
                    }
                    else
                    {
                        v.Add("wishedDate", L("Choose a time in the future."));
                    }
                }
                break;
            default:
                v.Add("mode", L("Choose one of: {0}.", "until, wish"));
                break;
        }
        var keyword = v.Text("keyword", input.Keyword, 60);
        var message = v.Text("message", input.Message, settings.MaxMessageLength, multiLine: true);
        var email = v.Email("email", input.Email);
        var callPhone = CaseRules.Phone(v, "callPhone", input.CallPhone);
        var smsPhone = CaseRules.Phone(v, "smsPhone", input.SmsPhone);
        var word = v.Text("secretWord", input.SecretWord, 100);
        var language = v.Language("language", input.Language, required: false) ?? account?.DefaultLanguage ?? "de";
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var valid = key is not null && adviser is { Active: true } && settings.SecretWords.Any(w => w.Active && DialogSettingsEndpoints.Same(w.Word, word!));
        if (!valid)
        {
            return Validation.Single("secretWord", L("This secret word is not valid here. Please ask your adviser for the current one."), StatusCodes.Status403Forbidden, L("Not allowed"));
        }
        var perEmail = StartPerEmail.WithConfiguration(configuration);
        try
        {
            var decision = await limiter.HitAsync(perEmail.Name, $"{key!.Value.AccountId}|{email}", perEmail.Limit, perEmail.Window, ct);
            if (!decision.Allowed)
            {
                return RateLimitEndpointExtensions.TooMany(http, decision.RetryAfter, L("You have started several conversations in a short time. Please wait a little before starting another."));
            }
        }
        catch (RateLimiterUnavailableException)
        {
            return RateLimitEndpointExtensions.TooBusy();
        }
        var customerId = await dialogs.StartAsync(key!.Value.AccountId, adviser!.Id, new NewDialog(keyword!, until, wished, zoneId, language,
            new CustomerContact(email!, callPhone, smsPhone), message!), ct);
        if (input.Remember == true)
        {
            memory.Write(http.Response, new RememberedDetails(keyword!, email!, callPhone, smsPhone, input.RememberSecretWord == true ? word : null));
        }
        else
        {
            memory.Forget(http.Response);
        }
        return TypedResults.Created((string?)null, new { customerId });
    }
}
