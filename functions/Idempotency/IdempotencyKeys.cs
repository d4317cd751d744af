using Azure;
using Azure.Data.Tables;
using Parley.Functions.Common;
using Parley.Functions.Storage;

namespace Parley.Functions.Idempotency;

/// <summary>What the <c>Idempotency</c> table says about a request that carries an <c>Idempotency-Key</c>.</summary>
public abstract record IdempotencyClaim
{
    /// <summary>First time (or taking over a request that died without an answer): run it, then record or release.</summary>
    public sealed record Proceed : IdempotencyClaim;

    /// <summary>Answered before: send this answer again.</summary>
    public sealed record Replay(RecordedAnswer Answer) : IdempotencyClaim;

    /// <summary>The key was used for a different request (other method, path, query or body).</summary>
    public sealed record Mismatch : IdempotencyClaim;

    /// <summary>The first request with this key is still running.</summary>
    public sealed record InProgress : IdempotencyClaim;
}

/// <summary>A recorded answer: sent again byte for byte.</summary>
public sealed record RecordedAnswer(int Status, string? ContentType, string? Location, byte[] Body);

/// <summary>
/// The <c>Idempotency</c> table: one partition per account, one row per key (RowKey = a hash of the key, which may hold
/// characters a RowKey may not) with a hash of the request, when it was claimed, its answer once there is one, and
/// <c>ExpiresAt</c> (<see cref="Keep"/> after the claim; the <c>idempotency-cleanup</c> sweep deletes expired rows, and an
/// expired row not yet swept counts as absent). The claim is an insert, so of two requests racing for a key exactly one
/// runs. A claim without an answer after <see cref="TakeOverAfter"/> belongs to a request that died (a crash): the next
/// retry takes it over (If-Match) and runs afresh. <see cref="Booking.BookingIdempotency"/> is the older sibling for the
/// public booking page, which keeps its own rows because a take-over there must book under the same appointment id.
/// </summary>
public sealed class IdempotencyKeys(StorageAccount storage, TimeProvider time, Microsoft.AspNetCore.DataProtection.IDataProtectionProvider protection)
{
    /// <summary>
    /// Recorded answers are sealed at rest: some carry a secret shown once (a webhook endpoint's or hook's signing secret)
    /// or a customer's contact data, which must not lie in a table in the clear for a day.
    /// </summary>
    private readonly Microsoft.AspNetCore.DataProtection.IDataProtector _answers = protection.CreateProtector("Parley.Idempotency.Answer.v1");

    public const string TableName = "Idempotency";
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeaderName = "Idempotent-Replayed";
    public static readonly TimeSpan Keep = TimeSpan.FromHours(24);
    public static readonly TimeSpan TakeOverAfter = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WaitForFirst = TimeSpan.FromSeconds(5);

    // A binary property holds at most 64 KiB and an entity 1 MiB: the body goes in up to 15 chunks.
    private const int ChunkBytes = 64 * 1024;
    private const int MaxChunks = 15;

    /// <summary>The largest answer body that can be recorded.</summary>
    public const int MaxBodyBytes = ChunkBytes * MaxChunks;

    private TableClient Table => storage.GetTableClient(TableName);

    /// <summary>1 to 100 visible ASCII characters (no spaces or control characters).</summary>
    public static bool IsValidKey(string? key) => key is { Length: > 0 and <= 100 } && key.All(c => c is >= '!' and <= '~');

    private static string Row(string key) => SecureTokens.Hash("idempotency|" + key);

