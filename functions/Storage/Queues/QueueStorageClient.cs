using System.Globalization;
using System.Security;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Parley.Functions.Storage.Queues;

/// <summary>
/// A typed client for one queue over the Queue REST API (Azure.Storage.Queues' QueueClient in miniature).
/// Message text is sent as XML-escaped plain text, matching host.json's <c>"messageEncoding": "none"</c>:
/// what we put is exactly what a queue trigger hands to its function.
/// </summary>
public sealed partial class QueueStorageClient
{
    private const string ServiceVersion = "2021-12-02";

    /// <summary>Longest delay one put may carry; longer waits are chained hops.</summary>
    public static readonly TimeSpan MaxVisibilityTimeout = TimeSpan.FromDays(7);

    /// <summary>Pass as time-to-live for a message that never expires.</summary>
    public static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    /// <summary>The service's limit for message text (64 KiB).</summary>
    public const int MaxMessageBytes = 64 * 1024;

    private readonly HttpPipeline _pipeline;
    private readonly string _queueUrl;

    internal QueueStorageClient(StorageAccount account, string queueName)
    {
        if (!IsValidName(queueName))
        {
            throw new ArgumentException($"'{queueName}' is not a valid queue name (3–63 lowercase letters, digits and single hyphens).", nameof(queueName));
        }
        _pipeline = account.QueuePipeline;
        _queueUrl = account.Connection.QueueEndpoint.AbsoluteUri.TrimEnd('/') + "/" + queueName;
        Name = queueName;
    }

    public string Name { get; }

    public static bool IsValidName(string name) => QueueNameRegex().IsMatch(name) && !name.Contains("--", StringComparison.Ordinal);

