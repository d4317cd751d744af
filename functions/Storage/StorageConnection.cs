using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage;
using Azure.Identity;

namespace Parley.Functions.Storage;

/// <summary>
/// Where storage lives and how to authenticate, read from the Functions convention:
/// <c>AzureWebJobsStorage</c> as a connection string, or (managed identity, as the Azure templates deploy it)
/// <c>AzureWebJobsStorage__tableServiceUri</c> / <c>__queueServiceUri</c> with <c>__credential</c> and <c>__clientId</c>.
/// </summary>
public sealed class StorageConnection
{
    public const string SettingName = "AzureWebJobsStorage";

    /// <summary>Azurite's well-known development account; public, documented by Microsoft.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";
    public const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string? _accountKey;

    private StorageConnection(Uri tableEndpoint, Uri queueEndpoint, (string Name, string Key)? sharedKey, TokenCredential? credential, string description)
    {
        TableEndpoint = tableEndpoint;
        QueueEndpoint = queueEndpoint;
        AccountName = sharedKey?.Name;
        _accountKey = sharedKey?.Key;
        Credential = credential;
        Description = description;
    }

    public Uri TableEndpoint { get; }
    public Uri QueueEndpoint { get; }

    /// <summary>The account name when the connection string carries a key; null for token auth.</summary>
    public string? AccountName { get; }

    /// <summary>True when requests are signed with the account key (connection string), false for Entra ID tokens.</summary>
    public bool UsesSharedKey => _accountKey is not null;

    /// <summary>The key as the Tables SDK takes it; null for token auth. The key itself is never exposed or logged.</summary>
    public TableSharedKeyCredential? TableKeyCredential => _accountKey is null ? null : new(AccountName!, _accountKey);

    /// <summary>The key as the Storage SDKs (queues, blobs) take it; null for token auth.</summary>
    public StorageSharedKeyCredential? StorageKeyCredential => _accountKey is null ? null : new(AccountName!, _accountKey);

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

        var tableUri = section["tableServiceUri"];
        var queueUri = section["queueServiceUri"];
        if (string.IsNullOrWhiteSpace(tableUri) && string.IsNullOrWhiteSpace(queueUri))
        {
            throw new StorageConfigurationException(
                $"Storage is not configured. Set '{SettingName}' to a connection string (locally 'UseDevelopmentStorage=true'), " +
                $"or set '{SettingName}__tableServiceUri' and '{SettingName}__queueServiceUri' for managed identity.");
        }
        if (string.IsNullOrWhiteSpace(tableUri) || string.IsNullOrWhiteSpace(queueUri))
        {
            var missing = string.IsNullOrWhiteSpace(tableUri) ? "tableServiceUri" : "queueServiceUri";
            throw new StorageConfigurationException($"'{SettingName}__{missing}' is missing: Parley needs both the table and the queue service URI.");
        }

        var table = ParseEndpoint($"{SettingName}__tableServiceUri", tableUri, httpsOnly: true);
        var queue = ParseEndpoint($"{SettingName}__queueServiceUri", queueUri, httpsOnly: true);
        var credential = CreateCredential(section["credential"], section["clientId"]);
        return new StorageConnection(table, queue, null, credential,
            $"tables {table}, queues {queue}, Entra ID ({(section["credential"] ?? "default credential chain")})");
    }

    /// <summary>Endpoints reached with an Entra ID token (managed identity in Azure).</summary>
    public static StorageConnection WithCredential(Uri tableEndpoint, Uri queueEndpoint, TokenCredential credential) =>
        new(tableEndpoint, queueEndpoint, null, credential, $"tables {tableEndpoint}, queues {queueEndpoint}, Entra ID");

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
                throw new StorageConfigurationException($"'{SettingName}': DevelopmentStorageProxyUri is not supported; give TableEndpoint and QueueEndpoint instead.");
            }
            return new StorageConnection(
                new Uri($"http://127.0.0.1:10002/{DevelopmentAccountName}"),
                new Uri($"http://127.0.0.1:10001/{DevelopmentAccountName}"),
                (DevelopmentAccountName, DevelopmentAccountKey), null, "Azurite development storage (tables 127.0.0.1:10002, queues 127.0.0.1:10001)");
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
            throw new StorageConfigurationException($"'{SettingName}' has no AccountKey. Without a key, configure '{SettingName}__tableServiceUri' and '__queueServiceUri' for managed identity.");
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

        var table = parts.TryGetValue("TableEndpoint", out var t)
            ? ParseEndpoint($"{SettingName} (TableEndpoint)", t)
            : new Uri($"{protocol}://{account}.table.{suffix}/");
        var queue = parts.TryGetValue("QueueEndpoint", out var q)
            ? ParseEndpoint($"{SettingName} (QueueEndpoint)", q)
            : new Uri($"{protocol}://{account}.queue.{suffix}/");

        return new StorageConnection(table, queue, (account, key), null, $"account {account}, tables {table}, queues {queue}, shared key");
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
