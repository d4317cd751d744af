using System.Net;
using System.Net.Sockets;
using Parley.Functions.Webhooks;

namespace Parley.Tests.Webhooks;

/// <summary>The SSRF guard for outgoing deliveries (issue 17): refused at subscription and at connection time, no redirects.</summary>
public sealed class OutboundAddressGuardTests
{
    /// <summary>Names used below and what a (hostile) DNS answers for them; nothing here needs the network.</summary>
    private static readonly Dictionary<string, IPAddress[]> Dns = new(StringComparer.OrdinalIgnoreCase)
    {
        ["localhost"] = [IPAddress.Loopback, IPAddress.IPv6Loopback],
        ["metadata.attacker.example"] = [IPAddress.Parse("169.254.169.254")],
        ["intranet.attacker.example"] = [IPAddress.Parse("10.1.2.3")],
        ["mixed.attacker.example"] = [IPAddress.Parse("93.184.215.14"), IPAddress.Parse("192.168.1.1")],
        ["v6local.attacker.example"] = [IPAddress.Parse("fd12:3456:789a::1")],
        ["hooks.example.com"] = [IPAddress.Parse("93.184.215.14")],
        ["ipv6.example.com"] = [IPAddress.Parse("2606:2800:21f:cb07:6820:80da:af6b:8b2c")],
    };

    private static Task<IPAddress[]> Resolve(string host, CancellationToken ct) =>
        Dns.TryGetValue(host, out var found) ? Task.FromResult(found) : throw new SocketException((int)SocketError.HostNotFound);

