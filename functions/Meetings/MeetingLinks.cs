using Azure.Data.Tables;
using Parley.Functions.Common;
using Parley.Functions.Storage;

namespace Parley.Functions.Meetings;

/// <summary>
/// Finds the meeting behind a link token. Table <c>MeetingLinks</c>: one row per token, keyed by the token's SHA-256 (the
/// token itself is stored only encrypted, with the appointment). Written before the appointment's own transaction, so
/// a row may point to an appointment that was never written: that resolves to nothing, like an unknown token.
/// </summary>
public sealed class MeetingLinks(StorageAccount storage)
{
    public const string TableName = "MeetingLinks";

    private TableClient Table => storage.GetTableClient(TableName);

    /// <summary>Tokens are 32 random bytes, base64url: 43 characters from that alphabet. Anything else is not looked up.</summary>
    public static bool LooksLikeToken(string? token) =>
        token is { Length: 43 } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public async Task RegisterAsync(string token, string accountId, string appointmentId, CancellationToken ct) =>
        await Table.UpsertEntityAsync(new TableEntity(SecureTokens.Hash(token), "") { ["AccountId"] = accountId, ["AppointmentId"] = appointmentId },
            TableUpdateMode.Replace, ct);

    public async Task<(string AccountId, string AppointmentId)?> ResolveAsync(string? token, CancellationToken ct)
    {
        // An ill-formed token still costs a point read, so its answer takes as long as a well-formed unknown one.
        var row = await Table.GetEntityOrNullAsync(SecureTokens.Hash(LooksLikeToken(token) ? token! : "-"), "", cancellationToken: ct);
        return row is not null && LooksLikeToken(token) ? (row.GetString("AccountId")!, row.GetString("AppointmentId")!) : null;
    }
}
