namespace Parley.Functions.Identity;

/// <summary>The claims of a Parley principal; the account id here is the only source of tenancy.</summary>
public static class ParleyClaims
{
    public const string AccountId = "parley:account";
    public const string OperatorId = "parley:operator";
    public const string Role = "parley:role";
    public const string SecurityStamp = "parley:stamp";
    public const string ApiKeyId = "parley:apikey";
    public const string SessionId = "parley:session";
}

public static class ParleyPolicies
{
    /// <summary>Administrators of the account, and API keys on endpoints open to them (see <see cref="ApiKeyAccess"/>).</summary>
    public const string Administrator = "administrator";
}
