using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Parley.Functions.Identity;
using Parley.Functions.Storage;

namespace Parley.Functions.Booking;

public sealed record BookingNotice(string CaseId, string CaseName, string AppointmentId, string Kind, DateTimeOffset Start, DateTimeOffset At);

public sealed record UnseenBookings(int Count, IReadOnlyList<BookingNotice> Items);

/// <summary>
/// What the dashboard's bookings badge counts: bookings, and a booker's own moves and cancellations, per operator. Rows
/// <c>notice|{operator}|{inverted time}|{appointment}|{kind}</c> of the account's partition in the Booking table (newest
/// first, idempotent per booking and change, expire after 30 days) and <c>seen|{operator}</c>: when they last looked.
/// </summary>
public sealed class BookingNotices(StorageAccount storage, TimeProvider time)
{
    public static readonly TimeSpan Keep = TimeSpan.FromDays(30);
    public const int MaxItems = 50;

    private TableClient Table => storage.GetTableClient(AvailabilityStore.TableName);

    public async Task AddAsync(string accountId, string operatorId, BookingNotice notice, CancellationToken ct)
    {
        var inverted = (DateTimeOffset.MaxValue.UtcTicks - notice.At.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);
        var entity = new TableEntity(accountId, $"notice|{operatorId}|{inverted}|{notice.AppointmentId}|{notice.Kind}")
        {
            { "CaseId", notice.CaseId }, { "CaseName", notice.CaseName }, { "AppointmentId", notice.AppointmentId }, { "Kind", notice.Kind },
            { "Start", notice.Start }, { "At", notice.At }, { "ExpiresAt", notice.At + Keep },
        };
        await Table.UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);
    }

    public async Task<UnseenBookings> UnseenAsync(Tenant tenant, string operatorId, CancellationToken ct)
    {
        var seen = (await Table.GetEntityOrNullAsync(tenant.AccountId, "seen|" + operatorId, cancellationToken: ct))?.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue;
        var items = new List<BookingNotice>();
        await foreach (var e in Table.QueryAsync<TableEntity>(TableClientExtensions.StartsWithFilter(tenant.AccountId, $"notice|{operatorId}|"), maxPerPage: MaxItems, cancellationToken: ct))
        {
            var at = e.GetDateTimeOffset("At") ?? default;
            if (at <= seen || items.Count >= MaxItems)
            {
                break;
            }
            items.Add(new BookingNotice(e.GetString("CaseId")!, e.GetString("CaseName") ?? "", e.GetString("AppointmentId")!, e.GetString("Kind")!, e.GetDateTimeOffset("Start") ?? default, at));
        }
        return new UnseenBookings(items.Count, items);
    }

    public async Task SeenAsync(Tenant tenant, string operatorId, CancellationToken ct) =>
        await Table.UpsertEntityAsync(new TableEntity(tenant.AccountId, "seen|" + operatorId) { { "At", time.GetUtcNow() } }, TableUpdateMode.Replace, ct);
}
