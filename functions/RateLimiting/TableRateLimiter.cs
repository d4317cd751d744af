using System.Globalization;
using Azure;
using Parley.Functions.Common;
using Parley.Functions.Storage;
using Azure.Data.Tables;

namespace Parley.Functions.RateLimiting;

/// <summary>
/// Fixed-window counters in Table Storage, shared by every instance (an in-memory limiter would count per
/// instance). Each hit is a conditional read-increment-write. When storage cannot answer, the limiter
/// <b>fails closed</b>: <see cref="RateLimiterUnavailableException"/>, which callers turn into 503.
/// Keys are hashed, so no client address is stored. Slow storage fails closed too: a decision not taken within
/// <c>RateLimits__Deadline</c> (default <see cref="DefaultDeadline"/>) is a refusal, so a stalled table can neither hold
/// requests for long nor wave them through.
/// </summary>
public sealed class TableRateLimiter(StorageAccount storage, TimeProvider time, StorageOutage outage, IConfiguration configuration, ILogger<TableRateLimiter> logger)
{
    public const string TableName = "RateLimits";
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(2);
    private readonly TimeSpan _deadline = configuration.GetValue<TimeSpan?>("RateLimits:Deadline") ?? DefaultDeadline;
    private readonly TableClient _table = storage.GetTableClient(TableName);

    public async Task<RateLimitDecision> HitAsync(string policy, string key, int limit, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var windowStart = new DateTimeOffset(now.UtcTicks - now.UtcTicks % window.Ticks, TimeSpan.Zero);
        var retryAfter = windowStart + window - now;
        var partition = $"{policy}|{windowStart.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}";
        var row = SecureTokens.Hash(policy + "|" + key);
        using var deadline = new CancellationTokenSource(_deadline, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var ct = linked.Token;
        try
        {
            for (var attempt = 0; attempt < 8; attempt++)
            {
                var current = await _table.GetEntityOrNullAsync(partition, row, cancellationToken: ct);
                var count = current?.GetInt32("Count") ?? 0;
                if (count >= limit)
                {
                    logger.LogWarning("Rate limit {Policy} reached ({Limit} per {Window})", policy, limit, window);
                    return new RateLimitDecision(false, retryAfter);
                }
                var next = new TableEntity(partition, row) { { "Count", count + 1 }, { "ExpiresAt", windowStart + window } };
                try
                {
                    if (current is null)
                    {
                        next.ETag = (await _table.AddEntityAsync(next, ct)).Headers.ETag ?? default;
                    }
                    else
                    {
                        next.ETag = (await _table.UpdateEntityAsync(next, current.ETag, TableUpdateMode.Replace, ct)).Headers.ETag ?? default;
                    }
                    return new RateLimitDecision(true, retryAfter);
                }
                catch (RequestFailedException ex) when (ex.IsConditionFailed() || ex.IsAlreadyExists())
                {
                    // Another request counted at the same moment: count again.
                }
            }
            throw new RateLimiterUnavailableException(null);
        }
        catch (Exception ex) when ((StorageOutage.IsOutage(ex) || ex is OperationCanceledException) && !cancellationToken.IsCancellationRequested)
        {
            outage.Report(ex, "rate limit " + policy); // one warning per outage, not a stack trace per request
            throw new RateLimiterUnavailableException(ex);
        }
    }

    /// <summary>
    /// For a key many requests hit at the same moment (an account's total): the count is spread over
    /// <paramref name="shards"/> rows of the window, summed by one range read, and one row (picked at random, another on
    /// a lost race) counts the hit. Under concurrency the limit may be passed by at most the number of requests deciding
    /// at the same instant — a fair price for not failing closed under ordinary load.
    /// </summary>
    public async Task<RateLimitDecision> HitSpreadAsync(string policy, string key, int limit, TimeSpan window, int shards, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var windowStart = new DateTimeOffset(now.UtcTicks - now.UtcTicks % window.Ticks, TimeSpan.Zero);
        var retryAfter = windowStart + window - now;
        var partition = $"{policy}|{windowStart.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}";
        var prefix = SecureTokens.Hash(policy + "|" + key) + "|";
        using var deadline = new CancellationTokenSource(_deadline, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var ct = linked.Token;
        try
        {
            for (var attempt = 0; attempt < 8; attempt++)
            {
                var rows = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
                await foreach (var e in _table.QueryAsync<TableEntity>(TableClientExtensions.StartsWithFilter(partition, prefix), cancellationToken: ct))
                {
                    rows[e.RowKey] = e;
                }
                if (rows.Values.Sum(e => e.GetInt32("Count") ?? 0) >= limit)
                {
                    logger.LogWarning("Rate limit {Policy} reached ({Limit} per {Window})", policy, limit, window);
                    return new RateLimitDecision(false, retryAfter);
                }
                var row = prefix + Random.Shared.Next(shards).ToString(CultureInfo.InvariantCulture);
                rows.TryGetValue(row, out var current);
                var next = new TableEntity(partition, row) { { "Count", (current?.GetInt32("Count") ?? 0) + 1 }, { "ExpiresAt", windowStart + window } };
                try
                {
                    if (current is null)
                    {
                        await _table.AddEntityAsync(next, ct);
                    }
                    else
                    {
                        await _table.UpdateEntityAsync(next, current.ETag, TableUpdateMode.Replace, ct);
                    }
                    return new RateLimitDecision(true, retryAfter);
                }
                catch (RequestFailedException ex) when (ex.IsConditionFailed() || ex.IsAlreadyExists())
                {
                    // Another request counted on that row at the same moment: read again and try a (likely) different row.
                }
            }
            throw new RateLimiterUnavailableException(null);
        }
        catch (Exception ex) when ((StorageOutage.IsOutage(ex) || ex is OperationCanceledException) && !cancellationToken.IsCancellationRequested)
        {
            outage.Report(ex, "rate limit " + policy);
            throw new RateLimiterUnavailableException(ex);
        }
    }
}

public sealed record RateLimitDecision(bool Allowed, TimeSpan RetryAfter);

public sealed class RateLimiterUnavailableException(Exception? inner)
    : Exception("The rate limiter cannot reach storage.", inner);
