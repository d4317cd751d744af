using System.Globalization;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Parley.Functions.Notifications;

public enum MessageKind
{
    Invitation,
    Reschedule,
    Cancellation,
    Reminder,
    DialogAlert,
    DialogAnswer,
    OperatorInvitation,
    BookingAlert,
    ChatAlert,
    ChatReply,
    ChatTranscript,
    WebhookDisabled,
}

/// <summary>What a message is about; every value is data from people and is encoded wherever it lands. No case name = a neutral greeting.</summary>
public sealed record MessageFacts(
    string Language,
    string BusinessName,
    string? CaseName,
    string OperatorName,
    DateTimeOffset Start,
    string TimeZone,
    string JoinUrl,
    string? Pin,
    string? Reason)
{
    /// <summary>A booking made on a booking page: the booker's own link to move or cancel it.</summary>
    public string? ManageUrl { get; init; }

    /// <summary>A booking made on a booking page: its "add to calendar" file.</summary>
    public string? CalendarUrl { get; init; }
}

/// <summary>What an operator invitation says; names are data from people and encoded in the HTML part.</summary>
public sealed record OperatorInvitationFacts(string Language, string BusinessName, string OperatorName, string Email, string InvitedBy,
    string SetPasswordUrl, DateTimeOffset ExpiresAt, string TimeZone);

/// <summary>A rendered message: SMS text, e-mail subject, plain-text and HTML parts.</summary>
public sealed record RenderedMessage(string Subject, string Sms, string Text, string Html);

/// <summary>
/// Customer messages as data: one JSON file per language in Notifications/Templates (embedded), with placeholders
/// such as {date}. German and English are the reference; fr, es, it, pl and nl are complete too. An unknown
/// language falls back to English. Dates and times are written in the appointment's time zone and the
/// language's conventions; every value is HTML-encoded in the HTML part.
/// </summary>
public sealed partial class MessageTemplates
{
    public static readonly IReadOnlyList<string> Languages = ["de", "en", "fr", "es", "it", "pl", "nl"];
    private readonly Dictionary<string, JsonElement> _catalogs = Languages.ToDictionary(l => l, Load);

    public RenderedMessage Render(MessageKind kind, MessageFacts facts)
    {
        var language = _catalogs.ContainsKey(facts.Language) ? facts.Language : "en";
        var catalog = _catalogs[language];
        var section = catalog.GetProperty(Key(kind));
        var culture = CultureInfo.GetCultureInfo(language);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(facts.TimeZone);
        var local = TimeZoneInfo.ConvertTime(facts.Start, zone);
        var values = new Dictionary<string, string>
        {
            ["businessName"] = facts.BusinessName,
            ["caseName"] = facts.CaseName ?? "",
            ["operatorName"] = facts.OperatorName,
            ["date"] = local.ToString("D", culture),
            ["time"] = local.ToString("t", culture),
            ["timeZone"] = facts.TimeZone,
            ["joinUrl"] = facts.JoinUrl,
            ["pin"] = facts.Pin ?? "",
            ["reason"] = facts.Reason ?? "",
        };
        values["pinSms"] = facts.Pin is null ? "" : " PIN " + facts.Pin;
        // Only kinds whose template words a reason (a cancellation) carry one; others (e.g. a new code's invitation) ignore it.
        values["reasonSms"] = string.IsNullOrWhiteSpace(facts.Reason) || !section.TryGetProperty("reason", out var reasonText) ? "" : " " + Fill(reasonText.GetString()!, values, encode: false);

        // No name (a case whose customer stays anonymous, e.g. from an adviser dialog): a neutral greeting.
        var lines = new List<string> { Text(catalog, facts.CaseName is null ? "greetingNeutral" : "greeting"), Text(section, "body") };
        if (kind == MessageKind.Cancellation && !string.IsNullOrWhiteSpace(facts.Reason))
        {
            lines.Add(Text(section, "reason"));
        }
        if (kind != MessageKind.Cancellation && facts.Pin is not null)
        {
            lines.Add(Text(catalog, "pinLine"));
        }
        // Booker's links: plain text in both parts (the text part shows the URL, the HTML part links it).
        var bookerLinks = new List<(string Label, string Url)>();
        if (kind != MessageKind.Cancellation && facts.CalendarUrl is not null)
        {
            bookerLinks.Add((Text(catalog, "calendarLink"), facts.CalendarUrl));
        }
        if (kind != MessageKind.Cancellation && facts.ManageUrl is not null)
        {
            bookerLinks.Add((Text(catalog, "manageLink"), facts.ManageUrl));
        }
        var text = string.Join("\n\n", lines.Select(l => Fill(l, values, encode: false)))
            + (kind != MessageKind.Cancellation ? $"\n\n{Fill(Text(catalog, "linkLabel"), values, false)}: {facts.JoinUrl}" : "")
            + string.Concat(bookerLinks.Select(l => $"\n\n{l.Label}: {l.Url}"))
            + "\n\n" + Fill(Text(catalog, "signature"), values, false);
        var html = "<!doctype html><html lang=\"" + language + "\"><body style=\"font-family:Arial,sans-serif;color:#1c2433;line-height:1.5\">"
            + string.Concat(lines.Select(l => "<p>" + Fill(l, values, encode: true) + "</p>"))
            + (kind != MessageKind.Cancellation
                ? $"<p><a href=\"{HtmlEncoder.Default.Encode(facts.JoinUrl)}\" style=\"background:#2b59c3;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none\">{Fill(Text(catalog, "linkLabel"), values, true)}</a></p>"
                : "")
            + string.Concat(bookerLinks.Select(l => $"<p><a href=\"{HtmlEncoder.Default.Encode(l.Url)}\">{HtmlEncoder.Default.Encode(l.Label)}</a></p>"))
            + "<p>" + Fill(Text(catalog, "signature"), values, true) + "</p></body></html>";
        return new RenderedMessage(
            Fill(Text(section, "subject"), values, encode: false),
            Fill(Text(section, "sms"), values, encode: false),
            text,
            html);
    }

