using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.DurableTask;
using Microsoft.Extensions.Options;
using Parley.Functions.Accounts;
using Parley.Functions.Durable;
using Parley.Functions.Notifications;
using Parley.Functions.Notifications.Providers;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Webhooks;

/// <summary>One event for the account's receivers.</summary>
public sealed record WebhookFanOut(string AccountId, string Key, string Type);

/// <summary>
/// One event (<see cref="Key"/>) to one endpoint; <see cref="Run"/> tells a resend or recovery apart from the first delivery.
/// <see cref="FirstAttempt"/> and <see cref="Delay"/>: where the schedule goes on when the fan-out's first attempt failed.
/// </summary>
public sealed record WebhookDeliveryJob(string AccountId, string EndpointId, string Key, string Run, int FirstAttempt = 0, TimeSpan Delay = default);

public sealed record WebhookAttemptInput(WebhookDeliveryJob Job, int Attempt);

/// <summary>What an attempt decided: done (delivered, given up or stopped), or try again after <see cref="RetryIn"/>.</summary>
public sealed record WebhookAttemptResult(bool Done, string State, TimeSpan RetryIn);

public sealed record WebhookRecovery(string AccountId, string EndpointId, DateTimeOffset Since, string Run);

/// <summary>Starts the delivery workflows: one instance per endpoint, event and run (a second start of the same is a no-op).</summary>
public sealed class WebhookDeliveries(WebhookStore store, Orchestrations orchestrations)
{
    public async Task StartAsync(WebhookEndpoint endpoint, string key, string type, string run, CancellationToken ct)
    {
        await store.BeginDeliveryAsync(endpoint.AccountId, endpoint.Id, key, type, ct);
        await orchestrations.StartAsync(nameof(WebhookDeliveryOrchestrator), $"whd-{endpoint.AccountId}-{endpoint.Id}-{key}-{run}",
            new WebhookDeliveryJob(endpoint.AccountId, endpoint.Id, key, run), ct);
    }

    /// <summary>Goes on with the schedule after a first attempt made outside the workflow (the fan-out's).</summary>
    public Task ContinueAsync(WebhookEndpoint endpoint, string key, int nextAttempt, TimeSpan delay, CancellationToken ct) =>
        orchestrations.StartAsync(nameof(WebhookDeliveryOrchestrator), $"whd-{endpoint.AccountId}-{endpoint.Id}-{key}-1",
            new WebhookDeliveryJob(endpoint.AccountId, endpoint.Id, key, "1", nextAttempt, delay), ct);

    public Task RecoverAsync(WebhookEndpoint endpoint, DateTimeOffset since, string run, CancellationToken ct) =>
        orchestrations.StartAsync(nameof(WebhookRecoveryOrchestrator), $"whr-{endpoint.AccountId}-{endpoint.Id}-{run}",
            new WebhookRecovery(endpoint.AccountId, endpoint.Id, since, run), ct);
}

public sealed class WebhookFanOutOrchestrator : TaskOrchestrator<WebhookFanOut, int>
{
    public override Task<int> RunAsync(TaskOrchestrationContext context, WebhookFanOut input) =>
        context.CallActivityAsync<int>(nameof(WebhookFanOutActivity), input, ActivityRetry.Transient);
}

/// <summary>
/// Makes the first attempt to every enabled receiver of the event's type (read fresh) at once, and starts a delivery
/// workflow only for those that failed — one activity for the happy path however many endpoints there are (an
/// orchestration per delivery would cap the fan-out at the engine's ~10 instances a second). When this activity is
/// retried after a crash, receivers may get an attempt twice with the same <c>webhook-id</c>, which they deduplicate.
/// </summary>
public sealed class WebhookFanOutActivity(WebhookStore store, WebhookAttempts attempts, WebhookDeliveries deliveries) : TaskActivity<WebhookFanOut, int>
{
    public override async Task<int> RunAsync(TaskActivityContext context, WebhookFanOut input)
    {
        var receivers = (await store.ListAsync(input.AccountId, CancellationToken.None)).Where(e => e.Receives(input.Type)).ToList();
        var stored = receivers.Count == 0 ? null : await store.GetEventAsync(input.AccountId, input.Key, CancellationToken.None);
        if (stored is null)
        {
            return 0;
        }
        await Parallel.ForEachAsync(receivers, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (endpoint, ct) =>
        {
            var result = await attempts.RunAsync(endpoint, input.Key, stored, 0, ct);
            if (!result.Done)
            {
                await deliveries.ContinueAsync(endpoint, input.Key, 1, result.RetryIn, ct);
            }
        });
        return receivers.Count;
    }
}

