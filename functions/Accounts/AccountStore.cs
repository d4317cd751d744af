using Azure;
using Parley.Functions.Common;
using Parley.Functions.Identity;
using Parley.Functions.Storage;
using Azure.Data.Tables;

namespace Parley.Functions.Accounts;

/// <summary>
/// Storage of the account aggregate. The Accounts table holds one partition per account (PartitionKey =
/// account id, always taken from the <see cref="Tenant"/>): the account row, its operators and its API keys,
/// so multi-row changes are single entity-group transactions. Global lookups live in their own tables:
/// Logins (e-mail → operator), ApiKeys (key id → account), PasswordLinks (token hash → operator).
/// An index row is trusted only when the row it points to agrees with it; otherwise it is an orphan left by
/// an interrupted write and may be taken over.
/// </summary>
public sealed class AccountStore(StorageAccount storage, TimeProvider time, Microsoft.Extensions.Caching.Memory.IMemoryCache cache)
{
    private static readonly TimeSpan SettingsCacheFor = TimeSpan.FromSeconds(15);

    public const string AccountsTable = "Accounts";
    public const string LoginsTable = "Logins";
    public const string ApiKeysTable = "ApiKeys";
    public const string PasswordLinksTable = "PasswordLinks";

    private const string AccountRow = "account";
    private const string OperatorPrefix = "operator|";
    private const string ApiKeyPrefix = "apikey|";

    private readonly TableClient _accounts = storage.GetTableClient(AccountsTable);
    private readonly TableClient _logins = storage.GetTableClient(LoginsTable);
    private readonly TableClient _apiKeys = storage.GetTableClient(ApiKeysTable);
    private readonly TableClient _passwordLinks = storage.GetTableClient(PasswordLinksTable);

    // ---- accounts ----

    /// <summary>Creates the account with its first administrator. Throws <see cref="EmailTakenException"/> when the e-mail is in use.</summary>
    public async Task CreateAccountAsync(Account account, Operator admin, CancellationToken cancellationToken)
    {
        await ClaimLoginAsync(admin.Email, admin.AccountId, admin.Id, cancellationToken);
        try
        {
            await _accounts.SubmitAtomicallyAsync([
                new TableTransactionAction(TableTransactionActionType.Add, ToEntity(account)),
                new TableTransactionAction(TableTransactionActionType.Add, ToEntity(admin)),
            ], cancellationToken);
        }
        catch
        {
            await ReleaseLoginAsync(admin.Email, admin.AccountId, admin.Id);
            throw;
        }
    }

    public async Task<Account?> GetAccountAsync(Tenant tenant, CancellationToken cancellationToken) =>
        await GetAccountAsync(tenant.AccountId, cancellationToken);

    internal async Task<Account?> GetAccountAsync(string accountId, CancellationToken cancellationToken)
    {
        var row = await _accounts.GetEntityOrNullAsync(accountId, AccountRow, cancellationToken: cancellationToken);
        return row is null ? null : ToAccount(row);
    }

    /// <summary>Settings for read-only decisions (visibility, defaults), cached for 15 s per instance.</summary>
    public async Task<Account?> GetSettingsAsync(Tenant tenant, CancellationToken cancellationToken)
    {
        var key = "account|" + tenant.AccountId;
        if (Microsoft.Extensions.Caching.Memory.CacheExtensions.TryGetValue(cache, key, out Account? cached))
        {
            return cached;
        }
        var account = await GetAccountAsync(tenant.AccountId, cancellationToken);
        Microsoft.Extensions.Caching.Memory.CacheExtensions.Set(cache, key, account, SettingsCacheFor);
        return account;
    }

    /// <summary>Saves settings if the account is unchanged since it was read (412 otherwise).</summary>
    public async Task<Account> UpdateAccountAsync(Tenant tenant, Account account, CancellationToken cancellationToken)
    {
        var entity = ToEntity(account with { Id = tenant.AccountId });
        entity.ETag = (await _accounts.UpdateEntityAsync(entity, account.ETag, TableUpdateMode.Replace, cancellationToken)).Headers.ETag ?? default;
        cache.Remove("account|" + tenant.AccountId);
        return account with { ETag = entity.ETag };
    }