    /// <summary>
    /// The e-mail that invites a new operator to choose a password (in the operator's language, English when unknown).
    /// The expiry is written in the operator's time zone.
    /// </summary>
    public RenderedMessage RenderOperatorInvitation(OperatorInvitationFacts facts)
    {
        var language = _catalogs.ContainsKey(facts.Language) ? facts.Language : "en";
        var section = _catalogs[language].GetProperty(Key(MessageKind.OperatorInvitation));
        var culture = CultureInfo.GetCultureInfo(language);
        var local = TimeZoneInfo.ConvertTime(facts.ExpiresAt, TimeZoneInfo.FindSystemTimeZoneById(facts.TimeZone));
        var values = new Dictionary<string, string>
        {
            ["businessName"] = facts.BusinessName,
            ["operatorName"] = facts.OperatorName,
            ["invitedBy"] = facts.InvitedBy,
            ["email"] = facts.Email,
            ["date"] = local.ToString("D", culture),
            ["time"] = local.ToString("t", culture),
            ["timeZone"] = facts.TimeZone,
        };
        var lines = new[] { "greeting", "body", "expiry" }.Select(name => Text(section, name)).ToList();
        var label = Text(section, "linkLabel");
        var text = string.Join("\n\n", lines.Take(2).Select(l => Fill(l, values, false)))
            + $"\n\n{Fill(label, values, false)}: {facts.SetPasswordUrl}\n\n{Fill(lines[2], values, false)}\n\n{facts.BusinessName}";
        var html = "<!doctype html><html lang=\"" + language + "\"><body style=\"font-family:Arial,sans-serif;color:#1c2433;line-height:1.5\">"
            + string.Concat(lines.Take(2).Select(l => "<p>" + Fill(l, values, true) + "</p>"))
            + $"<p><a href=\"{HtmlEncoder.Default.Encode(facts.SetPasswordUrl)}\" style=\"background:#2b59c3;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none\">{Fill(label, values, true)}</a></p>"
            + "<p>" + Fill(lines[2], values, true) + "</p><p>" + HtmlEncoder.Default.Encode(facts.BusinessName) + "</p></body></html>";
        var subject = Fill(Text(section, "subject"), values, false);
        return new RenderedMessage(subject, "", text, html);
    }

    private static string Text(JsonElement element, string name) => element.GetProperty(name).GetString()!;

    private static string Fill(string template, IReadOnlyDictionary<string, string> values, bool encode) =>
        PlaceholderRegex().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var v) ? (encode ? HtmlEncoder.Default.Encode(v) : v) : m.Value);

    private static string Key(MessageKind kind) => char.ToLowerInvariant(kind.ToString()[0]) + kind.ToString()[1..];

    private static JsonElement Load(string language)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Parley.Functions.Notifications.Templates.{language}.json")
            ?? throw new InvalidOperationException($"The {language} message templates are missing from the build.");
        return JsonDocument.Parse(stream).RootElement.Clone();
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex PlaceholderRegex();
}
