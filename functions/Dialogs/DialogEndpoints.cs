using System.Text.Json;
using Parley.Functions.Accounts;
using Parley.Functions.Appointments;
using Parley.Functions.Calls;
using Parley.Functions.Cases;
using Parley.Functions.Common;
using Parley.Functions.Identity;
using Parley.Functions.Notifications;
using Azure.Data.Tables;
using Parley.Functions.Storage;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Dialogs;

public sealed record AlertCallView(string Status, string? Reason);

/// <summary>A dialog as the adviser sees it: never the customer's e-mail or numbers.</summary>
public sealed record DialogRowView(string Id, string OperatorId, string AdviserName, string? LineId, DateTimeOffset CreatedAt, string CustomerId, string Keyword,
    DateTimeOffset? AvailableUntil, bool AvailableUntilPast, DateTimeOffset? WishedAt, string TimeZone, string FirstMessage, string LastMessage, string LastFrom,
    string LastMessageColor, bool NeedsAnswer, bool Closed, AlertCallView? AlertCall);

public sealed record DialogMessageView(int Seq, string From, string Text, DateTimeOffset At, string? AdviserName);


public sealed record ReplyInput(string? Text, bool CallCustomer);
public sealed record ConvertInput(string? Start, string? End, string? TimeZone, InvitationInput? Invitation);

/// <summary>The adviser's inbox: list, thread, reply, close, and turning a dialog into a case with an appointment.</summary>
public static class DialogEndpoints
{
    /// <summary>Advisers may write longer than customers (whose limit the account sets, at most 2,000).</summary>
    public const int MaxAnswerLength = 2000;

    public static IEndpointRouteBuilder MapDialogEndpoints(this IEndpointRouteBuilder api)
    {
        var dialogs = api.MapGroup("/dialogs").RequireAuthorization().WithTags("Dialogs");
        // Integrations read and answer dialogs; closing and converting stay with the people who handle them.
        dialogs.MapGet("", ListAsync).AllowApiKeys().WithName("listDialogs").WithSummary("List adviser dialogs")
            .Produces<OpenApi.ResponseShapes.DialogPage>();
        dialogs.MapGet("/{id}", GetAsync).AllowApiKeys().WithName("getDialog").WithSummary("Get a dialog with its messages")
            .Produces<OpenApi.ResponseShapes.DialogDetail>().ProducesProblem(StatusCodes.Status404NotFound);
        dialogs.MapPost("/{id}/replies", ReplyAsync).AllowApiKeys().WithName("replyToDialog").WithSummary("Reply to a dialog")
            .Produces<OpenApi.ResponseShapes.DialogDetail>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        dialogs.MapPost("/{id}/close", CloseAsync);
        dialogs.MapPost("/{id}/convert", ConvertAsync);
        return api;
    }

    /// <summary>Administrators (and API keys) see every adviser's dialogs; an adviser only their own.</summary>
    private static string? OwnOnly(Tenant tenant) => tenant.Role == OperatorRole.Administrator ? null : tenant.OperatorId;

    private static async Task<IResult> ListAsync(Tenant tenant, DialogStore store, AccountStore accounts, TimeProvider time, bool? needsAnswer, string? cursor, int? limit, CancellationToken ct)
    {
        var (items, next) = await store.ListAsync(tenant.AccountId, OwnOnly(tenant), needsAnswer == true, cursor, Math.Clamp(limit ?? 50, 1, 200), ct);
        var operators = (await accounts.ListOperatorsCachedAsync(tenant, ct)).ToDictionary(o => o.Id);
        return TypedResults.Ok(new { items = items.Select(d => Row(d, operators, null, time)), next });
    }

    private static async Task<(Dialog Dialog, Dictionary<string, Operator> Operators)?> VisibleAsync(string id, Tenant tenant, DialogStore store, AccountStore accounts, CancellationToken ct)
    {
        var dialog = await store.GetAsync(tenant.AccountId, id, ct);
        if (dialog is null || (OwnOnly(tenant) is { } own && dialog.OperatorId != own))
        {
            return null;
        }
        return (dialog, (await accounts.ListOperatorsCachedAsync(tenant, ct)).ToDictionary(o => o.Id));
    }

    private static async Task<IResult> GetAsync(string id, Tenant tenant, DialogStore store, AccountStore accounts, CallStore calls, TimeProvider time, CancellationToken ct) =>
        await VisibleAsync(id, tenant, store, accounts, ct) is { } v ? TypedResults.Ok(await DetailAsync(v.Dialog, v.Operators, store, calls, time, ct)) : TypedResults.NotFound();

    private static async Task<IResult> ReplyAsync(string id, ReplyInput input, Tenant tenant, DialogStore store, AccountStore accounts, CallStore calls, DialogService service, TimeProvider time, CancellationToken ct)
    {
        if (await VisibleAsync(id, tenant, store, accounts, ct) is not { } v)
        {
            return TypedResults.NotFound();
        }
        var val = new Validation();
        var text = val.Text("text", input.Text, MaxAnswerLength, multiLine: true);
        if (input.CallCustomer && v.Dialog.Contact.CallPhone is null)
        {
            val.Add("callCustomer", L("The customer left no number for calls."));
        }
        if (v.Dialog.Closed)
        {
            val.Add("text", L("This dialog is closed."));
        }
        if (!val.IsValid)
        {
            return val.Problem();
        }
        try
        {
            var saved = await service.AddMessageAsync(v.Dialog, DialogParty.Adviser, text!, tenant.OperatorId, input.CallCustomer, ct);
            return TypedResults.Created($"/api/dialogs/{id}", await DetailAsync(saved, v.Operators, store, calls, time, ct));
        }
        catch (TableTransactionFailedException)
        {
            return Changed();
        }
    }

