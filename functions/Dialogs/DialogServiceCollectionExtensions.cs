using Parley.Functions.Storage;
using Parley.Functions.Workflows;

namespace Parley.Functions.Dialogs;

public static class DialogServiceCollectionExtensions
{
    /// <summary>Adviser dialogs: store, pseudonymous customer ids, reply links, texts and the <c>dialogs</c> workflow.</summary>
    public static IServiceCollection AddDialogs(this IServiceCollection services)
    {
        services.AddSingleton<DialogStore>();
        services.AddSingleton<CustomerIds>();
        services.AddSingleton<ReplyLinks>();
        services.AddSingleton<DialogTexts>();
        services.AddSingleton<DialogQueue>();
        services.AddSingleton<DialogService>();
        services.AddSingleton<WidgetMemory>();
        services.AddQueueHandler<DialogQueueHandler>();
        services.AddStorageTable(DialogStore.TableName);
        return services;
    }

    public static IEndpointRouteBuilder MapDialogs(this IEndpointRouteBuilder api) =>
        api.MapDialogSettingsEndpoints().MapWidgetEndpoints().MapDialogEndpoints().MapDialogThreadEndpoints();
}
