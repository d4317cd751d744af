using System.Net;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Cases;

public sealed class PhoneNumberApiTests : AppTest
{
    [Fact]
    public async Task A_case_keeps_the_number_as_E164_for_integrations_and_adds_it_grouped_for_reading()
    {
        var (admin, _) = await SignUpAsync(App);

        var created = await CaseApiTests.CreateAsync(admin, new { name = "Phone", phone = "+49 9999 999" });
        var read = await admin.GetJsonAsync($"/api/cases/{created.GetProperty("id").GetString()}");

        Assert.Equal("+499999999", read.GetProperty("phone").GetString());
        Assert.Equal("+49 9999 999", read.GetProperty("phoneDisplay").GetString());
    }

    [Theory]
    [InlineData("en", "+49 1", "too short")]
    [InlineData("de", "+49 1", "zu kurz")]
    [InlineData("en", "+49 151 CALLME", "digits")]
    [InlineData("de", "9999 999", "Ländervorwahl")]
    public async Task A_number_that_cannot_be_dialled_is_refused_on_its_field_in_the_callers_language(string language, string phone, string message)
    {
        var (admin, _) = await SignUpAsync(App);
        admin.Client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);

        using var response = await admin.PostAsync("/api/cases", new { name = "Phone", phone });

        var errors = (await ApiSession.ReadAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Contains(message, errors.GetProperty("phone")[0].GetString());
    }

    [Fact]
    public async Task Alert_numbers_and_the_caller_id_are_checked_the_same_way_and_shown_grouped()
    {
        var (admin, _) = await SignUpAsync(App);

        using var refused = await admin.PutAsync("/api/me/dialog-alerts", new { voicePhone = "9999 999", voiceOn = true, smsOn = false, emailOn = false });
        Assert.True((await ApiSession.ReadAsync(refused, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("voicePhone", out _));
        using var saved = await admin.PutAsync("/api/me/dialog-alerts", new { voicePhone = "+41 44 668 18 00", voiceOn = true, smsOn = false, emailOn = false });
        var alerts = await ApiSession.ReadAsync(saved, HttpStatusCode.OK);
        Assert.Equal("+41446681800", alerts.GetProperty("voicePhone").GetString());
        Assert.Equal("+41 44 668 18 00", alerts.GetProperty("voicePhoneDisplay").GetString());

        var settings = await admin.GetJsonAsync("/api/dialog-settings");
        using var callerId = await admin.PutAsync("/api/dialog-settings", new
        {
            maxMessageLength = settings.GetProperty("maxMessageLength").GetInt32(), callerId = "+49 9999 999",
            widgetText = settings.GetProperty("widgetText").GetString(), widgetColor = settings.GetProperty("widgetColor").GetString(),
        });
        var updated = await ApiSession.ReadAsync(callerId, HttpStatusCode.OK);
        Assert.Equal("+499999999", updated.GetProperty("callerId").GetString());
        Assert.Equal("+49 9999 999", updated.GetProperty("callerIdDisplay").GetString());
    }

    [Fact]
    public async Task The_country_list_for_the_phone_fields_is_public_and_names_each_dialling_code()
    {
        using var anonymous = App.NewSession();

        var countries = await anonymous.GetJsonAsync("/api/phone-countries");

        var germany = countries.EnumerateArray().Single(c => c.GetProperty("country").GetString() == "DE");
        Assert.Equal(49, germany.GetProperty("diallingCode").GetInt32());
        Assert.Equal(["US"], countries.EnumerateArray().Where(c => c.GetProperty("diallingCode").GetInt32() == 1 && c.GetProperty("main").GetBoolean())
            .Select(c => c.GetProperty("country").GetString()));
    }
}
