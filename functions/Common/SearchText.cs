using System.Globalization;
using System.Text;

namespace Parley.Functions.Common;

/// <summary>Case- and accent-insensitive search: text is lower-cased, accents removed (ß → ss), split into words.</summary>
public static class SearchText
{
    public static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }
        var decomposed = text.ToLowerInvariant().Replace("ß", "ss", StringComparison.Ordinal).Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                sb.Append(char.IsLetterOrDigit(c) || c is '@' or '.' or '+' or '-' or '_' ? c : ' ');
            }
        }
        return string.Join(' ', sb.ToString().Normalize(NormalizationForm.FormC).Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>True when every word of the query is the start of some word of the indexed text.</summary>
    public static bool Matches(string indexed, string normalizedQuery)
    {
        if (normalizedQuery.Length == 0)
        {
            return true;
        }
        var words = indexed.Split(' ');
        return normalizedQuery.Split(' ').All(q => words.Any(w => w.StartsWith(q, StringComparison.Ordinal)));
    }
}
