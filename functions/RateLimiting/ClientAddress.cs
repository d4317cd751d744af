using System.Net;
using Parley.Functions.Hosting;

namespace Parley.Functions.RateLimiting;

/// <summary>
/// The caller's IP address for rate limits. Under the Functions host every request comes from the host on
/// loopback, and Azure's front end appends the real client to <c>X-Forwarded-For</c>; only that last entry is
/// trusted (earlier entries are whatever the client sent). Standalone, the socket's address is used unless
/// <c>Network__TrustForwardedFor</c> says a trusted proxy sits in front.
/// </summary>
public static class ClientAddress
{
    public const string TrustSetting = "Network:TrustForwardedFor";

    public static string Get(HttpContext context)
    {
        var configuration = context.RequestServices.GetRequiredService<IConfiguration>();
        var trust = configuration.GetValue<bool?>(TrustSetting) ?? HostingMode.IsFunctionsHost(configuration);
        if (trust && context.Request.Headers["X-Forwarded-For"].ToString() is { Length: > 0 } forwarded)
        {
            var last = forwarded.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            if (last is not null && TryParseWithOptionalPort(last, out var parsed))
            {
                return parsed.ToString();
            }
        }
        return context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }

    private static bool TryParseWithOptionalPort(string value, out IPAddress address)
    {
        if (IPEndPoint.TryParse(value, out var endpoint))
        {
            address = endpoint.Address;
            return true;
        }
        return IPAddress.TryParse(value, out address!);
    }
}
