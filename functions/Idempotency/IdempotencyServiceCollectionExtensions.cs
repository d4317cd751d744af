using Parley.Functions.Maintenance;
using Parley.Functions.Storage;

namespace Parley.Functions.Idempotency;

public static class IdempotencyServiceCollectionExtensions
{
    /// <summary>The <c>Idempotency</c> table, its store and the sweep that deletes keys older than 24 hours.</summary>
    public static IServiceCollection AddIdempotency(this IServiceCollection services)
    {
        services.AddSingleton<IdempotencyKeys>();
        services.AddStorageTable(IdempotencyKeys.TableName);
        services.AddExpiredRowsCleanup("idempotency-cleanup", IdempotencyKeys.TableName, TimeSpan.Zero);
        return services;
    }

    /// <summary>Call after <c>UseIdentity</c> (authentication and authorization): it needs the endpoint and the account.</summary>
    public static WebApplication UseIdempotency(this WebApplication app)
    {
        app.UseMiddleware<IdempotencyMiddleware>();
        return app;
    }
}
