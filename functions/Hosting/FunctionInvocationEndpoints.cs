using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Functions.Workflows;

namespace Parley.Functions.Hosting;

/// <summary>
/// What the Functions host calls for non-HTTP triggers: <c>POST /&lt;function-name&gt;</c> with
/// <c>{"Data": {...}, "Metadata": {...}}</c>, answered with <c>{"Outputs", "Logs", "ReturnValue"}</c>.
/// Any failure answers 500 so the host retries the message and finally poisons it.
/// Mapped only under the host. The public HTTP function forwards every path (<c>{*path}</c>: the app serves its
/// pages too), so a public <c>POST /sweeps</c> reaches this process as well: a request that passed Azure's front end
/// carries <c>X-Forwarded-For</c> (and the other front-end headers, which a client cannot remove) and is answered 404.
/// The host's own invocations come straight from the host on loopback and carry none of them.
/// </summary>
public static class FunctionInvocationEndpoints
{
    private static readonly JsonSerializerOptions ResultJson = new() { PropertyNamingPolicy = null, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary>Headers Azure's front end adds to every public request; the host's trigger invocations carry none.</summary>
    public static readonly string[] FrontEndHeaders = ["X-Forwarded-For", "X-Forwarded-Host", "X-ARR-LOG-ID", "X-Original-URL", "DISGUISED-HOST"];

    public static IEndpointRouteBuilder MapFunctionInvocations(this IEndpointRouteBuilder endpoints)
    {
        var invoker = endpoints.ServiceProvider.GetRequiredService<WorkflowInvoker>();
        var group = endpoints.MapGroup("").ExcludeFromDescription().WithTags("Functions host")
            .AddEndpointFilter(async (context, next) =>
                FrontEndHeaders.Any(h => context.HttpContext.Request.Headers.ContainsKey(h))
                    ? Results.NotFound()
                    : await next(context));
        foreach (var queue in invoker.Queues)
        {
            var name = queue.QueueName;
            group.MapPost("/" + name, (HttpContext context, WorkflowInvoker w, ILoggerFactory logs, CancellationToken ct) => InvokeQueueAsync(name, context, w, logs, ct));
        }
        foreach (var timer in invoker.Timers)
        {
            var name = timer.FunctionName;
            group.MapPost("/" + name, (HttpContext context, WorkflowInvoker w, ILoggerFactory logs, TimeProvider time, CancellationToken ct) => InvokeTimerAsync(name, context, w, logs, time, ct));
        }
        return endpoints;
    }

    private static async Task<IResult> InvokeQueueAsync(string queueName, HttpContext context, WorkflowInvoker invoker, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var logger = logs.CreateLogger("Parley.Functions.Invocations");
        var payload = await ReadPayloadAsync(context, cancellationToken);
        if (payload is null || !TryReadTriggerValue(payload.Value, out var text))
        {
            return Results.Problem(
                title: "Invalid invocation payload",
                detail: "Expected the Functions host's {\"Data\": {\"<binding>\": \"<message>\"}, \"Metadata\": {...}} body.",
                statusCode: StatusCodes.Status400BadRequest);
        }
        var metadata = payload.Value.TryGetProperty("Metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        var message = new QueueWorkItem(
            queueName,
            MetadataString(metadata, "Id") ?? context.Request.Headers["X-Azure-Functions-InvocationId"].ToString(),
            text,
            MetadataLong(metadata, "DequeueCount") ?? 1,
            MetadataDate(metadata, "InsertionTime"));

        var watch = Stopwatch.StartNew();
        try
        {
            await invoker.HandleQueueMessageAsync(message, cancellationToken);
            return Result(200, $"{queueName}: message {message.MessageId} (delivery {message.DequeueCount}) handled in {watch.ElapsedMilliseconds} ms");
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Message {MessageId} on {Queue} failed on delivery {Attempt}", message.MessageId, queueName, message.DequeueCount);
            return Result(500, $"{queueName}: message {message.MessageId} (delivery {message.DequeueCount}) failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static async Task<IResult> InvokeTimerAsync(string functionName, HttpContext context, WorkflowInvoker invoker, ILoggerFactory logs, TimeProvider time, CancellationToken cancellationToken)
    {
        var logger = logs.CreateLogger("Parley.Functions.Invocations");
        var payload = await ReadPayloadAsync(context, cancellationToken);
        var pastDue = false;
        DateTimeOffset? firedAt = null;
        if (payload is { } body)
        {
            if (body.TryGetProperty("Data", out var data) && data.ValueKind == JsonValueKind.Object)
            {
                foreach (var binding in data.EnumerateObject())
                {
                    var timer = binding.Value;
                    if (timer.ValueKind == JsonValueKind.String && timer.GetString() is { } s && s.TrimStart().StartsWith('{'))
                    {
                        timer = JsonDocument.Parse(s).RootElement;
                    }
                    pastDue = timer.ValueKind == JsonValueKind.Object && GetCaseInsensitive(timer, "IsPastDue") is { ValueKind: JsonValueKind.True };
                }
            }
            if (body.TryGetProperty("Metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                && GetCaseInsensitive(metadata, "sys") is { ValueKind: JsonValueKind.Object } sys)
            {
                firedAt = MetadataDate(sys, "UtcNow");
            }
        }
        try
        {
            await invoker.RunTimerAsync(new TimerInvocation(functionName, firedAt ?? time.GetUtcNow(), pastDue), cancellationToken);
            return Result(200, $"{functionName} ran{(pastDue ? " (past due)" : "")}");
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Timer {Timer} failed", functionName);
            return Result(500, $"{functionName} failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static IResult Result(int status, string log) =>
        Results.Json(new InvocationResult(new Dictionary<string, object?>(), [log], null), ResultJson, statusCode: status);

    private static async Task<JsonElement?> ReadPayloadAsync(HttpContext context, CancellationToken cancellationToken)
    {
        try
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: cancellationToken);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The queue trigger's value: a JSON string holding the message text (older hosts may send an object).</summary>
    private static bool TryReadTriggerValue(JsonElement payload, out string text)
    {
        text = "";
        if (!payload.TryGetProperty("Data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return false;
        }
        foreach (var binding in data.EnumerateObject())
        {
            switch (binding.Value.ValueKind)
            {
                case JsonValueKind.String:
                    text = binding.Value.GetString()!;
                    return true;
                case JsonValueKind.Object or JsonValueKind.Array:
                    text = binding.Value.GetRawText();
                    return true;
            }
        }
        return false;
    }

    private static JsonElement? GetCaseInsensitive(JsonElement obj, string name)
    {
        foreach (var p in obj.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }
        return null;
    }

    private static string? MetadataString(JsonElement metadata, string name) =>
        metadata.ValueKind == JsonValueKind.Object && GetCaseInsensitive(metadata, name) is { } v
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()
            : null;

    private static long? MetadataLong(JsonElement metadata, string name) => MetadataString(metadata, name) is { } s
        && long.TryParse(s.Trim('"'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static DateTimeOffset? MetadataDate(JsonElement metadata, string name) => MetadataString(metadata, name) is { } s
        && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;

    private sealed record InvocationResult(Dictionary<string, object?> Outputs, string[] Logs, object? ReturnValue);
}
