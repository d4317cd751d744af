using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Parley.Functions.Communication.Acs;

/// <summary>
/// Communication Services over REST on Azure.Core (the ACS SDKs are not available here): SMS send, e-mail send and
/// its operation status. Repeatability ids / operation ids make a retried send not send twice (ACS keeps them for
/// a few minutes; our own message records cover the rest).
/// </summary>
public sealed class AcsClient
{
    public const string SmsApiVersion = "2021-03-07";
    public const string EmailApiVersion = "2023-03-31";
    private const string Scope = "https://communication.azure.com//.default";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly HttpPipeline _pipeline;
    private readonly string _endpoint;

    public AcsClient(AcsConnection connection, ClientOptions? options = null, TimeProvider? time = null)
    {
        options ??= new AcsClientOptions();
        HttpPipelinePolicy auth = connection.AccessKey is { } key
            ? new AcsHmacPolicy(key, time ?? TimeProvider.System)
            : new BearerTokenAuthenticationPolicy(connection.Credential!, Scope);
        _pipeline = HttpPipelineBuilder.Build(new HttpPipelineOptions(options) { PerRetryPolicies = { auth } });
        _endpoint = connection.Endpoint.AbsoluteUri.TrimEnd('/');
    }

    /// <summary>Sends one SMS. <paramref name="repeatabilityId"/> (a UUID) makes a retry of the same send a no-op at ACS.</summary>
    public async Task<SmsSendResult> SendSmsAsync(string from, string to, string text, string tag, Guid repeatabilityId, DateTimeOffset firstSent, CancellationToken ct)
    {
        var body = new
        {
            from,
            smsRecipients = new[] { new { to, repeatabilityRequestId = repeatabilityId.ToString("D"), repeatabilityFirstSent = firstSent.ToString("r", CultureInfo.InvariantCulture) } },
            message = text,
            smsSendOptions = new { enableDeliveryReport = true, tag },
        };
        using var message = Create(RequestMethod.Post, $"sms?api-version={SmsApiVersion}", body);
        var response = await SendAsync(message, ct);
        using var doc = JsonDocument.Parse(response.Content.ToMemory());
        var result = doc.RootElement.GetProperty("value")[0];
        return new SmsSendResult(
            result.TryGetProperty("messageId", out var id) ? id.GetString() : null,
            result.GetProperty("successful").GetBoolean(),
            result.TryGetProperty("httpStatusCode", out var status) ? status.GetInt32() : 202,
            result.TryGetProperty("errorMessage", out var error) ? error.GetString() : null);
    }

    /// <summary>Starts an e-mail send; the operation id (ours) identifies it for polling and against double sends.</summary>
    public async Task<EmailOperation> SendEmailAsync(string senderAddress, string to, string? toName, string subject, string plainText, string html, Guid operationId, CancellationToken ct)
    {
        var body = new
        {
            senderAddress,
            recipients = new { to = new[] { new { address = to, displayName = toName } } },
            content = new { subject, plainText, html },
            userEngagementTrackingDisabled = true,
        };
        using var message = Create(RequestMethod.Post, $"emails:send?api-version={EmailApiVersion}", body);
        message.Request.Headers.SetValue("Operation-Id", operationId.ToString("D"));
        var response = await SendAsync(message, ct);
        return ReadOperation(response);
    }

    public async Task<EmailOperation> GetEmailOperationAsync(string operationId, CancellationToken ct)
    {
        using var message = Create(RequestMethod.Get, $"emails/operations/{Uri.EscapeDataString(operationId)}?api-version={EmailApiVersion}", null);
        return ReadOperation(await SendAsync(message, ct));
    }

    private static EmailOperation ReadOperation(Response response)
    {
        using var doc = JsonDocument.Parse(response.Content.ToMemory());
        var root = doc.RootElement;
        string? error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object
            ? (e.TryGetProperty("message", out var m) ? m.GetString() : e.GetRawText())
            : null;
        TimeSpan? retryAfter = response.Headers.TryGetValue("Retry-After", out var ra) && int.TryParse(ra, out var seconds) ? TimeSpan.FromSeconds(seconds) : null;
        return new EmailOperation(root.GetProperty("id").GetString()!, root.GetProperty("status").GetString()!, error, retryAfter);
    }

    /// <summary>A request to a path under the endpoint (also used by <see cref="AcsCallClient"/>).</summary>
    internal HttpMessage Create(RequestMethod method, string pathAndQuery, object? body) =>
        CreateAbsolute(method, pathAndQuery.StartsWith("http", StringComparison.Ordinal) ? pathAndQuery : $"{_endpoint}/{pathAndQuery}", body);

    private HttpMessage CreateAbsolute(RequestMethod method, string url, object? body)
    {
        var message = _pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(new Uri(url));
        message.Request.Headers.SetValue("Accept", "application/json");
        if (body is not null)
        {
            message.Request.Headers.SetValue("Content-Type", "application/json");
            message.Request.Content = RequestContent.Create(JsonSerializer.SerializeToUtf8Bytes(body, Json));
        }
        return message;
    }

    internal async Task<Response> SendAsync(HttpMessage message, CancellationToken ct)
    {
        await _pipeline.SendAsync(message, ct);
        var response = message.Response;
        if (response.Status >= 400)
        {
            throw new RequestFailedException(response);
        }
        return response;
    }
}

public sealed class AcsClientOptions : ClientOptions
{
    public AcsClientOptions()
    {
        Retry.MaxRetries = 3;
        Retry.Mode = RetryMode.Exponential;
        Retry.Delay = TimeSpan.FromMilliseconds(500);
        Retry.MaxDelay = TimeSpan.FromSeconds(10);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(20);
        Diagnostics.IsTelemetryEnabled = false;
        Diagnostics.IsDistributedTracingEnabled = false;
        Diagnostics.IsLoggingContentEnabled = false; // message bodies carry personal data and PINs
    }
}

public sealed record SmsSendResult(string? MessageId, bool Successful, int HttpStatusCode, string? ErrorMessage);

/// <summary>An e-mail send operation: NotStarted, Running, Succeeded, Failed or Canceled.</summary>
public sealed record EmailOperation(string Id, string Status, string? Error, TimeSpan? RetryAfter)
{
    public bool IsTerminal => Status is "Succeeded" or "Failed" or "Canceled";
}
