using Parley.Functions.Communication.Acs;

namespace Parley.Tests.Communication;

public sealed class AcsCallTests : IAsyncLifetime
{
    private FakeAcs _acs = null!;
    private AcsCallClient _calls = null!;

    public async Task InitializeAsync()
    {
        _acs = await FakeAcs.StartAsync();
        var options = new AcsClientOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        _calls = new AcsCallClient(new AcsClient(AcsConnection.Parse(_acs.ConnectionString, "Communication__ConnectionString"), options));
    }

    public async Task DisposeAsync() => await _acs.DisposeAsync();

    [Fact]
    public async Task A_call_is_created_once_even_when_the_create_is_retried_and_then_speaks_and_hangs_up()
    {
        var repeatability = Guid.NewGuid();
        var first = DateTimeOffset.UtcNow;
        var callback = new Uri("https://parley.example/api/acs/calls/acct/call1/secret");
        _acs.Failures.Enqueue((500, null)); // the first attempt fails at ACS; Azure.Core retries with the same headers

        var call = await _calls.CreateCallAsync("+491701234567", "+4930123456", callback, "alert:call1", repeatability, first, "https://ai.example.cognitiveservices.azure.com/", CancellationToken.None);
        var again = await _calls.CreateCallAsync("+491701234567", "+4930123456", callback, "alert:call1", repeatability, first, "https://ai.example.cognitiveservices.azure.com/", CancellationToken.None);
        var (locale, voice) = AcsCallClient.VoiceFor("de");
        await _calls.PlayTextAsync(call.CallConnectionId, "Ein Kunde hat Ihnen eine Nachricht per E-Mail hinterlassen.", locale, voice, "play:call1", CancellationToken.None);
        await _calls.HangUpAsync(call.CallConnectionId, CancellationToken.None);

        Assert.Equal(call.CallConnectionId, again.CallConnectionId);
        var created = Assert.Single(_acs.Calls).Value;
        var target = created.GetProperty("targets")[0];
        Assert.Equal("phoneNumber", target.GetProperty("kind").GetString());
        Assert.Equal("4:+491701234567", target.GetProperty("rawId").GetString());
        Assert.Equal("+4930123456", created.GetProperty("sourceCallerIdNumber").GetProperty("value").GetString());
        Assert.Equal(callback.ToString(), created.GetProperty("callbackUri").GetString());
        Assert.Equal("https://ai.example.cognitiveservices.azure.com/", created.GetProperty("callIntelligenceOptions").GetProperty("cognitiveServicesEndpoint").GetString());
        Assert.Equal([$"play:{call.CallConnectionId}:de-DE:de-DE-KatjaNeural:Ein Kunde hat Ihnen eine Nachricht per E-Mail hinterlassen.", $"terminate:{call.CallConnectionId}"], _acs.CallActions);
        Assert.Empty(_acs.SignatureFailures);
    }

    [Fact]
    public void Callback_cloud_events_are_read_including_failures()
    {
        const string json = """
        [
          { "id": "e1", "source": "calling/callConnections/c1", "type": "Microsoft.Communication.CallConnected", "specversion": "1.0",
            "data": { "callConnectionId": "c1", "serverCallId": "s1", "correlationId": "k1", "operationContext": "alert:call1" } },
          { "id": "e2", "source": "calling/callConnections/c1", "type": "Microsoft.Communication.PlayCompleted", "specversion": "1.0",
            "data": { "callConnectionId": "c1", "operationContext": "play:call1", "resultInformation": { "code": 200, "subCode": 0, "message": "Action completed successfully." } } },
          { "id": "e3", "source": "calling/callConnections/c2", "type": "Microsoft.Communication.CreateCallFailed", "specversion": "1.0",
            "data": { "callConnectionId": "c2", "operationContext": "alert:call2", "resultInformation": { "code": 408, "subCode": 8523, "message": "Call was not answered." } } }
        ]
        """;

        var events = CallEvent.ParseMany(json);

        Assert.Equal(["CallConnected", "PlayCompleted", "CreateCallFailed"], events.Select(e => e.Name));
        Assert.Equal("alert:call1", events[0].OperationContext);
        Assert.Equal(200, events[1].ResultCode);
        Assert.Equal((408, 8523), (events[2].ResultCode!.Value, events[2].ResultSubCode!.Value));
        Assert.Equal("c2", events[2].CallConnectionId);
    }

    [Theory]
    [InlineData("de", "de-DE")]
    [InlineData("nl", "nl-NL")]
    [InlineData("xx", "en-US")]
    public void Calls_speak_the_language_of_the_person_called(string language, string locale)
    {
        Assert.Equal(locale, AcsCallClient.VoiceFor(language).Locale);
    }
}
