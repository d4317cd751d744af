using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Parley.Functions.Communication.Acs;

/// <summary>
/// HMAC-SHA256 request signing of Communication Services:
/// <c>VERB\nPathAndQuery\ndate;host;base64(SHA256(body))</c>, sent as
/// <c>Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&amp;Signature=…</c>.
/// In the per-retry slot, so every attempt is signed with a fresh date.
/// </summary>
public sealed class AcsHmacPolicy(byte[] key, TimeProvider time) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        var body = Array.Empty<byte>();
        if (request.Content is not null)
        {
            using var buffer = new MemoryStream();
            request.Content.WriteTo(buffer, CancellationToken.None);
            body = buffer.ToArray();
        }
        var contentHash = Convert.ToBase64String(SHA256.HashData(body));
        var date = time.GetUtcNow().ToString("r", CultureInfo.InvariantCulture);
        var uri = request.Uri.ToUri();
        var stringToSign = StringToSign(request.Method.Method, uri, date, uri.Authority, contentHash);
        request.Headers.SetValue("x-ms-date", date);
        request.Headers.SetValue("x-ms-content-sha256", contentHash);
        request.Headers.SetValue("Authorization", "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=" + Sign(key, stringToSign));
    }

    public static string StringToSign(string method, Uri uri, string date, string host, string contentHash) =>
        method.ToUpperInvariant() + "\n" + uri.PathAndQuery + "\n" + date + ";" + host + ";" + contentHash;

    public static string Sign(byte[] key, string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(stringToSign)));
}
