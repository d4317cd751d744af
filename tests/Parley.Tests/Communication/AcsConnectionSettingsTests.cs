using Microsoft.Extensions.Configuration;
using Parley.Functions.Communication.Acs;

namespace Parley.Tests.Communication;

/// <summary>How the app reaches Communication Services: an access key locally, the managed identity in Azure (infra/).</summary>
public sealed class AcsConnectionSettingsTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void An_endpoint_without_a_connection_string_connects_with_the_managed_identity_and_no_key()
    {
        var connection = AcsConnection.FromSettings(Settings(("Communication:Endpoint", "https://parley-acs.communication.azure.com/"),
            ("Communication:ClientId", "00000000-0000-0000-0000-000000000001")));
        Assert.Equal(new Uri("https://parley-acs.communication.azure.com/"), connection.Endpoint);
        Assert.IsType<Azure.Identity.ManagedIdentityCredential>(connection.Credential);
    }

    [Fact]
    public void A_connection_string_wins_and_signs_with_its_key()
    {
        var connection = AcsConnection.FromSettings(Settings(("Communication:ConnectionString", $"endpoint=https://x.communication.azure.com/;accesskey={Convert.ToBase64String(new byte[32])}"),
            ("Communication:Endpoint", "https://other.communication.azure.com/")));
        Assert.Equal(new Uri("https://x.communication.azure.com/"), connection.Endpoint);
        Assert.Null(connection.Credential);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("http://plain.communication.azure.com/")]
    public void Without_either_the_message_names_both_settings(string? endpoint)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => AcsConnection.FromSettings(endpoint is null ? Settings() : Settings(("Communication:Endpoint", endpoint))));
        Assert.Contains("Communication__ConnectionString", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Communication__Endpoint", ex.Message, StringComparison.Ordinal);
    }
}
