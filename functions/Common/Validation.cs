using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Common;

/// <summary>Collects field errors and turns them into one RFC 9457 validation problem (400) with an <c>errors</c> map.</summary>
public sealed class Validation
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public Validation Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(message);
        return this;
    }

    /// <summary>Trims, requires (when <paramref name="required"/>) and bounds a text field; returns the trimmed value.</summary>
    public string? Text(string field, string? value, int max, bool required = true, int min = 1)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            if (required)
            {
                Add(field, L("This field is required."));
            }
            return null;
        }
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
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray()),
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
