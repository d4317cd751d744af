using Parley.Functions.Storage;

namespace Parley.Functions.Booking;

public static class BookingServiceCollectionExtensions
{
    /// <summary>Booking pages: operators' availability, public slots and bookings, the booker's own links.</summary>
    public static IServiceCollection AddBooking(this IServiceCollection services)
    {
        services.AddSingleton<AvailabilityStore>();
        services.AddStorageTable(AvailabilityStore.TableName);
        services.AddStorageTable(AvailabilityStore.HandleTableName);
        return services;
    }

    public static IEndpointRouteBuilder MapBooking(this IEndpointRouteBuilder api)
    {
        api.MapAvailabilityEndpoints();
        return api;
    }
}
