using Microsoft.Extensions.Options;
using Parley.Functions.Calls.Providers;
using Parley.Functions.Communication.Acs;
using Parley.Functions.Notifications;
using Parley.Functions.Storage;
using Parley.Functions.Workflows;

namespace Parley.Functions.Calls;

public static class CallServiceCollectionExtensions
{
    /// <summary>Automated calls: the store, the provider chosen by <c>Communication__Provider</c>, and the workflow.</summary>
    public static IServiceCollection AddCalls(this IServiceCollection services)
    {
        services.AddSingleton<CallStore>();
        services.AddSingleton<CallQueue>();
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
        services.AddQueueHandler<CallQueueHandler>();
        services.AddStorageTable(CallStore.TableName);
        return services;
    }
}
