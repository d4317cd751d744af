using System.Globalization;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Parley.Functions.Storage;

/// <summary>
/// The string-to-sign rules of Azure Storage, kept pure so unit tests can check them against fixed vectors.
/// The canonical resource is '/' + account + the URL's absolute path, so Azurite's path-style URLs yield
/// '/devstoreaccount1/devstoreaccount1/…' exactly as the emulator computes it.
/// </summary>
public static class StorageSigning
{
    /// <summary>SharedKeyLite for the Table service: date, newline, canonical resource (only '?comp=' kept).</summary>
    public static string TableSharedKeyLiteStringToSign(string date, string accountName, Uri uri)
    {
        var resource = "/" + accountName + uri.AbsolutePath;
        var comp = QueryParameters(uri).FirstOrDefault(p => p.Key == "comp");
        if (comp.Value is not null)
        {
            resource += "?comp=" + comp.Value;
        }
        return date + "\n" + resource;
    }

    /// <summary>SharedKey for the Queue (and Blob) service.</summary>
    public static string QueueSharedKeyStringToSign(string method, Uri uri, IEnumerable<KeyValuePair<string, string>> headers, long? contentLength, string accountName)
    {
        var h = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            h[name] = value;
        }
        string Get(string name) => h.TryGetValue(name, out var v) ? v : "";

        var sb = new StringBuilder();
        sb.Append(method.ToUpperInvariant()).Append('\n');
        sb.Append(Get("Content-Encoding")).Append('\n');
        sb.Append(Get("Content-Language")).Append('\n');
        sb.Append(contentLength is null or 0 ? "" : contentLength.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append(Get("Content-MD5")).Append('\n');
        sb.Append(Get("Content-Type")).Append('\n');
        sb.Append(h.ContainsKey("x-ms-date") ? "" : Get("Date")).Append('\n');
        sb.Append(Get("If-Modified-Since")).Append('\n');
        sb.Append(Get("If-Match")).Append('\n');
        sb.Append(Get("If-None-Match")).Append('\n');
        sb.Append(Get("If-Unmodified-Since")).Append('\n');
        sb.Append(Get("Range")).Append('\n');

        foreach (var (name, value) in h
                     .Where(p => p.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
                     .Select(p => (Name: p.Key.ToLowerInvariant(), Value: p.Value.Trim()))
                     .OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            sb.Append(name).Append(':').Append(value).Append('\n');
        }

        sb.Append('/').Append(accountName).Append(uri.AbsolutePath);
        foreach (var group in QueryParameters(uri)
                     .GroupBy(p => p.Key)
                     .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append('\n').Append(group.Key).Append(':')
              .Append(string.Join(",", group.Select(p => p.Value).Order(StringComparer.Ordinal)));
        }
        return sb.ToString();
    }

    private static IEnumerable<KeyValuePair<string, string>> QueryParameters(Uri uri)
    {
        var query = uri.Query;
        if (query.Length <= 1)
        {
            yield break;
        }
        foreach (var pair in query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var name = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? "" : pair[(eq + 1)..];
            yield return new(Uri.UnescapeDataString(name).ToLowerInvariant(), Uri.UnescapeDataString(value));
        }
    }

    internal static string FormatDate(DateTimeOffset now) => now.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture);
}

/// <summary>Signs Table requests with SharedKeyLite. Sits in the per-retry slot so every attempt gets a fresh date.</summary>
internal sealed class TableSharedKeyLitePolicy(StorageSharedKey key, TimeProvider time) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var date = StorageSigning.FormatDate(time.GetUtcNow());
        message.Request.Headers.SetValue("x-ms-date", date);
        var stringToSign = StorageSigning.TableSharedKeyLiteStringToSign(date, key.AccountName, message.Request.Uri.ToUri());
        message.Request.Headers.SetValue("Authorization", $"SharedKeyLite {key.AccountName}:{key.ComputeSignature(stringToSign)}");
    }
}

/// <summary>Signs Queue requests with SharedKey (all x-ms-* headers included). Per-retry slot.</summary>
internal sealed class QueueSharedKeyPolicy(StorageSharedKey key, TimeProvider time) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        request.Headers.SetValue("x-ms-date", StorageSigning.FormatDate(time.GetUtcNow()));
        long? length = null;
        if (request.Content is not null && request.Content.TryComputeLength(out var computed))
        {
            length = computed;
        }
        var headers = request.Headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value));
        var stringToSign = StorageSigning.QueueSharedKeyStringToSign(request.Method.Method, request.Uri.ToUri(), headers, length, key.AccountName);
        request.Headers.SetValue("Authorization", $"SharedKey {key.AccountName}:{key.ComputeSignature(stringToSign)}");
    }
}