/// <summary>
/// Delivers one event to one endpoint: an attempt, then the next after the wait the attempt decided (the Standard Webhooks
/// schedule with jitter, or the receiver's Retry-After when longer), on durable timers, until delivered, given up,
/// or stopped (the endpoint disabled or removed).
/// </summary>
public sealed class WebhookDeliveryOrchestrator : TaskOrchestrator<WebhookDeliveryJob, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, WebhookDeliveryJob job)
    {
        if (job.Delay > TimeSpan.Zero)
        {
            await context.CreateTimer(context.CurrentUtcDateTime + job.Delay, CancellationToken.None);
        }
        for (var attempt = job.FirstAttempt; ; attempt++)
        {
            var result = await context.CallActivityAsync<WebhookAttemptResult>(nameof(WebhookAttemptActivity), new WebhookAttemptInput(job, attempt), ActivityRetry.Transient);
            if (result.Done)
            {
                return result.State;
            }
            await context.CreateTimer(context.CurrentUtcDateTime + result.RetryIn, CancellationToken.None);
        }
    }
}

/// <summary>One attempt of a delivery workflow (see <see cref="WebhookAttempts"/>).</summary>
public sealed class WebhookAttemptActivity(WebhookStore store, WebhookAttempts attempts) : TaskActivity<WebhookAttemptInput, WebhookAttemptResult>
{
    public override async Task<WebhookAttemptResult> RunAsync(TaskActivityContext context, WebhookAttemptInput input)
    {
        var job = input.Job;
        var endpoint = await store.GetAsync(job.AccountId, job.EndpointId, CancellationToken.None);
        var stored = await store.GetEventAsync(job.AccountId, job.Key, CancellationToken.None);
        if (endpoint is null || stored is null)
        {
            await store.SetDeliveryStateAsync(job.AccountId, job.EndpointId, job.Key, "stopped", CancellationToken.None);
            return new WebhookAttemptResult(true, "stopped", TimeSpan.Zero);
        }
        return await attempts.RunAsync(endpoint, job.Key, stored, input.Attempt, CancellationToken.None);
    }
}

