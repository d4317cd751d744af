using Parley.Functions.Cases;
using Parley.Functions.Common;
using Parley.Functions.Identity;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Conversations;

/// <summary>A message of a case's conversation as the dashboard shows it.</summary>
public sealed record ConversationMessageView(string Id, long Seq, DateTimeOffset At, string Author, string AuthorName, string Text, string Source, string? AppointmentId)
{
    public static ConversationMessageView From(ConversationMessage m) => new(m.Id, m.Seq, m.At, Wire.Name(m.Author), m.AuthorName, m.Text, m.Source, m.AppointmentId);
}

/// <summary>The case page's view of the case's conversation (what was written in its meetings, and later booking and website chat).</summary>
public static class ConversationEndpoints
{
    public static IEndpointRouteBuilder MapConversationEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/cases/{caseId}/conversation", ListAsync).RequireAuthorization().WithTags("Cases");
        return api;
    }

    private static async Task<IResult> ListAsync(string caseId, long? after, int? limit, Tenant tenant, CaseStore cases, CaseRules rules, ConversationStore conversations, CancellationToken ct)
    {
        if (await cases.GetAsync(tenant, caseId, ct) is not { } c || !await rules.CanSeeAsync(tenant, c, ct))
        {
            return TypedResults.NotFound();
        }
        var v = new Validation();
        if (after is < 0)
        {
            v.Add("after", L("Use a number of 0 or more."));
        }
        if (limit is < 1 or > 500)
        {
            v.Add("limit", L("Use a limit from 1 to 500."));
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var messages = await conversations.ListAsync(tenant.AccountId, c.Id, after ?? 0, limit ?? 200, ct);
        return TypedResults.Ok(messages.Select(ConversationMessageView.From));
    }
}
