using Microsoft.Extensions.Options;
using Parley.Functions.Calls.Providers;
using Parley.Functions.Communication.Acs;
using Parley.Functions.Durable;
using Parley.Functions.Notifications;
using Parley.Functions.Storage;

namespace Parley.Functions.Calls;

public static class CallServiceCollectionExtensions
{
    /// <summary>Automated calls: the store, the provider chosen by <c>Communication__Provider</c>, and the call orchestration.</summary>
    public static IServiceCollection AddCalls(this IServiceCollection services)
    {
        services.AddOptions<CallOptions>().BindConfiguration(CallOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CallOptions>, CallOptions.Validator>();
        services.AddSingleton<CallStore>();
        services.AddSingleton<CallCallbacks>();
        services.AddSingleton<CallService>();
        services.AddSingleton<OutboxCallProvider>();
        services.AddSingleton<ICallProvider>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<CommunicationOptions>>().Value;
            return options.Provider == "acs"
                ? new AcsCallProvider(new AcsCallClient(sp.GetRequiredService<AcsClient>()), options.CallerId ?? options.SmsFrom!, options.CognitiveServicesEndpoint!)
                : sp.GetRequiredService<OutboxCallProvider>();
        });
        services.AddOrchestrator<CallOrchestrator>();
        services.AddActivity<PlaceCallActivity>();
        services.AddActivity<PlayCallTextActivity>();
        services.AddActivity<HangUpCallActivity>();
        services.AddActivity<SetCallStatusActivity>();
        services.AddStorageTable(CallStore.TableName);
        return services;
    }
}
