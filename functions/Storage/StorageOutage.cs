using System.Globalization;
using System.Net.Sockets;
using Azure;
using Microsoft.AspNetCore.Diagnostics;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Storage;

/// <summary>
/// Storage that cannot be reached (refused or dropped connections, timeouts, 5xx after the client's retries) is an
/// outage, not a bug: every request it hits answers 503 with <c>Retry-After</c> and a ProblemDetails body, and the log
/// gets one warning when an outage starts instead of a stack trace per request. An outage counts as over once
/// <see cref="QuietPeriod"/> passes without a failure; the next failure then starts (and logs) a new one.
/// </summary>
public sealed class StorageOutage(ILogger<StorageOutage> logger, TimeProvider time) : IExceptionHandler
{
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(30);
    public const int RetryAfterSeconds = 5;

    private readonly Lock _gate = new();
    private DateTimeOffset? _lastFailure;
    private long _failuresInOutage;

    /// <summary>
    /// The one answer for "a dependency is down, try again shortly": 503, <c>Retry-After</c> and a ProblemDetails body
    /// with <paramref name="detail"/>. Used by this handler and by code that refuses on purpose (rate limiter, hand-over).
    /// </summary>
    public static IResult Unavailable(string detail) => new UnavailableResult(detail);

    private sealed class UnavailableResult(string detail) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: L("Temporarily unavailable"), type: ProblemType).ExecuteAsync(httpContext);
        }
    }

    public const string ProblemType = "https://parley.app/problems/unavailable";

    /// <summary>
    /// For code that must not throw where it meets an outage (authentication events turn exceptions into 401): note it
    /// on the request; <see cref="RethrowDeferred"/>, placed after authentication, turns it back into the outage it is.
    /// </summary>
    public static void Defer(HttpContext context, Exception outage) => context.Items[typeof(StorageOutage)] = outage;

    public static Task RethrowDeferred(HttpContext context, Func<Task> next) =>
        context.Items.TryGetValue(typeof(StorageOutage), out var deferred) && deferred is Exception ex
            ? Task.FromException(ex)
            : next();

    /// <summary>Whether <paramref name="ex"/> says storage (or another dependency over the network) is unreachable rather than that our code is wrong.</summary>
    public static bool IsOutage(Exception ex) => ex switch
    {
        RequestFailedException r => r.Status is 0 or 408 or >= 500,
        HttpRequestException or TimeoutException or SocketException or IOException or TaskCanceledException => true,
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(IsOutage),
        // The durable engine's storage layer wraps the SDK's RequestFailedException in its own (internal) type.
        { InnerException: { } inner } when ex.GetType().FullName == "DurableTask.AzureStorage.Storage.DurableTaskStorageException" => IsOutage(inner),
        _ => false,
    };

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsOutage(exception))
        {
            return false;
        }
        if (context.RequestAborted.IsCancellationRequested)
        {
            return true; // the client left; nobody is there to answer
        }
        Report(exception, context.Request.Method + " " + context.Request.Path.Value);
        await Unavailable(L("Parley cannot reach its storage right now. Please try again in a few seconds.")).ExecuteAsync(context); // never a stack trace
        return true;
    }

    /// <summary>
    /// Notes a request refused because storage is unreachable (also for callers that answer 503 themselves, such as the
    /// rate limiter): the first of an outage is logged as one warning line, the rest are counted at debug level.
    /// </summary>
    public void Report(Exception exception, string where)
    {
        var now = time.GetUtcNow();
        bool starts;
        long previous;
        lock (_gate)
        {
            starts = _lastFailure is not { } last || now - last > QuietPeriod;
            previous = starts ? _failuresInOutage : 0;
            _failuresInOutage = starts ? 1 : _failuresInOutage + 1;
            _lastFailure = now;
        }
        if (starts)
        {
            logger.LogWarning("Storage unreachable ({Reason}); answering 503 with Retry-After until it recovers (first: {Where}; previous outage: {Previous} requests)",
                Reason(exception), where, previous);
        }
        else
        {
            logger.LogDebug("Storage still unreachable; {Where} answered 503", where);
        }
    }

    private static string Reason(Exception ex) => ex switch
    {
        AggregateException { InnerExceptions.Count: > 0 } a => Reason(a.InnerExceptions[^1]),
        RequestFailedException { Status: > 0 } r => $"HTTP {r.Status} {r.ErrorCode}",
        RequestFailedException { InnerException: { } inner } => Reason(inner),
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };
}
