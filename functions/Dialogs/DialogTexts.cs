using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Parley.Functions.Dialogs;

/// <summary>
/// The words of dialog e-mails, SMS and calls, as data per language (<c>Dialogs/Texts/{de,en,fr,es,it,pl,nl}.json</c>; other
/// languages fall back to English). Everything people wrote is HTML-encoded in the HTML part.
/// </summary>
public sealed class DialogTexts
{
    public static readonly string[] Languages = ["de", "en", "fr", "es", "it", "pl", "nl"];
    private readonly Common.TextCatalog _catalog = new("Parley.Functions.Dialogs.Texts", Languages);

    public string Get(string language, string key, params (string Name, string Value)[] values) => _catalog.Get(language, key, values);

    public static string Culture(string language) => language switch { "de" => "de-DE", "fr" => "fr-FR", "es" => "es-ES", "it" => "it-IT", "pl" => "pl-PL", "nl" => "nl-NL", _ => "en-GB" };

    /// <summary>Date and time in the dialog's time zone, written the language's way.</summary>
    public static (string Date, string Time) Format(DateTimeOffset at, string timeZone, string language)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var z) ? z : TimeZoneInfo.Utc;
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var culture = CultureInfo.GetCultureInfo(Culture(language));
        return (local.ToString("D", culture), local.ToString("HH:mm", culture));
    }

    /// <summary>The thread as plain text and as HTML (every message encoded), oldest first.</summary>
    public (string Text, string Html) Thread(Dialog dialog, IReadOnlyList<DialogMessage> messages, string language, string customerLabel, string adviserLabel)
    {
        var text = new StringBuilder();
        var html = new StringBuilder("<div style=\"border-top:1px solid #ddd;margin-top:16px\">");
        foreach (var m in messages)
        {
            var who = m.From == DialogParty.Customer ? customerLabel : adviserLabel;
            var (date, time) = Format(m.At, dialog.TimeZone, language);
            text.Append(CultureInfo.InvariantCulture, $"\n— {who}, {date} {time}:\n{m.Text}\n");
            html.Append(CultureInfo.InvariantCulture,
                $"<p style=\"margin:12px 0 4px;color:#555;font-size:13px\">{Encode(who)}, {Encode(date)} {Encode(time)}</p><p style=\"margin:0;white-space:pre-wrap\">{Encode(m.Text)}</p>");
        }
        html.Append("</div>");
        return (text.ToString(), html.ToString());
    }

    public static string Encode(string value) => HtmlEncoder.Default.Encode(value);
}
