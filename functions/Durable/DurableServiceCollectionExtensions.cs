using Microsoft.DurableTask;
using Parley.Functions.Maintenance;

namespace Parley.Functions.Durable;

public static class DurableServiceCollectionExtensions
{
    /// <summary>The durable engine (task hub created at startup, worker once the app serves), its client and the history purge.</summary>
    public static IServiceCollection AddDurable(this IServiceCollection services)
    {
        services.AddOptions<DurableOptions>().BindConfiguration(DurableOptions.SectionName).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<DurableOptions>, DurableOptions.Validator>();
        services.AddSingleton<DurableEngine>();
        services.AddHostedService(sp => sp.GetRequiredService<DurableEngine>());
        services.AddSingleton<Orchestrations>();
        services.AddScoped<ISweepTask, HistoryPurgeSweep>();
        return services;
    }

    /// <summary>Registers an orchestrator class under its class name.</summary>
    public static IServiceCollection AddOrchestrator<T>(this IServiceCollection services) where T : class, ITaskOrchestrator =>
        services.AddSingleton(new DurableRegistration(typeof(T).Name, typeof(T), IsOrchestrator: true));

    /// <summary>Registers an activity class under its class name; one instance serves all calls, so it must be stateless.</summary>
    public static IServiceCollection AddActivity<T>(this IServiceCollection services) where T : class, ITaskActivity
    {
        services.AddSingleton<T>();
        return services.AddSingleton(new DurableRegistration(typeof(T).Name, typeof(T), IsOrchestrator: false));
    }
}
