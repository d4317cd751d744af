using System.Globalization;
using System.Text.Json;
using Parley.Functions.Common;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.CustomFields;

/// <summary>Checks custom-field values against the account's active definitions; values are stored as strings.</summary>
public static class CustomFieldValues
{
    /// <summary>Validates and normalises <paramref name="values"/>; <paramref name="creating"/> also enforces required fields.</summary>
    public static Dictionary<string, string> Check(Validation v, IReadOnlyList<CustomFieldDefinition> definitions, IReadOnlyDictionary<string, JsonElement>? values, bool creating)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var active = definitions.Where(d => !d.Archived).ToDictionary(d => d.Key, StringComparer.Ordinal);
        foreach (var (key, raw) in values ?? new Dictionary<string, JsonElement>())
        {
            var field = $"customFields.{key}";
            if (!active.TryGetValue(key, out var definition))
            {
                v.Add(field, L("There is no custom field '{0}'. An administrator defines custom fields.", key));
                continue;
            }
            var text = raw.ValueKind switch
            {
                JsonValueKind.Null or JsonValueKind.Undefined => "",
                JsonValueKind.String => raw.GetString()!.Trim(),
                JsonValueKind.Number => raw.GetRawText(),
                JsonValueKind.True or JsonValueKind.False => raw.GetRawText(),
                _ => null,
            };
            if (text is null)
            {
                v.Add(field, L("Enter a single value."));
                continue;
            }
            if (text.Length == 0 || Validation.LooksEmpty(text))
            {
                if (definition.Required)
                {
                    v.Add(field, L("This field is required."));
                }
                result[key] = "";
                continue;
            }
            if (!v.Characters(field, text))
            {
                continue;
            }
            switch (definition.Type)
            {
                case CustomFieldType.Text when text.Length > 500:
                    v.Add(field, L("Use at most {0} characters.", 500));
                    break;
                case CustomFieldType.Number when !decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out _):
                    v.Add(field, L("Enter a number such as 42 or 3.5."));
                    break;
                case CustomFieldType.Date when !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _):
                    v.Add(field, L("Enter a date as YYYY-MM-DD."));
                    break;
                case CustomFieldType.Choice when !definition.Choices.Contains(text, StringComparer.Ordinal):
                    v.Add(field, L("Choose one of: {0}.", string.Join(", ", definition.Choices)));
                    break;
            }
            result[key] = text;
        }
        if (creating)
        {
            foreach (var definition in active.Values.Where(d => d.Required && (!result.TryGetValue(d.Key, out var value) || value.Length == 0)))
            {
                if (!result.ContainsKey(definition.Key))
                {
                    v.Add($"customFields.{definition.Key}", L("This field is required."));
                }
            }
        }
        return result;
    }
}
