namespace Parley.Functions.Notifications;

/// <summary>When reminders are due.</summary>
public static class ReminderPlan
{
    /// <summary>
    /// Whole days before mean the same wall-clock time that many days earlier in the appointment's zone (so a 24 h
    /// reminder for 09:00 arrives at 09:00 the day before, also across a daylight-saving change; a time that does not
    /// exist then is moved forward by the gap). Other offsets are elapsed time.
    /// </summary>
    public static DateTimeOffset DueAt(DateTimeOffset start, string timeZone, int offsetMinutes)
    {
        if (offsetMinutes % 1440 != 0)
        {
            return start - TimeSpan.FromMinutes(offsetMinutes);
        }
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        var local = TimeZoneInfo.ConvertTime(start, zone).DateTime.AddDays(-offsetMinutes / 1440);
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}
