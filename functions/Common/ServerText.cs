using System.Globalization;

namespace Parley.Functions.Common;

/// <summary>
/// Messages people read (validation errors, problem titles and details) in the request's language, chosen by
/// ASP.NET Core request localization from <c>Accept-Language</c> (the dashboard sends its UI language).
/// The English text is the key; catalogs hold translations. A test checks every <c>L("…")</c> has one.
/// </summary>
public static class ServerText
{
    public static readonly string[] Cultures = ["en", "de"];

    public static string L(string english, params object?[] args)
    {
        var language = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName;
        var template = language == "de" && German.TryGetValue(english, out var de) ? de : english;
        return args.Length == 0 ? template : string.Format(CultureInfo.CurrentCulture, template, args);
    }

    internal static readonly Dictionary<string, string> German = new(StringComparer.Ordinal)
    {
        ["This field is required."] = "Dieses Feld ist erforderlich.",
        ["Parley cannot queue the customer's messages right now, so nothing was saved. Please try again shortly."] = "Parley kann die Nachrichten an den Kunden gerade nicht einreihen, daher wurde nichts gespeichert. Bitte versuchen Sie es gleich noch einmal.",
        ["Enter a number for voice alerts, or switch them off."] = "Geben Sie eine Nummer für Sprachbenachrichtigungen ein oder schalten Sie sie aus.",
        ["This secret word is not valid here. Please ask your adviser for the current one."] = "Dieses Geheimwort ist hier nicht gültig. Bitte fragen Sie Ihren Berater nach dem aktuellen.",
        ["The customer left no number for calls."] = "Der Kunde hat keine Nummer für Anrufe hinterlassen.",
        ["Only a signed-in adviser has dialog alerts; API keys do not."] = "Nur angemeldete Berater haben Dialog-Benachrichtigungen, API-Schlüssel nicht.",
        ["You have started several conversations in a short time. Please wait a little before starting another."] = "Sie haben in kurzer Zeit mehrere Dialoge begonnen. Bitte warten Sie etwas, bevor Sie einen weiteren beginnen.",
        ["Your adviser wrote at the same moment. Please reload the page and send your reply again."] = "Ihr Berater hat im selben Moment geschrieben. Bitte laden Sie die Seite neu und senden Sie Ihre Antwort noch einmal.",
        ["Someone else changed these settings at the same moment. Please try again."] = "Jemand anderes hat diese Einstellungen im selben Moment geändert. Bitte versuchen Sie es noch einmal.",
        ["Choose a time in the future."] = "Wählen Sie einen Zeitpunkt in der Zukunft.",
        ["This link is no longer valid."] = "Dieser Link ist nicht mehr gültig.",
        ["Choose a length from {0} to {1} characters."] = "Wählen Sie eine Länge von {0} bis {1} Zeichen.",
        ["Enter a time like 18:30."] = "Geben Sie eine Uhrzeit wie 18:30 ein.",
        ["This conversation has been closed."] = "Dieser Dialog wurde geschlossen.",
        ["Choose a date."] = "Wählen Sie ein Datum.",
        ["This dialog is closed."] = "Dieser Dialog ist geschlossen.",
        ["Choose a time later today."] = "Wählen Sie eine spätere Uhrzeit von heute.",
        ["Choose a colour like #2563eb."] = "Wählen Sie eine Farbe wie #2563eb.",
        ["This dialog changed at the same moment (a new message?). Please reload it and try again."] = "Dieser Dialog hat sich im selben Moment geändert (eine neue Nachricht?). Bitte laden Sie ihn neu und versuchen Sie es noch einmal.",
        ["This secret word is already active."] = "Dieses Geheimwort ist bereits aktiv.",
        ["Enter a number for SMS alerts, or switch them off."] = "Geben Sie eine Nummer für SMS-Benachrichtigungen ein oder schalten Sie sie aus.",
        ["The request body is too large."] = "Der Inhalt der Anfrage ist zu groß.",
        ["The request body is not valid JSON."] = "Der Inhalt der Anfrage ist kein gültiges JSON.",
        ["Use at least {0} characters."] = "Verwenden Sie mindestens {0} Zeichen.",
        ["Use at most {0} characters (you entered {1})."] = "Verwenden Sie höchstens {0} Zeichen (Sie haben {1} eingegeben).",
        ["Use at most {0} characters."] = "Verwenden Sie höchstens {0} Zeichen.",
        ["Enter an e-mail address like name@example.com."] = "Geben Sie eine E-Mail-Adresse wie name@beispiel.de ein.",
        ["Choose a time zone such as Europe/Berlin (an IANA time-zone id)."] = "Wählen Sie eine Zeitzone wie Europe/Berlin (eine IANA-Zeitzonen-ID).",
        ["Choose one of: {0}."] = "Wählen Sie eines von: {0}.",
        ["Some fields need your attention."] = "Einige Felder brauchen Ihre Aufmerksamkeit.",
        ["Choose a password."] = "Wählen Sie ein Passwort.",
        ["This password is too easy to guess. Try a few unrelated words."] = "Dieses Passwort ist zu leicht zu erraten. Versuchen Sie einige unzusammenhängende Wörter.",
        ["Don't use your name or e-mail address in the password."] = "Verwenden Sie Ihren Namen oder Ihre E-Mail-Adresse nicht im Passwort.",
        ["Not signed in"] = "Nicht angemeldet",
        ["Sign in to continue."] = "Melden Sie sich an, um fortzufahren.",
        ["Send a valid API key as 'Authorization: Bearer parley_…', or sign in."] = "Senden Sie einen gültigen API-Schlüssel als 'Authorization: Bearer parley_…' oder melden Sie sich an.",
        ["Not allowed"] = "Nicht erlaubt",
        ["This API key may not do this."] = "Dieser API-Schlüssel darf das nicht.",
        ["Only administrators of this account may do this."] = "Nur Administratoren dieses Kontos dürfen das.",
        ["Sign-in failed"] = "Anmeldung fehlgeschlagen",
        ["The e-mail address or password is not right."] = "Die E-Mail-Adresse oder das Passwort stimmt nicht.",
        ["Enter your password."] = "Geben Sie Ihr Passwort ein.",
        ["Too many failed sign-ins for this e-mail address. Try again in {0} minute(s)."] = "Zu viele fehlgeschlagene Anmeldungen für diese E-Mail-Adresse. Versuchen Sie es in {0} Minute(n) erneut.",
        ["This link is incomplete. Open the whole link you were given."] = "Dieser Link ist unvollständig. Öffnen Sie den ganzen Link, den Sie erhalten haben.",
        ["This link is invalid, expired or already used. Ask your administrator for a new one."] = "Dieser Link ist ungültig, abgelaufen oder schon verwendet. Bitten Sie Ihren Administrator um einen neuen.",
        ["An API key has no profile."] = "Ein API-Schlüssel hat kein Profil.",
        ["An API key has no password."] = "Ein API-Schlüssel hat kein Passwort.",
        ["This is not your current password."] = "Das ist nicht Ihr aktuelles Passwort.",
        ["Choose a password different from the current one."] = "Wählen Sie ein anderes Passwort als das aktuelle.",
        ["Request refused"] = "Anfrage abgelehnt",
        ["State-changing requests must come from the Parley dashboard (header {0}) or carry an API key."] = "Ändernde Anfragen müssen vom Parley-Dashboard kommen (Header {0}) oder einen API-Schlüssel tragen.",
        ["This e-mail address is already registered. Sign in, or use another address."] = "Diese E-Mail-Adresse ist bereits registriert. Melden Sie sich an oder verwenden Sie eine andere Adresse.",
        ["E-mail already registered"] = "E-Mail-Adresse bereits registriert",
        ["This e-mail address is already in use."] = "Diese E-Mail-Adresse wird bereits verwendet.",
        ["E-mail already in use"] = "E-Mail-Adresse bereits vergeben",
        ["Reactivate this operator before sending a new password link."] = "Reaktivieren Sie diesen Operator, bevor Sie einen neuen Passwort-Link senden.",
        ["Operator is deactivated"] = "Operator ist deaktiviert",
        ["An account needs at least one active administrator. Make someone else an administrator first."] = "Ein Konto braucht mindestens einen aktiven Administrator. Machen Sie zuerst jemand anderen zum Administrator.",
        ["Last administrator"] = "Letzter Administrator",
        ["API keys are managed by signed-in administrators, not by API keys."] = "API-Schlüssel werden von angemeldeten Administratoren verwaltet, nicht von API-Schlüsseln.",
        ["Too many requests"] = "Zu viele Anfragen",
        ["Too many requests from your network. Please wait a moment and try again."] = "Zu viele Anfragen aus Ihrem Netzwerk. Bitte warten Sie einen Moment und versuchen Sie es erneut.",
        ["Temporarily unavailable"] = "Vorübergehend nicht verfügbar",
        ["There is no custom field '{0}'. An administrator defines custom fields."] = "Es gibt kein benutzerdefiniertes Feld '{0}'. Benutzerdefinierte Felder legt ein Administrator an.",
        ["Enter a single value."] = "Geben Sie einen einzelnen Wert ein.",
        ["Enter a number such as 42 or 3.5."] = "Geben Sie eine Zahl wie 42 oder 3.5 ein.",
        ["Enter a date as YYYY-MM-DD."] = "Geben Sie ein Datum als JJJJ-MM-TT ein.",
        ["Use lowercase letters, digits and hyphens, starting with a letter (e.g. subscription-tier)."] = "Verwenden Sie Kleinbuchstaben, Ziffern und Bindestriche, beginnend mit einem Buchstaben (z. B. abo-stufe).",
        ["A custom field with this key exists already."] = "Ein benutzerdefiniertes Feld mit diesem Schlüssel gibt es bereits.",
        ["The field is removed from cases. Values already entered stay stored and reappear if a field with the key '{0}' is added again."] = "Das Feld wird aus den Fällen entfernt. Bereits eingegebene Werte bleiben gespeichert und erscheinen wieder, wenn ein Feld mit dem Schlüssel '{0}' erneut angelegt wird.",
        ["A choice field needs at least one choice."] = "Ein Auswahlfeld braucht mindestens eine Auswahl.",
        ["Use at most 50 choices of at most 60 characters."] = "Verwenden Sie höchstens 50 Auswahlen mit höchstens 60 Zeichen.",
        ["The origin is set by Parley; API callers may only declare 'zapier'."] = "Die Herkunft legt Parley fest; API-Aufrufer dürfen nur 'zapier' angeben.",
        ["Enter the number with + and the country code, e.g. +49 9999 999 for 9999 999 in Germany."] = "Geben Sie die Nummer mit + und Ländervorwahl ein, z. B. +49 9999 999 für 9999 999 in Deutschland.",
        ["Choose at least one operator."] = "Wählen Sie mindestens einen Operator.",
        ["Choose at most {0} operators."] = "Wählen Sie höchstens {0} Operatoren.",
        ["These are not active operators of your account: {0}."] = "Diese sind keine aktiven Operatoren Ihres Kontos: {0}.",
        ["Use a limit from 1 to 200."] = "Verwenden Sie ein Limit von 1 bis 200.",
        ["This case has upcoming appointments. Cancel them before deleting the case."] = "Dieser Fall hat anstehende Termine. Sagen Sie diese ab, bevor Sie den Fall löschen.",
        ["Case has appointments"] = "Fall hat Termine",
        ["Choose a range that ends after it starts and spans at most 62 days."] = "Wählen Sie einen Zeitraum, der nach seinem Beginn endet und höchstens 62 Tage umfasst.",
        ["This appointment is cancelled; schedule a new one instead."] = "Dieser Termin ist abgesagt; planen Sie stattdessen einen neuen.",
        ["Appointment cancelled"] = "Termin abgesagt",
        ["Choose SMS, e-mail or both."] = "Wählen Sie SMS, E-Mail oder beides.",
        ["The end must be after the start."] = "Das Ende muss nach dem Beginn liegen.",
        ["An appointment can last at most {0} hours."] = "Ein Termin darf höchstens {0} Stunden dauern.",
        ["Choose a start in the future."] = "Wählen Sie einen Beginn in der Zukunft.",
        ["Your account requires a PIN for every meeting."] = "Ihr Konto verlangt für jede Besprechung eine PIN.",
        ["Add the customer's mobile number to send an SMS invitation."] = "Fügen Sie die Mobilnummer des Kunden hinzu, um eine SMS-Einladung zu senden.",
        ["Add the customer's e-mail address to send an e-mail invitation."] = "Fügen Sie die E-Mail-Adresse des Kunden hinzu, um eine E-Mail-Einladung zu senden.",
        ["This time overlaps another appointment of the operator ({0}–{1}). Choose another time or operator."] = "Diese Zeit überschneidet sich mit einem anderen Termin des Operators ({0}–{1}). Wählen Sie eine andere Zeit oder einen anderen Operator.",
        ["Time not available"] = "Zeit nicht verfügbar",
        ["Many changes are being made to this case at the same moment. Please try again."] = "Gerade werden viele Änderungen gleichzeitig an diesem Fall vorgenommen. Bitte versuchen Sie es erneut.",
        ["Please try again"] = "Bitte erneut versuchen",
        ["Messages go through Azure Communication Services; the outbox only exists with the local provider."] = "Nachrichten laufen über Azure Communication Services; den Postausgang gibt es nur mit dem lokalen Anbieter.",
        ["Use up to 5 reminders between 5 minutes and 30 days before the appointment."] = "Verwenden Sie bis zu 5 Erinnerungen zwischen 5 Minuten und 30 Tagen vor dem Termin.",
        ["Use an ISO 8601 date and time such as 2026-03-30T10:00:00+02:00."] = "Verwenden Sie Datum und Uhrzeit nach ISO 8601, z. B. 2026-03-30T10:00:00+02:00.",
        ["{0} does not exist in {1}: the clocks skip that hour when summer time starts."] = "{0} gibt es in {1} nicht: Zu Beginn der Sommerzeit wird diese Stunde übersprungen.",
        ["The offset {0} is not the offset of {1} at that time ({2})."] = "Der Versatz {0} ist nicht der Versatz von {1} zu dieser Zeit ({2}).",
        ["The service cannot check request limits right now, so it refuses the request. Please try again shortly."] = "Der Dienst kann Anfragelimits gerade nicht prüfen und lehnt die Anfrage deshalb ab. Bitte versuchen Sie es gleich erneut.",
    };
}
