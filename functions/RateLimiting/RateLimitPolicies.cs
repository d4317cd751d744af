using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.RateLimiting;

/// <summary>A named limit: <c>RateLimits__{Name}__Limit</c> requests per <c>RateLimits__{Name}__Window</c> and client address (IPv6: per /64).</summary>
public sealed record RateLimitPolicy(string Name, int Limit, TimeSpan Window)
{
    public static readonly RateLimitPolicy SignUp = new("SignUp", 10, TimeSpan.FromHours(1));
    public static readonly RateLimitPolicy SignIn = new("SignIn", 30, TimeSpan.FromMinutes(5));
    public static readonly RateLimitPolicy SetPassword = new("SetPassword", 20, TimeSpan.FromMinutes(15));

    public RateLimitPolicy WithConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection($"RateLimits:{Name}");
        return this with
        {
            Limit = section.GetValue<int?>("Limit") ?? Limit,
            Window = section.GetValue<TimeSpan?>("Window") ?? Window,
        };
    }
}

public static class RateLimitEndpointExtensions
{
    /// <summary>Limits the endpoint per client address, before any other work; 429 with Retry-After, or 503 when the limiter cannot decide.</summary>
    public static TBuilder RateLimitedPerClient<TBuilder>(this TBuilder builder, RateLimitPolicy policy) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var effective = policy.WithConfiguration(http.RequestServices.GetRequiredService<IConfiguration>());
            var limiter = http.RequestServices.GetRequiredService<TableRateLimiter>();
            RateLimitDecision decision;
            try
            {
                decision = await limiter.HitAsync(effective.Name, ClientAddress.RateLimitKey(http), effective.Limit, effective.Window, http.RequestAborted);
            }
            catch (RateLimiterUnavailableException)
            {
                return TooBusy();
            }
            if (!decision.Allowed)
            {
                return TooMany(http, decision.RetryAfter, L("Too many requests from your network. Please wait a moment and try again."));
            }
            return await next(context);
        });

    public static IResult TooMany(HttpContext http, TimeSpan retryAfter, string detail)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests, title: L("Too many requests"), type: "https://parley.app/problems/rate-limited");
    }

    public static IResult TooBusy() => Storage.StorageOutage.Unavailable(
        L("The service cannot check request limits right now, so it refuses the request. Please try again shortly."));
}