    // ---- operators ----

    public async Task<Operator?> GetOperatorAsync(Tenant tenant, string operatorId, CancellationToken cancellationToken) =>
        await GetOperatorAsync(tenant.AccountId, operatorId, cancellationToken);

    internal async Task<Operator?> GetOperatorAsync(string accountId, string operatorId, CancellationToken cancellationToken)
    {
        if (!IsId(operatorId))
        {
            return null;
        }
        var row = await _accounts.GetEntityOrNullAsync(accountId, OperatorPrefix + operatorId, cancellationToken: cancellationToken);
        return row is null ? null : ToOperator(row);
    }

    public async Task<IReadOnlyList<Operator>> ListOperatorsAsync(Tenant tenant, CancellationToken cancellationToken)
    {
        var list = new List<Operator>();
        var filter = TableClientExtensions.StartsWithFilter(tenant.AccountId, OperatorPrefix);
        await foreach (var e in _accounts.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            list.Add(ToOperator(e));
        }
        return list;
    }

    /// <summary>Operators for background work (names in messages), cached for 15 s per instance.</summary>
    public async Task<IReadOnlyList<Operator>> ListOperatorsCachedAsync(Tenant tenant, CancellationToken cancellationToken)
    {
        var key = "operators|" + tenant.AccountId;
        if (Microsoft.Extensions.Caching.Memory.CacheExtensions.TryGetValue(cache, key, out IReadOnlyList<Operator>? cached))
        {
            return cached!;
        }
        var list = await ListOperatorsAsync(tenant, cancellationToken);
        Microsoft.Extensions.Caching.Memory.CacheExtensions.Set(cache, key, list, SettingsCacheFor);
        return list;
    }

    /// <summary>Adds an operator of the tenant's account; the e-mail must be free across Parley.</summary>
    public async Task AddOperatorAsync(Tenant tenant, Operator op, CancellationToken cancellationToken)
    {
        op = op with { AccountId = tenant.AccountId };
        await ClaimLoginAsync(op.Email, op.AccountId, op.Id, cancellationToken);
        try
        {
            await _accounts.AddEntityAsync(ToEntity(op), cancellationToken);
        }
        catch
        {
            await ReleaseLoginAsync(op.Email, op.AccountId, op.Id);
            throw;
        }
    }

