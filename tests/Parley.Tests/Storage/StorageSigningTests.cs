using Parley.Functions.Storage;

namespace Parley.Tests.Storage;

/// <summary>Fixed vectors: strings written out by hand from the REST docs, signatures computed with an independent HMAC implementation.</summary>
public sealed class StorageSigningTests
{
    private static readonly StorageSharedKey DevKey = new(StorageConnection.DevelopmentAccountName, StorageConnection.DevelopmentAccountKey);

    [Fact]
    public void Table_SharedKeyLite_signs_date_and_the_path_style_resource_with_the_account_twice()
    {
        var uri = new Uri("http://127.0.0.1:10002/devstoreaccount1/Cases(PartitionKey='a',RowKey='b')?$select=Name");

        var stringToSign = StorageSigning.TableSharedKeyLiteStringToSign("Sun, 22 Nov 2026 10:00:00 GMT", "devstoreaccount1", uri);

        Assert.Equal("Sun, 22 Nov 2026 10:00:00 GMT\n/devstoreaccount1/devstoreaccount1/Cases(PartitionKey='a',RowKey='b')", stringToSign);
        Assert.Equal("cWBcv9sB/cNuTQ5RehbWa1GiRSkhc29Q60bAKIL2rZc=", DevKey.ComputeSignature(stringToSign));
    }

    [Fact]
    public void Table_SharedKeyLite_keeps_only_the_comp_query_parameter()
    {
        var uri = new Uri("https://acct.table.core.windows.net/?restype=service&comp=properties");

        Assert.Equal("d\n/acct/?comp=properties", StorageSigning.TableSharedKeyLiteStringToSign("d", "acct", uri));
    }

    [Fact]
    public void Queue_SharedKey_signs_standard_headers_all_x_ms_headers_and_sorted_query_parameters()
    {
        var uri = new Uri("http://127.0.0.1:10001/devstoreaccount1/sweeps/messages?visibilitytimeout=30&messagettl=-1");
        var headers = new Dictionary<string, string>
        {
            ["x-ms-version"] = "2021-12-02",
            ["X-MS-Date"] = "Sun, 22 Nov 2026 10:00:00 GMT",
            ["x-ms-client-request-id"] = "0f8fad5b-d9cb-469f-a165-70867728950e",
            ["Content-Type"] = "application/xml; charset=utf-8",
            ["Date"] = "ignored because x-ms-date is present",
            ["User-Agent"] = "not signed",
        };

        var stringToSign = StorageSigning.QueueSharedKeyStringToSign("POST", uri, headers, 76, "devstoreaccount1");

        Assert.Equal(
            "POST\n\n\n76\n\napplication/xml; charset=utf-8\n\n\n\n\n\n\n" +
            "x-ms-client-request-id:0f8fad5b-d9cb-469f-a165-70867728950e\nx-ms-date:Sun, 22 Nov 2026 10:00:00 GMT\nx-ms-version:2021-12-02\n" +
            "/devstoreaccount1/devstoreaccount1/sweeps/messages\nmessagettl:-1\nvisibilitytimeout:30",
            stringToSign);
        Assert.Equal("qKVsgj2ba3yBnWRw/lwNvxYNGIS+IMKo9YHgCoG1jh0=", DevKey.ComputeSignature(stringToSign));
    }

    [Fact]
    public void Queue_SharedKey_leaves_content_length_empty_for_an_empty_body_and_decodes_query_values()
    {
        var uri = new Uri("https://acct.queue.core.windows.net/q/messages/id?popreceipt=AgAAAA%2BbXw%3D%3D");

        var stringToSign = StorageSigning.QueueSharedKeyStringToSign("DELETE", uri, [new("x-ms-date", "d")], 0, "acct");

        Assert.Equal("DELETE\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:d\n/acct/q/messages/id\npopreceipt:AgAAAA+bXw==", stringToSign);
    }
}