/// <summary>
/// One attempt: signs the stored body with the endpoint's secrets at the attempt's time and POSTs it through the SSRF
/// guard (no redirects; a 3xx is a failure) within the attempt timeout; logs the attempt (status, latency, a snippet of the
/// answer); a 410 disables the endpoint (removes a hook); an endpoint failing with no success for
/// <see cref="WebhookOptions.DisableAfter"/> is disabled and its account's administrators get an e-mail. Decides whether
/// and when to try again: the schedule with jitter, or the receiver's Retry-After when longer.
/// </summary>
public sealed class WebhookAttempts(WebhookStore store, WebhookSender sender, IOptions<WebhookOptions> options, AccountStore accounts,
    NotificationSender notifications, IConfiguration configuration, TimeProvider time, ILogger<WebhookAttempts> logger)
{
    public async Task<WebhookAttemptResult> RunAsync(WebhookEndpoint endpoint, string key, StoredWebhookEvent stored, int attempt, CancellationToken ct)
    {
        var (accountId, endpointId) = (endpoint.AccountId, endpoint.Id);
        if (!endpoint.Enabled)
        {
            await store.SetDeliveryStateAsync(accountId, endpointId, key, "stopped", ct);
            return new WebhookAttemptResult(true, "stopped", TimeSpan.Zero);
        }
        var outcome = await sender.SendAsync(endpoint, WebhookStore.MessageId(key), stored.Body, ct);
        var now = time.GetUtcNow();
        var schedule = options.Value.Schedule;
        if (outcome.Delivered)
        {
            await store.RecordAttemptAsync(accountId, endpointId, key, stored.Type, outcome.Record, "delivered", null, ct);
            if (endpoint.FailingSince is not null)
            {
                await store.ChangeAsync(accountId, endpointId, e => e with { FailingSince = null }, ct);
            }
            return new WebhookAttemptResult(true, "delivered", TimeSpan.Zero);
        }
        if (outcome.Record.Status == (int)HttpStatusCode.Gone)
        {
            await store.RecordAttemptAsync(accountId, endpointId, key, stored.Type, outcome.Record, "stopped", null, ct);
            await GoneAsync(endpoint, ct);
            return new WebhookAttemptResult(true, "stopped", TimeSpan.Zero);
        }
        var failingSince = endpoint.FailingSince ?? now;
        if (now - failingSince >= options.Value.DisableAfter)
        {
            await store.RecordAttemptAsync(accountId, endpointId, key, stored.Type, outcome.Record, "failed", null, ct);
            await DisableAsync(endpoint, failingSince, ct);
            return new WebhookAttemptResult(true, "failed", TimeSpan.Zero);
        }
        if (endpoint.FailingSince is null)
        {
            await store.ChangeAsync(accountId, endpointId, e => e with { FailingSince = e.FailingSince ?? now }, ct);
        }
        if (attempt + 1 >= schedule.Count)
        {
            await store.RecordAttemptAsync(accountId, endpointId, key, stored.Type, outcome.Record, "failed", null, ct);
            return new WebhookAttemptResult(true, "failed", TimeSpan.Zero);
        }
        var wait = Jitter(schedule[attempt + 1]);
        if (outcome.RetryAfter is { } retryAfter && retryAfter > wait)
        {
            wait = retryAfter < TimeSpan.FromHours(24) ? retryAfter : TimeSpan.FromHours(24);
        }
        await store.RecordAttemptAsync(accountId, endpointId, key, stored.Type, outcome.Record, "pending", now + wait, ct);
        return new WebhookAttemptResult(false, "pending", wait);
    }

    /// <summary>Up to 20 % either way, so receivers coming back from an outage are not hit by every retry at once.</summary>
    private static TimeSpan Jitter(TimeSpan wait) => wait * (0.8 + (Random.Shared.NextDouble() * 0.4));

    private async Task GoneAsync(WebhookEndpoint endpoint, CancellationToken ct)
    {
        if (endpoint.Kind == WebhookKind.Hook)
        {
            await store.DeleteAsync(endpoint.AccountId, endpoint.Id, ct);
            logger.LogInformation("REST hook {EndpointId} of account {AccountId} answered 410 Gone and was removed", endpoint.Id, endpoint.AccountId);
            return;
        }
        await store.ChangeAsync(endpoint.AccountId, endpoint.Id, e => e with { Enabled = false, DisabledReason = "gone" }, ct);
        logger.LogInformation("Webhook endpoint {EndpointId} of account {AccountId} answered 410 Gone and was disabled", endpoint.Id, endpoint.AccountId);
    }

    private async Task DisableAsync(WebhookEndpoint endpoint, DateTimeOffset failingSince, CancellationToken ct)
    {
        if (endpoint.Kind == WebhookKind.Hook)
        {
            await store.DeleteAsync(endpoint.AccountId, endpoint.Id, ct);
        }
        else if (await store.ChangeAsync(endpoint.AccountId, endpoint.Id, e => e.Enabled ? e with { Enabled = false, DisabledReason = "failing" } : null, ct) is null)
        {
            return; // disabled meanwhile: someone else tells
        }
        logger.LogWarning("Webhook endpoint {EndpointId} of account {AccountId} failed since {FailingSince} and was disabled", endpoint.Id, endpoint.AccountId, failingSince);
        var tenant = WorkflowTenant.For(endpoint.AccountId);
        var account = await accounts.GetSettingsAsync(tenant, ct);
        if (account is null)
        {
            return;
        }
        foreach (var admin in (await accounts.ListOperatorsAsync(tenant, ct)).Where(o => o.IsActiveAdministrator))
        {
            var (subject, text, html) = Render(admin, endpoint, failingSince, configuration["App:PublicUrl"]);
            var now = time.GetUtcNow();
            var id = $"webhook|{endpoint.Id}|disabled|{failingSince.UtcTicks}|{admin.Id}";
            var planned = new MessageRecord(endpoint.AccountId, id, endpoint.Id, MessageKind.WebhookDisabled, MessageChannel.Email, admin.Email, admin.Language,
                MessageStatus.Queued, null, false, 0, null, now, now);
            var content = new OutgoingMessage(endpoint.AccountId, id, MessageChannel.Email, admin.Email, admin.Name,
                account.SenderEmail ?? configuration["Communication:EmailFrom"] ?? "no-reply@parley.local", account.SenderName ?? account.BusinessName,
                subject, text, html, now);
            await notifications.SendAsync(planned, content, ct);
        }
    }

    private static (string Subject, string Text, string Html) Render(Operator admin, WebhookEndpoint endpoint, DateTimeOffset failingSince, string? publicUrl)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(admin.Language == "de" ? "de" : "en");
        try
        {
            var lines = new[]
            {
                L("Hello {0},", admin.Name),
                L("Parley disabled the webhook endpoint {0}: every delivery to it failed since {1:u}.", endpoint.Url, failingSince),
                L("Fix the receiver, enable the endpoint again under Settings → Integrations and use Recover to send what it missed."),
                (publicUrl ?? "").TrimEnd('/') + "/settings/integrations",
            };
            var html = string.Join("", lines.Select(l => "<p>" + System.Net.WebUtility.HtmlEncode(l) + "</p>"));
            return (L("Webhook endpoint disabled: {0}", endpoint.Url), string.Join("\n\n", lines), html);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}

/// <summary>Sends a delivery again to every event since a time the endpoint receives that it has not had (not delivered, or never sent).</summary>
public sealed class WebhookRecoveryOrchestrator : TaskOrchestrator<WebhookRecovery, int>
{
    public override Task<int> RunAsync(TaskOrchestrationContext context, WebhookRecovery input) =>
        context.CallActivityAsync<int>(nameof(WebhookRecoveryActivity), input, ActivityRetry.Transient);
}

public sealed class WebhookRecoveryActivity(WebhookStore store, WebhookDeliveries deliveries) : TaskActivity<WebhookRecovery, int>
{
    /// <summary>At most this many events per recovery.</summary>
    public const int Max = 1000;

    public override async Task<int> RunAsync(TaskActivityContext context, WebhookRecovery input)
    {
        var ct = CancellationToken.None;
        var endpoint = await store.GetAsync(input.AccountId, input.EndpointId, ct);
        if (endpoint is not { Enabled: true })
        {
            return 0;
        }
        var events = await store.ListEventsAsync(input.AccountId, endpoint.EventTypes.ToList(), input.Since, Max, ct);
        if (events.Count == 0)
        {
            return 0;
        }
        var states = await store.DeliveryStatesAsync(input.AccountId, endpoint.Id, WebhookStore.KeyOf(events[^1].Id, "evt_")!, ct);
        var missed = events.Where(e => states.GetValueOrDefault(WebhookStore.KeyOf(e.Id, "evt_")!) is not ("delivered" or "pending")).ToList();
        await Parallel.ForEachAsync(missed, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (e, token) => await deliveries.StartAsync(endpoint, WebhookStore.KeyOf(e.Id, "evt_")!, e.Type, input.Run, token));
        return missed.Count;
    }
}

/// <summary>The outcome of one POST.</summary>
public sealed record WebhookSendOutcome(bool Delivered, WebhookAttemptRecord Record, TimeSpan? RetryAfter);

/// <summary>The HTTP side: one client over the SSRF guard's handler (no redirects, no cookies), the attempt timeout, a short read of the answer.</summary>
public sealed class WebhookSender(OutboundAddressGuard guard, IOptions<WebhookOptions> options, TimeProvider time) : IDisposable
{
    private const int ReadChars = 500;

    private readonly HttpClient _client = new(guard.CreateHandler()) { Timeout = Timeout.InfiniteTimeSpan };

    public async Task<WebhookSendOutcome> SendAsync(WebhookEndpoint endpoint, string messageId, string body, CancellationToken ct)
    {
        var at = time.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.AttemptTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in WebhookSignature.Headers(endpoint.SigningSecrets(at), messageId, at, body))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Parley-Webhooks", "1"));
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var snippet = await ReadSnippetAsync(response, timeout.Token);
            var latency = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var status = (int)response.StatusCode;
            return new WebhookSendOutcome(status is >= 200 and < 300, new WebhookAttemptRecord(at, status, latency, snippet, null), RetryAfter(response, at));
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            var latency = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var error = ex is OperationCanceledException && !ct.IsCancellationRequested
                ? L("No answer within {0} seconds.", (int)options.Value.AttemptTimeout.TotalSeconds)
                : Describe(ex);
            return new WebhookSendOutcome(false, new WebhookAttemptRecord(at, null, latency, null, error), null);
        }
    }

    /// <summary>The innermost reason (the guard's refusal, a refused connection, a TLS failure).</summary>
    private static string Describe(Exception ex)
    {
        while (ex.InnerException is { } inner)
        {
            ex = inner;
        }
        return ex.Message;
    }

    private static async Task<string?> ReadSnippetAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var buffer = new char[ReadChars];
            var read = await reader.ReadBlockAsync(buffer.AsMemory(), ct);
            return read == 0 ? null : new string(buffer, 0, read);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return null;
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } when date > now => date - now,
        _ => null,
    };

    public void Dispose() => _client.Dispose();
}
