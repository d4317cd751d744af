using Parley.Functions.Appointments;
using Parley.Functions.CustomFields;
using Parley.Functions.Storage;

namespace Parley.Functions.Cases;

public static class CaseServiceCollectionExtensions
{
    /// <summary>Cases, their appointments and custom fields; all in the account's partition of the Cases table.</summary>
    public static IServiceCollection AddCases(this IServiceCollection services)
    {
        services.AddSingleton<CaseStore>();
        services.AddSingleton<CaseRules>();
        services.AddSingleton<CustomFieldStore>();
        services.AddSingleton<MeetingSecrets>();
        services.AddSingleton<AppointmentStore>();
        services.AddStorageTable(CaseStore.TableName);
        return services;
    }
}
