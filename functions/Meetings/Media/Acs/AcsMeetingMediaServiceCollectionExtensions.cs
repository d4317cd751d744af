using Microsoft.Extensions.Options;
using Parley.Functions.Communication.Acs;
using Parley.Functions.Durable;
using Parley.Functions.Storage;

namespace Parley.Functions.Meetings.Media.Acs;

public static class AcsMeetingMediaServiceCollectionExtensions
{
    /// <summary>
    /// Meetings on ACS Rooms: <see cref="IMeetingMedia"/> as <see cref="AcsMeetingMedia"/>, its table, the cleanup
    /// orchestration and the <c>Meetings:Acs</c> settings. Uses the app's <see cref="AcsClient"/>, so
    /// <c>Communication__ConnectionString</c> must be set (checked at startup) even when messages go to the outbox.
    /// </summary>
    public static IServiceCollection AddAcsMeetingMedia(this IServiceCollection services)
    {
        services.AddOptions<AcsMediaOptions>().BindConfiguration(AcsMediaOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AcsMediaOptions>, AcsMediaOptions.Validator>();
        services.AddSingleton<AcsRoomsClient>();
        services.AddSingleton<AcsIdentityClient>();
        services.AddSingleton<AcsMediaStore>();
        services.AddSingleton<AcsMeetingMedia>();
        services.AddSingleton<IMeetingMedia>(sp => sp.GetRequiredService<AcsMeetingMedia>());
        services.AddOrchestrator<AcsRoomCleanupOrchestrator>();
        services.AddActivity<AcsRoomCleanupActivity>();
        services.AddStorageTable(AcsMediaStore.TableName);
        return services;
    }
}
