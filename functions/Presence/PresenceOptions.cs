namespace Parley.Functions.Presence;

/// <summary>Settings of operators' presence (section <c>Presence</c>, e.g. <c>Presence__AwayAfter</c>).</summary>
public sealed class PresenceOptions
{
    public const string Section = "Presence";

    /// <summary>An operator online by choice counts as Away when the dashboard reported no activity for this long.</summary>
    public TimeSpan AwayAfter { get; set; } = TimeSpan.FromMinutes(10);
}
