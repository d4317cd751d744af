using Parley.Functions.Durable;
using Parley.Functions.Maintenance;
using Parley.Functions.Storage;

namespace Parley.Functions.Booking;

public static class BookingServiceCollectionExtensions
{
    /// <summary>Booking pages: operators' availability, public slots and bookings, the booker's own links.</summary>
    public static IServiceCollection AddBooking(this IServiceCollection services)
    {
        services.AddSingleton<AvailabilityStore>();
        services.AddSingleton<BookingCalendar>();
        services.AddSingleton<BookingIdempotency>();
        services.AddSingleton<BookingNotices>();
        services.AddSingleton<BookerLinks>();
        services.AddSingleton<BookingService>();
        services.AddActivity<BookingAlertActivity>();
        services.AddSingleton<RateLimiting.InstanceRateLimiter>();
        services.AddExpiredRowsCleanup("booking-cleanup", AvailabilityStore.TableName, TimeSpan.FromHours(1));
        services.AddStorageTable(AvailabilityStore.TableName);
        services.AddStorageTable(AvailabilityStore.HandleTableName);
        return services;
    }

    public static IEndpointRouteBuilder MapBooking(this IEndpointRouteBuilder api)
    {
        api.MapAvailabilityEndpoints();
        api.MapBookingEndpoints();
        api.MapBookerEndpoints();
        return api;
    }
}
