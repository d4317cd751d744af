using System.Text.Json;
using System.Text.RegularExpressions;
using Parley.Functions.Notifications;
using Parley.Testing;

namespace Parley.Tests.Communication;

public sealed class MessageTemplateTests
{
    private static readonly MessageTemplates Templates = new();

    private static MessageFacts Facts(string language, string caseName = "Anna Müller", string? pin = "042917", string? reason = null) => new(
        language, "Kanzlei Beispiel", caseName, "Otto Berater",
        new DateTimeOffset(2026, 3, 30, 7, 0, 0, TimeSpan.Zero), "Europe/Berlin", "https://parley.example/meet#TOKEN", pin, reason);

    [Fact]
    public void Every_language_has_every_message_with_the_same_placeholders_as_english()
    {
        var english = Flatten(Read("en"));
        foreach (var language in MessageTemplates.Languages)
        {
            var other = Flatten(Read(language));
            Assert.Equal(english.Keys.Order(), other.Keys.Order());
            foreach (var (key, text) in english)
            {
                Assert.Equal(Placeholders(text), Placeholders(other[key]));
            }
        }
    }

    [Fact]
    public void A_german_invitation_has_the_local_date_and_time_the_link_and_the_pin()
    {
        var message = Templates.Render(MessageKind.Invitation, Facts("de"));

        Assert.Equal("Ihr Termin bei Kanzlei Beispiel am Montag, 30. März 2026", message.Subject);
        Assert.Contains("am Montag, 30. März 2026 um 09:00 (Europe/Berlin)", message.Text); // 07:00 UTC is 09:00 summer time
        Assert.Contains("Ihre PIN für die Besprechung: 042917", message.Text);
        Assert.Contains("https://parley.example/meet#TOKEN", message.Text);
        Assert.Contains("href=\"https://parley.example/meet#TOKEN\"", message.Html);
        Assert.Equal("Kanzlei Beispiel: Ihr Termin mit Otto Berater ist am Montag, 30. März 2026 um 09:00. Teilnehmen: https://parley.example/meet#TOKEN PIN 042917", message.Sms);
    }

    [Theory]
    [InlineData("en", "Your appointment with Kanzlei Beispiel on Monday, March 30, 2026")]
    [InlineData("fr", "Votre rendez-vous avec Kanzlei Beispiel le lundi 30 mars 2026")]
    [InlineData("es", "Su cita con Kanzlei Beispiel el lunes, 30 de marzo de 2026")]
    [InlineData("it", "Il suo appuntamento con Kanzlei Beispiel il lunedì 30 marzo 2026")]
    [InlineData("pl", "Twoje spotkanie z Kanzlei Beispiel w dniu poniedziałek, 30 marca 2026")]
    [InlineData("nl", "Uw afspraak met Kanzlei Beispiel op maandag 30 maart 2026")]
    [InlineData("xx", "Your appointment with Kanzlei Beispiel on Monday, March 30, 2026")]
    public void Each_language_writes_its_own_subject_and_date(string language, string subject)
    {
        Assert.Equal(subject, Templates.Render(MessageKind.Invitation, Facts(language)).Subject);
    }

    [Fact]
    public void Customer_provided_text_is_encoded_in_the_html_part()
    {
        var message = Templates.Render(MessageKind.Invitation, Facts("en", caseName: "<script>alert(1)</script> & Co"));

        Assert.DoesNotContain("<script>", message.Html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co", message.Html);
        Assert.Contains("<script>alert(1)</script> & Co", message.Text); // plain text stays plain
    }

    [Fact]
    public void A_cancellation_gives_the_reason_and_no_join_link_and_no_pin()
    {
        var message = Templates.Render(MessageKind.Cancellation, Facts("en", reason: "The adviser is ill"));

        Assert.Contains("is cancelled", message.Subject);
        Assert.Contains("Reason: The adviser is ill", message.Text);
        Assert.EndsWith("is cancelled. Reason: The adviser is ill", message.Sms);
        Assert.DoesNotContain("meet#TOKEN", message.Text + message.Html + message.Sms);
        Assert.DoesNotContain("042917", message.Text + message.Html + message.Sms);
    }

    [Fact]
    public void Without_a_pin_no_pin_line_appears()
    {
        var message = Templates.Render(MessageKind.Reminder, Facts("de", pin: null));

        Assert.DoesNotContain("PIN", message.Text + message.Sms + message.Html);
        Assert.StartsWith("Erinnerung:", message.Subject);
    }

    private static JsonElement Read(string language) =>
        JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Combine("functions", "Notifications", "Templates", language + ".json"))).RootElement.Clone();

    private static Dictionary<string, string> Flatten(JsonElement element, string prefix = "")
    {
        var result = new Dictionary<string, string>();
        foreach (var p in element.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var (k, v) in Flatten(p.Value, prefix + p.Name + "."))
                {
                    result[k] = v;
                }
            }
            else
            {
                result[prefix + p.Name] = p.Value.GetString()!;
            }
        }
        return result;
    }

    private static IEnumerable<string> Placeholders(string text) => Regex.Matches(text, @"\{\w+\}").Select(m => m.Value).Order();
}
