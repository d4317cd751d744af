using System.Globalization;

namespace Parley.Functions.Common;

/// <summary>
/// Turns what a person entered into an instant, with the rules for daylight-saving transitions:
/// <list type="bullet">
/// <item>An ISO-8601 time <b>with</b> offset is taken as that instant; its offset must be the zone's offset at that
/// instant (a "02:30+01:00" in Berlin on the spring-forward night names a wall-clock time that does not exist).</item>
/// <item>A time <b>without</b> offset is a wall-clock time in the zone: if it falls into the spring-forward gap it is
/// refused; if it occurs twice (fall-back), the <b>first</b> occurrence (the earlier instant, summer time) is meant.</item>
/// </list>
/// </summary>
public static class WallClock
{
    public static bool TryResolve(string? text, TimeZoneInfo zone, out DateTimeOffset instant, out string? error)
    {
        instant = default;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = ServerText.L("This field is required.");
            return false;
        }
        text = text.Trim();
        var hasOffset = text.EndsWith('Z') || text.Length > 19 && (text[^6] is '+' or '-') && text[^3] == ':';
        if (hasOffset)
        {
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var given))
            {
                error = ServerText.L("Use an ISO 8601 date and time such as 2026-03-30T10:00:00+02:00.");
                return false;
            }
            var local = given.DateTime;
            if (!text.EndsWith('Z') && zone.IsInvalidTime(local))
            {
                error = ServerText.L("{0} does not exist in {1}: the clocks skip that hour when summer time starts.", local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), zone.Id);
                return false;
            }
            var zoneOffset = zone.GetUtcOffset(given.UtcDateTime);
            if (!text.EndsWith('Z') && given.Offset != zoneOffset)
            {
                error = ServerText.L("The offset {0} is not the offset of {1} at that time ({2}).", Offset(given.Offset), zone.Id, Offset(zoneOffset));
                return false;
            }
            instant = given.ToUniversalTime();
            return true;
        }
        if (!DateTime.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var wall))
        {
            error = ServerText.L("Use an ISO 8601 date and time such as 2026-03-30T10:00:00+02:00.");
            return false;
        }
        wall = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(wall))
        {
            error = ServerText.L("{0} does not exist in {1}: the clocks skip that hour when summer time starts.", wall.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), zone.Id);
            return false;
        }
        var offset = zone.IsAmbiguousTime(wall)
            ? zone.GetAmbiguousTimeOffsets(wall).Max() // the first occurrence: before the clocks go back
            : zone.GetUtcOffset(wall);
        instant = new DateTimeOffset(wall, offset).ToUniversalTime();
        return true;
    }

    private static string Offset(TimeSpan offset) => (offset < TimeSpan.Zero ? "-" : "+") + offset.ToString(@"hh\:mm", CultureInfo.InvariantCulture);
}
