using Azure;
using Parley.Functions.Communication.Acs;

namespace Parley.Tests.Communication;

public sealed class AcsClientTests : IAsyncLifetime
{
    private FakeAcs _acs = null!;
    private AcsClient _client = null!;

    public async Task InitializeAsync()
    {
        _acs = await FakeAcs.StartAsync();
        var options = new AcsClientOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        _client = new AcsClient(AcsConnection.Parse(_acs.ConnectionString, "Communication__ConnectionString"), options);
    }

    public async Task DisposeAsync() => await _acs.DisposeAsync();

    [Fact]
    public void The_signature_matches_an_independently_computed_vector()
    {
        var key = Convert.FromBase64String(FakeAcs.KeyBase64);
        var stringToSign = AcsHmacPolicy.StringToSign("POST", new Uri("https://parley.communication.azure.com/sms?api-version=2021-03-07"),
            "Sun, 22 Nov 2026 10:00:00 GMT", "parley.communication.azure.com", "rRfioR1vARkf9ciANG28Ipqwli0BPvQC3NH5FiSX1Z4=");

        Assert.Equal("POST\n/sms?api-version=2021-03-07\nSun, 22 Nov 2026 10:00:00 GMT;parley.communication.azure.com;rRfioR1vARkf9ciANG28Ipqwli0BPvQC3NH5FiSX1Z4=", stringToSign);
        Assert.Equal("oMQHDJJ/c97h74a6ZM/MrfXIQJbTPuZb2Thc7u8qc/Q=", AcsHmacPolicy.Sign(key, stringToSign));
    }

    [Fact]
    public async Task An_sms_is_signed_carries_its_tag_and_a_repeated_send_is_not_sent_twice()
    {
        var id = Guid.NewGuid();
        var first = DateTimeOffset.UtcNow;

        var result = await _client.SendSmsAsync("+4930123456", "+491701234567", "Ihr Termin: Mo 10:00 Grüße", "msg-1", id, first, CancellationToken.None);
        var again = await _client.SendSmsAsync("+4930123456", "+491701234567", "Ihr Termin: Mo 10:00 Grüße", "msg-1", id, first, CancellationToken.None);

        Assert.True(result.Successful);
        Assert.True(again.Successful);
        Assert.Empty(_acs.SignatureFailures);
        var sent = Assert.Single(_acs.SentSms).Value;
        Assert.Equal("Ihr Termin: Mo 10:00 Grüße", sent.GetProperty("message").GetString());
        Assert.True(sent.GetProperty("smsSendOptions").GetProperty("enableDeliveryReport").GetBoolean());
        Assert.Equal("msg-1", sent.GetProperty("smsSendOptions").GetProperty("tag").GetString());
    }

    [Fact]
    public async Task An_email_is_sent_with_our_operation_id_and_polled_until_it_succeeds()
    {
        var operation = Guid.NewGuid();
        _acs.EmailPollsBeforeDone = 2;

        var started = await _client.SendEmailAsync("DoNotReply@parley.example", "anna@example.com", "Anna", "Ihre Einladung", "Text", "<p>Text</p>", operation, CancellationToken.None);
        var polls = new List<string>();
        var status = started;
        while (!status.IsTerminal)
        {
            status = await _client.GetEmailOperationAsync(started.Id, CancellationToken.None);
            polls.Add(status.Status);
        }

        Assert.Equal(operation.ToString("D"), started.Id);
        Assert.Equal("Running", started.Status);
        Assert.Equal(TimeSpan.FromSeconds(1), started.RetryAfter);
        Assert.Equal(["Running", "Running", "Succeeded"], polls);
        var email = Assert.Single(_acs.SentEmails).Value;
        Assert.Equal("<p>Text</p>", email.GetProperty("content").GetProperty("html").GetString());
        Assert.Equal("anna@example.com", email.GetProperty("recipients").GetProperty("to")[0].GetProperty("address").GetString());
        Assert.Empty(_acs.SignatureFailures);
    }

    [Fact]
    public async Task Throttling_and_server_errors_are_retried_and_each_retry_is_signed_afresh()
    {
        _acs.Failures.Enqueue((429, 1));
        _acs.Failures.Enqueue((500, null));

        var result = await _client.SendSmsAsync("+4930123456", "+491701234567", "retry me", "msg-2", Guid.NewGuid(), DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.True(result.Successful);
        Assert.Equal(3, _acs.Server.Requests.Count(r => r.PathAndQuery.StartsWith("/sms", StringComparison.Ordinal)));
        Assert.Empty(_acs.SignatureFailures);
        Assert.Single(_acs.SentSms);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    public async Task Client_errors_are_not_retried_and_surface_with_the_status(int status)
    {
        _acs.Failures.Enqueue((status, null));

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() =>
            _client.SendSmsAsync("+4930123456", "+491701234567", "nope", "msg-3", Guid.NewGuid(), DateTimeOffset.UtcNow, CancellationToken.None));

        Assert.Equal(status, ex.Status);
        Assert.Single(_acs.Server.Requests);
        Assert.Empty(_acs.SentSms);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_by_the_service()
    {
        var wrong = new AcsClient(AcsConnection.Parse($"endpoint={_acs.Server.BaseAddress};accesskey={Convert.ToBase64String(new byte[32])}", "x"));

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() =>
            wrong.SendSmsAsync("+4930123456", "+491701234567", "forged", "msg-4", Guid.NewGuid(), DateTimeOffset.UtcNow, CancellationToken.None));

        Assert.Equal(401, ex.Status);
        Assert.Contains("signature mismatch", _acs.SignatureFailures);
    }

    [Theory]
    [InlineData("accesskey=abc=")]
    [InlineData("endpoint=https://x.communication.azure.com/")]
    [InlineData("endpoint=https://x.communication.azure.com/;accesskey=not base64!")]
    public void Malformed_connection_strings_name_the_setting(string value)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => AcsConnection.Parse(value, "Communication__ConnectionString"));
        Assert.Contains("Communication__ConnectionString", ex.Message);
    }
}
