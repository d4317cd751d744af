namespace Parley.Functions.CustomFields;

public enum CustomFieldType
{
    Text,
    Number,
    Date,
    Choice,
}

/// <summary>
/// An administrator-defined field on cases (e.g. "subscription tier"). Removing a definition archives it: values
/// stay stored on the cases but are no longer shown or validated, and come back if a field with that key is added again.
/// </summary>
public sealed record CustomFieldDefinition(string Key, string Label, CustomFieldType Type, IReadOnlyList<string> Choices, bool Required, bool Archived, int Order)
{
    /// <summary>Booking pages ask this question (always optional for the booker; see docs/booking.md).</summary>
    public bool AskWhenBooking { get; init; }
}

public sealed record CustomFieldRequest(string? Key, string? Label, string? Type, IReadOnlyList<string>? Choices, bool? Required, bool? AskWhenBooking = null);

/// <summary>The keys of all active custom fields, in the order they are to be shown.</summary>
public sealed record CustomFieldOrderRequest(IReadOnlyList<string>? Keys);

public sealed record CustomFieldView(string Key, string Label, string Type, IReadOnlyList<string> Choices, bool Required, bool AskWhenBooking)
{
    public static CustomFieldView From(CustomFieldDefinition d) => new(d.Key, d.Label, Common.Wire.Name(d.Type), d.Choices, d.Required, d.AskWhenBooking);
}
