using System.Net;
using System.Net.Sockets;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Webhooks;

/// <summary>
/// Keeps Parley's outgoing requests to customers' URLs (webhooks, REST hooks) away from Parley's own network: loopback,
/// link-local (incl. the cloud metadata address 169.254.169.254), private, carrier-grade NAT, unique-local IPv6,
/// multicast, reserved and documentation ranges, and IPv6 forms that embed such an IPv4 address (mapped, NAT64, 6to4).
/// Checked twice: when a URL is subscribed (<see cref="CheckAsync"/>: its spelling, and what its name resolves to now)
/// and at every connection (<see cref="ConnectAsync"/>, the <see cref="SocketsHttpHandler.ConnectCallback"/>: the
/// addresses resolved for that very connection), which defeats DNS rebinding. Redirects are never followed
/// (<see cref="CreateHandler"/>). With <c>allowLoopback</c> (a local setting) developers may use receivers on their own machine.
/// </summary>
public sealed class OutboundAddressGuard(bool allowLoopback, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
{
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve = resolve ?? ((host, ct) => Dns.GetHostAddressesAsync(host, ct));

    public bool AllowsLoopback => allowLoopback;

    /// <summary>Null when the URL may be subscribed; otherwise why not (a sentence for the field error).</summary>
    public async Task<string?> CheckAsync(string? url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || string.IsNullOrEmpty(uri.Host))
        {
            return L("Enter a web address starting with https://.");
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return L("Leave user names and passwords out of the address.");
        }
        // System.Uri reads decimal, octal and hexadecimal IPv4 spellings (2130706433, 0177.0.0.1, 0x7f.1) as the address they mean.
        var literal = IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var parsed) ? parsed : null;
        if (uri.Scheme == "http" && !(allowLoopback && (uri.IsLoopback || literal is not null && IPAddress.IsLoopback(literal))))
        {
            return L("Use https:// (only local receivers may use http:// in development).");
        }
        IPAddress[] addresses;
        if (literal is not null)
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await _resolve(uri.IdnHost, ct);
            }
            catch (SocketException)
            {
                return L("This address's host name cannot be found.");
            }
        }
        if (addresses.Length == 0)
        {
            return L("This address's host name cannot be found.");
        }
        return addresses.Any(a => !IsAllowed(a)) ? L("This address points into a private or reserved network; use a public address.") : null;
    }

    /// <summary>Whether Parley may connect to <paramref name="address"/>.</summary>
    public bool IsAllowed(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return IsAllowed(address.MapToIPv4());
        }
        if (allowLoopback && IPAddress.IsLoopback(address))
        {
            return true;
        }
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => !ForbiddenV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => !ForbiddenV6(address),
            _ => false,
        };
    }

    private static bool ForbiddenV4(byte[] b) =>
        b[0] == 0 // "this" network
        || b[0] == 10 // private
        || b[0] == 127 // loopback
        || (b[0] == 100 && b[1] >= 64 && b[1] <= 127) // carrier-grade NAT
        || (b[0] == 169 && b[1] == 254) // link-local, cloud metadata
        || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) // private
        || (b[0] == 192 && b[1] == 0 && b[2] == 0) // IETF protocol assignments
        || (b[0] == 192 && b[1] == 0 && b[2] == 2) // documentation
        || (b[0] == 192 && b[1] == 88 && b[2] == 99) // 6to4 relay anycast
        || (b[0] == 192 && b[1] == 168) // private
        || (b[0] == 198 && (b[1] == 18 || b[1] == 19)) // benchmarking
        || (b[0] == 198 && b[1] == 51 && b[2] == 100) // documentation
        || (b[0] == 203 && b[1] == 0 && b[2] == 113) // documentation
        || b[0] >= 224; // multicast, reserved, broadcast

    private bool ForbiddenV6(IPAddress address)
    {
        var b = address.GetAddressBytes();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any)
            || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast)
        {
            return true;
        }
        if ((b[0] & 0xfe) == 0xfc) // unique-local fc00::/7
        {
            return true;
        }
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) // documentation 2001:db8::/32
        {
            return true;
        }
        if (b[0] == 0x00 && b.Take(10).All(x => x == 0) && b[10] == 0 && b[11] == 0) // IPv4-compatible ::a.b.c.d (deprecated)
        {
            return true;
        }
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) // NAT64 64:ff9b::/96 embeds an IPv4 address
        {
            return !IsAllowed(new IPAddress(b[12..16]));
        }
        if (b[0] == 0x20 && b[1] == 0x02) // 6to4 2002::/16 embeds an IPv4 address
        {
            return !IsAllowed(new IPAddress(b[2..6]));
        }
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00) // Teredo 2001::/32
        {
            return true;
        }
        return false;
    }

    /// <summary>
    /// The connect callback: resolves the host for this connection and connects only when every address it resolves to
    /// is allowed (a name that answers with a mix is refused whole), so a name re-pointed after subscription gets nowhere.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await _resolve(host, ct);
        if (addresses.Length == 0 || addresses.Any(a => !IsAllowed(a)))
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"Refused to connect to {host}: it resolves into a private or reserved network.");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A handler for outgoing deliveries: the guard at connect time, no redirects, no cookies, no proxy, a bounded connect.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        ConnectCallback = ConnectAsync,
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    };
}
