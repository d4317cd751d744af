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
        ["The service cannot check request limits right now, so it refuses the request. Please try again shortly."] = "Der Dienst kann Anfragelimits gerade nicht prüfen und lehnt die Anfrage deshalb ab. Bitte versuchen Sie es gleich erneut.",
    };
}
