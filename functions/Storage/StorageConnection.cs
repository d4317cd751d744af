using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage;

namespace Parley.Functions.Storage;

/// <summary>
/// Where storage lives and how to authenticate, read from the Functions convention:
/// <c>AzureWebJobsStorage</c> as a connection string, or (managed identity, as the Azure templates deploy it)
/// <c>AzureWebJobsStorage__tableServiceUri</c> / <c>__queueServiceUri</c> / <c>__blobServiceUri</c> with
/// <c>__credential</c> and <c>__clientId</c>. Tables and queues hold Parley's data and work; the durable engine also
/// needs blobs (partition leases, large messages).
/// </summary>
public sealed class StorageConnection
{
    public const string SettingName = "AzureWebJobsStorage";

    /// <summary>Azurite's well-known development account; public, documented by Microsoft.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";
    public const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string? _accountKey;

    private StorageConnection(Uri tableEndpoint, Uri queueEndpoint, Uri blobEndpoint, (string Name, string Key)? sharedKey, TokenCredential? credential, string description)
    {
        TableEndpoint = tableEndpoint;
        QueueEndpoint = queueEndpoint;
        BlobEndpoint = blobEndpoint;
        AccountName = sharedKey?.Name;
        _accountKey = sharedKey?.Key;
        Credential = credential;
        Description = description;
    }

    public Uri TableEndpoint { get; }
    public Uri QueueEndpoint { get; }
    public Uri BlobEndpoint { get; }

    /// <summary>The account name when the connection string carries a key; null for token auth.</summary>
    public string? AccountName { get; }

    /// <summary>True when requests are signed with the account key (connection string), false for Entra ID tokens.</summary>
    public bool UsesSharedKey => _accountKey is not null;

    /// <summary>The key as the Tables SDK takes it; null for token auth. The key itself is never exposed or logged.</summary>
    public TableSharedKeyCredential? TableKeyCredential => _accountKey is null ? null : new(AccountName!, _accountKey);

    /// <summary>The key as the Storage SDKs (queues, blobs) take it; null for token auth.</summary>
    public StorageSharedKeyCredential? StorageKeyCredential => _accountKey is null ? null : new(AccountName!, _accountKey);

    /// <summary>
    /// A connection string with all three endpoints and the key, for libraries that take only that (the durable engine);
    /// null for token auth. Holds the key: never log it.
    /// </summary>
    public string? KeyConnectionString => _accountKey is null
        ? null
        : $"DefaultEndpointsProtocol={TableEndpoint.Scheme};AccountName={AccountName};AccountKey={_accountKey};" +
          $"BlobEndpoint={BlobEndpoint.AbsoluteUri.TrimEnd('/')};QueueEndpoint={QueueEndpoint.AbsoluteUri.TrimEnd('/')};TableEndpoint={TableEndpoint.AbsoluteUri.TrimEnd('/')};";

    /// <summary>Entra ID credential when only endpoints are configured; null for shared-key auth.</summary>
    public TokenCredential? Credential { get; }

    /// <summary>A description safe to log: endpoints and auth kind, never the key.</summary>
    public string Description { get; }

