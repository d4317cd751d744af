using System.Xml.Linq;
using Azure.Storage.Queues;
using Azure.Storage.Sas;
using Parley.Functions.Storage;
using Parley.Testing;

namespace Parley.Tests.Storage;

/// <summary>
/// One encoding for every queue: what we enqueue is the JSON text itself (no base64), because host.json's queue trigger
/// reads messages with <c>"messageEncoding": "none"</c> and Event Grid writes its delivery reports as raw JSON.
/// </summary>
public sealed class QueueMessageEncodingTests : IAsyncLifetime
{
    private const string Json = """{"text":"<b>Grüße</b> & 'quotes' \"double\" 🎉","n":1}""";
    private StorageAccount _account = null!;
    private QueueClient _queue = null!;

    public async Task InitializeAsync()
    {
        _account = (await Azurite.SharedAsync()).CreateAccount();
        _queue = _account.GetQueueClient(Azurite.UniqueQueueName("encoding"));
        await _queue.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync() => await _queue.DeleteIfExistsAsync();

    [Fact]
    public async Task The_queue_service_holds_exactly_the_json_text_that_the_trigger_hands_over()
    {
        await _queue.SendMessageAsync(Json);

        // Read it the way the Functions host does with messageEncoding "none": the raw MessageText of the REST answer.
        var sas = _queue.GenerateSasUri(QueueSasPermissions.Read | QueueSasPermissions.Process, DateTimeOffset.UtcNow.AddMinutes(5));
        using var http = new HttpClient();
        var xml = await http.GetStringAsync(new UriBuilder(sas) { Path = sas.AbsolutePath + "/messages", Query = sas.Query.TrimStart('?') + "&peekonly=true" }.Uri);
        var text = XDocument.Parse(xml).Root!.Element("QueueMessage")!.Element("MessageText")!.Value;

        Assert.Equal(Json, text);
    }

    [Fact]
    public async Task Raw_json_written_by_another_producer_is_read_unchanged()
    {
        // Event Grid puts delivery reports as plain JSON; a client with base64 encoding would fail to read them.
        var producer = new QueueClient(_queue.Uri, _account.Connection.StorageKeyCredential!, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        await producer.SendMessageAsync(Json);

        var received = Assert.Single((await _queue.ReceiveMessagesAsync(1)).Value);

        Assert.Equal(Json, received.Body.ToString());
    }

    [Fact]
    public void Every_queue_client_uses_the_encoding_host_json_declares()
    {
        using var host = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json")));
        var declared = host.RootElement.GetProperty("extensions").GetProperty("queues").GetProperty("messageEncoding").GetString();

        Assert.Equal("none", declared);
        Assert.Equal(QueueMessageEncoding.None, StorageAccount.MessageEncoding);
    }
}
