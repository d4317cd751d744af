using Azure;
using Parley.Functions.Accounts;
using Parley.Functions.Common;
using Parley.Functions.Hosting;
using Parley.Functions.Identity;
using Parley.Functions.Storage;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Booking;

/// <summary>An operator's working hours and booking rules: their own, or anyone's for administrators and API keys.</summary>
public static class AvailabilityEndpoints
{
    public static IEndpointRouteBuilder MapAvailabilityEndpoints(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/operators/{operatorId}/availability").RequireAuthorization().AllowApiKeys().WithTags("Booking");
        group.MapGet("", GetAsync).WithName("getAvailability").WithSummary("Get an operator's availability and booking page")
            .Produces<AvailabilityBody>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("", PutAsync).WithName("setAvailability").WithSummary("Set an operator's availability and booking page")
            .Produces<AvailabilityBody>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<IResult> GetAsync(string operatorId, Tenant tenant, HttpContext http, AccountStore accounts, AvailabilityStore store, CancellationToken ct)
    {
        if (await OperatorAsync(operatorId, tenant, accounts, ct) is not { } op)
        {
            return TypedResults.NotFound();
        }
        var current = await store.GetAsync(tenant.AccountId, op.Id, op.TimeZone, ct);
        return TypedResults.Ok(View(current, http));
    }

    private static async Task<IResult> PutAsync(string operatorId, AvailabilityBody body, Tenant tenant, HttpContext http, AccountStore accounts, AvailabilityStore store,
        BookingCalendar calendar, TimeProvider time, CancellationToken ct)
    {
        if (await OperatorAsync(operatorId, tenant, accounts, ct) is not { } op)
        {
            return TypedResults.NotFound();
        }
        var saved = await store.FindAsync(tenant.AccountId, op.Id, ct);
        var current = saved ?? OperatorAvailability.Default(tenant.AccountId, op.Id, op.TimeZone);
        var v = new Validation();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(current.Availability.TimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);
        var after = AvailabilityRules.Apply(v, current, body, today);
        if (after is null)
        {
            return v.Problem();
        }
        try
        {
            var written = await store.SaveAsync(current, after, saved is not null, ct);
            calendar.SettingsChanged(tenant.AccountId, op.Id);
            return TypedResults.Ok(View(written, http));
        }
        catch (HandleTakenException)
        {
            return Validation.Single("handle", L("This address is taken. Choose another one."), StatusCodes.Status409Conflict, L("Address taken"));
        }
        catch (RequestFailedException ex) when (ex.IsConditionFailed() || ex.IsAlreadyExists())
        {
            return Validation.Single("handle", L("Your booking settings were changed meanwhile. Reload the page and try again."), StatusCodes.Status409Conflict, L("Settings changed"));
        }
    }

    /// <summary>The operator, when the caller may manage their availability (themselves, an administrator, an API key).</summary>
    private static async Task<Operator?> OperatorAsync(string operatorId, Tenant tenant, AccountStore accounts, CancellationToken ct)
    {
        if (!tenant.IsAdministrator && !tenant.IsApiKey && tenant.OperatorId != operatorId)
        {
            return null;
        }
        return AccountStore.IsId(operatorId) ? await accounts.GetOperatorAsync(tenant, operatorId, ct) : null;
    }

    internal static string BookingUrl(string origin, string handle) => $"{origin}/book/{handle}";

    private static AvailabilityBody View(OperatorAvailability a, HttpContext http) =>
        AvailabilityWire.ToBody(a, a.Enabled && a.Handle is not null ? BookingUrl(PublicUrl.Of(http), a.Handle) : null);
}
