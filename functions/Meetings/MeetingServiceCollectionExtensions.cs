using Parley.Functions.Conversations;
using Parley.Functions.Meetings.Media;
using Parley.Functions.Meetings.Media.Acs;
using Parley.Functions.Storage;

namespace Parley.Functions.Meetings;

public static class MeetingServiceCollectionExtensions
{
    /// <summary>The meeting room: link lookup, the code guard, sessions, presence, the room's event transport and the media provider.</summary>
    public static IServiceCollection AddMeetings(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MeetingOptions>().BindConfiguration(MeetingOptions.Section);
        services.AddSingleton<ConversationStore>();
        services.AddSingleton<MeetingLinks>();
        services.AddSingleton<MeetingSessions>();
        services.AddSingleton<RoomStore>();
        services.AddSingleton<IRoomTransport, StorageRoomTransport>();
        services.AddSingleton<CustomerPresence>();
        services.AddSingleton<PinGuard>();
        services.AddSingleton<MeetingRoom>();
        services.AddSingleton<MeetingLifecycle>();
        services.AddScoped<Maintenance.ISweepTask, PresenceCleanup>();
        var provider = configuration[$"{MeetingOptions.Section}:Provider"] ?? "p2p";
        switch (provider)
        {
            case "p2p":
                services.AddSingleton<IMeetingMedia, P2pMeetingMedia>();
                break;
            case "acs":
                services.AddAcsMeetingMedia();
                break;
            default:
                throw new InvalidOperationException($"Meetings__Provider is '{provider}'; use p2p (browser-to-browser WebRTC) or acs (Azure Communication Services Rooms).");
        }
        services.AddStorageTable(ConversationStore.TableName);
        services.AddStorageTable(MeetingLinks.TableName);
        services.AddStorageTable(RoomStore.TableName);
        services.AddStorageTable(CustomerPresence.TableName);
        return services;
    }
}
