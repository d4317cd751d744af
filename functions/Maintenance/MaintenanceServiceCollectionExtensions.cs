using Parley.Functions.Workflows;

namespace Parley.Functions.Maintenance;

public static class MaintenanceServiceCollectionExtensions
{
    /// <summary>The periodic sweep (timer → <c>sweeps</c> queue → task) and its built-in tasks.</summary>
    public static IServiceCollection AddMaintenance(this IServiceCollection services)
    {
        services.AddTimerHandler<SweepTimer>();
        services.AddQueueHandler<SweepQueueHandler>();
        services.AddScoped<ISweepTask, PoisonQueueReport>();
        return services;
    }
}
