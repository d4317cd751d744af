using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Benchmarks;

/// <summary>
/// The reference the SDK TableClient is measured against: a bare HttpClient that builds, signs (SharedKeyLite)
/// and sends the same requests with no pipeline, no retries and no entity model.
/// </summary>
internal sealed class BareTableLoop(Uri tableEndpoint, string account, string base64Key, string table)
{
    private readonly byte[] _key = Convert.FromBase64String(base64Key);
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
    private readonly string _baseUrl = tableEndpoint.AbsoluteUri.TrimEnd('/');

    public async Task InsertAsync(string partitionKey, string rowKey)
    {
        using var request = Create(HttpMethod.Post, $"{_baseUrl}/{table}");
        request.Headers.TryAddWithoutValidation("Prefer", "return-no-content");
        request.Content = new StringContent(
            $$"""{"PartitionKey":"{{partitionKey}}","RowKey":"{{rowKey}}","Name":"Benchmark case","Count":42,"Active":true}""",
            Encoding.UTF8);
        request.Content.Headers.ContentType = new("application/json");
        request.Content.Headers.ContentType.Parameters.Add(new("odata", "nometadata"));
        using var response = await _http.SendAsync(request);
        if ((int)response.StatusCode >= 300)
        {
            throw new HttpRequestException($"insert answered {(int)response.StatusCode}");
        }
    }

    public async Task ReadAsync(string partitionKey, string rowKey)
    {
        using var request = Create(HttpMethod.Get, $"{_baseUrl}/{table}(PartitionKey='{partitionKey}',RowKey='{rowKey}')");
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        if ((int)response.StatusCode != 200 || body.Length == 0)
        {
            throw new HttpRequestException($"read answered {(int)response.StatusCode}");
        }
    }

    private HttpRequestMessage Create(HttpMethod method, string url)
    {
        var request = new HttpRequestMessage(method, url);
        var date = DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture);
        var stringToSign = date + "\n/" + account + request.RequestUri!.AbsolutePath;
        var signature = Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(stringToSign)));
        request.Headers.TryAddWithoutValidation("x-ms-date", date);
        request.Headers.TryAddWithoutValidation("x-ms-version", "2019-02-02");
        request.Headers.TryAddWithoutValidation("DataServiceVersion", "3.0");
        request.Headers.TryAddWithoutValidation("MaxDataServiceVersion", "3.0;NetFx");
        request.Headers.TryAddWithoutValidation("Accept", "application/json;odata=minimalmetadata");
        request.Headers.TryAddWithoutValidation("Authorization", $"SharedKeyLite {account}:{signature}");
        return request;
    }
}
