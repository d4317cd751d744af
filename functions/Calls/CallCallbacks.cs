using Microsoft.AspNetCore.DataProtection;
using Parley.Functions.Calls.Providers;
using Parley.Functions.Common;
using Parley.Functions.Notifications.Providers;

namespace Parley.Functions.Calls;

/// <summary>
/// The callback address ACS posts a call's events to: <c>/api/acs/calls/{account}/{call}/{attempt}/{secret}</c>, with a
/// fresh 256-bit secret per attempt, kept encrypted on the call (it must be re-sent unchanged when a crashed place activity
/// runs again). Chosen over validating ACS's bearer token because it needs no fetch of Microsoft's signing keys, works
/// the same locally, and dies with the attempt.
/// </summary>
public sealed class CallCallbacks(IDataProtectionProvider protection, Hosting.PublicUrl publicUrl)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Parley.Calls.CallbackSecret.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    /// <summary>True when <paramref name="secret"/> is the one of the call's current attempt.</summary>
    public bool Matches(CallRecord call, int attempt, string secret)
    {
        if (call.Attempt != attempt || call.ProtectedSecret is null)
        {
            return false;
        }
        try
        {
            return SecureTokens.FixedTimeEquals(_protector.Unprotect(call.ProtectedSecret), secret);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    public CallOrder OrderFor(CallRecord call)
    {
        var secret = call.ProtectedSecret is null ? "" : _protector.Unprotect(call.ProtectedSecret);
        var callback = new Uri($"{publicUrl.Origin}/api/acs/calls/{Uri.EscapeDataString(call.AccountId)}/{Uri.EscapeDataString(call.Id)}/{call.Attempt}/{secret}");
        return new CallOrder(call.AccountId, call.Id, call.Attempt, call.To, call.CallerId, call.Language, call.Text, callback,
            AcsProvider.StableGuid($"call|{call.AccountId}|{call.Id}|{call.Attempt}"), call.AttemptStartedAt ?? call.CreatedAt,
            RecipientHidden: call.Purpose == CallService.CustomerOfDialogPurpose);
    }
}
