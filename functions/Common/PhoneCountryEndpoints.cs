namespace Parley.Functions.Common;

/// <summary>One country of the phone fields' picker: its ISO code and dialling code; <c>Main</c> marks the country a shared code (+1, +44, +7) stands for.</summary>
public sealed record PhoneCountry(string Country, int DiallingCode, bool Main);

/// <summary>
/// The countries behind every phone field's flag picker, from the same libphonenumber metadata the server parses
/// with, so the picker never offers a code the server refuses. Anonymous: the dialog widget's frame needs it too.
/// </summary>
public static class PhoneCountryEndpoints
{
    private static readonly IReadOnlyList<PhoneCountry> All =
        [.. PhoneNumber.Countries.Select(c => new PhoneCountry(c.Country, c.DiallingCode, PhoneNumber.MainCountryOf(c.DiallingCode) == c.Country))];

    public static IEndpointRouteBuilder MapPhoneCountryEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/phone-countries", (HttpResponse response) =>
        {
            response.Headers.CacheControl = "public, max-age=86400";
            return TypedResults.Ok(All);
        }).AllowAnonymous().WithTags("Phone numbers");
        return api;
    }
}
