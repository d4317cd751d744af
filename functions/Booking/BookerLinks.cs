using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Parley.Functions.Booking;

/// <summary>
/// The booker's own link to their booking (<c>/booking#token</c>): the account and appointment sealed with the app's
/// data-protection keys — unguessable, and nobody can make one for another booking. It works while the booking starts in
/// the future (judged against the appointment's current start, so a move by the business keeps it working) and, after
/// that or after a cancellation, still explains what happened; it never grants more than this one booking.
/// </summary>
public sealed class BookerLinks(IDataProtectionProvider provider, Hosting.PublicUrl publicUrl)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Parley.Booking.BookerLink.v1");

    public string Token(string accountId, string appointmentId) => _protector.Protect(accountId + "|" + appointmentId);

    public string ManageUrl(string accountId, string appointmentId) => $"{publicUrl.Origin}/booking#{Token(accountId, appointmentId)}";

    public string CalendarUrl(string accountId, string appointmentId) => $"{publicUrl.Origin}/api/booking/{Token(accountId, appointmentId)}/calendar.ics";

    public (string AccountId, string AppointmentId)? Read(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 1000)
        {
            return null;
        }
        try
        {
            return _protector.Unprotect(token).Split('|') is [{ Length: > 0 } account, { Length: > 0 } appointment] ? (account, appointment) : null;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return null;
        }
    }
}