    private static async Task<IResult> CloseAsync(string id, Tenant tenant, DialogStore store, AccountStore accounts, CallStore calls, DialogService service, TimeProvider time, CancellationToken ct)
    {
        if (await VisibleAsync(id, tenant, store, accounts, ct) is not { } v)
        {
            return TypedResults.NotFound();
        }
        try
        {
            var saved = v.Dialog.Closed ? v.Dialog : await service.CloseAsync(v.Dialog, ct);
            return TypedResults.Ok(await DetailAsync(saved, v.Operators, store, calls, time, ct));
        }
        catch (TableTransactionFailedException)
        {
            return Changed();
        }
    }

    /// <summary>
    /// A case (named after the customer id and keyword, assigned to the dialog's adviser, origin "dialog") and an
    /// appointment, through the same code as <c>POST /api/appointments</c>. The customer's contact data is copied into the
    /// case as <see cref="HiddenContact"/>: invitations and reminders reach the customer, nobody in the account sees it
    /// (seed 004). The invitation goes out in the dialog's language, by e-mail and, when asked, SMS to the SMS number.
    /// </summary>
    private static async Task<IResult> ConvertAsync(string id, ConvertInput input, Tenant tenant, HttpContext http, DialogStore store, AccountStore accounts, CaseRules rules,
        AppointmentStore appointments, TimeProvider time, AppointmentMessages notify, ILoggerFactory logs, CancellationToken ct)
    {
        if (await VisibleAsync(id, tenant, store, accounts, ct) is not { } v)
        {
            return TypedResults.NotFound();
        }
        var d = v.Dialog;
        var name = $"{d.CustomerId} – {d.Keyword}";
        var request = new CaseWithAppointmentRequest(
            new CaseRequest(name[..Math.Min(50, name.Length)], null, null, "Dialog " + d.CustomerId, null, null, [d.OperatorId], d.Language, null),
            null, input.Start, input.End, input.TimeZone ?? d.TimeZone, [d.OperatorId],
            new InvitationInput(input.Invitation?.Sms ?? false, input.Invitation?.Email ?? true, input.Invitation?.Language ?? d.Language), null);
        var hidden = new HiddenContact(d.CustomerId, d.Contact.Email, d.Contact.SmsPhone, d.Contact.CallPhone);
        var (problem, created, appointment) = await AppointmentEndpoints.CreateCaseAndBookAsync(request, tenant, http, accounts, rules, appointments, time, notify, logs, ct, hidden);
        return problem ?? TypedResults.Created($"/api/cases/{created!.Id}", new { caseId = created.Id, appointmentId = appointment!.Id });
    }

    internal static DialogRowView Row(Dialog d, IReadOnlyDictionary<string, Operator> operators, CallRecord? alertCall, TimeProvider time)
    {
        var adviser = operators.GetValueOrDefault(d.OperatorId);
        var color = d.LastFrom == DialogParty.Adviser ? "green" : d.Answered ? "black" : "red";
        return new DialogRowView(d.Id, d.OperatorId, adviser?.Name ?? "", adviser?.LineId, d.CreatedAt, d.CustomerId, d.Keyword, d.AvailableUntil,
            d.AvailableUntil is { } until && until < time.GetUtcNow(), d.WishedAt, d.TimeZone, d.FirstMessage, d.LastMessage, Wire.Name(d.LastFrom), color, d.NeedsAnswer, d.Closed,
            alertCall is null ? null : new AlertCallView(Wire.Name(alertCall.Status), alertCall.Reason));
    }

    /// <summary>The row's fields plus the thread and what the adviser may know about the customer's channels (never the addresses).</summary>
    private static async Task<System.Text.Json.Nodes.JsonObject> DetailAsync(Dialog d, IReadOnlyDictionary<string, Operator> operators, DialogStore store, CallStore calls, TimeProvider time, CancellationToken ct)
    {
        var messages = await store.MessagesAsync(d.AccountId, d.Id, ct);
        var alert = await calls.GetAsync(d.AccountId, $"dlg-{d.Id}-alert", ct);
        var view = JsonSerializer.SerializeToNode(Row(d, operators, alert, time), JsonSerializerOptions.Web)!.AsObject();
        view["messages"] = JsonSerializer.SerializeToNode(
            messages.Select(m => new DialogMessageView(m.Seq, Wire.Name(m.From), m.Text, m.At, m.OperatorId is null ? null : operators.GetValueOrDefault(m.OperatorId)?.Name)).ToList(),
            JsonSerializerOptions.Web);
        view["customerHasCallNumber"] = d.Contact.CallPhone is not null;
        view["customerHasSmsNumber"] = d.Contact.SmsPhone is not null;
        view["customerLanguage"] = d.Language;
        return view;
    }

    private static IResult Changed() =>
        TypedResults.Problem(L("This dialog changed at the same moment (a new message?). Please reload it and try again."), statusCode: StatusCodes.Status409Conflict);
}
