using Azure;
using Parley.Functions.Common;
using Parley.Functions.Storage;
using Azure.Data.Tables;

namespace Parley.Functions.Identity;

/// <summary>
/// Locks sign-in for an e-mail address briefly after repeated failures (5 within 15 minutes → 5 minutes),
/// whether or not the address exists, so the lock itself reveals nothing. Keyed by a hash of the address.
/// </summary>
public sealed class SignInThrottle(StorageAccount storage, TimeProvider time)
{
    public const string TableName = "SignInAttempts";
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan LockDuration = TimeSpan.FromMinutes(5);

    private readonly TableClient _table = storage.GetTableClient(TableName);

    public async Task<State> ReadAsync(string email, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityOrNullAsync(Key(email), "", cancellationToken: cancellationToken);
        var now = time.GetUtcNow();
        if (row is null)
        {
            return new State(null, 0, null);
        }
        var lockedUntil = row.GetDateTimeOffset("LockedUntil");
        var windowStart = row.GetDateTimeOffset("WindowStart") ?? now;
        var failures = now - windowStart > Window ? 0 : row.GetInt32("Failures") ?? 0;
        return new State(row, failures, lockedUntil > now ? lockedUntil : null);
    }

    /// <summary>Counts one failure; concurrent failures are each counted (re-read on conflict), so a parallel burst cannot dodge the lock.</summary>
    public async Task RecordFailureAsync(string email, State state, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var now = time.GetUtcNow();
            var failures = state.Failures + 1;
            var windowStart = state.Failures == 0 ? now : state.Row?.GetDateTimeOffset("WindowStart") ?? now;
            var entity = new TableEntity(Key(email), "")
            {
                { "Failures", failures >= MaxFailures ? 0 : failures },
                { "WindowStart", windowStart },
                { "LockedUntil", failures >= MaxFailures ? now + LockDuration : state.LockedUntil },
            };
            try
            {
                if (state.Row is null)
                {
                    entity.ETag = (await _table.AddEntityAsync(entity, cancellationToken)).Headers.ETag ?? default;
                }
                else
                {
                    entity.ETag = (await _table.UpdateEntityAsync(entity, state.Row.ETag, TableUpdateMode.Replace, cancellationToken)).Headers.ETag ?? default;
                }
                return;
            }
            catch (RequestFailedException ex) when (ex.IsConditionFailed() || ex.IsAlreadyExists())
            {
                state = await ReadAsync(email, cancellationToken);
            }
        }
    }

    public async Task ResetAsync(string email, State state, CancellationToken cancellationToken)
    {
        if (state.Row is not null)
        {
            await _table.DeleteEntityAsync(Key(email), "", cancellationToken: cancellationToken);
        }
    }

    private static string Key(string email) => SecureTokens.Hash("sign-in|" + EmailAddress.Normalize(email));

    public sealed record State(TableEntity? Row, int Failures, DateTimeOffset? LockedUntil);
}
