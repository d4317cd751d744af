using System.Net;
using System.Net.Sockets;
using Parley.Functions.Hosting;

namespace Parley.Functions.RateLimiting;

/// <summary>
/// The caller's IP address, and the key rate limits count it by. Under the Functions host every request comes from the host on
/// loopback, and Azure's front end appends the real client to <c>X-Forwarded-For</c>; only that last entry is
/// trusted (earlier entries are whatever the client sent). Standalone, the socket's address is used unless
/// <c>Network__TrustForwardedFor</c> says a trusted proxy sits in front.
/// </summary>
public static class ClientAddress
{
    public const string TrustSetting = "Network:TrustForwardedFor";

    public static string Get(HttpContext context) => Address(context)?.ToString() ?? "unknown";

    /// <summary>
    /// What rate limits count by. An IPv6 client usually holds a whole /64 (one subnet is the smallest unit
    /// providers assign), so counting single IPv6 addresses would hand it 2^64 allowances: IPv6 clients are counted
    /// by their /64 prefix. IPv4-mapped IPv6 addresses (<c>::ffff:a.b.c.d</c>, from dual-stack sockets) count as the IPv4 address.
    /// </summary>
    public static string RateLimitKey(HttpContext context) => RateLimitKey(Address(context));

    public static string RateLimitKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear(); // also drops any scope id
        return new IPAddress(bytes) + "/64";
    }

    private static IPAddress? Address(HttpContext context)
    {
        var configuration = context.RequestServices.GetRequiredService<IConfiguration>();
        var trust = configuration.GetValue<bool?>(TrustSetting) ?? HostingMode.IsFunctionsHost(configuration);
        if (trust && context.Request.Headers["X-Forwarded-For"].ToString() is { Length: > 0 } forwarded)
        {
            var last = forwarded.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            if (last is not null && TryParseWithOptionalPort(last, out var parsed))
            {
                return parsed;
            }
        }
        return context.Connection.RemoteIpAddress;
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
