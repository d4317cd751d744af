using Parley.Functions.Accounts;
using Parley.Functions.Common;
using Parley.Functions.Identity;
using Parley.Functions.RateLimiting;
using Azure.Data.Tables;
using Parley.Functions.Storage;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Dialogs;

public sealed record ThreadInput(string? Token, string? Text);
public sealed record ThreadMessageView(string From, string Text, DateTimeOffset At);
public sealed record ThreadView(string BusinessName, string AdviserName, string CustomerId, string Language, bool Closed, int MaxMessageLength, IReadOnlyList<ThreadMessageView> Messages);

/// <summary>
/// The customer's reply page, reached only by the secret link from the adviser's e-mail: the whole dialog and a reply
/// box. Never shows the adviser's contact data. The token travels in the body (it lives in the link's fragment).
/// </summary>
public static class DialogThreadEndpoints
{
    public static readonly RateLimitPolicy ThreadPerAddress = new("DialogThread", 120, TimeSpan.FromMinutes(10));

    public static IEndpointRouteBuilder MapDialogThreadEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapPost("/dialog-thread", ReadAsync).AllowAnonymous().RateLimitedPerClient(ThreadPerAddress).WithTags("Dialog reply page");
        api.MapPost("/dialog-thread/replies", ReplyAsync).AllowAnonymous().RateLimitedPerClient(ThreadPerAddress).WithTags("Dialog reply page");
        return api;
    }

    private static async Task<Dialog?> FindAsync(string? token, DialogStore store, ReplyLinks links, CancellationToken ct) =>
        ReplyLinks.Parse(token) is { } t && await store.GetAsync(t.AccountId, t.DialogId, ct) is { } dialog && links.Matches(dialog, t.Secret) ? dialog : null;

    private static async Task<IResult> ReadAsync(ThreadInput input, DialogStore store, ReplyLinks links, AccountStore accounts, CancellationToken ct) =>
        await FindAsync(input.Token, store, links, ct) is { } dialog
            ? TypedResults.Ok(await ViewAsync(dialog, await store.GetSettingsAsync(dialog.AccountId, ct), store, accounts, ct))
            : NotFound();

    private static async Task<IResult> ReplyAsync(ThreadInput input, DialogStore store, ReplyLinks links, AccountStore accounts, DialogService service, CancellationToken ct)
    {
        if (await FindAsync(input.Token, store, links, ct) is not { } dialog)
        {
            return NotFound();
        }
        var settings = await store.GetSettingsAsync(dialog.AccountId, ct);
        var v = new Validation();
        var text = v.Text("text", input.Text, settings.MaxMessageLength, multiLine: true);
        if (dialog.Closed)
        {
            v.Add("text", L("This conversation has been closed."));
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }
        try
        {
            var saved = await service.AddMessageAsync(dialog, DialogParty.Customer, text!, null, false, ct);
            return TypedResults.Created((string?)null, await ViewAsync(saved, settings, store, accounts, ct));
        }
        catch (TableTransactionFailedException)
        {
            return TypedResults.Problem(L("Your adviser wrote at the same moment. Please reload the page and send your reply again."), statusCode: StatusCodes.Status409Conflict);
        }
    }

    private static IResult NotFound() => TypedResults.Problem(L("This link is no longer valid."), statusCode: StatusCodes.Status404NotFound);

    private static async Task<ThreadView> ViewAsync(Dialog d, DialogSettings settings, DialogStore store, AccountStore accounts, CancellationToken ct)
    {
        var tenant = new Tenant(d.AccountId, null, OperatorRole.Administrator, "system");
        var account = await accounts.GetSettingsAsync(tenant, ct);
        var adviser = await accounts.GetOperatorAsync(tenant, d.OperatorId, ct);
        var messages = await store.MessagesAsync(d.AccountId, d.Id, ct);
        return new ThreadView(account?.BusinessName ?? "", adviser?.Name ?? "", d.CustomerId, d.Language, d.Closed, settings.MaxMessageLength,
            messages.Select(m => new ThreadMessageView(Wire.Name(m.From), m.Text, m.At)).ToList());
    }
}
