using Microsoft.Extensions.DependencyInjection.Extensions;
using Parley.Functions.Storage;

namespace Parley.Functions.Workflows;

public static class WorkflowServiceCollectionExtensions
{
    /// <summary>The trigger plumbing: invoker, local queue pump and timer scheduler (both idle under the Functions host).</summary>
    public static IServiceCollection AddWorkflows(this IServiceCollection services)
    {
        services.TryAddSingleton<WorkflowInvoker>();
        services.AddOptions<QueuePumpOptions>().BindConfiguration(QueuePumpOptions.SectionName).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<QueuePumpOptions>, QueuePumpOptions.Validator>();
        services.AddHostedService<QueuePump>();
        services.AddHostedService<TimerScheduler>();
        return services;
    }

    /// <summary>Registers a queue handler; its queue and poison queue are created at startup.</summary>
    public static IServiceCollection AddQueueHandler<THandler>(this IServiceCollection services) where THandler : class, IQueueHandler =>
        services.AddQueueHandler<THandler>(THandler.QueueName);

    /// <summary>Registers a handler under an explicit queue name (tests give each class its own queues).</summary>
    internal static IServiceCollection AddQueueHandler<THandler>(this IServiceCollection services, string queueName) where THandler : class, IQueueHandler
    {
        services.AddScoped<THandler>();
        services.AddSingleton(new QueueHandlerRegistration(queueName, typeof(THandler)));
        services.AddStorageQueue(queueName);
        services.AddStorageQueue(QueuePump.PoisonQueueName(queueName));
        return services;
    }

    /// <summary>Registers a timer handler, validating its schedule now rather than at the first tick.</summary>
    public static IServiceCollection AddTimerHandler<THandler>(this IServiceCollection services) where THandler : class, ITimerHandler
    {
        CronSchedule.Parse(THandler.Schedule);
        services.AddScoped<THandler>();
        services.AddSingleton(new TimerHandlerRegistration(THandler.FunctionName, THandler.Schedule, typeof(THandler)));
        return services;
    }
}
