using System.Text.RegularExpressions;
using Parley.Functions.Common;
using Parley.Functions.Dialogs;

namespace Parley.Tests.Dialogs;

public sealed class DialogTextsTests
{
    [Fact]
    public void Every_supported_language_has_every_dialog_text_with_the_same_placeholders()
    {
        var texts = new DialogTexts();
        var keys = new[] { "alertSubject", "replySubject", "alertIntro", "availableUntil", "wishedAt", "openLink", "alertSms", "replySms", "alertCall",
            "answerSubject", "answerIntro", "answerLinkLabel", "answerSms", "answerCall", "you", "customer", "thread" };

        Assert.Equal(Languages.Supported.Order(), DialogTexts.Languages.Order());
        foreach (var language in DialogTexts.Languages)
        {
            foreach (var key in keys)
            {
                var english = Placeholders(texts.Get("en", key));
                var translated = texts.Get(language, key);
                Assert.Equal(english, Placeholders(translated));
                Assert.True(language == "en" || translated != texts.Get("en", key) || key == "customer", $"{language}.{key} is not translated");
            }
        }
        Assert.Equal("Un client vous a laissé un message par e-mail.", texts.Get("fr", "alertCall"));
        Assert.Equal(texts.Get("en", "alertCall"), texts.Get("xx", "alertCall")); // unknown languages fall back to English
    }

    private static string[] Placeholders(string text) => Regex.Matches(text, @"\{(\w+)\}").Select(m => m.Value).Order().ToArray();
}