    public async Task<IdempotencyClaim> ClaimAsync(string accountId, string key, string requestHash, CancellationToken ct)
    {
        var row = Row(key);
        var deadline = time.GetUtcNow() + WaitForFirst;
        while (true)
        {
            var now = time.GetUtcNow();
            try
            {
                await Table.AddEntityAsync(NewClaim(accountId, row, requestHash, now), ct);
                return new IdempotencyClaim.Proceed();
            }
            catch (RequestFailedException ex) when (ex.IsAlreadyExists())
            {
            }
            var existing = await Table.GetEntityOrNullAsync(accountId, row, cancellationToken: ct);
            if (existing is null)
            {
                continue; // released meanwhile (the first failed transiently): claim it afresh
            }
            if (existing.GetDateTimeOffset("ExpiresAt") is { } expiresAt && expiresAt <= now)
            {
                // Older than the 24 hours a key is kept, not swept yet: as good as absent.
                if (await TryReplaceAsync(NewClaim(accountId, row, requestHash, now), existing.ETag, ct))
                {
                    return new IdempotencyClaim.Proceed();
                }
                continue;
            }
            if (existing.GetString("RequestHash") != requestHash)
            {
                return new IdempotencyClaim.Mismatch();
            }
            if (existing.GetInt32("Status") is { } status)
            {
                return new IdempotencyClaim.Replay(new RecordedAnswer(status, existing.GetString("ContentType"), existing.GetString("Location"), _answers.Unprotect(ReadBody(existing))));
            }
            if (existing.GetDateTimeOffset("ClaimedAt") is { } claimedAt && now - claimedAt > TakeOverAfter)
            {
                existing["ClaimedAt"] = now;
                if (await TryReplaceAsync(existing, existing.ETag, ct))
                {
                    return new IdempotencyClaim.Proceed();
                }
                continue;
            }
            if (now >= deadline)
            {
                return new IdempotencyClaim.InProgress();
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), time, ct);
        }
    }

    /// <summary>Records the answer for retries. False when the body is too large to record (the claim is released then).</summary>
    public async Task<bool> CompleteAsync(string accountId, string key, RecordedAnswer answer, CancellationToken ct)
    {
        answer = answer with { Body = _answers.Protect(answer.Body) };
        if (answer.Body.Length > MaxBodyBytes)
        {
            await ReleaseAsync(accountId, key);
            return false;
        }
        var entity = new TableEntity(accountId, Row(key))
        {
            { "Status", answer.Status }, { "ContentType", answer.ContentType }, { "Location", answer.Location }, { "BodyChunks", (answer.Body.Length + ChunkBytes - 1) / ChunkBytes },
        };
        for (var i = 0; i * ChunkBytes < answer.Body.Length; i++)
        {
            entity["Body" + i] = answer.Body.AsSpan(i * ChunkBytes, Math.Min(ChunkBytes, answer.Body.Length - (i * ChunkBytes))).ToArray();
        }
        await Table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, ct);
        return true;
    }

    /// <summary>Lets the key be used again: the request failed in a way a retry may fix (5xx, 429, an exception).</summary>
    public async Task ReleaseAsync(string accountId, string key)
    {
        try
        {
            await Table.DeleteEntityAsync(accountId, Row(key), ETag.All);
        }
        catch (RequestFailedException)
        {
            // Storage failed too: a retry within the take-over time waits and gets 409, later it takes the claim over.
        }
    }

    private TableEntity NewClaim(string accountId, string row, string requestHash, DateTimeOffset now) => new(accountId, row)
    {
        { "RequestHash", requestHash }, { "ClaimedAt", now }, { "ExpiresAt", now + Keep },
    };

    private async Task<bool> TryReplaceAsync(TableEntity entity, ETag etag, CancellationToken ct)
    {
        try
        {
            await Table.UpdateEntityAsync(entity, etag, TableUpdateMode.Replace, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.IsConditionFailed() || ex.IsNotFound())
        {
            return false;
        }
    }

    private static byte[] ReadBody(TableEntity e)
    {
        using var body = new MemoryStream();
        for (var i = 0; i < (e.GetInt32("BodyChunks") ?? 0); i++)
        {
            body.Write(e.GetBinary("Body" + i) ?? []);
        }
        return body.ToArray();
    }
}
