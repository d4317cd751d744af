using System.Text.Json;
using System.Xml;
using Azure;
using Azure.Core;

namespace Parley.Functions.Storage;

/// <summary>
/// Reads the service error code into <see cref="RequestFailedException.ErrorCode"/>: the x-ms-error-code
/// header when present, else the body (Table: JSON <c>odata.error</c>; Queue: XML <c>&lt;Error&gt;</c>).
/// </summary>
internal sealed class StorageErrorParser : RequestFailedDetailsParser
{
    public static readonly StorageErrorParser Instance = new();

    public override bool TryParse(Response response, out ResponseError? error, out IDictionary<string, string>? data)
    {
        data = null;
        string? code = response.Headers.TryGetValue("x-ms-error-code", out var header) ? header : null;
        string? message = null;
        try
        {
            var body = response.Content?.ToMemory() ?? ReadOnlyMemory<byte>.Empty;
            if (!body.IsEmpty)
            {
                var first = body.Span.TrimStart(" \r\n\t\uFEFF"u8.ToArray());
                if (!first.IsEmpty && first[0] == (byte)'{')
                {
                    (code, message) = FromJson(body, code);
                }
                else if (!first.IsEmpty && (first[0] == (byte)'<' || first.StartsWith("\uFEFF"u8)))
                {
                    (code, message) = FromXml(body, code);
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or XmlException)
        {
            // An unreadable error body still leaves the status and the header code.
        }
        error = code is null && message is null ? null : new ResponseError(code, message);
        return error is not null;
    }

    private static (string?, string?) FromJson(ReadOnlyMemory<byte> body, string? code)
    {
        using var doc = JsonDocument.Parse(body);
        if (doc.RootElement.TryGetProperty("odata.error", out var odata))
        {
            code ??= odata.TryGetProperty("code", out var c) ? c.GetString() : null;
            string? message = null;
            if (odata.TryGetProperty("message", out var m))
            {
                message = m.ValueKind == JsonValueKind.Object && m.TryGetProperty("value", out var v) ? v.GetString() : m.ToString();
            }
            return (code, message);
        }
        if (doc.RootElement.TryGetProperty("error", out var err))
        {
            code ??= err.TryGetProperty("code", out var c) ? c.GetString() : null;
            return (code, err.TryGetProperty("message", out var m) ? m.ToString() : null);
        }
        return (code, null);
    }

    private static (string?, string?) FromXml(ReadOnlyMemory<byte> body, string? code)
    {
        var doc = System.Xml.Linq.XDocument.Parse(System.Text.Encoding.UTF8.GetString(body.Span).TrimStart('\uFEFF'));
        var root = doc.Root;
        code ??= root?.Element("Code")?.Value;
        return (code, root?.Element("Message")?.Value);
    }
}
