using Azure;
using Azure.Data.Tables;
using Parley.Functions.Common;
using Parley.Functions.Storage;

namespace Parley.Functions.Booking;

/// <summary>What an <c>Idempotency-Key</c> says about a booking request.</summary>
public abstract record IdempotencyClaim
{
    /// <summary>First time (or taking over an attempt that died): go ahead, booking under <see cref="AppointmentId"/>.</summary>
    public sealed record Proceed(string AppointmentId, bool TakenOver) : IdempotencyClaim;

    /// <summary>Answered before: send the same answer again.</summary>
    public sealed record Replay(int Status, string Body) : IdempotencyClaim;

    /// <summary>The key was used for a different request.</summary>
    public sealed record Mismatch : IdempotencyClaim;

    /// <summary>The first request with this key is still running.</summary>
    public sealed record InProgress : IdempotencyClaim;
}

/// <summary>
/// <c>Idempotency-Key</c> for bookings (after the IETF httpapi draft): the first request claims the key (row
/// <c>idem|{hash}</c> of the account's partition in the Booking table, with a hash of the request and the appointment id
/// it will book under) and records its answer; a retry gets that answer again — never a second booking. A retry while the
/// first still runs waits for it briefly, then gets 409. A claim whose request died (no answer after
/// <see cref="TakeOverAfter"/>) is taken over with the same appointment id, so a booking written just before the
/// crash is found rather than made twice. Transient failures (429, 503) are not recorded: the retry runs afresh.
/// </summary>
public sealed class BookingIdempotency(StorageAccount storage, TimeProvider time)
{
    public static readonly TimeSpan Keep = TimeSpan.FromHours(24);
    public static readonly TimeSpan TakeOverAfter = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WaitForFirst = TimeSpan.FromSeconds(5);

    private TableClient Table => storage.GetTableClient(AvailabilityStore.TableName);

    public static bool IsValidKey(string? key) => key is { Length: > 0 and <= 100 } && key.All(c => c is >= '!' and <= '~');

    private static string Row(string handle, string key) => "idem|" + SecureTokens.Hash(handle + "|" + key);

    public async Task<IdempotencyClaim> ClaimAsync(string accountId, string handle, string key, string requestHash, CancellationToken ct)
    {
        var row = Row(handle, key);
        var now = time.GetUtcNow();
        var appointmentId = SecureTokens.NewId();
        var claim = new TableEntity(accountId, row)
        {
            { "RequestHash", requestHash }, { "AppointmentId", appointmentId }, { "ClaimedAt", now }, { "ExpiresAt", now + Keep },
        };
        try
        {
            await Table.AddEntityAsync(claim, ct);
            return new IdempotencyClaim.Proceed(appointmentId, false);
        }
        catch (RequestFailedException ex) when (ex.IsAlreadyExists())
        {
        }
        var deadline = now + WaitForFirst;
        while (true)
        {
            var existing = await Table.GetEntityOrNullAsync(accountId, row, cancellationToken: ct);
            if (existing is null)
            {
                return await ClaimAsync(accountId, handle, key, requestHash, ct); // released meanwhile (a transient failure)
            }
            if (existing.GetString("RequestHash") != requestHash)
            {
                return new IdempotencyClaim.Mismatch();
            }
            if (existing.GetInt32("Status") is { } status)
            {
                return new IdempotencyClaim.Replay(status, existing.GetString("Body") ?? "");
            }
            var current = time.GetUtcNow();
            if (existing.GetDateTimeOffset("ClaimedAt") is { } claimedAt && current - claimedAt > TakeOverAfter)
            {
                existing["ClaimedAt"] = current;
                try
                {
                    await Table.UpdateEntityAsync(existing, existing.ETag, TableUpdateMode.Replace, ct);
                    return new IdempotencyClaim.Proceed(existing.GetString("AppointmentId")!, true);
                }
                catch (RequestFailedException ex) when (ex.IsConditionFailed() || ex.IsNotFound())
                {
                    continue;
                }
            }
            if (current >= deadline)
            {
                return new IdempotencyClaim.InProgress();
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), time, ct);
        }
    }

    /// <summary>Records the answer (status and JSON body) for retries.</summary>
    public async Task CompleteAsync(string accountId, string handle, string key, int status, string body, CancellationToken ct)
    {
        var entity = new TableEntity(accountId, Row(handle, key)) { { "Status", status }, { "Body", body } };
        await Table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, ct);
    }

    /// <summary>Lets the key be used again (the request failed transiently; nothing was written).</summary>
    public async Task ReleaseAsync(string accountId, string handle, string key)
    {
        try
        {
            await Table.DeleteEntityAsync(accountId, Row(handle, key), ETag.All);
        }
        catch (RequestFailedException)
        {
            // It expires with the rest; a retry within the take-over time waits, then takes it over.
        }
    }
}
