using System.Globalization;
using System.Text;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Common;

/// <summary>Collects field errors and turns them into one RFC 9457 validation problem (400) with an <c>errors</c> map.</summary>
public sealed class Validation
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    /// <summary>The messages so far, by field.</summary>
    public IReadOnlyDictionary<string, string[]> Errors => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public Validation Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(message);
        return this;
    }

    /// <summary>
    /// Trims, requires (when <paramref name="required"/>) and bounds a text field, and refuses what no text field should
    /// hold (see <see cref="Characters"/>); returns the trimmed value. Text made only of spaces and invisible characters
    /// counts as empty. Multi-line fields (notes, messages) keep line breaks (as <c>\n</c>) and tabs.
    /// </summary>
    public string? Text(string field, string? value, int max, bool required = true, int min = 1, bool multiLine = false)
    {
        var trimmed = value?.Trim();
        if (multiLine)
        {
            trimmed = trimmed?.ReplaceLineEndings("\n");
        }
        if (string.IsNullOrEmpty(trimmed) || LooksEmpty(trimmed))
        {
            if (required)
            {
                Add(field, string.IsNullOrEmpty(trimmed) ? L("This field is required.") : L("Enter visible characters, not only spaces or invisible ones."));
            }
            return null;
        }
        Characters(field, trimmed, multiLine);
        if (trimmed.Length < min)
        {
            Add(field, L("Use at least {0} characters.", min));
        }
        if (trimmed.Length > max)
        {
            Add(field, L("Use at most {0} characters (you entered {1}).", max, trimmed.Length));
        }
        return trimmed;
    }

    /// <summary>
    /// Refuses control characters (NUL, escape, bell…; multi-line fields may hold <c>\n</c> and <c>\t</c>) and broken
    /// UTF-16 (a lone surrogate, which storage cannot encode). True when the text is fine.
    /// </summary>
    public bool Characters(string field, string text, bool multiLine = false)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsControl(c) && !(multiLine && (c is '\n' or '\t')))
            {
                Add(field, multiLine ? L("Remove control characters; only line breaks and tabs are allowed.") : L("Remove control characters such as line breaks and tabs."));
                return false;
            }
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                Add(field, L("Remove the invalid character at position {0}.", i + 1));
                return false;
            }
        }
        return true;
    }

    /// <summary>True when nothing in <paramref name="text"/> would show: only whitespace, format characters (zero-width space, joiners, BOM), combining marks without a base, or blank fillers.</summary>
    public static bool LooksEmpty(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            var invisible = Rune.IsWhiteSpace(rune) || rune.Value is 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800 || Rune.GetUnicodeCategory(rune) is
                UnicodeCategory.Format or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Control;
            if (!invisible)
            {
                return false;
            }
        }
        return true;
    }

    public string? Email(string field, string? value, bool required = true)
    {
        var trimmed = Text(field, value, 254, required);
        if (trimmed is not null && !EmailAddress.IsValid(trimmed))
        {
            Add(field, L("Enter an e-mail address like name@example.com."));
        }
        return trimmed is null ? null : EmailAddress.Normalize(trimmed);
    }

    public string? TimeZone(string field, string? value, bool required = true)
    {
        var trimmed = Text(field, value, 64, required);
        if (trimmed is not null && !TimeZones.IsIana(trimmed))
        {
            Add(field, L("Choose a time zone such as Europe/Berlin (an IANA time-zone id)."));
        }
        return trimmed;
    }

    public string? Language(string field, string? value, bool required = true)
    {
        var trimmed = Text(field, value, 5, required)?.ToLowerInvariant();
        if (trimmed is not null && !Languages.Supported.Contains(trimmed))
        {
            Add(field, L("Choose one of: {0}.", string.Join(", ", Languages.Supported)));
        }
        return trimmed;
    }

    public T? OneOf<T>(string field, string? value, bool required = true) where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                Add(field, L("This field is required."));
            }
            return null;
        }
        foreach (var name in Enum.GetNames<T>())
        {
            if (string.Equals(Wire.Name(name), value.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return Enum.Parse<T>(name);
            }
        }
        Add(field, L("Choose one of: {0}.", string.Join(", ", Enum.GetNames<T>().Select(Wire.Name))));
        return null;
    }

    /// <summary>400 by default; 409 when the input is well-formed but clashes with stored state (an e-mail in use).</summary>
    public IResult Problem(int status = StatusCodes.Status400BadRequest, string? title = null) => Results.ValidationProblem(
        Errors,
        statusCode: status,
        title: title ?? L("Some fields need your attention."),
        type: status == StatusCodes.Status409Conflict ? "https://parley.app/problems/conflict" : "https://parley.app/problems/validation");

    public static IResult Single(string field, string message, int status = StatusCodes.Status400BadRequest, string? title = null) =>
        new Validation().Add(field, message).Problem(status, title);
}

/// <summary>Enum names on the wire: camelCase (<c>DefaultOn</c> → <c>defaultOn</c>).</summary>
public static class Wire
{
    public static string Name(string enumName) => char.ToLowerInvariant(enumName[0]) + enumName[1..];

    public static string Name<T>(T value) where T : struct, Enum => Name(value.ToString());
}
