using Microsoft.AspNetCore.DataProtection;
using Parley.Functions.Common;

namespace Parley.Functions.Dialogs;

/// <summary>
/// The customer's reply link <c>{origin}/reply#{account}.{dialog}.{secret}</c>: 256 random bits per dialog, in the URL
/// fragment (never sent to servers or logged), kept encrypted on the dialog because every answer e-mail repeats the link,
/// compared in constant time. Closing the dialog revokes it.
/// </summary>
public sealed class ReplyLinks(IDataProtectionProvider protection)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Parley.Dialogs.ReplySecret.v1");

    public string NewProtectedSecret() => _protector.Protect(SecureTokens.NewSecret());

    public string Url(string baseUrl, Dialog dialog) => $"{baseUrl}/reply#{dialog.AccountId}.{dialog.Id}.{_protector.Unprotect(dialog.ProtectedReplySecret)}";

    public static (string AccountId, string DialogId, string Secret)? Parse(string? token) =>
        token?.Split('.') is [{ Length: > 0 and <= 40 } account, { Length: > 0 and <= 40 } dialog, { Length: >= 40 and <= 64 } secret] ? (account, dialog, secret) : null;

    /// <summary>Whether <paramref name="secret"/> is the dialog's (a closed dialog still matches: its page shows it closed).</summary>
    public bool Matches(Dialog dialog, string secret)
    {
        try
        {
            return SecureTokens.FixedTimeEquals(_protector.Unprotect(dialog.ProtectedReplySecret), secret);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }
}
