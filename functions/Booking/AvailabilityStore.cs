using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Parley.Functions.Storage;

namespace Parley.Functions.Booking;

/// <summary>
/// Booking page settings. Table <c>Booking</c>: row <c>avail|{operator}</c> in the account's partition (the settings as
/// JSON, the shape of the API). Table <c>BookingHandles</c>: one row per published handle (partition = handle) naming
/// the account and operator — handles are unique across Parley, like sign-in e-mail addresses. A handle row whose
/// operator no longer uses it (an interrupted change) is an orphan and is taken over by the next claim.
/// </summary>
public sealed class AvailabilityStore(StorageAccount storage)
{
    public const string TableName = "Booking";
    public const string HandleTableName = "BookingHandles";
    private const string Prefix = "avail|";

    private TableClient Table => storage.GetTableClient(TableName);
    private TableClient Handles => storage.GetTableClient(HandleTableName);

    public async Task<OperatorAvailability?> FindAsync(string accountId, string operatorId, CancellationToken ct)
    {
        var row = await Table.GetEntityOrNullAsync(accountId, Prefix + operatorId, cancellationToken: ct);
        return row is null ? null : FromEntity(row);
    }

    /// <summary>The saved settings, or the defaults in the operator's own zone.</summary>
    public async Task<OperatorAvailability> GetAsync(string accountId, string operatorId, string operatorZone, CancellationToken ct) =>
        await FindAsync(accountId, operatorId, ct) ?? OperatorAvailability.Default(accountId, operatorId, operatorZone);

    /// <summary>The operator publishing under <paramref name="handle"/>, or null (unknown, unpublished or orphaned).</summary>
    public async Task<OperatorAvailability?> FindByHandleAsync(string handle, CancellationToken ct)
    {
        if (!AvailabilityRules.IsHandle(handle))
        {
            return null;
        }
        var row = await Handles.GetEntityOrNullAsync(handle, "", cancellationToken: ct);
        if (row is null)
        {
            return null;
        }
        var found = await FindAsync(row.GetString("AccountId")!, row.GetString("OperatorId")!, ct);
        return found is { Enabled: true } && found.Handle == handle ? found : null;
    }

    /// <summary>Saves under the ETag read (<see cref="HandleTakenException"/> when another operator holds the new handle).</summary>
    public async Task<OperatorAvailability> SaveAsync(OperatorAvailability before, OperatorAvailability after, bool existed, CancellationToken ct)
    {
        if (after.Handle is not null && after.Handle != before.Handle)
        {
            await ClaimAsync(after.Handle, after.AccountId, after.OperatorId, ct);
        }
        var entity = ToEntity(after);
        var response = existed
            ? await Table.UpdateEntityAsync(entity, before.ETag, TableUpdateMode.Replace, ct)
            : await Table.AddEntityAsync(entity, ct);
        if (before.Handle is not null && before.Handle != after.Handle)
        {
            await ReleaseAsync(before.Handle, after.AccountId, after.OperatorId);
        }
        return after with { ETag = response.Headers.ETag ?? default };
    }

    private async Task ClaimAsync(string handle, string accountId, string operatorId, CancellationToken ct)
    {
        var entity = new TableEntity(handle, "") { { "AccountId", accountId }, { "OperatorId", operatorId } };
        try
        {
            await Handles.AddEntityAsync(entity, ct);
            return;
        }
        catch (RequestFailedException ex) when (ex.IsAlreadyExists())
        {
        }
        var existing = await Handles.GetEntityOrNullAsync(handle, "", cancellationToken: ct);
        if (existing is null)
        {
            throw new HandleTakenException(); // released meanwhile; the caller may try again
        }
        var holderAccount = existing.GetString("AccountId")!;
        var holderOperator = existing.GetString("OperatorId")!;
        if (holderAccount == accountId && holderOperator == operatorId)
        {
            return;
        }
        var holder = await FindAsync(holderAccount, holderOperator, ct);
        if (holder?.Handle == handle)
        {
            throw new HandleTakenException();
        }
        try
        {
            await Handles.UpdateEntityAsync(entity, existing.ETag, TableUpdateMode.Replace, ct);
        }
        catch (RequestFailedException ex) when (ex.IsConditionFailed() || ex.IsNotFound())
        {
            throw new HandleTakenException();
        }
    }

    private async Task ReleaseAsync(string handle, string accountId, string operatorId)
    {
        try
        {
            var row = await Handles.GetEntityOrNullAsync(handle, "");
            if (row is not null && row.GetString("AccountId") == accountId && row.GetString("OperatorId") == operatorId)
            {
                await Handles.DeleteEntityAsync(handle, "", row.ETag);
            }
        }
        catch (RequestFailedException)
        {
            // Left as an orphan; a later claim takes it over.
        }
    }

    private static TableEntity ToEntity(OperatorAvailability a) => new(a.AccountId, Prefix + a.OperatorId)
    {
        { "Settings", JsonSerializer.Serialize(AvailabilityWire.ToBody(a, null), Json) },
    };

    private static OperatorAvailability FromEntity(TableEntity e)
    {
        var body = JsonSerializer.Deserialize<AvailabilityBody>(e.GetString("Settings")!, Json)!;
        var operatorId = e.RowKey[Prefix.Length..];
        static List<WorkingInterval> Parse(IReadOnlyList<IntervalBody>? list) => (list ?? [])
            .Select(i => new WorkingInterval(TimeOnly.ParseExact(i.Start!, "HH:mm", CultureInfo.InvariantCulture), TimeOnly.ParseExact(i.End!, "HH:mm", CultureInfo.InvariantCulture))).ToList();
        var weekly = AvailabilityWire.Week.ToDictionary(d => d,
            d => (IReadOnlyList<WorkingInterval>)Parse(body.Weekly is not null && body.Weekly.TryGetValue(AvailabilityWire.DayName(d), out var list) ? list : null));
        var overrides = (body.Overrides ?? []).ToDictionary(o => DateOnly.ParseExact(o.Date!, "yyyy-MM-dd", CultureInfo.InvariantCulture), o => (IReadOnlyList<WorkingInterval>)Parse(o.Intervals));
        var rules = new BookingRules(TimeSpan.FromMinutes(body.Increment ?? 30), TimeSpan.FromMinutes(body.BufferBefore ?? 0), TimeSpan.FromMinutes(body.BufferAfter ?? 0),
            TimeSpan.FromMinutes(body.MinimumNotice ?? 0), body.DaysAhead ?? 30, body.MaxPerDay);
        return new OperatorAvailability(e.PartitionKey, operatorId, body.Enabled ?? false, body.Handle, new Availability(body.TimeZone!, weekly, overrides, rules), body.Lengths ?? [30])
        {
            ETag = e.ETag,
        };
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

public sealed class HandleTakenException() : Exception("The booking page address is taken.");
