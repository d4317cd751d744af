using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
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
/// Records an event and sends it to the account's endpoints and hooks that subscribed to its type. The change it reports
/// is written first; <see cref="PublishAsync"/> then only builds the event (its id, time and body are fixed at the
/// change) and hands it to a few background writers, so a case, booking or chat message costs its request no extra
/// storage round trip (each would add one write to every change). The writers store the event (the polling lists and
/// <em>Recover</em> read it, also when nobody subscribed) and start one durable fan-out when a receiver subscribed.
/// A stopping app drains them first; a failed write is tried again. Only events still in memory when the process is
/// killed outright are lost (the change itself is kept) — the same window a synchronous write after the change has.
/// </summary>
public sealed class WebhookPublisher(WebhookStore store, Orchestrations orchestrations, TimeProvider time, ILogger<WebhookPublisher> logger) : IHostedService
{
    /// <summary>A delivery's body stays under this (a larger <c>data</c> is replaced by its ids and <c>truncated: true</c>).</summary>
    public const int MaxBodyBytes = 20 * 1024;

    private const int Writers = 8;

    /// <summary>Web defaults (camelCase) without HTML-minded escaping: a body is JSON for machines, never HTML.</summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private sealed record Pending(string AccountId, string Key, StoredWebhookEvent Event);

    /// <summary>Bounded: when storage falls behind, publishers wait here instead of piling up memory.</summary>
    private readonly Channel<Pending> _pending = Channel.CreateBounded<Pending>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait });

    private Task[] _writers = [];

    public async Task PublishAsync(string accountId, string type, object data, CancellationToken ct = default)
    {
        var key = store.NewEventKey();
        var at = time.GetUtcNow();
        var id = WebhookStore.EventId(key);
        var pending = new Pending(accountId, key, new StoredWebhookEvent(id, type, at, Body(id, type, at, data)));
        if (!_pending.Writer.TryWrite(pending))
        {
            await _pending.Writer.WriteAsync(pending, ct);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _writers = [.. Enumerable.Range(0, Writers).Select(_ => Task.Run(WriteAsync, CancellationToken.None))];
        return Task.CompletedTask;
    }

    /// <summary>Drains what was published before the app stops (bounded by the host's shutdown timeout).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _pending.Writer.TryComplete();
        await Task.WhenAll(_writers).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task WriteAsync()
    {
        await foreach (var p in _pending.Reader.ReadAllAsync())
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await RecordAsync(p);
                    break;
                }
                catch (Exception ex) when (attempt < 5)
                {
                    logger.LogWarning(ex, "Webhook event {EventId} of account {AccountId}: writing failed (attempt {Attempt}), trying again", p.Event.Id, p.AccountId, attempt);
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
                }
                catch (Exception ex)
                {
                    logger.LogError(ex, "Webhook event {EventId} ({Type}) of account {AccountId} was not recorded", p.Event.Id, p.Event.Type, p.AccountId);
                    break;
                }
            }
        }
    }

    private async Task RecordAsync(Pending p)
    {
        try
        {
            await store.AddEventAsync(p.AccountId, p.Key, p.Event, CancellationToken.None);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 409)
        {
            // written by an earlier attempt whose answer was lost
        }
        if ((await store.ListCachedAsync(p.AccountId, CancellationToken.None)).Any(e => e.Receives(p.Event.Type)))
        {
            await orchestrations.StartAsync(nameof(WebhookFanOutOrchestrator), $"whf-{p.AccountId}-{p.Key}", new WebhookFanOut(p.AccountId, p.Key, p.Event.Type), CancellationToken.None);
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
