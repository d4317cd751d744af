using System.Security.Cryptography;
using System.Text;
using Parley.Functions.Common;
using Parley.Functions.Identity;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on every POST of the public API (endpoints marked <see cref="ApiKeyAccess.AllowApiKeys{TBuilder}"/>,
/// whoever calls: an API key or a dashboard session), after the IETF httpapi Idempotency-Key draft. Runs after
/// authorization, so the endpoint and the account are known and a refused request never claims a key. The first request
/// with a key runs and its answer (status, content type, <c>Location</c>, body) is recorded; a retry with the same key and
/// the same method, path, query and body gets that answer again with <c>Idempotent-Replayed: true</c> and does not run
/// the handler; the same key with another request is 422; a retry while the first still runs waits briefly, then 409.
/// 5xx and 429 answers and exceptions are not recorded (the claim is released and a retry runs afresh). Requests
/// without the header pass untouched. See <see cref="IdempotencyKeys"/> for the storage.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, IdempotencyKeys keys, ILogger<IdempotencyMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method)
            || !context.Request.Headers.TryGetValue(IdempotencyKeys.HeaderName, out var values)
            || context.GetEndpoint()?.AllowsApiKeys() != true
            || Tenant.From(context.User) is not { } tenant)
        {
            await next(context);
            return;
        }
        var key = values.Count == 1 ? values[0] : null;
        if (!IdempotencyKeys.IsValidKey(key))
        {
            await Validation.Single(IdempotencyKeys.HeaderName, L("Send an Idempotency-Key of 1 to 100 printable characters.")).ExecuteAsync(context);
            return;
        }
        var requestHash = await HashAsync(context.Request, context.RequestAborted);
        switch (await keys.ClaimAsync(tenant.AccountId, key!, requestHash, context.RequestAborted))
        {
            case IdempotencyClaim.Replay replay:
                await ReplayAsync(context.Response, replay.Answer);
                return;
            case IdempotencyClaim.Mismatch:
                await Validation.Single(IdempotencyKeys.HeaderName, L("This Idempotency-Key was used for a different request. Use a new key for a new request."),
                    StatusCodes.Status422UnprocessableEntity).ExecuteAsync(context);
                return;
            case IdempotencyClaim.InProgress:
                context.Response.Headers.RetryAfter = "1";
                await Validation.Single(IdempotencyKeys.HeaderName, L("The first request with this Idempotency-Key is still being processed. Try again in a moment."),
                    StatusCodes.Status409Conflict).ExecuteAsync(context);
                return;
        }
        await RunAndRecordAsync(context, tenant.AccountId, key!);
    }

    private async Task RunAndRecordAsync(HttpContext context, string accountId, string key)
    {
        var response = context.Response;
        var original = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        try
        {
            await next(context);
        }
        catch
        {
            await keys.ReleaseAsync(accountId, key); // the exception handler answers (400, 503, 500); a retry runs afresh
            throw;
        }
        finally
        {
            response.Body = original;
        }
        var status = response.StatusCode;
        if (status >= 500 || status == StatusCodes.Status429TooManyRequests)
        {
            await keys.ReleaseAsync(accountId, key);
        }
        else if (!await keys.CompleteAsync(accountId, key, new RecordedAnswer(status, response.ContentType, response.Headers.Location.ToString() is { Length: > 0 } l ? l : null, buffer.ToArray()), CancellationToken.None))
        {
            logger.LogWarning("An answer of {Bytes} bytes is too large to record for an Idempotency-Key; a retry will run again", buffer.Length);
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private static async Task ReplayAsync(HttpResponse response, RecordedAnswer answer)
    {
        response.StatusCode = answer.Status;
        if (answer.ContentType is not null)
        {
            response.ContentType = answer.ContentType;
        }
        if (answer.Location is not null)
        {
            response.Headers.Location = answer.Location;
        }
        response.Headers[IdempotencyKeys.ReplayedHeaderName] = "true";
        if (answer.Body.Length > 0)
        {
            await response.Body.WriteAsync(answer.Body, response.HttpContext.RequestAborted);
        }
        // An empty body stays unwritten, as the first time: the status-code pages add the same ProblemDetails (a 404's).
    }

    /// <summary>SHA-256 of the method, path, query and body (buffered, so the endpoint reads it again).</summary>
    private static async Task<string> HashAsync(HttpRequest request, CancellationToken ct)
    {
        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method}\n{request.PathBase}{request.Path}\n{request.QueryString}\n"));
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            hash.AppendData(chunk, 0, read);
        }
        request.Body.Position = 0;
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
