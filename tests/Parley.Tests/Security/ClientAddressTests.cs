using System.Net;
using Parley.Functions.RateLimiting;

namespace Parley.Tests.Security;

public sealed class ClientAddressTests
{
    [Theory]
    [InlineData("198.51.100.7", "198.51.100.7")]
    [InlineData("::ffff:198.51.100.7", "198.51.100.7")]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    [InlineData("fe80::1%3", "fe80::/64")]
    [InlineData("::1", "::/64")]
    public void Rate_limits_count_ipv4_clients_by_address_and_ipv6_clients_by_their_64_bit_prefix(string address, string key) =>
        Assert.Equal(key, ClientAddress.RateLimitKey(IPAddress.Parse(address)));

    [Fact]
    public void An_unknown_address_has_one_shared_key() => Assert.Equal("unknown", ClientAddress.RateLimitKey((IPAddress?)null));
}
