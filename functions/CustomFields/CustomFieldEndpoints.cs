using System.Text.RegularExpressions;
using Parley.Functions.Common;
using Parley.Functions.Identity;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.CustomFields;

public static partial class CustomFieldEndpoints
{
    public static IEndpointRouteBuilder MapCustomFieldEndpoints(this IEndpointRouteBuilder api)
    {
        var fields = api.MapGroup("/custom-fields").RequireAuthorization().WithTags("Custom fields");
        fields.MapGet("", ListAsync).AllowApiKeys() // integrations read the definitions to fill in values; only administrators change them
            .WithName("listCustomFields").WithSummary("List the custom fields of cases").Produces<IReadOnlyList<CustomFieldView>>();
        var admin = fields.MapGroup("").RequireAuthorization(ParleyPolicies.Administrator);
        admin.MapPost("", CreateAsync);
        admin.MapPut("/order", ReorderAsync);
        admin.MapPatch("/{key}", UpdateAsync);
        admin.MapDelete("/{key}", ArchiveAsync);
        return api;
    }

    private static async Task<IResult> ListAsync(Tenant tenant, CustomFieldStore store, CancellationToken ct) =>
        TypedResults.Ok((await store.ListAsync(tenant, ct)).Where(d => !d.Archived).Select(CustomFieldView.From));

    private static async Task<IResult> CreateAsync(CustomFieldRequest request, Tenant tenant, CustomFieldStore store, CancellationToken ct)
    {
        var v = new Validation();
        var key = v.Text("key", request.Key, 40);
        if (key is not null && !KeyRegex().IsMatch(key))
        {
            v.Add("key", L("Use lowercase letters, digits and hyphens, starting with a letter (e.g. subscription-tier)."));
        }
        var existing = await store.ListAsync(tenant, ct);
        var previous = existing.FirstOrDefault(d => d.Key == key);
        if (previous is { Archived: false })
        {
            v.Add("key", L("A custom field with this key exists already."));
        }
        var definition = Build(v, request, key ?? "", previous?.Order ?? existing.Count);
        if (!v.IsValid)
        {
            return v.Problem(previous is { Archived: false } ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest);
        }
        await store.SaveAsync(tenant, definition!, ct);
        return TypedResults.Created($"/api/custom-fields/{key}", CustomFieldView.From(definition!));
    }

    private static async Task<IResult> UpdateAsync(string key, CustomFieldRequest request, Tenant tenant, CustomFieldStore store, CancellationToken ct)
    {
        var current = (await store.ListAsync(tenant, ct)).FirstOrDefault(d => d.Key == key && !d.Archived);
        if (current is null)
        {
            return TypedResults.NotFound();
        }
        var v = new Validation();
        var merged = new CustomFieldRequest(key, request.Label ?? current.Label, request.Type ?? Wire.Name(current.Type), request.Choices ?? current.Choices, request.Required ?? current.Required,
            request.AskWhenBooking ?? current.AskWhenBooking);
        var definition = Build(v, merged, key, current.Order);
        if (!v.IsValid)
        {
            return v.Problem();
        }
        await store.SaveAsync(tenant, definition!, ct);
        return TypedResults.Ok(CustomFieldView.From(definition!));
    }

    /// <summary>
    /// Puts the active fields in the order given. The list must name every active field exactly once, so a page that
    /// missed a field added meanwhile is refused (409) instead of silently moving it; archived fields keep their place
    /// behind the active ones. One transaction: the order never shows half applied.
    /// </summary>
    private static async Task<IResult> ReorderAsync(CustomFieldOrderRequest request, Tenant tenant, CustomFieldStore store, CancellationToken ct)
    {
        var all = await store.ListAsync(tenant, ct);
        var active = all.Where(d => !d.Archived).ToList();
        var keys = (request.Keys ?? []).ToList();
        if (keys.Count != keys.Distinct(StringComparer.Ordinal).Count())
        {
            return Validation.Single("keys", L("Name every custom field once."));
        }
        if (keys.Count != active.Count || !active.All(d => keys.Contains(d.Key, StringComparer.Ordinal)))
        {
            return Validation.Single("keys", L("The custom fields have changed meanwhile. Reload the page and try again."), StatusCodes.Status409Conflict, L("Custom fields changed"));
        }
        var reordered = active.Select(d => d with { Order = keys.IndexOf(d.Key) })
            .Concat(all.Where(d => d.Archived).Select((d, i) => d with { Order = keys.Count + i }))
            .ToList();
        await store.SaveAllAsync(tenant, reordered, ct);
        return TypedResults.Ok(reordered.Where(d => !d.Archived).OrderBy(d => d.Order).Select(CustomFieldView.From));
    }

    /// <summary>Archives: stored values stay on cases (hidden) and return if the key is defined again.</summary>
    private static async Task<IResult> ArchiveAsync(string key, Tenant tenant, CustomFieldStore store, CancellationToken ct)
    {
        var current = (await store.ListAsync(tenant, ct)).FirstOrDefault(d => d.Key == key && !d.Archived);
        if (current is null)
        {
            return TypedResults.NotFound();
        }
        await store.SaveAsync(tenant, current with { Archived = true }, ct);
        return TypedResults.Ok(new
        {
            key,
            archived = true,
            message = L("The field is removed from cases. Values already entered stay stored and reappear if a field with the key '{0}' is added again.", key),
        });
    }

    private static CustomFieldDefinition? Build(Validation v, CustomFieldRequest request, string key, int order)
    {
        var label = v.Text("label", request.Label, 60);
        var type = v.OneOf<CustomFieldType>("type", request.Type) ?? CustomFieldType.Text;
        var choices = (request.Choices ?? []).Select(c => (c ?? "").Trim()).Where(c => !Validation.LooksEmpty(c) && v.Characters("choices", c)).Distinct(StringComparer.Ordinal).ToList();
        if (type == CustomFieldType.Choice && choices.Count == 0)
        {
            v.Add("choices", L("A choice field needs at least one choice."));
        }
        if (choices.Count > 50 || choices.Any(c => c.Length > 60))
        {
            v.Add("choices", L("Use at most 50 choices of at most 60 characters."));
        }
        return v.IsValid ? new CustomFieldDefinition(key, label!, type, type == CustomFieldType.Choice ? choices : [], request.Required ?? false, false, order) { AskWhenBooking = request.AskWhenBooking ?? false } : null;
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,39}$")]
    private static partial Regex KeyRegex();
}
