using Microsoft.Extensions.DependencyInjection.Extensions;
using Parley.Functions.Storage;

namespace Parley.Functions.Presence;

public static class PresenceServiceCollectionExtensions
{
    /// <summary>Operators' presence (online/away, derived from the chosen mode and the last dashboard activity).</summary>
    public static IServiceCollection AddPresence(this IServiceCollection services)
    {
        services.AddOptions<PresenceOptions>().BindConfiguration(PresenceOptions.Section);
        services.AddSingleton<OperatorPresenceStore>();
        services.TryAddSingleton<RateLimiting.InstanceRateLimiter>();
        services.AddStorageTable(OperatorPresenceStore.TableName);
        return services;
    }

    public static IEndpointRouteBuilder MapPresence(this IEndpointRouteBuilder api) => api.MapPresenceEndpoints();
}
