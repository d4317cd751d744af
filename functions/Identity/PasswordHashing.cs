using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Parley.Functions.Identity;

/// <summary>
/// ASP.NET Core Identity's PBKDF2 hasher (HMAC-SHA512) at OWASP's 210,000 iterations. Unknown e-mails are
/// verified against a dummy hash so they cost the same time as a wrong password.
/// </summary>
public sealed class PasswordHashing
{
    public const int Iterations = 210_000;
    private readonly PasswordHasher<object> _hasher = new(Options.Create(new PasswordHasherOptions { IterationCount = Iterations }));
    private readonly string _dummyHash;

    public PasswordHashing() => _dummyHash = Hash(Guid.NewGuid().ToString());

    public string Hash(string password) => _hasher.HashPassword(this, password);

    /// <summary>Verifies; <paramref name="rehash"/> is set when the stored hash uses weaker parameters.</summary>
    public bool Verify(string? hash, string password, out string? rehash)
    {
        rehash = null;
        var result = _hasher.VerifyHashedPassword(this, hash ?? _dummyHash, password);
        if (hash is null || result == PasswordVerificationResult.Failed)
        {
            return false;
        }
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            rehash = Hash(password);
        }
        return true;
    }
}
