using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;

namespace Parley.Functions.Storage.Tables;

/// <summary>
/// The wire format of an entity-group transaction: one multipart/mixed batch holding one changeset of
/// application/http requests, and the parser for the service's multipart answer.
/// </summary>
internal sealed partial class TableTransaction
{
    private const int MaxActions = 100;
    private readonly string _batchBoundary = "batch_" + Guid.NewGuid().ToString("N");

    public TableTransaction(string serviceUrl, string table, IReadOnlyList<TableTransactionAction> actions)
    {
        var changeset = "changeset_" + Guid.NewGuid().ToString("N");
        var sb = new StringBuilder();
        sb.Append("--").Append(_batchBoundary).Append("\r\n");
        sb.Append("Content-Type: multipart/mixed; boundary=").Append(changeset).Append("\r\n\r\n");
        foreach (var action in actions)
        {
            var entity = action.Entity;
            var entityUrl = $"{serviceUrl}/{table}(PartitionKey='{TableStorageClient.EscapeKey(entity.PartitionKey)}',RowKey='{TableStorageClient.EscapeKey(entity.RowKey)}')";
            var (method, url, ifMatch, body) = action.ActionType switch
            {
                TableTransactionActionType.Add => ("POST", $"{serviceUrl}/{table}", (string?)null, true),
                TableTransactionActionType.UpdateMerge => ("MERGE", entityUrl, Condition(action.ETag), true),
                TableTransactionActionType.UpdateReplace => ("PUT", entityUrl, Condition(action.ETag), true),
                TableTransactionActionType.UpsertMerge => ("MERGE", entityUrl, null, true),
                TableTransactionActionType.UpsertReplace => ("PUT", entityUrl, null, true),
                TableTransactionActionType.Delete => ("DELETE", entityUrl, Condition(action.ETag), false),
                _ => throw new ArgumentOutOfRangeException(nameof(actions)),
            };
            sb.Append("--").Append(changeset).Append("\r\n");
            sb.Append("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n");
            sb.Append(method).Append(' ').Append(url).Append(" HTTP/1.1\r\n");
            sb.Append("Accept: application/json;odata=minimalmetadata\r\n");
            sb.Append("DataServiceVersion: 3.0\r\n");
            if (ifMatch is not null)
            {
                sb.Append("If-Match: ").Append(ifMatch).Append("\r\n");
            }
            if (body)
            {
                sb.Append("Prefer: return-no-content\r\n");
                sb.Append("Content-Type: application/json;odata=nometadata\r\n\r\n");
                sb.Append(Encoding.UTF8.GetString(TableEntityJson.Serialize(entity))).Append("\r\n");
            }
            else
            {
                sb.Append("\r\n");
            }
        }
        sb.Append("--").Append(changeset).Append("--\r\n");
        sb.Append("--").Append(_batchBoundary).Append("--\r\n");
        Body = Encoding.UTF8.GetBytes(sb.ToString());
    }

    public string ContentType => "multipart/mixed; boundary=" + _batchBoundary;

    public byte[] Body { get; }

    public static void Validate(IReadOnlyList<TableTransactionAction> actions)
    {
        if (actions.Count is 0 or > MaxActions)
        {
            throw new ArgumentException($"A transaction holds 1 to {MaxActions} actions, not {actions.Count}.", nameof(actions));
        }
        var partition = actions[0].Entity.PartitionKey;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            if (!string.Equals(action.Entity.PartitionKey, partition, StringComparison.Ordinal))
            {
                throw new ArgumentException("All actions of a transaction must share one PartitionKey.", nameof(actions));
            }
            if (!seen.Add(action.Entity.RowKey))
            {
                throw new ArgumentException($"RowKey '{action.Entity.RowKey}' appears twice; a transaction may touch each entity once.", nameof(actions));
            }
        }
    }

    /// <summary>Reads the per-operation statuses; throws when one failed (the service then applied none).</summary>
    public static IReadOnlyList<Response> ParseResponse(Response response, IReadOnlyList<TableTransactionAction> actions)
    {
        var text = response.Content.ToString();
        var parts = ParseParts(text);
        var failed = parts.FindIndex(p => p.Status >= 400);
        if (failed >= 0)
        {
            var part = parts[failed];
            var (code, message) = ReadError(part.Body);
            int? index = null;
            if (message is not null && FailedIndexRegex().Match(message) is { Success: true } m)
            {
                index = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (parts.Count == actions.Count)
            {
                index = failed;
            }
            throw new TableTransactionFailedException(part.Status, code,
                $"The transaction failed at action {(index?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?")} with {part.Status} {code}: {message}", index);
        }
        if (parts.Count != actions.Count)
        {
            throw new RequestFailedException(response.Status, $"The transaction answered {parts.Count} results for {actions.Count} actions.");
        }
        for (var i = 0; i < actions.Count; i++)
        {
            if (parts[i].ETag is { } etag)
            {
                actions[i].Entity.ETag = new ETag(etag);
            }
        }
        return parts.Select(p => (Response)new TransactionPartResponse(p.Status)).ToList();
    }

    private static (string?, string?) ReadError(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("odata.error", out var e))
            {
                var code = e.TryGetProperty("code", out var c) ? c.GetString() : null;
                string? message = null;
                if (e.TryGetProperty("message", out var m))
                {
                    message = m.ValueKind == JsonValueKind.Object && m.TryGetProperty("value", out var v) ? v.GetString() : m.ToString();
                }
                return (code, message);
            }
        }
        catch (JsonException)
        {
        }
        return (null, body.Length > 200 ? body[..200] : body);
    }

    private sealed record Part(int Status, string? ETag, string Body);

    private static List<Part> ParseParts(string text)
    {
        var parts = new List<Part>();
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        for (var i = 0; i < lines.Length; i++)
        {
            var statusMatch = StatusLineRegex().Match(lines[i]);
            if (!statusMatch.Success)
            {
                continue;
            }
            var status = int.Parse(statusMatch.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            string? etag = null;
            i++;
            for (; i < lines.Length && lines[i].Length > 0; i++)
            {
                if (lines[i].StartsWith("ETag:", StringComparison.OrdinalIgnoreCase))
                {
                    etag = lines[i][5..].Trim();
                }
            }
            var body = new StringBuilder();
            for (i++; i < lines.Length && !lines[i].StartsWith("--", StringComparison.Ordinal); i++)
            {
                body.Append(lines[i]).Append('\n');
            }
            i--;
            parts.Add(new Part(status, etag, body.ToString().Trim()));
        }
        return parts;
    }

    private static string Condition(ETag etag) => etag == default ? "*" : etag.ToString();

    [GeneratedRegex(@"^HTTP/1\.[01] (\d{3})")]
    private static partial Regex StatusLineRegex();

    [GeneratedRegex(@"^(\d+):")]
    private static partial Regex FailedIndexRegex();

    /// <summary>The status of one operation in a successful transaction.</summary>
    private sealed class TransactionPartResponse(int status) : Response
    {
        public override int Status => status;
        public override string ReasonPhrase => "";
        public override Stream? ContentStream { get; set; }
        public override string ClientRequestId { get; set; } = "";
        public override void Dispose() { }
        protected override bool ContainsHeader(string name) => false;
        protected override IEnumerable<Azure.Core.HttpHeader> EnumerateHeaders() => [];
        protected override bool TryGetHeader(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) { value = null; return false; }
        protected override bool TryGetHeaderValues(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IEnumerable<string>? values) { values = null; return false; }
    }
}
