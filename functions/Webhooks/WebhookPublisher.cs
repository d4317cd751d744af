using System.Globalization;
using System.Text;
using System.Text.Json;
using Parley.Functions.Durable;

namespace Parley.Functions.Webhooks;

/// <summary>Settings under <c>Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>The Standard Webhooks retry schedule: the wait before each attempt (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h).</summary>
    public static readonly TimeSpan[] StandardSchedule =
    [
        TimeSpan.Zero, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(14), TimeSpan.FromHours(20), TimeSpan.FromHours(24),
    ];

    /// <summary>Local development only: receivers on this machine (http://127.0.0.1:…) may be subscribed (setting <c>Webhooks__AllowLoopback</c>).</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>The wait before each attempt; empty = <see cref="StandardSchedule"/> (tests shorten it, setting <c>Webhooks__RetrySchedule</c>: comma-separated).</summary>
    public string? RetrySchedule { get; set; }

    /// <summary>An endpoint failing without a success for this long is disabled and the administrators are told.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>Each attempt's time limit.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public IReadOnlyList<TimeSpan> Schedule => string.IsNullOrWhiteSpace(RetrySchedule)
        ? StandardSchedule
        : [.. RetrySchedule.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => TimeSpan.Parse(s, CultureInfo.InvariantCulture))];
}

/// <summary>
/// Records an event and sends it to the account's endpoints and hooks that subscribed to its type. The event is stored
/// first (so the polling lists and <em>Recover</em> have it even when nobody subscribed); then one durable fan-out
/// starts a delivery workflow per receiver. Called after the write it reports has succeeded; a failure here is logged
/// and never fails that write.
/// </summary>
public sealed class WebhookPublisher(WebhookStore store, Orchestrations orchestrations, TimeProvider time, ILogger<WebhookPublisher> logger)
{
    /// <summary>A delivery's body stays under this (a larger <c>data</c> is replaced by its ids and <c>truncated: true</c>).</summary>
    public const int MaxBodyBytes = 20 * 1024;

    /// <summary>Web defaults (camelCase) without HTML-minded escaping: a body is JSON for machines, never HTML.</summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task PublishAsync(string accountId, string type, object data, CancellationToken ct = default)
    {
        try
        {
            var key = store.NewEventKey();
            var at = time.GetUtcNow();
            var body = Body(WebhookStore.EventId(key), type, at, data);
            await store.AddEventAsync(accountId, key, new StoredWebhookEvent(WebhookStore.EventId(key), type, at, body), ct);
            var endpoints = await store.ListCachedAsync(accountId, ct);
            if (endpoints.Any(e => e.Receives(type)))
            {
                await orchestrations.StartAsync(nameof(WebhookFanOutOrchestrator), $"whf-{accountId}-{key}", new WebhookFanOut(accountId, key, type), ct);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Webhook event {Type} of account {AccountId} was not recorded", type, accountId);
        }
    }

    /// <summary><c>{"id","type","timestamp","data"}</c>, under <see cref="MaxBodyBytes"/>.</summary>
    public static string Body(string id, string type, DateTimeOffset at, object data)
    {
        var element = JsonSerializer.SerializeToElement(data, data.GetType(), Json);
        var body = JsonSerializer.Serialize(new WebhookEvent(id, type, at, element), Json);
        if (Encoding.UTF8.GetByteCount(body) < MaxBodyBytes)
        {
            return body;
        }
        var ids = new Dictionary<string, JsonElement> { ["truncated"] = JsonSerializer.SerializeToElement(true) };
        foreach (var p in element.EnumerateObject().Where(p => p.Name.EndsWith("id", StringComparison.OrdinalIgnoreCase) || p.Name.EndsWith("Ids", StringComparison.Ordinal)))
        {
            ids[p.Name] = p.Value;
        }
        return JsonSerializer.Serialize(new WebhookEvent(id, type, at, JsonSerializer.SerializeToElement(ids, Json)), Json);
    }
}
