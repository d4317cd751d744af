namespace Parley.Functions.Common;

public static class TimeZones
{
    /// <summary>True for IANA ids this machine knows (Europe/Berlin, UTC); Windows ids are refused so stored ids stay portable.</summary>
    public static bool IsIana(string id)
    {
        if (id is "UTC" or "Etc/UTC")
        {
            return true;
        }
        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out _)
            && TimeZoneInfo.TryConvertIanaIdToWindowsId(id, out _);
    }
}
