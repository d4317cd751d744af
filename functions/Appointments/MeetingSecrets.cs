using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Parley.Functions.Common;

namespace Parley.Functions.Appointments;

/// <summary>
/// The join token (256 bits, in the link) and the six-digit PIN (from the CSPRNG) of a meeting. Both must be sent
/// to customers later, so they are stored reversibly, but encrypted with the app's data-protection keys, and never logged.
/// </summary>
public sealed class MeetingSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Parley.Appointments.Secrets.v1");

    public static string NewJoinToken() => SecureTokens.NewSecret();

    public static string NewPin() => RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    public string Protect(string joinToken, string? pin) => _protector.Protect(JsonSerializer.Serialize(new Sealed(joinToken, pin)));

    public (string JoinToken, string? Pin) Unprotect(string sealedValue)
    {
        var s = JsonSerializer.Deserialize<Sealed>(_protector.Unprotect(sealedValue))!;
        return (s.T, s.P);
    }

    private sealed record Sealed(string T, string? P);
}
