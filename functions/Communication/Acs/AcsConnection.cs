using Azure.Core;
using Microsoft.Extensions.Configuration;

namespace Parley.Functions.Communication.Acs;

/// <summary>
/// Where Azure Communication Services is and how to authenticate: a connection string
/// (<c>endpoint=https://…communication.azure.com/;accesskey=…</c>, HMAC-SHA256 signing) or an endpoint with an
/// Entra ID credential (managed identity in Azure).
/// </summary>
public sealed class AcsConnection
{
    private AcsConnection(Uri endpoint, byte[]? accessKey, TokenCredential? credential)
    {
        Endpoint = endpoint;
        AccessKey = accessKey;
        Credential = credential;
    }

    public Uri Endpoint { get; }
    internal byte[]? AccessKey { get; }
    public TokenCredential? Credential { get; }

    public static AcsConnection Parse(string connectionString, string settingName)
    {
        string? endpoint = null, key = null;
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }
            var name = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            if (name.Equals("endpoint", StringComparison.OrdinalIgnoreCase))
            {
                endpoint = value;
            }
            else if (name.Equals("accesskey", StringComparison.OrdinalIgnoreCase))
            {
                key = value;
            }
        }
        if (endpoint is null || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            throw new InvalidOperationException($"'{settingName}' needs 'endpoint=https://<resource>.communication.azure.com/'.");
        }
        if (key is null)
        {
            throw new InvalidOperationException($"'{settingName}' needs 'accesskey=<base64 key>'.");
        }
        try
        {
            return new AcsConnection(uri, Convert.FromBase64String(key), null);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"'{settingName}': accesskey is not valid base64.");
        }
    }

    public static AcsConnection WithCredential(Uri endpoint, TokenCredential credential) => new(endpoint, null, credential);

    /// <summary>
    /// From the settings: <c>Communication__ConnectionString</c> (endpoint and access key) when set; otherwise
    /// <c>Communication__Endpoint</c> with the app's managed identity (<c>Communication__ClientId</c> names a
    /// user-assigned one; absent = system-assigned) — how the Azure deployment connects, with no key anywhere.
    /// </summary>
    public static AcsConnection FromSettings(IConfiguration configuration)
    {
        if (configuration["Communication:ConnectionString"] is { Length: > 0 } connectionString)
        {
            return Parse(connectionString, "Communication__ConnectionString");
        }
        if (!Uri.TryCreate(configuration["Communication:Endpoint"], UriKind.Absolute, out var endpoint) || endpoint.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException("Set 'Communication__ConnectionString' (endpoint and access key), or 'Communication__Endpoint' (https://<resource>.communication.azure.com/) to connect with the app's managed identity.");
        }
        var clientId = configuration["Communication:ClientId"];
        return WithCredential(endpoint, string.IsNullOrWhiteSpace(clientId)
            ? new Azure.Identity.ManagedIdentityCredential(Azure.Identity.ManagedIdentityId.SystemAssigned)
            : new Azure.Identity.ManagedIdentityCredential(Azure.Identity.ManagedIdentityId.FromUserAssignedClientId(clientId)));
    }
}
