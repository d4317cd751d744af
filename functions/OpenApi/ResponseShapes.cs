using Parley.Functions.Cases;
using Parley.Functions.Dialogs;

namespace Parley.Functions.OpenApi;

/// <summary>
/// Named shapes for the document where a handler answers with an anonymous object or a JSON node; they spell the same
/// JSON (web defaults: camelCase) so the document can describe it. Only for <c>Produces&lt;T&gt;</c>; never serialized.
/// </summary>
internal static class ResponseShapes
{
    /// <summary><c>POST /api/appointments</c>: the new case and its first appointment.</summary>
    internal sealed record CaseWithAppointment(CaseView Case, Appointments.AppointmentView Appointment);

    /// <summary><c>GET /api/dialogs</c>: a page of dialogs, newest activity first; pass <c>next</c> as <c>cursor</c>.</summary>
    internal sealed record DialogPage(IReadOnlyList<DialogRowView> Items, string? Next);

    /// <summary>A dialog with its messages (<c>GET /api/dialogs/{id}</c>, a reply).</summary>
    internal sealed record DialogDetail(string Id, string OperatorId, string AdviserName, string? LineId, DateTimeOffset CreatedAt, string CustomerId, string Keyword,
        DateTimeOffset? AvailableUntil, bool AvailableUntilPast, DateTimeOffset? WishedAt, string TimeZone, string FirstMessage, string LastMessage, string LastFrom,
        string LastMessageColor, bool NeedsAnswer, bool Closed, AlertCallView? AlertCall, IReadOnlyList<DialogMessageView> Messages, bool CustomerHasCallNumber,
        bool CustomerHasSmsNumber, string CustomerLanguage);
}