    /// <summary>The corpus: every one must be refused when subscribed (production settings).</summary>
    public static readonly TheoryData<string> Refused = new()
    {
        "https://127.0.0.1/hook",
        "https://127.1.2.3/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://0.0.0.0/hook",
        "https://0/hook",
        "https://2130706433/hook", // 127.0.0.1 in decimal
        "https://0x7f000001/hook", // hexadecimal
        "https://0177.0.0.1/hook", // octal
        "https://0x7f.0.0.1/hook",
        "https://127.1/hook", // short form
        "https://169.254.169.254/latest/meta-data/",
        "https://2852039166/latest/meta-data/", // 169.254.169.254 in decimal
        "https://[::ffff:169.254.169.254]/", // IPv4-mapped IPv6
        "https://[::ffff:127.0.0.1]/",
        "https://[::ffff:7f00:1]/",
        "https://10.0.0.1/hook",
        "https://172.16.0.1/hook",
        "https://172.31.255.255/hook",
        "https://192.168.0.1/hook",
        "https://100.64.0.1/hook", // carrier-grade NAT
        "https://100.127.255.254/hook",
        "https://[fc00::1]/hook", // unique-local
        "https://[fd00:ec2::254]/hook", // AWS IPv6 metadata
        "https://[fe80::1]/hook", // link-local
        "https://[64:ff9b::a9fe:a9fe]/hook", // NAT64 of 169.254.169.254
        "https://[2002:7f00:1::]/hook", // 6to4 of 127.0.0.1
        "https://224.0.0.1/hook", // multicast
        "https://255.255.255.255/hook",
        "https://198.18.0.1/hook", // benchmarking
        "https://192.0.2.1/hook", // documentation
        "https://metadata.attacker.example/", // a name that resolves to the metadata address
        "https://intranet.attacker.example/",
        "https://mixed.attacker.example/", // one public, one private answer
        "https://v6local.attacker.example/",
        "http://hooks.example.com/hook", // plain http in production
        "https://user:secret@hooks.example.com/hook", // credentials in the address
        "ftp://hooks.example.com/hook",
        "https://no-such-name.invalid/hook",
        "not a url",
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Every_target_of_the_corpus_is_refused_at_subscription(string url)
    {
        var guard = new OutboundAddressGuard(allowLoopback: false, Resolve);
        var refusal = await guard.CheckAsync(url, CancellationToken.None);
        Assert.NotNull(refusal);
        // An address spelled as a number (decimal, octal, hexadecimal, short, mapped) is read as the address it means, never looked up as a name.
        if (url.StartsWith("https://", StringComparison.Ordinal) && !url.Contains('@') && !url.Contains(".invalid", StringComparison.Ordinal))
        {
            Assert.Equal("This address points into a private or reserved network; use a public address.", refusal);
        }
    }

    [Theory]
    [InlineData("https://hooks.example.com/hook")]
    [InlineData("https://ipv6.example.com/hook")]
    [InlineData("https://93.184.215.14/hook")]
    [InlineData("https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook")]
    public async Task Public_https_receivers_are_accepted(string url)
    {
        var guard = new OutboundAddressGuard(allowLoopback: false, Resolve);
        Assert.Null(await guard.CheckAsync(url, CancellationToken.None));
    }

    [Fact]
    public async Task The_local_setting_allows_receivers_on_this_machine_only()
    {
        var guard = new OutboundAddressGuard(allowLoopback: true, Resolve);
        Assert.Null(await guard.CheckAsync("http://127.0.0.1:5000/hook", CancellationToken.None));
        Assert.Null(await guard.CheckAsync("http://localhost:5000/hook", CancellationToken.None));
        Assert.NotNull(await guard.CheckAsync("http://10.0.0.1/hook", CancellationToken.None));
        Assert.NotNull(await guard.CheckAsync("https://169.254.169.254/", CancellationToken.None));
        Assert.NotNull(await guard.CheckAsync("http://hooks.example.com/hook", CancellationToken.None));
    }

    [Fact]
    public async Task A_name_rebound_to_a_private_address_after_subscription_is_refused_at_connection_time()
    {
        using var listener = new HttpListenerOnLoopback();
        var answers = new Dictionary<string, IPAddress[]>(StringComparer.OrdinalIgnoreCase) { ["rebind.attacker.example"] = [IPAddress.Parse("93.184.215.14")] };
        var guard = new OutboundAddressGuard(allowLoopback: false, (host, _) => Task.FromResult(answers[host]));
        Assert.Null(await guard.CheckAsync($"https://rebind.attacker.example:{listener.Port}/hook", CancellationToken.None));

        answers["rebind.attacker.example"] = [IPAddress.Loopback]; // the attacker's DNS changes its answer
        using var client = new HttpClient(guard.CreateHandler());
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://rebind.attacker.example:{listener.Port}/hook"));
        Assert.Contains("private or reserved", refused.Message + refused.InnerException?.Message, StringComparison.Ordinal);
        using var direct = new HttpClient(guard.CreateHandler());
        await Assert.ThrowsAsync<HttpRequestException>(() => direct.GetAsync($"http://127.0.0.1:{listener.Port}/hook"));
        Assert.Equal(0, listener.Requests);
    }

    [Fact]
    public async Task Redirects_are_never_followed()
    {
        using var listener = new HttpListenerOnLoopback(redirectTo: "/elsewhere");
        var guard = new OutboundAddressGuard(allowLoopback: true, Resolve);
        using var client = new HttpClient(guard.CreateHandler());
        using var response = await client.PostAsync($"http://127.0.0.1:{listener.Port}/hook", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(1, listener.Requests); // the redirect's target was never asked for
    }

    /// <summary>A tiny receiver on 127.0.0.1 that counts requests (and answers 302 when told to).</summary>
    private sealed class HttpListenerOnLoopback : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private int _requests;

        public HttpListenerOnLoopback(string? redirectTo = null)
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient client;
                    try
                    {
                        client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    _ = Task.Run(async () =>
                    {
                        using (client)
                        {
                            var stream = client.GetStream();
                            var buffer = new byte[8192];
                            var read = await stream.ReadAsync(buffer);
                            if (read == 0)
                            {
                                return;
                            }
                            Interlocked.Increment(ref _requests);
                            var answer = redirectTo is null
                                ? "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
                                : $"HTTP/1.1 302 Found\r\nLocation: {redirectTo}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(answer));
                        }
                    });
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Requests => Volatile.Read(ref _requests);

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
