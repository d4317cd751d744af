using Parley.Functions.Durable;
using Microsoft.Extensions.Options;
using Parley.Functions.Communication.Acs;
using Parley.Functions.Notifications.Providers;
using Parley.Functions.Storage;
using Parley.Functions.Workflows;

namespace Parley.Functions.Notifications;

/// <summary>Settings of section <c>Communication</c>.</summary>
public sealed class CommunicationOptions
{
    /// <summary>"outbox" (default: store messages for the developer outbox page) or "acs" (Azure Communication Services).</summary>
    public string Provider { get; set; } = "outbox";

    /// <summary>ACS connection string: endpoint=https://….communication.azure.com/;accesskey=…</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The phone number (or alphanumeric sender) SMS come from.</summary>
    public string? SmsFrom { get; set; }

    /// <summary>The e-mail sender when an account has none of its own (must belong to a domain linked to ACS).</summary>
    public string? EmailFrom { get; set; }

    /// <summary>The number automated calls come from (an ACS number); defaults to <see cref="SmsFrom"/>. Accounts may set their own.</summary>
    public string? CallerId { get; set; }

    /// <summary>Azure AI services endpoint connected to the ACS resource: calls speak their text with it.</summary>
    public string? CognitiveServicesEndpoint { get; set; }

    internal sealed class Validator(IConfiguration configuration) : IValidateOptions<CommunicationOptions>
    {
        public ValidateOptionsResult Validate(string? name, CommunicationOptions o)
        {
            if (o.Provider is not ("outbox" or "acs"))
            {
                return ValidateOptionsResult.Fail($"Communication__Provider must be 'outbox' or 'acs', not '{o.Provider}'.");
            }
            if (o.Provider == "acs")
            {
                var errors = new List<string>();
                try { AcsConnection.FromSettings(configuration); }
                catch (InvalidOperationException ex) { errors.Add(ex.Message + " It is required when Communication__Provider is 'acs'."); }
                if (string.IsNullOrWhiteSpace(o.SmsFrom)) errors.Add("Communication__SmsFrom is required when Communication__Provider is 'acs'.");
                if (string.IsNullOrWhiteSpace(o.EmailFrom)) errors.Add("Communication__EmailFrom is required when Communication__Provider is 'acs'.");
                if (!Uri.TryCreate(o.CognitiveServicesEndpoint, UriKind.Absolute, out var ai) || ai.Scheme != Uri.UriSchemeHttps)
                    errors.Add("Communication__CognitiveServicesEndpoint (https) is required when Communication__Provider is 'acs': calls speak through it.");
                if (!Uri.TryCreate(configuration[Hosting.PublicUrl.Setting], UriKind.Absolute, out var publicUrl) || publicUrl.Scheme != Uri.UriSchemeHttps)
                    errors.Add("App__PublicUrl (https) is required when Communication__Provider is 'acs': Communication Services posts call and delivery events to it.");
                if (errors.Count > 0) return ValidateOptionsResult.Fail(errors);
            }
            return ValidateOptionsResult.Success;
        }
    }
}

public static class NotificationServiceCollectionExtensions
{
    /// <summary>Customer messages: templates, delivery records, the provider chosen by settings, and the workflow.</summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services)
    {
        services.AddOptions<CommunicationOptions>().BindConfiguration("Communication").ValidateOnStart();
        services.AddSingleton<IValidateOptions<CommunicationOptions>, CommunicationOptions.Validator>();
        services.AddSingleton<MessageTemplates>();
        services.AddSingleton<MessageStore>();
        services.AddSingleton<NotificationSender>();
        services.AddSingleton<OutboxProvider>();
        services.AddSingleton(sp => new AcsClient(AcsConnection.FromSettings(sp.GetRequiredService<IConfiguration>())));
        services.AddSingleton<IMessageProvider>(sp =>
            sp.GetRequiredService<IOptions<CommunicationOptions>>().Value.Provider == "acs"
                ? new AcsProvider(sp.GetRequiredService<AcsClient>(), sp.GetRequiredService<ProviderReferences>(), sp.GetRequiredService<TimeProvider>())
                : sp.GetRequiredService<OutboxProvider>());
        services.AddSingleton<CustomerMessenger>();
        services.AddSingleton<OperatorInvitations>();
        services.AddOptions<NotificationWorkflowOptions>().BindConfiguration(NotificationWorkflowOptions.SectionName);
        services.AddSingleton<AppointmentMessages>();
        services.AddOrchestrator<AppointmentMessagesOrchestrator>();
        services.AddOrchestrator<ReminderOrchestrator>();
        services.AddActivity<PlanAppointmentMessagesActivity>();
        services.AddActivity<SendAppointmentMessageActivity>();
        services.AddActivity<FailAppointmentMessageActivity>();
        services.AddActivity<ReplanRemindersActivity>();
        services.AddActivity<SendReminderActivity>();
        services.AddQueueHandler<DeliveryReportQueueHandler>();
        services.AddSingleton<ProviderReferences>();
        services.AddStorageTable(ProviderReferences.TableName);
        services.AddStorageTable(MessageStore.TableName);
        services.AddStorageTable(OutboxProvider.TableName);
        return services;
    }
}
