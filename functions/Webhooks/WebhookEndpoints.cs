using System.Globalization;
using System.Text.Json;
using Parley.Functions.Common;
using Parley.Functions.Identity;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Webhooks;

public sealed record WebhookEndpointRequest(string? Url, string? Description, IReadOnlyList<string>? EventTypes, bool? Enabled);

/// <summary>An endpoint as the API shows it; the secret only once, in <see cref="WebhookSecretView"/>.</summary>
public sealed record WebhookEndpointView(string Id, string Kind, string Url, string Description, IReadOnlyList<string> EventTypes, bool Enabled,
    string? DisabledReason, DateTimeOffset? FailingSince, DateTimeOffset? PreviousSecretValidUntil, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static WebhookEndpointView From(WebhookEndpoint e, DateTimeOffset now) => new(e.Id, e.Kind, e.Url, e.Description, e.EventTypes, e.Enabled,
        e.DisabledReason, e.FailingSince, e.PreviousUntil > now ? e.PreviousUntil : null, e.CreatedAt, e.UpdatedAt);
}

/// <summary>A new endpoint or a rotated secret: the signing secret, shown this once.</summary>
public sealed record WebhookSecretView(WebhookEndpointView Endpoint, string Secret);

public sealed record WebhookEventTypeView(string Type, string Description);

public sealed record WebhookDeliveryPage(IReadOnlyList<WebhookDelivery> Items, string? NextCursor);

public sealed record WebhookEventPage(IReadOnlyList<JsonElement> Items);

public sealed record WebhookAccepted(string? MessageId = null, DateTimeOffset? Since = null);

public sealed record RecoverRequest(string? Since);

/// <summary>A REST hook subscription (Zapier's <c>performSubscribe</c>): one event type to one URL.</summary>
public sealed record HookRequest(string? TargetUrl, string? Event);

public sealed record HookView(string Id, string TargetUrl, string Event, string Secret);

