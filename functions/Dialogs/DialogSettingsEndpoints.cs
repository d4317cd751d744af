using System.Text.RegularExpressions;
using Azure;
using Parley.Functions.Accounts;
using Parley.Functions.Cases;
using Parley.Functions.Common;
using Parley.Functions.Identity;
using Azure.Data.Tables;
using Parley.Functions.Storage;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Dialogs;

public sealed record AlertsInput(string? Email, bool EmailOn, string? VoicePhone, bool VoiceOn, string? SmsPhone, bool SmsOn);
/// <summary>Numbers are E.164; the <c>…Display</c> twins group them for reading.</summary>
public sealed record AlertsView(string? Email, bool EmailOn, string? VoicePhone, bool VoiceOn, string? SmsPhone, bool SmsOn, string WidgetKey, string WidgetText, string WidgetColor,
    string? VoicePhoneDisplay, string? SmsPhoneDisplay);
public sealed record DialogSettingsInput(int? MaxMessageLength, string? CallerId, string? WidgetText, string? WidgetColor, bool? SmsToCustomers);
/// <summary><c>callerId</c> is E.164; <c>callerIdDisplay</c> groups it for reading.</summary>
public sealed record DialogSettingsView(int MaxMessageLength, string? CallerId, string WidgetText, string WidgetColor, bool SmsToCustomers, IReadOnlyList<SecretWord> SecretWords,
    string? CallerIdDisplay);
public sealed record SecretWordInput(string? Word);
public sealed record WidgetView(string OperatorId, string Name, string? LineId, bool Active, string WidgetKey);

