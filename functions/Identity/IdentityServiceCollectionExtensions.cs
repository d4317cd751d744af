using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Parley.Functions.Accounts;
using Parley.Functions.Maintenance;
using Parley.Functions.RateLimiting;
using Parley.Functions.Storage;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Identity;

public static class IdentityServiceCollectionExtensions
{
    private const string SelectorScheme = "Parley";

    /// <summary>Cookie sessions for the dashboard, API keys for integrations, the tenant, and their storage.</summary>
    public static IServiceCollection AddIdentity(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddSingleton<AccountStore>();
        services.AddSingleton<PasswordHashing>();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<TableRateLimiter>();
        services.AddExpiredRowsCleanup("rate-limit-cleanup", TableRateLimiter.TableName, TimeSpan.FromHours(1));
        // A used session's row expiry trails its sliding cookie by up to an hour (see OperatorSessions).
        services.AddExpiredRowsCleanup("session-cleanup", OperatorSessions.TableName, TimeSpan.FromHours(2));
        services.AddSingleton<OperatorSessions>();
        foreach (var table in new[] { AccountStore.AccountsTable, AccountStore.LoginsTable, AccountStore.ApiKeysTable, AccountStore.PasswordLinksTable,
                     SignInThrottle.TableName, TableRateLimiter.TableName, TableXmlRepository.TableName, OperatorSessions.TableName })
        {
            services.AddStorageTable(table);
        }

        services.AddDataProtection().SetApplicationName("Parley");
        services.AddOptions<KeyManagementOptions>().Configure<StorageAccount>((o, storage) => o.XmlRepository = new TableXmlRepository(storage));

        services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "Cookie or API key", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : OperatorSessions.SchemeName)
            .AddCookie(OperatorSessions.SchemeName, o =>
            {
                o.Cookie.Name = OperatorSessions.CookieName;
                o.Cookie.Path = "/"; // required by the __Host- prefix, as are Secure and no Domain
                o.Cookie.Domain = null;
                o.Cookie.HttpOnly = true;
                o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.IsEssential = true;
                o.ExpireTimeSpan = OperatorSessions.Lifetime;
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = context => context.HttpContext.RequestServices.GetRequiredService<OperatorSessions>().ValidateAsync(context);
                o.Events.OnRedirectToLogin = context => ProblemResponses.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, L("Not signed in"), L("Sign in to continue."));
                o.Events.OnRedirectToAccessDenied = context => ProblemResponses.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, L("Not allowed"), L("Only administrators of this account may do this."));
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);

        // Every policy carries the API-key requirement (its own handler), so a key reaches only endpoints opened to it (ApiKeyAccess).
        var apiKeyScope = new ApiKeyAccess.Requirement();
        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(apiKeyScope).Build())
            .AddPolicy(ParleyPolicies.Administrator, p => p.RequireAuthenticatedUser().RequireClaim(ParleyClaims.Role, nameof(OperatorRole.Administrator)).AddRequirements(apiKeyScope));
        return services;
    }

    public static WebApplication UseIdentity(this WebApplication app)
    {
        app.UseMiddleware<CsrfProtection>();
        app.UseAuthentication();
        app.Use(Storage.StorageOutage.RethrowDeferred); // a session check that met a storage outage answers 503, not 401
        app.UseAuthorization();
        return app;
    }
}
