namespace Parley.Functions.Common;

public static class Languages
{
    /// <summary>The languages Parley speaks to customers and operators (product.md §6).</summary>
    public static readonly IReadOnlyList<string> Supported = ["de", "en", "fr", "es", "it", "pl", "nl"];
}
