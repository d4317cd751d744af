using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Parley.Functions.Accounts;
using Parley.Functions.Appointments;
using Parley.Functions.Identity;

namespace Parley.Functions.Booking;

/// <summary>A published booking page: the operator's settings, the operator and the account.</summary>
public sealed record BookingPage(OperatorAvailability Settings, Operator Operator, Account Account)
{
    public Tenant Tenant => BookingCalendar.TenantOf(Settings.AccountId);

    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(Settings.Availability.TimeZone);
}

/// <summary>
/// Free times of booking pages. A page's settings and its free slots are cached for <see cref="CacheFor"/>: a public page
/// is read far more often than it is booked. Every appointment write of this instance (dashboard, API, bookings) and
/// every settings change drops the operator's cached slots at once (see <see cref="Changed"/>), so a booking is visible
/// in the next read here; other instances see it within <see cref="CacheFor"/>, and a booking of a time taken meanwhile
/// is refused by the appointment store's slot claims whatever any cache said.
/// </summary>
public sealed class BookingCalendar(AvailabilityStore store, AccountStore accounts, AppointmentStore appointments, IMemoryCache cache, TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, long> _versions = Subscribe(appointments);

    private static ConcurrentDictionary<string, long> Subscribe(AppointmentStore appointments)
    {
        var versions = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        appointments.Written += (accountId, operatorIds) =>
        {
            foreach (var op in operatorIds)
            {
                versions.AddOrUpdate(accountId + "|" + op, 1, (_, v) => v + 1);
            }
        };
        return versions;
    }

    /// <summary>The system's view of an account: bookings are written by nobody signed in.</summary>
    public static Tenant TenantOf(string accountId) => new(accountId, null, OperatorRole.Administrator, null);

    private long _settingsVersion;

    /// <summary>Drops what is cached for an operator whose booking settings changed (including "no page under that handle").</summary>
    public void SettingsChanged(string accountId, string operatorId)
    {
        _versions.AddOrUpdate(accountId + "|" + operatorId, 1, (_, v) => v + 1);
        Interlocked.Increment(ref _settingsVersion);
    }

    private long Version(string accountId, string operatorId) => _versions.TryGetValue(accountId + "|" + operatorId, out var v) ? v : 0;

    /// <summary>The published page under <paramref name="handle"/>, or null.</summary>
    public async Task<BookingPage?> FindAsync(string handle, CancellationToken ct)
    {
        var key = "bookpage|" + handle;
        if (cache.TryGetValue(key, out (BookingPage? Page, long Version) hit)
            && hit.Version == (hit.Page is null ? Interlocked.Read(ref _settingsVersion) : Version(hit.Page.Settings.AccountId, hit.Page.Settings.OperatorId)))
        {
            return hit.Page;
        }
        var page = await LoadAsync(await store.FindByHandleAsync(handle, ct), ct);
        cache.Set(key, (page, page is null ? Interlocked.Read(ref _settingsVersion) : Version(page.Settings.AccountId, page.Settings.OperatorId)), CacheFor);
        return page;
    }

    /// <summary>The page of an existing booking (whether or not it is still published).</summary>
    public async Task<BookingPage?> ForOperatorAsync(string accountId, string operatorId, CancellationToken ct) =>
        await LoadAsync(await store.FindAsync(accountId, operatorId, ct), ct);

    private async Task<BookingPage?> LoadAsync(OperatorAvailability? settings, CancellationToken ct)
    {
        if (settings is null)
        {
            return null;
        }
        var tenant = TenantOf(settings.AccountId);
        var op = await accounts.GetOperatorAsync(tenant, settings.OperatorId, ct);
        var account = await accounts.GetSettingsAsync(tenant, ct);
        return op is { Active: true } && account is not null ? new BookingPage(settings, op, account) : null;
    }

    /// <summary>
    /// Free slot starts of <paramref name="length"/> between two instants (any zone's days, converted by the caller),
    /// computed on the operator's days that cover them. <paramref name="ignore"/>: an appointment whose own time counts as
    /// free (a booker moving their booking).
    /// </summary>
    public async Task<IReadOnlyList<DateTimeOffset>> FreeSlotsAsync(BookingPage page, TimeSpan length, DateTimeOffset from, DateTimeOffset to, string? ignore, CancellationToken ct)
    {
        var zone = page.Zone;
        var firstDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(from, zone).DateTime);
        var lastDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(to, zone).DateTime);
        var settings = page.Settings;
        var key = $"bookslots|{settings.AccountId}|{settings.OperatorId}|{Version(settings.AccountId, settings.OperatorId)}|{length.Ticks}|{firstDay:yyyyMMdd}|{lastDay:yyyyMMdd}|{ignore}";
        if (!cache.TryGetValue(key, out IReadOnlyList<DateTimeOffset>? slots) || slots is null)
        {
            slots = await ComputeAsync(page, length, firstDay, lastDay, ignore, ct);
            cache.Set(key, slots, CacheFor);
        }
        return slots.Where(s => s >= from && s < to).ToList();
    }

    /// <summary>Uncached: what a booking checks right before it is written.</summary>
    public async Task<IReadOnlyList<DateTimeOffset>> ComputeAsync(BookingPage page, TimeSpan length, DateOnly firstDay, DateOnly lastDay, string? ignore, CancellationToken ct)
    {
        var zone = page.Zone;
        var rules = page.Settings.Availability.Rules;
        // Appointments that can touch these days with their buffers: a day's wall clock spans at most 26 real hours.
        var rangeStart = TimeZoneInfo.ConvertTimeToUtc(firstDay.ToDateTime(TimeOnly.MinValue), zone) - TimeSpan.FromHours(3) - rules.BufferBefore - rules.BufferAfter;
        var rangeEnd = TimeZoneInfo.ConvertTimeToUtc(lastDay.AddDays(1).ToDateTime(TimeOnly.MinValue), zone) + TimeSpan.FromHours(3) + rules.BufferBefore + rules.BufferAfter;
        var entries = await appointments.CalendarAsync(page.Tenant, new DateTimeOffset(rangeStart, TimeSpan.Zero), new DateTimeOffset(rangeEnd, TimeSpan.Zero), page.Settings.OperatorId, ct);
        var busy = entries.Where(e => e.Id != ignore).Select(e => new Busy(e.Start, e.End)).ToList();
        return SlotCalculator.FreeSlots(page.Settings.Availability, length, firstDay, lastDay, busy, time.GetUtcNow());
    }

    /// <summary>Whether <paramref name="start"/> is a free slot right now (read fresh, not from the cache).</summary>
    public async Task<bool> IsFreeAsync(BookingPage page, TimeSpan length, DateTimeOffset start, string? ignore, CancellationToken ct)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(start, page.Zone).DateTime);
        return (await ComputeAsync(page, length, day, day, ignore, ct)).Contains(start);
    }

    /// <summary>
    /// The serialising row of an operator's day (see <see cref="SlotGuard"/>), only where a daily cap makes bookings of
    /// one day depend on each other; without a cap, bookings of different times never wait for one another.
    /// </summary>
    public static string? DayRowKey(BookingPage page, DateTimeOffset start) =>
        page.Settings.Availability.Rules.MaxPerDay is null
            ? null
            : $"bookday|{page.Settings.OperatorId}|{DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(start, page.Zone).DateTime):yyyyMMdd}";

    /// <summary>What the cached answers of an operator's page are valid for (changes with every write and settings change).</summary>
    public long VersionOf(BookingPage page) => Version(page.Settings.AccountId, page.Settings.OperatorId);

    /// <summary>A cached, serialized answer (the slots JSON), made by <paramref name="make"/> when missing.</summary>
    public async Task<byte[]> CachedAsync(string key, Func<Task<byte[]>> make)
    {
        if (cache.TryGetValue(key, out byte[]? hit) && hit is not null)
        {
            return hit;
        }
        var made = await make();
        cache.Set(key, made, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = CacheFor });
        return made;
    }
}
