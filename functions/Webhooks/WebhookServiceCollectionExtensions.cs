using Microsoft.Extensions.Options;
using Parley.Functions.Durable;
using Parley.Functions.Maintenance;
using Parley.Functions.Storage;

namespace Parley.Functions.Webhooks;

public static class WebhookServiceCollectionExtensions
{
    /// <summary>Outgoing webhooks and REST hooks: endpoints, events, the delivery workflow and its log (docs/integrations.md).</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName);
        services.AddSingleton(sp => new OutboundAddressGuard(sp.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowLoopback));
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<WebhookPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookPublisher>());
        services.AddSingleton<WebhookDeliveries>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookAttempts>();
        services.AddOrchestrator<WebhookFanOutOrchestrator>();
        services.AddOrchestrator<WebhookDeliveryOrchestrator>();
        services.AddOrchestrator<WebhookRecoveryOrchestrator>();
        services.AddActivity<WebhookFanOutActivity>();
        services.AddActivity<WebhookAttemptActivity>();
        services.AddActivity<WebhookRecoveryActivity>();
        services.AddStorageTable(WebhookStore.TableName);
        services.AddStorageTable(WebhookStore.EventsTable);
        services.AddStorageTable(WebhookStore.DeliveriesTable);
        services.AddExpiredRowsCleanup("webhook-events-cleanup", WebhookStore.EventsTable, TimeSpan.Zero);
        services.AddExpiredRowsCleanup("webhook-deliveries-cleanup", WebhookStore.DeliveriesTable, TimeSpan.Zero);
        return services;
    }
}
