using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Parley.Functions.Appointments;

namespace Parley.Functions.Booking;

/// <summary>
/// The "add to calendar" file of a booking (RFC 5545, written by Ical.Net): one event in UTC with a stable UID, so a
/// calendar that imports the file again after a move updates the entry (SEQUENCE counts the moves) and a cancelled
/// booking's file marks it cancelled. The meeting link is in it; the meeting code is not (calendars are shared and synced).
/// </summary>
public static class BookingCalendarFile
{
    public const string ContentType = "text/calendar; charset=utf-8";

    public static string Render(Appointment appointment, string title, string description, string joinUrl, DateTimeOffset now)
    {
        var calendar = new Calendar { Method = "PUBLISH" };
        calendar.AddProperty("X-WR-CALNAME", title);
        var moves = appointment.History.Count(h => h.Action == "rescheduled");
        calendar.Events.Add(new CalendarEvent
        {
            Uid = appointment.Id + "@parley",
            DtStamp = new CalDateTime(now.UtcDateTime),
            DtStart = new CalDateTime(appointment.Start.UtcDateTime),
            DtEnd = new CalDateTime(appointment.End.UtcDateTime),
            Summary = title,
            Description = description,
            Location = joinUrl,
            Url = new Uri(joinUrl),
            Sequence = moves,
            Status = appointment.Status == AppointmentStatus.Cancelled ? "CANCELLED" : "CONFIRMED",
        });
        return new CalendarSerializer().SerializeToString(calendar)!;
    }
}
