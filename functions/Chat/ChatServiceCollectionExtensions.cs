using Parley.Functions.Durable;
using Parley.Functions.Storage;

namespace Parley.Functions.Chat;

public static class ChatServiceCollectionExtensions
{
    /// <summary>The website chat: account settings, visitor tokens, the first message that creates the case (docs/chat.md).</summary>
    public static IServiceCollection AddChat(this IServiceCollection services)
    {
        services.AddSingleton<ChatSettingsStore>();
        services.AddSingleton<ChatVisitors>();
        services.AddSingleton<ChatService>();
        services.AddSingleton<ChatStateStore>();
        services.AddSingleton<ChatPresence>();
        services.AddSingleton<ChatNotices>();
        services.AddOrchestrator<ChatNoticeOrchestrator>();
        services.AddActivity<SendChatNoticeActivity>();
        services.AddStorageTable(ChatSettingsStore.TableName);
        services.AddStorageTable(ChatStateStore.TableName);
        return services;
    }

    public static IEndpointRouteBuilder MapChat(this IEndpointRouteBuilder api) => api.MapChatEndpoints().MapChatLiveEndpoints();
}
