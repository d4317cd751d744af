using Parley.Functions.Meetings;
using Azure.Data.Tables;
using Azure;
using Parley.Functions.Appointments;
using Parley.Functions.Common;
using Parley.Functions.CustomFields;
using Parley.Functions.Identity;
using Parley.Functions.Storage;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Cases;

public static class CaseEndpoints
{
    public static IEndpointRouteBuilder MapCaseEndpoints(this IEndpointRouteBuilder api)
    {
        var cases = api.MapGroup("/cases").RequireAuthorization().AllowApiKeys().WithTags("Cases");
        cases.MapPost("", CreateAsync).WithName("createCase").WithSummary("Create a case")
            .Produces<CaseView>(StatusCodes.Status201Created).ProducesValidationProblem();
        cases.MapGet("", ListAsync).WithName("listCases").WithSummary("List cases")
            .Produces<CasePage>().ProducesValidationProblem();
        cases.MapGet("/find", FindAsync).WithName("findCases").WithSummary("Find cases by number, reference or e-mail") // a literal segment: routing prefers it over /{id}
            .Produces<CaseMatches>().ProducesValidationProblem();
        cases.MapGet("/{id}", GetAsync).WithName("getCase").WithSummary("Get a case")
            .Produces<CaseView>().ProducesProblem(StatusCodes.Status404NotFound);
        cases.MapPatch("/{id}", UpdateAsync).WithName("updateCase").WithSummary("Update a case")
            .Produces<CaseView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        cases.MapPost("/{id}/complete", (string id, Tenant tenant, CaseStore store, CaseRules rules, CustomFieldStore fields, TimeProvider time, CustomerPresence presence, CancellationToken ct) =>
            SetStatusAsync(id, CaseStatus.Completed, tenant, store, rules, fields, time, presence, ct))
            .WithName("completeCase").WithSummary("Complete a case").Produces<CaseView>().ProducesProblem(StatusCodes.Status404NotFound);
        cases.MapPost("/{id}/reopen", (string id, Tenant tenant, CaseStore store, CaseRules rules, CustomFieldStore fields, TimeProvider time, CustomerPresence presence, CancellationToken ct) =>
            SetStatusAsync(id, CaseStatus.Active, tenant, store, rules, fields, time, presence, ct))
            .WithName("reopenCase").WithSummary("Reopen a case").Produces<CaseView>().ProducesProblem(StatusCodes.Status404NotFound);
        cases.MapDelete("/{id}", DeleteAsync).RequireAuthorization(ParleyPolicies.Administrator)
            .WithName("deleteCase").WithSummary("Delete a case without upcoming appointments")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<IResult> CreateAsync(CaseRequest request, Tenant tenant, CaseStore store, CaseRules rules, CustomFieldStore fields, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation();
        var draft = await rules.NewCaseAsync(v, request, tenant, "", ct);
        if (draft is null)
        {
            return v.Problem();
        }
        var created = await store.CreateAsync(tenant, draft, null, ct);
        return TypedResults.Created($"/api/cases/{created.Id}", await ViewAsync(created, tenant, fields, time, ct));
    }

    private static async Task<IResult> ListAsync(Tenant tenant, CaseStore store, CaseRules rules, CustomerPresence presence, string? status, string? operatorId, string? q, string? cursor, int? limit, CancellationToken ct)
    {
        var v = new Validation();
        var parsedStatus = status is null ? (CaseStatus?)null : v.OneOf<CaseStatus>("status", status);
        if (limit is < 1 or > 200)
        {
            v.Add("limit", L("Use a limit from 1 to 200."));
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var restricted = await rules.ListRestrictionAsync(tenant, ct);
        if (restricted is not null && operatorId is not null && operatorId != restricted)
        {
            return TypedResults.Ok(new CasePage([], null)); // an operator of a separated account sees only their own cases
        }
        var page = await store.ListAsync(tenant, parsedStatus, restricted ?? operatorId, q, cursor, limit ?? 50, ct);
        return TypedResults.Ok(page with { Items = await WithPresenceAsync(page.Items, tenant, presence, ct) });
    }

    /// <summary>The most matches <c>GET /api/cases/find</c> returns.</summary>
    public const int MaxMatches = 50;

    /// <summary>
    /// A Zapier-style "find": the cases with this number, internal reference or visible e-mail (exactly one of the three),
    /// seen as the case list sees them (an operator of a separated account finds only their own cases). Nothing found is
    /// 200 with an empty list, as "find" actions expect.
    /// </summary>
    private static async Task<IResult> FindAsync(Tenant tenant, CaseStore store, CaseRules rules, CustomerPresence presence, string? number, string? reference, string? email, CancellationToken ct)
    {
        var v = new Validation();
        var given = new[] { ("number", number), ("reference", reference), ("email", email) }.Where(p => p.Item2 is not null).Select(p => p.Item1).ToList();
        if (given.Count != 1)
        {
            foreach (var field in given.Count == 0 ? ["number", "reference", "email"] : given)
            {
                v.Add(field, L("Give exactly one of number, reference or email."));
            }
            return v.Problem();
        }
        int? parsedNumber = null;
        if (number is not null)
        {
            if (int.TryParse(number.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1)
            {
                parsedNumber = n;
            }
            else
            {
                v.Add("number", L("Use a number of 1 or more."));
            }
        }
        var parsedReference = reference is null ? null : v.Text("reference", reference, 100);
        var parsedEmail = email is null ? null : v.Email("email", email);
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var found = await store.FindAsync(tenant, parsedNumber, parsedReference, parsedEmail, await rules.ListRestrictionAsync(tenant, ct), MaxMatches, ct);
        return TypedResults.Ok(new CaseMatches(await WithPresenceAsync(found, tenant, presence, ct)));
    }

    /// <summary>Online/Away and who waits, as of now (list rows store neither).</summary>
    private static async Task<IReadOnlyList<CaseSummary>> WithPresenceAsync(IReadOnlyList<CaseSummary> items, Tenant tenant, CustomerPresence presence, CancellationToken ct)
    {
        var online = await presence.OnlineAsync(tenant.AccountId, ct);
        return [.. items.Select(i => online[i.Id].ToList() is { Count: > 0 } here
            ? i with { CustomerStatus = Wire.Name(CustomerStatus.Online), WaitingAppointmentId = here.FirstOrDefault(p => p.Waiting)?.AppointmentId }
            : i with { CustomerStatus = Wire.Name(CustomerStatus.Away) })];
    }

    private static async Task<IResult> GetAsync(string id, Tenant tenant, CaseStore store, CaseRules rules, CustomFieldStore fields, TimeProvider time, CustomerPresence presence, CancellationToken ct) =>
        await store.GetAsync(tenant, id, ct) is { } c && await rules.CanSeeAsync(tenant, c, ct)
            ? TypedResults.Ok(await ViewAsync(c, tenant, fields, time, ct, presence))
            : TypedResults.NotFound();

    private static async Task<IResult> UpdateAsync(string id, CasePatch patch, Tenant tenant, CaseStore store, CaseRules rules, CustomFieldStore fields, TimeProvider time, CustomerPresence presence, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var c = await store.GetAsync(tenant, id, ct);
            if (c is null || !await rules.CanSeeAsync(tenant, c, ct))
            {
                return TypedResults.NotFound();
            }
            var v = new Validation();
            var after = await rules.PatchAsync(v, c, patch, tenant, ct);
            if (after is null)
            {
                return v.Problem();
            }
            try
            {
                return TypedResults.Ok(await ViewAsync(await store.SaveAsync(c, after, ct), tenant, fields, time, ct, presence));
            }
            catch (RequestFailedException ex) when ((ex.IsConditionFailed() || ex is TableTransactionFailedException) && attempt < 5)
            {
                // Someone else saved another field meanwhile: apply this change on top of theirs.
            }
        }
    }

    private static async Task<IResult> SetStatusAsync(string id, CaseStatus status, Tenant tenant, CaseStore store, CaseRules rules, CustomFieldStore fields, TimeProvider time, CustomerPresence presence, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var c = await store.GetAsync(tenant, id, ct);
            if (c is null || !await rules.CanSeeAsync(tenant, c, ct))
            {
                return TypedResults.NotFound();
            }
            try
            {
                var saved = c.Status == status ? c : await store.SaveAsync(c, c with { Status = status, UpdatedAt = time.GetUtcNow() }, ct);
                return TypedResults.Ok(await ViewAsync(saved, tenant, fields, time, ct, presence));
            }
            catch (RequestFailedException ex) when ((ex.IsConditionFailed() || ex is TableTransactionFailedException) && attempt < 5)
            {
            }
        }
    }

    /// <summary>Deletes a case with no upcoming appointments (cancel those first); past and cancelled appointments go with it.</summary>
    private static async Task<IResult> DeleteAsync(string id, Tenant tenant, CaseStore store, AppointmentStore appointments, Conversations.ConversationStore conversations, Chat.ChatService chat, TimeProvider time, CancellationToken ct)
    {
        var c = await store.GetAsync(tenant, id, ct);
        if (c is null)
        {
            return TypedResults.NotFound();
        }
        if (c.NextAppointment(time.GetUtcNow()) is not null)
        {
            return Validation.Single("appointments", L("This case has upcoming appointments. Cancel them before deleting the case."), StatusCodes.Status409Conflict, L("Case has appointments"));
        }
        // Appointments first: if this stops halfway, the case is still there and deleting again finishes the job.
        await appointments.DeleteForCaseAsync(tenant, c.Id, ct);
        await conversations.DeleteAsync(tenant.AccountId, c.Id, ct);
        await chat.DeleteCaseAsync(tenant.AccountId, c.Id, ct); // a website chat's visitor link, live state and wake-up events
        await store.DeleteAsync(c, ct);
        return TypedResults.NoContent();
    }

    /// <summary>The case as the API shows it; with <paramref name="presence"/>, Online/Away and who waits are as of now.</summary>
    internal static async Task<CaseView> ViewAsync(Case c, Tenant tenant, CustomFieldStore fields, TimeProvider time, CancellationToken ct, CustomerPresence? presence = null)
    {
        var visible = (await fields.ListAsync(tenant, ct)).Where(d => !d.Archived).Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
        var view = CaseView.From(c, time.GetUtcNow(), visible);
        if (presence is null)
        {
            return view;
        }
        var here = (await presence.OnlineAsync(tenant.AccountId, ct))[c.Id].ToList();
        return view with
        {
            CustomerStatus = Wire.Name(here.Count > 0 ? CustomerStatus.Online : CustomerStatus.Away),
            WaitingAppointmentId = here.FirstOrDefault(p => p.Waiting)?.AppointmentId,
        };
    }
}
