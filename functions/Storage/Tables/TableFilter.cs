using System.Globalization;
using System.Text;

namespace Parley.Functions.Storage.Tables;

/// <summary>
/// Builds OData <c>$filter</c> expressions with every interpolated value encoded as a typed literal:
/// <c>TableFilter.Create($"PartitionKey eq {accountId} and RowKey ge {from}")</c>. A quote inside a
/// string value is doubled, so values can never change the expression's structure.
/// </summary>
public static class TableFilter
{
    public static string Create(FormattableString filter)
    {
        var args = filter.GetArguments().Select(Literal).ToArray<object?>();
        return string.Format(CultureInfo.InvariantCulture, filter.Format, args);
    }

    public static string Literal(object? value) => value switch
    {
        null => "null",
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        double d => d.ToString("R", CultureInfo.InvariantCulture) is var r && (r.Contains('.') || r.Contains('E')) ? r : r + ".0",
        DateTimeOffset dto => "datetime'" + dto.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) + "'",
        DateTime dt => Literal(new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt.ToUniversalTime())),
        Guid g => "guid'" + g.ToString("D") + "'",
        byte[] bytes => "X'" + Convert.ToHexString(bytes).ToLowerInvariant() + "'",
        _ => throw new ArgumentException($"A {value.GetType().Name} cannot be used in a table filter.", nameof(value)),
    };

    /// <summary>The upper bound for a prefix range query: all RowKeys starting with <paramref name="prefix"/> are &lt; the result.</summary>
    public static string PrefixUpperBound(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var sb = new StringBuilder(prefix);
        sb[^1] = (char)(sb[^1] + 1);
        return sb.ToString();
    }
}
