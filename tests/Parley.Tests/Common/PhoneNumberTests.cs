using Parley.Functions.Common;

namespace Parley.Tests.Common;

public sealed class PhoneNumberTests
{
    [Theory]
    [InlineData("+49 9999 999", "+499999999")] // the help articles' example: possible, though not an assigned German range
    [InlineData("+49 (0)30 1234567", "+49301234567")]
    [InlineData("+49 0151 1234567", "+491511234567")] // the trunk 0 typed after the country code is dropped
    [InlineData("+39 06 1234 5678", "+390612345678")] // Italy keeps its leading 0
    [InlineData("+1.212.555.0100", "+12125550100")]
    [InlineData("+41 44 668 18 00", "+41446681800")]
    [InlineData(" +43\u00A01 234 5678 ", "+4312345678")]
    public void An_international_number_is_stored_as_E164(string input, string e164)
    {
        Assert.Equal(PhoneNumberProblem.None, PhoneNumber.Normalize(input, null, out var stored));
        Assert.Equal(e164, stored);
    }

    [Theory]
    [InlineData("9999 999", "DE", "+499999999")]
    [InlineData("030 1234567", "DE", "+49301234567")]
    [InlineData("0151 1234567", "de", "+491511234567")]
    [InlineData("044 668 18 00", "CH", "+41446681800")]
    [InlineData("+33 1 23 45 67 89", "DE", "+33123456789")] // a typed country code wins over the chosen country
    public void A_national_number_is_read_in_the_chosen_country(string input, string country, string e164)
    {
        Assert.Equal(PhoneNumberProblem.None, PhoneNumber.Normalize(input, country, out var stored));
        Assert.Equal(e164, stored);
    }

    [Theory]
    [InlineData("9999 999", null, PhoneNumberProblem.NoCountryCode)] // the help articles' rule
    [InlineData("0049 9999 999", null, PhoneNumberProblem.NoCountryCode)]
    [InlineData("9999 999", "XX", PhoneNumberProblem.NoCountryCode)]
    [InlineData("+0 123456789", null, PhoneNumberProblem.NoCountryCode)]
    [InlineData("+49 9999 999 ext. 5", null, PhoneNumberProblem.NotANumber)]
    [InlineData("+49 151 CALLME", null, PhoneNumberProblem.NotANumber)] // no keypad letters
    [InlineData("+49 9999#999", null, PhoneNumberProblem.NotANumber)]
    [InlineData("+", null, PhoneNumberProblem.NotANumber)]
    [InlineData("   ", "DE", PhoneNumberProblem.NotANumber)]
    [InlineData("+49 1", null, PhoneNumberProblem.TooShort)]
    [InlineData("+49 12", null, PhoneNumberProblem.TooShort)] // a local number without its area code
    [InlineData("12", "DE", PhoneNumberProblem.TooShort)]
    [InlineData("+49 1234 5678 9012 3456", null, PhoneNumberProblem.TooLong)]
    [InlineData("+49 123456789012345678", null, PhoneNumberProblem.TooLong)]
    public void A_number_that_cannot_be_dialled_is_refused_with_the_reason(string input, string? country, PhoneNumberProblem problem)
    {
        Assert.Equal(problem, PhoneNumber.Normalize(input, country, out var stored));
        Assert.Equal("", stored);
    }

    [Theory]
    [InlineData("+499999999", "+49 9999 999")]
    [InlineData("+4915112345678", "+49 1511 2345678")]
    [InlineData("+41446681800", "+41 44 668 18 00")]
    [InlineData("not a number", "not a number")]
    [InlineData(null, null)]
    public void A_stored_number_is_shown_grouped_in_the_international_format(string? e164, string? display)
    {
        Assert.Equal(display, PhoneNumber.Display(e164));
    }

    [Fact]
    public void The_country_list_has_each_country_once_with_its_dialling_code()
    {
        Assert.Equal(49, PhoneNumber.Countries.Single(c => c.Country == "DE").DiallingCode);
        Assert.Equal(41, PhoneNumber.Countries.Single(c => c.Country == "CH").DiallingCode);
        Assert.Equal(PhoneNumber.Countries.Count, PhoneNumber.Countries.Select(c => c.Country).Distinct().Count());
        Assert.True(PhoneNumber.Countries.Count > 200);
    }
}