/// <summary>
/// The integration surface: webhook endpoints with their delivery log (administrators and API keys), REST hooks
/// (<c>/api/hooks</c>) and the polling list of events (<c>/api/events</c>). Docs: docs/integrations.md.
/// </summary>
public static class WebhookEndpoints
{
    private const int MaxDescription = 200;

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder api)
    {
        var webhooks = api.MapGroup("/webhooks").RequireAuthorization(ParleyPolicies.Administrator).AllowApiKeys().WithTags("Webhooks");
        webhooks.MapGet("/event-types", () => TypedResults.Ok(WebhookEventTypes.All.Select(t => new WebhookEventTypeView(t.Name, t.Description)).ToList()))
            .WithName("listWebhookEventTypes").WithSummary("List the event types an endpoint or hook may receive").Produces<List<WebhookEventTypeView>>();
        webhooks.MapGet("/endpoints", ListAsync).WithName("listWebhookEndpoints").WithSummary("List webhook endpoints and REST hooks")
            .Produces<List<WebhookEndpointView>>();
        webhooks.MapPost("/endpoints", CreateAsync).WithName("createWebhookEndpoint").WithSummary("Create a webhook endpoint (its signing secret is shown once)")
            .Produces<WebhookSecretView>(StatusCodes.Status201Created).ProducesValidationProblem();
        webhooks.MapGet("/endpoints/{id}", GetAsync).WithName("getWebhookEndpoint").WithSummary("Get a webhook endpoint")
            .Produces<WebhookEndpointView>().ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPatch("/endpoints/{id}", UpdateAsync).WithName("updateWebhookEndpoint").WithSummary("Change, enable or disable a webhook endpoint")
            .Produces<WebhookEndpointView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapDelete("/endpoints/{id}", DeleteAsync).WithName("deleteWebhookEndpoint").WithSummary("Delete a webhook endpoint and its log")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPost("/endpoints/{id}/rotate-secret", RotateAsync).WithName("rotateWebhookSecret")
            .WithSummary("Rotate the signing secret (the previous one keeps signing for 24 hours)")
            .Produces<WebhookSecretView>().ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPost("/endpoints/{id}/test", TestAsync).WithName("sendWebhookTestEvent").WithSummary("Send a webhook.test event to this endpoint")
            .Produces<WebhookAccepted>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesValidationProblem(StatusCodes.Status409Conflict);
        webhooks.MapGet("/endpoints/{id}/deliveries", DeliveriesAsync).WithName("listWebhookDeliveries")
            .WithSummary("The endpoint's delivery log, newest first, with every attempt (kept 30 days)")
            .Produces<WebhookDeliveryPage>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPost("/endpoints/{id}/deliveries/{messageId}/resend", ResendAsync).WithName("resendWebhookDelivery")
            .WithSummary("Send one delivery again (same webhook-id)")
            .Produces<WebhookAccepted>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesValidationProblem(StatusCodes.Status409Conflict);
        webhooks.MapPost("/endpoints/{id}/recover", RecoverAsync).WithName("recoverWebhookDeliveries")
            .WithSummary("Send again every event since a time that the endpoint did not get")
            .Produces<WebhookAccepted>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status409Conflict);

        var hooks = api.MapGroup("/hooks").RequireAuthorization(ParleyPolicies.Administrator).AllowApiKeys().WithTags("REST hooks");
        hooks.MapPost("", SubscribeAsync).WithName("subscribeHook").WithSummary("Subscribe a REST hook to one event type (Zapier performSubscribe)")
            .Produces<HookView>(StatusCodes.Status201Created).ProducesValidationProblem();
        hooks.MapDelete("/{id}", UnsubscribeAsync).WithName("unsubscribeHook").WithSummary("Remove a REST hook (Zapier performUnsubscribe)")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/events", EventsAsync).RequireAuthorization(ParleyPolicies.Administrator).AllowApiKeys().WithTags("Events")
            .WithName("listEvents").WithSummary("Recent events, newest first (the polling list of every trigger; deduplicate by id)")
            .Produces<WebhookEventPage>().ProducesValidationProblem();
        return api;
    }

    private static async Task<IResult> ListAsync(Tenant tenant, WebhookStore store, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok((await store.ListAsync(tenant.AccountId, ct)).Select(e => WebhookEndpointView.From(e, time.GetUtcNow())).ToList());

    private static async Task<IResult> GetAsync(string id, Tenant tenant, WebhookStore store, TimeProvider time, CancellationToken ct) =>
        await store.GetAsync(tenant.AccountId, id, ct) is { } e ? TypedResults.Ok(WebhookEndpointView.From(e, time.GetUtcNow())) : TypedResults.NotFound();

    private static async Task<IResult> CreateAsync(WebhookEndpointRequest request, Tenant tenant, WebhookStore store, OutboundAddressGuard guard, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation();
        var url = await UrlAsync(v, "url", request.Url, guard, ct);
        var description = v.Text("description", request.Description ?? "", MaxDescription, required: false) ?? "";
        var types = EventTypes(v, "eventTypes", request.EventTypes);
        if (v.IsValid && (await store.ListAsync(tenant.AccountId, ct)).Count >= WebhookStore.MaxPerAccount)
        {
            v.Add("url", L("An account can have at most {0} webhook endpoints and hooks; remove one first.", WebhookStore.MaxPerAccount));
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var now = time.GetUtcNow();
        var endpoint = await store.AddAsync(new WebhookEndpoint(SecureTokens.NewId(), tenant.AccountId, WebhookKind.Endpoint, url!, description, types!,
            request.Enabled ?? true, WebhookSignature.NewSecret(), null, null, now, now, null, null), ct);
        return TypedResults.Created($"/api/webhooks/endpoints/{endpoint.Id}", new WebhookSecretView(WebhookEndpointView.From(endpoint, now), endpoint.Secret));
    }

    private static async Task<IResult> UpdateAsync(string id, WebhookEndpointRequest request, Tenant tenant, WebhookStore store, OutboundAddressGuard guard, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation();
        var url = request.Url is null ? null : await UrlAsync(v, "url", request.Url, guard, ct);
        var description = request.Description is null ? null : v.Text("description", request.Description, MaxDescription, required: false) ?? "";
        var types = request.EventTypes is null ? null : EventTypes(v, "eventTypes", request.EventTypes);
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var saved = await store.ChangeAsync(tenant.AccountId, id, e => e with
        {
            Url = url ?? e.Url,
            Description = description ?? e.Description,
            EventTypes = types ?? e.EventTypes,
            Enabled = request.Enabled ?? e.Enabled,
            // Enabling again starts a fresh count of failures.
            DisabledReason = request.Enabled == true ? null : e.DisabledReason,
            FailingSince = request.Enabled == true && !e.Enabled ? null : e.FailingSince,
        }, ct);
        return saved is null ? TypedResults.NotFound() : TypedResults.Ok(WebhookEndpointView.From(saved, time.GetUtcNow()));
    }

    private static async Task<IResult> DeleteAsync(string id, Tenant tenant, WebhookStore store, CancellationToken ct)
    {
        if (await store.GetAsync(tenant.AccountId, id, ct) is null)
        {
            return TypedResults.NotFound();
        }
        await store.DeleteAsync(tenant.AccountId, id, ct);
        await store.DeleteDeliveriesAsync(tenant.AccountId, id, ct);
        return TypedResults.NoContent();
    }

    /// <summary>A new secret; the previous one keeps signing too for 24 hours, so the receiver can switch without a gap.</summary>
    private static async Task<IResult> RotateAsync(string id, Tenant tenant, WebhookStore store, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var secret = WebhookSignature.NewSecret();
        var saved = await store.ChangeAsync(tenant.AccountId, id, e => e with { Secret = secret, PreviousSecret = e.Secret, PreviousUntil = now.AddHours(24) }, ct);
        return saved is null ? TypedResults.NotFound() : TypedResults.Ok(new WebhookSecretView(WebhookEndpointView.From(saved, now), secret));
    }

    /// <summary>Sends a <c>webhook.test</c> event to this endpoint only (also when it is disabled — that is how one checks a fix).</summary>
    private static async Task<IResult> TestAsync(string id, Tenant tenant, WebhookStore store, WebhookDeliveries deliveries, TimeProvider time, CancellationToken ct)
    {
        var endpoint = await store.GetAsync(tenant.AccountId, id, ct);
        if (endpoint is null)
        {
            return TypedResults.NotFound();
        }
        if (!endpoint.Enabled)
        {
            return Validation.Single("enabled", L("Enable the endpoint to send it a test event."), StatusCodes.Status409Conflict);
        }
        var key = store.NewEventKey();
        var at = time.GetUtcNow();
        var body = WebhookPublisher.Body(WebhookStore.EventId(key), WebhookEventTypes.Test, at, new { endpointId = endpoint.Id, message = "Test event from Parley" });
        await store.AddEventAsync(tenant.AccountId, key, new StoredWebhookEvent(WebhookStore.EventId(key), WebhookEventTypes.Test, at, body), ct);
        await deliveries.StartAsync(endpoint, key, WebhookEventTypes.Test, "1", ct);
        return TypedResults.Accepted($"/api/webhooks/endpoints/{id}/deliveries", new WebhookAccepted(WebhookStore.MessageId(key)));
    }

    private static async Task<IResult> DeliveriesAsync(string id, string? cursor, int? limit, Tenant tenant, WebhookStore store, CancellationToken ct)
    {
        var v = new Validation();
        if (limit is < 1 or > 100)
        {
            v.Add("limit", L("Use a limit from 1 to 100."));
        }
        var after = cursor is null ? null : WebhookStore.KeyOf(cursor, "msg_");
        if (cursor is not null && after is null)
        {
            v.Add("cursor", L("This cursor is not valid; start from the first page."));
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }
        if (await store.GetAsync(tenant.AccountId, id, ct) is null)
        {
            return TypedResults.NotFound();
        }
        var size = limit ?? 25;
        var items = await store.ListDeliveriesAsync(tenant.AccountId, id, after, size, ct);
        return TypedResults.Ok(new WebhookDeliveryPage(items, items.Count == size ? items[^1].MessageId : null));
    }

    /// <summary>One delivery again, with the same <c>webhook-id</c> (a receiver that has it already ignores it) and a fresh schedule.</summary>
    private static async Task<IResult> ResendAsync(string id, string messageId, Tenant tenant, WebhookStore store, WebhookDeliveries deliveries, TimeProvider time, CancellationToken ct)
    {
        var endpoint = await store.GetAsync(tenant.AccountId, id, ct);
        var key = WebhookStore.KeyOf(messageId, "msg_");
        var delivery = endpoint is null || key is null ? null : await store.GetDeliveryAsync(tenant.AccountId, id, key, ct);
        if (endpoint is null || key is null || delivery is null || await store.GetEventAsync(tenant.AccountId, key, ct) is null)
        {
            return TypedResults.NotFound();
        }
        if (!endpoint.Enabled)
        {
            return Validation.Single("enabled", L("Enable the endpoint to send deliveries to it again."), StatusCodes.Status409Conflict);
        }
        await deliveries.StartAsync(endpoint, key, delivery.EventType, "r" + time.GetUtcNow().UtcTicks.ToString(CultureInfo.InvariantCulture), ct);
        return TypedResults.Accepted($"/api/webhooks/endpoints/{id}/deliveries", new WebhookAccepted(messageId));
    }

    /// <summary>Sends again every event since <c>since</c> (at most 30 days back) that the endpoint did not get.</summary>
    private static async Task<IResult> RecoverAsync(string id, RecoverRequest request, Tenant tenant, WebhookStore store, WebhookDeliveries deliveries, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var v = new Validation();
        DateTimeOffset since = default;
        if (string.IsNullOrWhiteSpace(request.Since))
        {
            v.Add("since", L("Say from when to send missed deliveries again."));
        }
        else if (!DateTimeOffset.TryParse(request.Since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out since))
        {
            v.Add("since", L("Use a date and time such as 2026-12-01T08:00:00Z."));
        }
        else if (since < now - WebhookStore.Keep || since > now)
        {
            v.Add("since", L("Choose a time within the last 30 days."));
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var endpoint = await store.GetAsync(tenant.AccountId, id, ct);
        if (endpoint is null)
        {
            return TypedResults.NotFound();
        }
        if (!endpoint.Enabled)
        {
            return Validation.Single("enabled", L("Enable the endpoint to send deliveries to it again."), StatusCodes.Status409Conflict);
        }
        await deliveries.RecoverAsync(endpoint, since, now.UtcTicks.ToString(CultureInfo.InvariantCulture), ct);
        return TypedResults.Accepted($"/api/webhooks/endpoints/{id}/deliveries", new WebhookAccepted(Since: since));
    }

    private static async Task<IResult> SubscribeAsync(HookRequest request, Tenant tenant, WebhookStore store, OutboundAddressGuard guard, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation();
        var url = await UrlAsync(v, "targetUrl", request.TargetUrl, guard, ct);
        if (string.IsNullOrWhiteSpace(request.Event))
        {
            v.Add("event", L("Choose the event to receive."));
        }
        else if (!WebhookEventTypes.IsKnown(request.Event))
        {
            v.Add("event", L("Unknown event type {0}.", request.Event));
        }
        if (v.IsValid && (await store.ListAsync(tenant.AccountId, ct)).Count >= WebhookStore.MaxPerAccount)
        {
            v.Add("targetUrl", L("An account can have at most {0} webhook endpoints and hooks; remove one first.", WebhookStore.MaxPerAccount));
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var now = time.GetUtcNow();
        var hook = await store.AddAsync(new WebhookEndpoint(SecureTokens.NewId(), tenant.AccountId, WebhookKind.Hook, url!, L("REST hook"), [request.Event!],
            true, WebhookSignature.NewSecret(), null, null, now, now, null, null), ct);
        return TypedResults.Created($"/api/hooks/{hook.Id}", new HookView(hook.Id, hook.Url, request.Event!, hook.Secret));
    }

    private static async Task<IResult> UnsubscribeAsync(string id, Tenant tenant, WebhookStore store, CancellationToken ct)
    {
        if (await store.GetAsync(tenant.AccountId, id, ct) is not { Kind: WebhookKind.Hook })
        {
            return TypedResults.NotFound();
        }
        await store.DeleteAsync(tenant.AccountId, id, ct);
        await store.DeleteDeliveriesAsync(tenant.AccountId, id, ct);
        return TypedResults.NoContent();
    }

    /// <summary>The polling list for every trigger: events newest first (optionally of some types), each with its stable id.</summary>
    private static async Task<IResult> EventsAsync(string? type, int? limit, Tenant tenant, WebhookStore store, CancellationToken ct)
    {
        var v = new Validation();
        var types = type is null ? null : EventTypes(v, "type", type.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        if (limit is < 1 or > 100)
        {
            v.Add("limit", L("Use a limit from 1 to 100."));
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var events = await store.ListEventsAsync(tenant.AccountId, types, null, limit ?? 50, ct);
        return TypedResults.Ok(new WebhookEventPage([.. events.Select(e => JsonDocument.Parse(e.Body).RootElement)]));
    }

    private static async Task<string?> UrlAsync(Validation v, string field, string? url, OutboundAddressGuard guard, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            v.Add(field, L("Enter the URL that receives the deliveries."));
            return null;
        }
        if (url.Length > 2000)
        {
            v.Add(field, L("Use at most {0} characters.", 2000));
            return null;
        }
        if (await guard.CheckAsync(url.Trim(), ct) is { } refused)
        {
            v.Add(field, refused);
            return null;
        }
        return url.Trim();
    }

    private static IReadOnlyList<string>? EventTypes(Validation v, string field, IReadOnlyList<string>? types)
    {
        if (types is null || types.Count == 0)
        {
            v.Add(field, L("Choose at least one event type."));
            return null;
        }
        if (types.FirstOrDefault(t => !WebhookEventTypes.IsKnown(t)) is { } unknown)
        {
            v.Add(field, L("Unknown event type {0}.", unknown));
            return null;
        }
        return [.. WebhookEventTypes.All.Select(t => t.Name).Where(types.Contains)];
    }
}