/// <summary>The adviser's own alert addresses, and the account's dialog settings and secret words (administrators).</summary>
public static partial class DialogSettingsEndpoints
{
    public static IEndpointRouteBuilder MapDialogSettingsEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/me/dialog-alerts", GetAlertsAsync).RequireAuthorization().WithTags("Dialogs");
        api.MapPut("/me/dialog-alerts", PutAlertsAsync).RequireAuthorization().WithTags("Dialogs");
        api.MapGet("/dialog-settings", GetSettingsAsync).RequireAuthorization(ParleyPolicies.Administrator).WithTags("Dialogs");
        api.MapPut("/dialog-settings", PutSettingsAsync).RequireAuthorization(ParleyPolicies.Administrator).WithTags("Dialogs");
        api.MapPost("/dialog-settings/secret-words", AddWordAsync).RequireAuthorization(ParleyPolicies.Administrator).WithTags("Dialogs");
        api.MapDelete("/dialog-settings/secret-words/{id}", RetireWordAsync).RequireAuthorization(ParleyPolicies.Administrator).WithTags("Dialogs");
        api.MapGet("/dialog-settings/widgets", WidgetsAsync).RequireAuthorization(ParleyPolicies.Administrator).WithTags("Dialogs");
        return api;
    }

    /// <summary>The public key of an adviser's dialog button: account and operator id (both random, neither secret).</summary>
    public static string WidgetKey(string accountId, string operatorId) => $"{accountId}-{operatorId}";

    private static IResult NeedsOperator() =>
        Validation.Single("operator", L("Only a signed-in adviser has dialog alerts; API keys do not."), StatusCodes.Status403Forbidden, L("Not allowed"));

    private static async Task<IResult> GetAlertsAsync(Tenant tenant, DialogStore store, CancellationToken ct)
    {
        if (tenant.OperatorId is not { } operatorId)
        {
            return NeedsOperator();
        }
        var a = await store.GetAlertsAsync(tenant.AccountId, operatorId, ct) ?? AdviserAlerts.Off;
        return TypedResults.Ok(await AlertsViewAsync(tenant, operatorId, a, store, ct));
    }

    private static async Task<IResult> PutAlertsAsync(AlertsInput input, Tenant tenant, DialogStore store, CancellationToken ct)
    {
        if (tenant.OperatorId is not { } operatorId)
        {
            return NeedsOperator();
        }
        var v = new Validation();
        var email = v.Email("email", input.Email, required: input.EmailOn);
        var voice = CaseRules.Phone(v, "voicePhone", input.VoicePhone);
        var sms = CaseRules.Phone(v, "smsPhone", input.SmsPhone);
        if (input.VoiceOn && voice is null && string.IsNullOrWhiteSpace(input.VoicePhone))
        {
            v.Add("voicePhone", L("Enter a number for voice alerts, or switch them off."));
        }
        if (input.SmsOn && sms is null && string.IsNullOrWhiteSpace(input.SmsPhone))
        {
            v.Add("smsPhone", L("Enter a number for SMS alerts, or switch them off."));
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var alerts = new AdviserAlerts(email, input.EmailOn, voice, input.VoiceOn, sms, input.SmsOn);
        await store.SaveAlertsAsync(tenant.AccountId, operatorId, alerts, ct);
        return TypedResults.Ok(await AlertsViewAsync(tenant, operatorId, alerts, store, ct));
    }

    /// <summary>The adviser's alerts with their button's key and the account's button text and colour (for the snippet).</summary>
    private static async Task<AlertsView> AlertsViewAsync(Tenant tenant, string operatorId, AdviserAlerts a, DialogStore store, CancellationToken ct)
    {
        var settings = await store.GetSettingsAsync(tenant.AccountId, ct);
        return new AlertsView(a.Email, a.EmailOn, a.VoicePhone, a.VoiceOn, a.SmsPhone, a.SmsOn, WidgetKey(tenant.AccountId, operatorId), settings.WidgetText, settings.WidgetColor,
            PhoneNumber.Display(a.VoicePhone), PhoneNumber.Display(a.SmsPhone));
    }

    private static DialogSettingsView View(DialogSettings s) => new(s.MaxMessageLength, s.CallerId, s.WidgetText, s.WidgetColor, s.SmsToCustomers, s.SecretWords, PhoneNumber.Display(s.CallerId));

    private static async Task<IResult> GetSettingsAsync(Tenant tenant, DialogStore store, CancellationToken ct) =>
        TypedResults.Ok(View(await store.GetSettingsAsync(tenant.AccountId, ct)));

    private static async Task<IResult> PutSettingsAsync(DialogSettingsInput input, Tenant tenant, DialogStore store, CancellationToken ct)
    {
        var v = new Validation();
        var max = input.MaxMessageLength ?? DialogSettings.Default.MaxMessageLength;
        if (max is < 50 or > 2000)
        {
            v.Add("maxMessageLength", L("Choose a length from {0} to {1} characters.", 50, 2000));
        }
        var callerId = CaseRules.Phone(v, "callerId", input.CallerId);
        var text = v.Text("widgetText", input.WidgetText ?? DialogSettings.Default.WidgetText, 40);
        var color = input.WidgetColor ?? DialogSettings.Default.WidgetColor;
        if (!Colour().IsMatch(color))
        {
            v.Add("widgetColor", L("Choose a colour like #2563eb."));
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }
        return await SaveAsync(tenant, store, s => s with
        {
            MaxMessageLength = max, CallerId = callerId, WidgetText = text!, WidgetColor = color.ToLowerInvariant(), SmsToCustomers = input.SmsToCustomers ?? s.SmsToCustomers,
        }, ct) is { } saved ? TypedResults.Ok(View(saved)) : Contended();
    }

    private static async Task<IResult> AddWordAsync(SecretWordInput input, Tenant tenant, DialogStore store, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation();
        var word = v.Text("word", input.Word, 50, min: 4);
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var current = await store.GetSettingsAsync(tenant.AccountId, ct);
        if (current.SecretWords.Any(w => w.Active && Same(w.Word, word!)))
        {
            return Validation.Single("word", L("This secret word is already active."));
        }
        var added = new SecretWord(SecureTokens.NewId(), word!, true, time.GetUtcNow(), null);
        return await SaveAsync(tenant, store, s => s with { SecretWords = [.. s.SecretWords, added] }, ct) is not null
            ? TypedResults.Created($"/api/dialog-settings/secret-words/{added.Id}", added)
            : Contended();
    }

    private static async Task<IResult> RetireWordAsync(string id, Tenant tenant, DialogStore store, TimeProvider time, CancellationToken ct)
    {
        var current = await store.GetSettingsAsync(tenant.AccountId, ct);
        if (current.SecretWords.FirstOrDefault(w => w.Id == id) is not { } word)
        {
            return TypedResults.NotFound();
        }
        var retired = word with { Active = false, RetiredAt = word.RetiredAt ?? time.GetUtcNow() };
        return await SaveAsync(tenant, store, s => s with { SecretWords = s.SecretWords.Select(w => w.Id == id ? retired : w).ToList() }, ct) is not null
            ? TypedResults.Ok(retired)
            : Contended();
    }

    private static async Task<IResult> WidgetsAsync(Tenant tenant, AccountStore accounts, CancellationToken ct) =>
        TypedResults.Ok((await accounts.ListOperatorsCachedAsync(tenant, ct)).OrderBy(o => o.Name)
            .Select(o => new WidgetView(o.Id, o.Name, o.LineId, o.Active, WidgetKey(tenant.AccountId, o.Id))));

    /// <summary>Secret words match without regard to case and surrounding spaces.</summary>
    public static bool Same(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    /// <summary>Read-modify-write of the settings row under its ETag, retried a few times; null when contention persists.</summary>
    private static async Task<DialogSettings?> SaveAsync(Tenant tenant, DialogStore store, Func<DialogSettings, DialogSettings> change, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var current = await store.GetSettingsAsync(tenant.AccountId, ct);
            try
            {
                return await store.SaveSettingsAsync(tenant.AccountId, change(current), ct);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
            }
        }
        return null;
    }

    private static IResult Contended() => TypedResults.Problem(L("Someone else changed these settings at the same moment. Please try again."), statusCode: StatusCodes.Status409Conflict);

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex Colour();
}
