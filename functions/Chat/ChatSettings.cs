using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Caching.Memory;
using Parley.Functions.Common;
using Parley.Functions.Storage;

namespace Parley.Functions.Chat;

/// <summary>How a pre-chat field is asked, and how strictly identities are verified.</summary>
public enum ChatFieldMode
{
    Off,
    Optional,
    Required,
}

/// <summary>
/// An account's website chat: whether it is on, what the widget shows, the pre-chat form (<c>name</c>, <c>email</c>,
/// <c>phone</c> and custom field keys → mode) and identity verification with its HMAC secret (administrators only).
/// </summary>
public sealed record ChatSettings(
    string AccountId,
    bool Enabled,
    string Greeting,
    string Color,
    string ReplyTime,
    IReadOnlyDictionary<string, ChatFieldMode> PreChat,
    ChatFieldMode IdentityVerification,
    string Secret)
{
    public const string DefaultColor = "#2563eb";

    public ETag ETag { get; init; }

    public ChatFieldMode Mode(string field) => PreChat.TryGetValue(field, out var mode) ? mode : ChatFieldMode.Off;

    public static ChatSettings Defaults(string accountId) =>
        new(accountId, false, "", DefaultColor, "", new Dictionary<string, ChatFieldMode>(), ChatFieldMode.Off, SecureTokens.NewSecret());
}

/// <summary>What administrators read and write (the secret is shown to them only).</summary>
public sealed record ChatSettingsView(bool Enabled, string Greeting, string Color, string ReplyTime, IReadOnlyDictionary<string, string> PreChat,
    string IdentityVerification, string Secret, string ChatKey)
{
    public static ChatSettingsView From(ChatSettings s) => new(s.Enabled, s.Greeting, s.Color, s.ReplyTime,
        s.PreChat.ToDictionary(p => p.Key, p => Wire.Name(p.Value)), Wire.Name(s.IdentityVerification), s.Secret, s.AccountId);
}

/// <summary>PUT body; a field left out keeps its value.</summary>
public sealed record ChatSettingsRequest(bool? Enabled, string? Greeting, string? Color, string? ReplyTime, Dictionary<string, string>? PreChat, string? IdentityVerification);

/// <summary>Table <c>ChatSettings</c>: row <c>settings</c> in the account's partition; read through a short cache, dropped on every write here.</summary>
public sealed class ChatSettingsStore(StorageAccount storage, IMemoryCache cache)
{
    public const string TableName = "ChatSettings";
    private const string Row = "settings";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(15);

    private TableClient Table => storage.GetTableClient(TableName);

    /// <summary>The account's settings; null when the chat was never set up (it is off then).</summary>
    public async Task<ChatSettings?> FindAsync(string accountId, CancellationToken ct)
    {
        if (!Accounts.AccountStore.IsId(accountId))
        {
            return null;
        }
        var key = "chatsettings|" + accountId;
        if (cache.TryGetValue(key, out ChatSettings? hit))
        {
            return hit;
        }
        var row = await Table.GetEntityOrNullAsync(accountId, Row, cancellationToken: ct);
        var settings = row is null ? null : ToSettings(row);
        cache.Set(key, settings, CacheFor);
        return settings;
    }

    /// <summary>The settings as stored now (no cache), created with defaults (and a fresh secret) on first use.</summary>
    public async Task<ChatSettings> GetOrCreateAsync(string accountId, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (await Table.GetEntityOrNullAsync(accountId, Row, cancellationToken: ct) is { } row)
            {
                return ToSettings(row);
            }
            var fresh = ChatSettings.Defaults(accountId);
            try
            {
                var response = await Table.AddEntityAsync(ToEntity(fresh), ct);
                cache.Remove("chatsettings|" + accountId);
                return fresh with { ETag = response.Headers.ETag ?? default };
            }
            catch (RequestFailedException ex) when (ex.IsAlreadyExists() && attempt < 3)
            {
            }
        }
    }

    /// <summary>Saves over the version read (412 → <see cref="RequestFailedException"/>).</summary>
    public async Task<ChatSettings> SaveAsync(ChatSettings settings, CancellationToken ct)
    {
        var response = await Table.UpdateEntityAsync(ToEntity(settings), settings.ETag, TableUpdateMode.Replace, ct);
        cache.Remove("chatsettings|" + settings.AccountId);
        return settings with { ETag = response.Headers.ETag ?? default };
    }

    private static TableEntity ToEntity(ChatSettings s) => new(s.AccountId, Row)
    {
        { "Enabled", s.Enabled },
        { "Greeting", s.Greeting },
        { "Color", s.Color },
        { "ReplyTime", s.ReplyTime },
        { "PreChat", System.Text.Json.JsonSerializer.Serialize(s.PreChat.ToDictionary(p => p.Key, p => p.Value.ToString())) },
        { "IdentityVerification", s.IdentityVerification.ToString() },
        { "Secret", s.Secret },
    };

    private static ChatSettings ToSettings(TableEntity e) => new(
        e.PartitionKey, e.GetBoolean("Enabled") ?? false, e.GetString("Greeting") ?? "", e.GetString("Color") ?? ChatSettings.DefaultColor,
        e.GetString("ReplyTime") ?? "",
        System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(e.GetString("PreChat") ?? "{}")!.ToDictionary(p => p.Key, p => Enum.Parse<ChatFieldMode>(p.Value)),
        Enum.TryParse<ChatFieldMode>(e.GetString("IdentityVerification"), out var mode) ? mode : ChatFieldMode.Off, e.GetString("Secret") ?? "")
    {
        ETag = e.ETag,
    };
}