    /// <summary>Creates the queue; an existing queue is fine. Returns true when it was created.</summary>
    public async Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Put, _queueUrl);
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status == 201;
    }

    public async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, _queueUrl);
        await SendAsync(message, cancellationToken, allow: 404).ConfigureAwait(false);
    }

    /// <summary>
    /// Puts a message, invisible for <paramref name="visibilityTimeout"/> (0 to 7 days), living for
    /// <paramref name="timeToLive"/> (default 7 days; <see cref="NeverExpires"/> for no expiry).
    /// </summary>
    public async Task<Response<SendReceipt>> SendMessageAsync(string messageText, TimeSpan? visibilityTimeout = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageText);
        var body = MessageBody(messageText);
        using var message = CreateMessage(RequestMethod.Post, _queueUrl + "/messages");
        if (visibilityTimeout is { } vt)
        {
            if (vt < TimeSpan.Zero || vt > MaxVisibilityTimeout)
            {
                throw new ArgumentOutOfRangeException(nameof(visibilityTimeout), vt, "A message can be hidden for 0 seconds to 7 days; chain hops for longer waits.");
            }
            message.Request.Uri.AppendQuery("visibilitytimeout", Seconds(vt));
        }
        if (timeToLive is { } ttl)
        {
            if (ttl != NeverExpires && ttl <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(timeToLive), ttl, "Time to live must be positive, or NeverExpires.");
            }
            if (ttl != NeverExpires && visibilityTimeout is { } v && v >= ttl)
            {
                throw new ArgumentOutOfRangeException(nameof(visibilityTimeout), v, "The visibility delay must be shorter than the time to live.");
            }
            message.Request.Uri.AppendQuery("messagettl", ttl == NeverExpires ? "-1" : Seconds(ttl));
        }
        message.Request.Headers.SetValue("Content-Type", "application/xml; charset=utf-8");
        message.Request.Content = RequestContent.Create(body);
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        var m = ReadList(response).Single();
        return Response.FromValue(new SendReceipt(
            Text(m, "MessageId"), Text(m, "PopReceipt"),
            Date(m, "InsertionTime") ?? default, Date(m, "ExpirationTime") ?? DateTimeOffset.MaxValue, Date(m, "TimeNextVisible") ?? default), response);
    }

    /// <summary>Receives up to <paramref name="maxMessages"/> (1–32) messages and hides them for <paramref name="visibilityTimeout"/>.</summary>
    public async Task<Response<IReadOnlyList<QueueMessage>>> ReceiveMessagesAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        if (maxMessages is < 1 or > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(maxMessages), maxMessages, "Receive takes 1 to 32 messages.");
        }
        if (visibilityTimeout < TimeSpan.FromSeconds(1) || visibilityTimeout > MaxVisibilityTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(visibilityTimeout), visibilityTimeout, "The lease must be 1 second to 7 days.");
        }
        using var message = CreateMessage(RequestMethod.Get, _queueUrl + "/messages");
        message.Request.Uri.AppendQuery("numofmessages", maxMessages.ToString(CultureInfo.InvariantCulture));
        message.Request.Uri.AppendQuery("visibilitytimeout", Seconds(visibilityTimeout));
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        var messages = ReadList(response).Select(m => new QueueMessage(
            Text(m, "MessageId"), Text(m, "PopReceipt"), Text(m, "MessageText"),
            long.Parse(Text(m, "DequeueCount"), CultureInfo.InvariantCulture),
            Date(m, "InsertionTime"), Date(m, "ExpirationTime"), Date(m, "TimeNextVisible"))).ToList();
        return Response.FromValue<IReadOnlyList<QueueMessage>>(messages, response);
    }

    /// <summary>Looks at up to 32 visible messages without leasing them.</summary>
    public async Task<Response<IReadOnlyList<PeekedMessage>>> PeekMessagesAsync(int maxMessages = 1, CancellationToken cancellationToken = default)
    {
        if (maxMessages is < 1 or > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(maxMessages), maxMessages, "Peek takes 1 to 32 messages.");
        }
        using var message = CreateMessage(RequestMethod.Get, _queueUrl + "/messages");
        message.Request.Uri.AppendQuery("peekonly", "true");
        message.Request.Uri.AppendQuery("numofmessages", maxMessages.ToString(CultureInfo.InvariantCulture));
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        var messages = ReadList(response).Select(m => new PeekedMessage(
            Text(m, "MessageId"), Text(m, "MessageText"),
            long.Parse(Text(m, "DequeueCount"), CultureInfo.InvariantCulture),
            Date(m, "InsertionTime"), Date(m, "ExpirationTime"))).ToList();
        return Response.FromValue<IReadOnlyList<PeekedMessage>>(messages, response);
    }

    /// <summary>Deletes a leased message. A stale pop receipt (the lease ran out and someone else took it) throws 400/404.</summary>
    public async Task<Response> DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, _queueUrl + "/messages/" + Uri.EscapeDataString(messageId));
        message.Request.Uri.AppendQuery("popreceipt", popReceipt);
        return await SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Changes a leased message's visibility (and optionally its text); returns the new pop receipt.</summary>
    public async Task<Response<UpdateReceipt>> UpdateMessageAsync(string messageId, string popReceipt, TimeSpan visibilityTimeout, string? messageText = null, CancellationToken cancellationToken = default)
    {
        if (visibilityTimeout < TimeSpan.Zero || visibilityTimeout > MaxVisibilityTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(visibilityTimeout), visibilityTimeout, "Visibility must be 0 seconds to 7 days.");
        }
        using var message = CreateMessage(RequestMethod.Put, _queueUrl + "/messages/" + Uri.EscapeDataString(messageId));
        message.Request.Uri.AppendQuery("popreceipt", popReceipt);
        message.Request.Uri.AppendQuery("visibilitytimeout", Seconds(visibilityTimeout));
        if (messageText is not null)
        {
            message.Request.Headers.SetValue("Content-Type", "application/xml; charset=utf-8");
            message.Request.Content = RequestContent.Create(MessageBody(messageText));
        }
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        response.Headers.TryGetValue("x-ms-popreceipt", out var receipt);
        response.Headers.TryGetValue("x-ms-time-next-visible", out var next);
        return Response.FromValue(new UpdateReceipt(receipt ?? "", ParseDate(next) ?? default), response);
    }

    /// <summary>The service's approximate count of messages (visible and invisible).</summary>
    public async Task<int> GetApproximateMessageCountAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Get, _queueUrl);
        message.Request.Uri.AppendQuery("comp", "metadata");
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Headers.TryGetValue("x-ms-approximate-messages-count", out var count)
            ? int.Parse(count, CultureInfo.InvariantCulture)
            : 0;
    }

    private static byte[] MessageBody(string text)
    {
        foreach (var c in text)
        {
            if (!XmlConvert.IsXmlChar(c) && !char.IsSurrogate(c))
            {
                throw new ArgumentException($"Message text contains U+{(int)c:X4}, which XML cannot carry; encode it (JSON does).", nameof(text));
            }
        }
        var escaped = SecurityElement.Escape(text);
        var body = System.Text.Encoding.UTF8.GetBytes("<QueueMessage><MessageText>" + escaped + "</MessageText></QueueMessage>");
        if (System.Text.Encoding.UTF8.GetByteCount(escaped) > MaxMessageBytes)
        {
            throw new ArgumentException($"Message text is over the 64 KiB limit of a queue message.", nameof(text));
        }
        return body;
    }

    private HttpMessage CreateMessage(RequestMethod method, string url)
    {
        var message = _pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(new Uri(url));
        message.Request.Headers.SetValue("x-ms-version", ServiceVersion);
        return message;
    }

    private Task<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken, int allow = 0) =>
        _pipeline.SendCheckedAsync(message, cancellationToken, allow);

    private static IEnumerable<XElement> ReadList(Response response)
    {
        var text = response.Content.ToString().TrimStart('\uFEFF');
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }
        return XDocument.Parse(text).Root?.Elements("QueueMessage") ?? [];
    }

    private static string Text(XElement element, string name) => element.Element(name)?.Value ?? "";

    private static DateTimeOffset? Date(XElement element, string name) => ParseDate(element.Element(name)?.Value);

    private static DateTimeOffset? ParseDate(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d) ? d : null;

    private static string Seconds(TimeSpan t) => ((long)Math.Ceiling(t.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex QueueNameRegex();
}
