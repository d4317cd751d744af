using System.Security.Cryptography;
using System.Text;

namespace Parley.Functions.Storage;

/// <summary>An account name with its key; computes HMAC-SHA256 signatures. The key never leaves this object.</summary>
public sealed class StorageSharedKey
{
    private readonly byte[] _key;

    public StorageSharedKey(string accountName, string base64Key)
    {
        AccountName = accountName;
        _key = Convert.FromBase64String(base64Key);
    }

    public string AccountName { get; }

    public string ComputeSignature(string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(stringToSign)));

    public override string ToString() => $"{AccountName} (key hidden)";
}
