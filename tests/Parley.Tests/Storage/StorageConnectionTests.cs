using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Parley.Functions.Storage;

namespace Parley.Tests.Storage;

public sealed class StorageConnectionTests
{
    [Fact]
    public void Development_storage_points_at_Azurites_default_ports_with_the_public_key()
    {
        var connection = StorageConnection.Parse("UseDevelopmentStorage=true");

        Assert.Equal("http://127.0.0.1:10002/devstoreaccount1", connection.TableEndpoint.ToString());
        Assert.Equal("http://127.0.0.1:10001/devstoreaccount1", connection.QueueEndpoint.ToString());
        Assert.Equal("devstoreaccount1", connection.AccountName);
        Assert.True(connection.UsesSharedKey);
        Assert.Null(connection.Credential);
    }

    [Fact]
    public void An_account_key_connection_string_builds_the_public_endpoints_from_the_suffix()
    {
        var connection = StorageConnection.Parse("DefaultEndpointsProtocol=https;AccountName=parleyprod;AccountKey=" + StorageConnection.DevelopmentAccountKey + ";EndpointSuffix=core.windows.net");

        Assert.Equal("https://parleyprod.table.core.windows.net/", connection.TableEndpoint.ToString());
        Assert.Equal("https://parleyprod.queue.core.windows.net/", connection.QueueEndpoint.ToString());
        Assert.DoesNotContain(StorageConnection.DevelopmentAccountKey, connection.Description);
    }

    [Fact]
    public void Explicit_endpoints_in_the_connection_string_win()
    {
        var connection = StorageConnection.Parse($"AccountName=devstoreaccount1;AccountKey={StorageConnection.DevelopmentAccountKey};TableEndpoint=http://127.0.0.1:1234/devstoreaccount1;QueueEndpoint=http://127.0.0.1:5678/devstoreaccount1");

        Assert.Equal(1234, connection.TableEndpoint.Port);
        Assert.Equal(5678, connection.QueueEndpoint.Port);
    }

    [Theory]
    [InlineData("nonsense", "not 'Name=value'")]
    [InlineData("AccountName=a", "no AccountKey")]
    [InlineData("AccountKey=abc=", "no AccountName")]
    [InlineData("AccountName=a;AccountKey=not base64!", "not valid base64")]
    [InlineData("UseDevelopmentStorage=false", "must be 'true'")]
    [InlineData("AccountName=a;AccountKey=YWJj;TableEndpoint=ftp://x", "absolute http(s) URL")]
    [InlineData("BlobEndpoint=https://a.blob.core.windows.net;SharedAccessSignature=sv=1", "SAS connection strings are not supported")]
    public void Malformed_connection_strings_fail_with_a_message_naming_the_setting(string value, string expected)
    {
        var ex = Assert.Throws<StorageConfigurationException>(() => StorageConnection.Parse(value));

        Assert.Contains("AzureWebJobsStorage", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Missing_storage_configuration_explains_both_ways_to_configure_it()
    {
        var ex = Assert.Throws<StorageConfigurationException>(() => StorageConnection.FromConfiguration(Config([])));

        Assert.Contains("'AzureWebJobsStorage'", ex.Message);
        Assert.Contains("__tableServiceUri", ex.Message);
    }

    [Fact]
    public void Service_uris_use_a_managed_identity_credential()
    {
        var connection = StorageConnection.FromConfiguration(Config(new()
        {
            ["AzureWebJobsStorage:tableServiceUri"] = "https://parleyprod.table.core.windows.net",
            ["AzureWebJobsStorage:queueServiceUri"] = "https://parleyprod.queue.core.windows.net",
            ["AzureWebJobsStorage:blobServiceUri"] = "https://parleyprod.blob.core.windows.net",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
            ["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
        }));

        Assert.False(connection.UsesSharedKey);
        Assert.Null(connection.TableKeyCredential);
        Assert.IsType<ManagedIdentityCredential>(connection.Credential);
        Assert.Equal("parleyprod.table.core.windows.net", connection.TableEndpoint.Host);
        Assert.Equal("parleyprod.blob.core.windows.net", connection.BlobEndpoint.Host);
        Assert.Null(connection.KeyConnectionString);
    }

    [Fact]
    public void Without_the_blob_service_uri_the_error_names_it()
    {
        var ex = Assert.Throws<StorageConfigurationException>(() => StorageConnection.FromConfiguration(Config(new()
        {
            ["AzureWebJobsStorage:tableServiceUri"] = "https://parleyprod.table.core.windows.net",
            ["AzureWebJobsStorage:queueServiceUri"] = "https://parleyprod.queue.core.windows.net",
        })));

        Assert.Contains("AzureWebJobsStorage__blobServiceUri", ex.Message);
    }

    [Fact]
    public void The_connection_string_for_the_durable_engine_carries_all_three_endpoints()
    {
        var connection = StorageConnection.Parse($"AccountName=devstoreaccount1;AccountKey={StorageConnection.DevelopmentAccountKey};DefaultEndpointsProtocol=http;TableEndpoint=http://127.0.0.1:1234/devstoreaccount1;QueueEndpoint=http://127.0.0.1:5678/devstoreaccount1;BlobEndpoint=http://127.0.0.1:9012/devstoreaccount1");

        var again = StorageConnection.Parse(connection.KeyConnectionString!);

        Assert.Equal((connection.TableEndpoint, connection.QueueEndpoint, connection.BlobEndpoint), (again.TableEndpoint, again.QueueEndpoint, again.BlobEndpoint));
        Assert.Equal(9012, again.BlobEndpoint.Port);
        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1", StorageConnection.Parse("UseDevelopmentStorage=true").BlobEndpoint.ToString());
    }

    [Fact]
    public void Only_one_service_uri_is_a_clear_error()
    {
        var ex = Assert.Throws<StorageConfigurationException>(() => StorageConnection.FromConfiguration(Config(new()
        {
            ["AzureWebJobsStorage:tableServiceUri"] = "https://parleyprod.table.core.windows.net",
        })));

        Assert.Contains("AzureWebJobsStorage__queueServiceUri", ex.Message);
    }

    [Fact]
    public void Service_uris_without_tls_are_refused_because_tokens_would_travel_in_clear_text()
    {
        var ex = Assert.Throws<StorageConfigurationException>(() => StorageConnection.FromConfiguration(Config(new()
        {
            ["AzureWebJobsStorage:tableServiceUri"] = "http://a.table.core.windows.net",
            ["AzureWebJobsStorage:queueServiceUri"] = "https://a.queue.core.windows.net",
            ["AzureWebJobsStorage:blobServiceUri"] = "https://a.blob.core.windows.net",
        })));

        Assert.Contains("AzureWebJobsStorage__tableServiceUri", ex.Message);
        Assert.Contains("https", ex.Message);
    }

    [Fact]
    public void An_unknown_credential_kind_is_a_clear_error()
    {
        var ex = Assert.Throws<StorageConfigurationException>(() => StorageConnection.FromConfiguration(Config(new()
        {
            ["AzureWebJobsStorage:tableServiceUri"] = "https://a.table.core.windows.net",
            ["AzureWebJobsStorage:queueServiceUri"] = "https://a.queue.core.windows.net",
            ["AzureWebJobsStorage:blobServiceUri"] = "https://a.blob.core.windows.net",
            ["AzureWebJobsStorage:credential"] = "password",
        })));

        Assert.Contains("AzureWebJobsStorage__credential", ex.Message);
    }

    private static IConfiguration Config(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