    public static StorageConnection FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection(SettingName);
        var connectionString = section.Value;
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return Parse(connectionString);
        }

        string[] services = ["tableServiceUri", "queueServiceUri", "blobServiceUri"];
        var given = services.Where(s => !string.IsNullOrWhiteSpace(section[s])).ToList();
        if (given.Count == 0)
        {
            throw new StorageConfigurationException(
                $"Storage is not configured. Set '{SettingName}' to a connection string (locally 'UseDevelopmentStorage=true'), " +
                $"or set '{SettingName}__tableServiceUri', '{SettingName}__queueServiceUri' and '{SettingName}__blobServiceUri' for managed identity.");
        }
        if (given.Count < services.Length)
        {
            var missing = services.Except(given).First();
            throw new StorageConfigurationException($"'{SettingName}__{missing}' is missing: Parley needs the table, queue and blob service URIs (the durable engine keeps its leases in blobs).");
        }

        var table = ParseEndpoint($"{SettingName}__tableServiceUri", section["tableServiceUri"]!, httpsOnly: true);
        var queue = ParseEndpoint($"{SettingName}__queueServiceUri", section["queueServiceUri"]!, httpsOnly: true);
        var blob = ParseEndpoint($"{SettingName}__blobServiceUri", section["blobServiceUri"]!, httpsOnly: true);
        var credential = CreateCredential(section["credential"], section["clientId"]);
        return new StorageConnection(table, queue, blob, null, credential,
            $"tables {table}, queues {queue}, blobs {blob}, Entra ID ({(section["credential"] ?? "default credential chain")})");
    }

    /// <summary>Endpoints reached with an Entra ID token (managed identity in Azure).</summary>
    public static StorageConnection WithCredential(Uri tableEndpoint, Uri queueEndpoint, Uri blobEndpoint, TokenCredential credential) =>
        new(tableEndpoint, queueEndpoint, blobEndpoint, null, credential, $"tables {tableEndpoint}, queues {queueEndpoint}, blobs {blobEndpoint}, Entra ID");

    /// <summary>Parses an Azure Storage connection string (including <c>UseDevelopmentStorage=true</c>).</summary>
    public static StorageConnection Parse(string connectionString)
    {
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = segment.IndexOf('=');
            if (eq <= 0)
            {
                throw new StorageConfigurationException($"'{SettingName}' is not a valid connection string: the part '{Mask(segment)}' is not 'Name=value'.");
            }
            parts[segment[..eq].Trim()] = segment[(eq + 1)..].Trim();
        }

        if (parts.TryGetValue("UseDevelopmentStorage", out var dev))
        {
            if (!string.Equals(dev, "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new StorageConfigurationException($"'{SettingName}': UseDevelopmentStorage must be 'true' when present.");
            }
            if (parts.ContainsKey("DevelopmentStorageProxyUri"))
            {
                throw new StorageConfigurationException($"'{SettingName}': DevelopmentStorageProxyUri is not supported; give TableEndpoint, QueueEndpoint and BlobEndpoint instead.");
            }
            return new StorageConnection(
                new Uri($"http://127.0.0.1:10002/{DevelopmentAccountName}"),
                new Uri($"http://127.0.0.1:10001/{DevelopmentAccountName}"),
                new Uri($"http://127.0.0.1:10000/{DevelopmentAccountName}"),
                (DevelopmentAccountName, DevelopmentAccountKey), null, "Azurite development storage (blobs 127.0.0.1:10000, queues :10001, tables :10002)");
        }

        if (parts.ContainsKey("SharedAccessSignature"))
        {
            throw new StorageConfigurationException($"'{SettingName}': SAS connection strings are not supported; use an account key locally or managed identity in Azure.");
        }

        if (!parts.TryGetValue("AccountName", out var account) || account.Length == 0)
        {
            throw new StorageConfigurationException($"'{SettingName}' has no AccountName. Expected 'DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…' or 'UseDevelopmentStorage=true'.");
        }
        if (!parts.TryGetValue("AccountKey", out var key) || key.Length == 0)
        {
            throw new StorageConfigurationException($"'{SettingName}' has no AccountKey. Without a key, configure '{SettingName}__tableServiceUri', '__queueServiceUri' and '__blobServiceUri' for managed identity.");
        }
        if (!IsBase64(key))
        {
            throw new StorageConfigurationException($"'{SettingName}': AccountKey is not valid base64.");
        }

        var protocol = parts.GetValueOrDefault("DefaultEndpointsProtocol", "https");
        if (protocol is not ("http" or "https"))
        {
            throw new StorageConfigurationException($"'{SettingName}': DefaultEndpointsProtocol must be http or https, not '{protocol}'.");
        }
        var suffix = parts.GetValueOrDefault("EndpointSuffix", "core.windows.net");

        Uri Endpoint(string name, string service) => parts.TryGetValue(name, out var value)
            ? ParseEndpoint($"{SettingName} ({name})", value)
            : new Uri($"{protocol}://{account}.{service}.{suffix}/");
        var table = Endpoint("TableEndpoint", "table");
        var queue = Endpoint("QueueEndpoint", "queue");
        var blob = Endpoint("BlobEndpoint", "blob");

        return new StorageConnection(table, queue, blob, (account, key), null, $"account {account}, tables {table}, queues {queue}, blobs {blob}, shared key");
    }

    private static Uri ParseEndpoint(string setting, string value, bool httpsOnly = false)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new StorageConfigurationException($"'{setting}' must be an absolute http(s) URL, not '{value}'.");
        }
        if (httpsOnly && uri.Scheme != "https")
        {
            // Tokens must never travel in clear text (Azure.Core refuses too, but only at the first request).
            throw new StorageConfigurationException($"'{setting}' must use https: Entra ID tokens are only sent over TLS.");
        }
        return uri;
    }

    private static TokenCredential CreateCredential(string? kind, string? clientId)
    {
        if (string.Equals(kind, "managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            return string.IsNullOrWhiteSpace(clientId)
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        }
        if (!string.IsNullOrWhiteSpace(kind))
        {
            throw new StorageConfigurationException($"'{SettingName}__credential' must be 'managedidentity' or absent (absent = the default Azure credential chain), not '{kind}'.");
        }
        return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
    }

    private static bool IsBase64(string value) => Convert.TryFromBase64String(value, new byte[value.Length], out _);

    private static string Mask(string segment) => segment.Length <= 12 ? segment : segment[..12] + "…";
}