    /// <summary>
    /// Saves an operator read earlier (<see cref="Operator.ETag"/>). When <paramref name="account"/> is given, the
    /// account row is bumped in the same transaction under its ETag, so two concurrent changes to who administers
    /// the account cannot both pass the "at least one active administrator" check: the loser gets 412 and re-decides.
    /// A changed e-mail is claimed first and the old one released after.
    /// </summary>
    public async Task<Operator> SaveOperatorAsync(Tenant tenant, Operator before, Operator after, Account? account, CancellationToken cancellationToken)
    {
        after = after with { AccountId = tenant.AccountId, UpdatedAt = time.GetUtcNow() };
        var emailChanged = !string.Equals(before.Email, after.Email, StringComparison.Ordinal);
        if (emailChanged)
        {
            await ClaimLoginAsync(after.Email, after.AccountId, after.Id, cancellationToken);
        }
        var entity = ToEntity(after);
        try
        {
            if (account is null)
            {
                entity.ETag = (await _accounts.UpdateEntityAsync(entity, before.ETag, TableUpdateMode.Replace, cancellationToken)).Headers.ETag ?? default;
            }
            else
            {
                await _accounts.SubmitAtomicallyAsync([
                    new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, before.ETag),
                    new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(account), account.ETag),
                ], cancellationToken);
            }
        }
        catch
        {
            if (emailChanged)
            {
                await ReleaseLoginAsync(after.Email, after.AccountId, after.Id);
            }
            throw;
        }
        if (emailChanged)
        {
            await ReleaseLoginAsync(before.Email, before.AccountId, before.Id);
        }
        return after with { ETag = entity.ETag };
    }

    // ---- logins (e-mail → operator) ----

    public async Task<(string AccountId, string OperatorId)?> FindLoginAsync(string email, CancellationToken cancellationToken)
    {
        var row = await _logins.GetEntityOrNullAsync(EmailAddress.Normalize(email), "", cancellationToken: cancellationToken);
        return row is null ? null : (row.GetString("AccountId")!, row.GetString("OperatorId")!);
    }

    private async Task ClaimLoginAsync(string email, string accountId, string operatorId, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(email, "") { { "AccountId", accountId }, { "OperatorId", operatorId } };
        try
        {
            entity.ETag = (await _logins.AddEntityAsync(entity, cancellationToken)).Headers.ETag ?? default;
            return;
        }
        catch (RequestFailedException ex) when (ex.IsAlreadyExists())
        {
        }
        var existing = await _logins.GetEntityOrNullAsync(email, "", cancellationToken: cancellationToken);
        if (existing is not null)
        {
            var holder = await GetOperatorAsync(existing.GetString("AccountId")!, existing.GetString("OperatorId")!, cancellationToken);
            if (holder is not null && holder.Email == email)
            {
                throw new EmailTakenException();
            }
            try
            {
                // An orphan from an interrupted write: take it over, unless someone else just did.
                entity.ETag = (await _logins.UpdateEntityAsync(entity, existing.ETag, TableUpdateMode.Replace, cancellationToken)).Headers.ETag ?? default;
                return;
            }
            catch (RequestFailedException ex) when (ex.IsConditionFailed() || ex.IsNotFound())
            {
            }
        }
        throw new EmailTakenException();
    }

    private async Task ReleaseLoginAsync(string email, string accountId, string operatorId)
    {
        try
        {
            var row = await _logins.GetEntityOrNullAsync(email, "");
            if (row is not null && row.GetString("AccountId") == accountId && row.GetString("OperatorId") == operatorId)
            {
                await _logins.DeleteEntityAsync(email, "", row.ETag);
            }
        }
        catch (RequestFailedException)
        {
            // Left as an orphan; ClaimLoginAsync takes orphans over.
        }
    }

    // ---- API keys ----

    public async Task AddApiKeyAsync(Tenant tenant, ApiKeyRecord key, CancellationToken cancellationToken)
    {
        key = key with { AccountId = tenant.AccountId };
        await _apiKeys.AddEntityAsync(new TableEntity(key.Id, "") { { "AccountId", key.AccountId }, { "SecretHash", key.SecretHash } }, cancellationToken);
        try
        {
            await _accounts.AddEntityAsync(ToEntity(key), cancellationToken);
        }
        catch
        {
            await _apiKeys.DeleteEntityAsync(key.Id, "", cancellationToken: CancellationToken.None);
            throw;
        }
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(Tenant tenant, CancellationToken cancellationToken)
    {
        var list = new List<ApiKeyRecord>();
        var filter = TableClientExtensions.StartsWithFilter(tenant.AccountId, ApiKeyPrefix);
        await foreach (var e in _accounts.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            list.Add(ToApiKey(e));
        }
        return list.OrderByDescending(k => k.CreatedAt).ToList();
    }

    /// <summary>Revokes a key of the tenant's account; false when there is no such key there.</summary>
    public async Task<bool> RevokeApiKeyAsync(Tenant tenant, string keyId, CancellationToken cancellationToken)
    {
        if (!IsId(keyId))
        {
            return false;
        }
        var row = await _accounts.GetEntityOrNullAsync(tenant.AccountId, ApiKeyPrefix + keyId, cancellationToken: cancellationToken);
        if (row is null)
        {
            return false;
        }
        // Index first: once it is gone the key stops working, whatever happens next.
        await _apiKeys.DeleteEntityAsync(keyId, "", cancellationToken: cancellationToken);
        await _accounts.DeleteEntityAsync(tenant.AccountId, ApiKeyPrefix + keyId, cancellationToken: cancellationToken);
        return true;
    }

    /// <summary>The key's account and secret hash, for authentication.</summary>
    internal async Task<(string AccountId, string SecretHash)?> FindApiKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        if (!IsId(keyId))
        {
            return null;
        }
        var row = await _apiKeys.GetEntityOrNullAsync(keyId, "", cancellationToken: cancellationToken);
        return row is null ? null : (row.GetString("AccountId")!, row.GetString("SecretHash")!);
    }

    internal async Task TouchApiKeyAsync(string accountId, string keyId, DateTimeOffset usedAt, CancellationToken cancellationToken)
    {
        try
        {
            await _accounts.UpdateEntityAsync(new TableEntity(accountId, ApiKeyPrefix + keyId) { { "LastUsedAt", usedAt } }, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.IsNotFound())
        {
            // Revoked meanwhile.
        }
    }

    // ---- set-password links ----

    /// <summary>
    /// A one-time secret for the operator's set-password page; only its hash is stored. It replaces the operator's
    /// earlier links: a pointer row per operator names the newest link, and only that one is accepted.
    /// </summary>
    public async Task<string> CreatePasswordLinkAsync(string accountId, string operatorId, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var token = SecureTokens.NewSecret();
        var key = SecureTokens.Hash(token);
        var expiresAt = time.GetUtcNow() + lifetime;
        await _passwordLinks.AddEntityAsync(new TableEntity(key, "")
        {
            { "AccountId", accountId },
            { "OperatorId", operatorId },
            { "ExpiresAt", expiresAt },
        }, cancellationToken);
        var pointer = CurrentLinkPartition(accountId, operatorId);
        var previous = (await _passwordLinks.GetEntityOrNullAsync(pointer, "", cancellationToken: cancellationToken))?.GetString("Current");
        await _passwordLinks.UpsertEntityAsync(new TableEntity(pointer, "") { { "Current", key }, { "ExpiresAt", expiresAt } }, TableUpdateMode.Replace, cancellationToken);
        if (previous is not null && previous != key)
        {
            // Tidiness only: the pointer above already refuses the old link.
            await _passwordLinks.DeleteEntityAsync(previous, "", cancellationToken: cancellationToken);
        }
        return token;
    }

    /// <summary>A link that exists, has not expired and is its operator's newest, without using it up.</summary>
    public async Task<PasswordLink?> FindPasswordLinkAsync(string token, CancellationToken cancellationToken)
    {
        var key = SecureTokens.Hash(token);
        var row = await _passwordLinks.GetEntityOrNullAsync(key, "", cancellationToken: cancellationToken);
        if (row is null || row.GetDateTimeOffset("ExpiresAt") < time.GetUtcNow())
        {
            return null;
        }
        var link = new PasswordLink(key, row.GetString("AccountId")!, row.GetString("OperatorId")!, row.ETag);
        var pointer = await _passwordLinks.GetEntityOrNullAsync(CurrentLinkPartition(link.AccountId, link.OperatorId), "", cancellationToken: cancellationToken);
        // Links issued before pointers existed have none; any pointer names the one link that counts.
        return pointer is null || pointer.GetString("Current") == key ? link : null;
    }

    private static string CurrentLinkPartition(string accountId, string operatorId) => $"current|{accountId}|{operatorId}";

    /// <summary>Uses a link up. Of two concurrent uses only one wins: the conditional delete of the row both read.</summary>
    public async Task<bool> ConsumePasswordLinkAsync(PasswordLink link, CancellationToken cancellationToken)
    {
        try
        {
            return (await _passwordLinks.DeleteEntityAsync(link.Key, "", link.ETag, cancellationToken)).Status != 404;
        }
        catch (RequestFailedException ex) when (ex.IsConditionFailed())
        {
            return false;
        }
    }

    // ---- mapping ----

    internal static bool IsId(string value) => value.Length is > 0 and <= 32 && value.All(c => char.IsAsciiLetterOrDigit(c));

    private static TableEntity ToEntity(Account a) => new(a.Id, AccountRow)
    {
        { "BusinessName", a.BusinessName },
        { "TimeZone", a.TimeZone },
        { "DefaultLanguage", a.DefaultLanguage },
        { "SeparateOperators", a.SeparateOperators },
        { "MeetingMode", a.MeetingMode.ToString() },
        { "PinPolicy", a.PinPolicy.ToString() },
        { "SenderEmail", a.SenderEmail },
        { "SenderName", a.SenderName },
        { "ReminderOffsets", string.Join(',', a.ReminderOffsetMinutes) },
        { "MeetingOpensMinutesBefore", a.MeetingOpensMinutesBefore },
        { "LocationSharing", a.LocationSharing },
        { "ContactLine", a.ContactLine },
        { "BookingConsentText", a.BookingConsentText },
        { "EmbedOrigins", string.Join(' ', a.EmbedOrigins) },
        { "CreatedAt", a.CreatedAt },
    };

    private static Account ToAccount(TableEntity e) => new(
        e.PartitionKey,
        e.GetString("BusinessName")!,
        e.GetString("TimeZone")!,
        e.GetString("DefaultLanguage") ?? "en",
        e.GetBoolean("SeparateOperators") ?? false,
        Enum.Parse<MeetingMode>(e.GetString("MeetingMode") ?? nameof(MeetingMode.VideoAndChat)),
        Enum.Parse<PinPolicy>(e.GetString("PinPolicy") ?? nameof(PinPolicy.Off)),
        e.GetString("SenderEmail"),
        e.GetString("SenderName"),
        e.GetDateTimeOffset("CreatedAt") ?? default)
    {
        ETag = e.ETag,
        ReminderOffsetMinutes = e.GetString("ReminderOffsets") is { } offsets
            ? offsets.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList()
            : [1440, 60],
        MeetingOpensMinutesBefore = e.GetInt32("MeetingOpensMinutesBefore") ?? 10,
        LocationSharing = e.GetBoolean("LocationSharing") ?? false,
        ContactLine = e.GetString("ContactLine"),
        BookingConsentText = e.GetString("BookingConsentText"),
        EmbedOrigins = (e.GetString("EmbedOrigins") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
    };

    private static TableEntity ToEntity(Operator o) => new(o.AccountId, OperatorPrefix + o.Id)
    {
        { "Name", o.Name },
        { "Email", o.Email },
        { "Role", o.Role.ToString() },
        { "TimeZone", o.TimeZone },
        { "LineId", o.LineId },
        { "Active", o.Active },
        { "Language", o.Language },
        { "PasswordHash", o.PasswordHash },
        { "SecurityStamp", o.SecurityStamp },
        { "CreatedAt", o.CreatedAt },
        { "UpdatedAt", o.UpdatedAt },
    };

    private static Operator ToOperator(TableEntity e) => new(
        e.RowKey[OperatorPrefix.Length..],
        e.PartitionKey,
        e.GetString("Name")!,
        e.GetString("Email")!,
        Enum.Parse<OperatorRole>(e.GetString("Role")!),
        e.GetString("TimeZone")!,
        e.GetString("LineId"),
        e.GetBoolean("Active") ?? false,
        e.GetString("Language") ?? "en",
        e.GetString("PasswordHash"),
        e.GetString("SecurityStamp") ?? "",
        e.GetDateTimeOffset("CreatedAt") ?? default,
        e.GetDateTimeOffset("UpdatedAt") ?? default) { ETag = e.ETag };

    private static TableEntity ToEntity(ApiKeyRecord k) => new(k.AccountId, ApiKeyPrefix + k.Id)
    {
        { "Name", k.Name },
        { "Prefix", k.Prefix },
        { "SecretHash", k.SecretHash },
        { "CreatedBy", k.CreatedBy },
        { "CreatedAt", k.CreatedAt },
        { "LastUsedAt", k.LastUsedAt },
    };

    private static ApiKeyRecord ToApiKey(TableEntity e) => new(
        e.RowKey[ApiKeyPrefix.Length..],
        e.PartitionKey,
        e.GetString("Name")!,
        e.GetString("Prefix")!,
        e.GetString("SecretHash")!,
        e.GetString("CreatedBy") ?? "",
        e.GetDateTimeOffset("CreatedAt") ?? default,
        e.GetDateTimeOffset("LastUsedAt"));
}

public sealed record PasswordLink(string Key, string AccountId, string OperatorId, ETag ETag);

/// <summary>The e-mail address belongs to another operator somewhere in Parley.</summary>
public sealed class EmailTakenException() : Exception("This e-mail address is already in use.");
