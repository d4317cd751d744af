using Microsoft.Extensions.Options;
using Parley.Functions.Durable;
using Parley.Functions.Storage;

namespace Parley.Functions.Dialogs;

public static class DialogServiceCollectionExtensions
{
    /// <summary>Adviser dialogs: store, pseudonymous customer ids, reply links, texts and the alert orchestration.</summary>
    public static IServiceCollection AddDialogs(this IServiceCollection services)
    {
        services.AddOptions<DialogOptions>().BindConfiguration(DialogOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DialogOptions>, DialogOptions.Validator>();
        services.AddSingleton<DialogStore>();
        services.AddSingleton<CustomerIds>();
        services.AddSingleton<ReplyLinks>();
        services.AddSingleton<DialogTexts>();
        services.AddSingleton<DialogAlerts>();
        services.AddSingleton<DialogService>();
        services.AddSingleton<WidgetMemory>();
        services.AddOrchestrator<DialogAlertOrchestrator>();
        services.AddActivity<PlanDialogAlertActivity>();
        services.AddActivity<SendDialogAlertActivity>();
        services.AddActivity<GiveUpDialogAlertActivity>();
        services.AddStorageTable(DialogStore.TableName);
        return services;
    }

    public static IEndpointRouteBuilder MapDialogs(this IEndpointRouteBuilder api) =>
        api.MapDialogSettingsEndpoints().MapWidgetEndpoints().MapDialogEndpoints().MapDialogThreadEndpoints();
}
