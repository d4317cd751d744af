using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace Parley.Functions.Dialogs;

/// <summary>
/// The 5-letter pseudonymous customer id: one per e-mail address per account, stable across dialogs. The e-mail is
/// stored only as an HMAC-SHA256 with the account's own random key (kept encrypted with the data-protection keys), and
/// the id is claimed together with the hash in one transaction, so ids are unique within the account.
/// </summary>
public sealed class CustomerIds(DialogStore store, IDataProtectionProvider protection)
{
    private const string Letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"; // no I or O: they read like 1 and 0
    private readonly IDataProtector _protector = protection.CreateProtector("Parley.Dialogs.CustomerKey.v1");
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _keys = new();

    public async Task<string> ForEmailAsync(string accountId, string email, CancellationToken ct)
    {
        var hash = await HashAsync(accountId, email, ct);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            if (await store.FindCustomerIdAsync(accountId, hash, ct) is { } existing)
            {
                return existing;
            }
            var candidate = string.Create(5, 0, (span, _) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = Letters[RandomNumberGenerator.GetInt32(Letters.Length)];
                }
            });
            if (await store.TryClaimCustomerIdAsync(accountId, hash, candidate, ct))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("Could not allocate a customer id.");
    }

    private async Task<string> HashAsync(string accountId, string email, CancellationToken ct)
    {
        if (!_keys.TryGetValue(accountId, out var key))
        {
            var stored = await store.GetOrCreateProtectedKeyAsync(accountId, () => _protector.Protect(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))), ct);
            key = _keys[accountId] = Convert.FromBase64String(_protector.Unprotect(stored));
        }
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())));
    }
}
