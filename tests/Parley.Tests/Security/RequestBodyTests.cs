using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Security;

/// <summary>
/// Every route that takes a JSON body, from the app's route table, answers bodies it cannot take with a ProblemDetails
/// and the right status in every environment, never a 500: malformed, trailing or too deeply nested JSON, wrong types,
/// out-of-range numbers, invalid UTF-8 and a <c>null</c> body are 400 naming the field, a body that is not JSON is 415,
/// one over 64 KiB is 413. A new body-taking route is covered without listing it.
/// </summary>
public sealed class RequestBodyTests
{
    private const string SomeId = "aaaaaaaaaaaaaaaa";
    private static int _nextAddress;

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task Every_body_taking_route_answers_unreadable_bodies_with_a_problem_and_the_right_status(string environment)
    {
        await using var app = await ParleyApp.StartAsync(environment: environment);
        var (admin, _) = await SignUpAsync(app);

        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Accepts: e.Metadata.GetMetadata<IAcceptsMetadata>()))
            .Where(e => e.Accepts?.RequestType is not null)
            .SelectMany(e => (e.Endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["POST"])
                .Select(m => (Method: m, Path: PathOf(e.Endpoint), Type: e.Accepts!.RequestType!, e.Accepts.IsOptional)))
            .ToList();
        Assert.True(routes.Count >= 20, $"only {routes.Count} body-taking routes found");

        var failures = new List<string>();
        foreach (var route in routes)
        {
            foreach (var (name, content, expected) in Cases(route.Type, route.IsOptional))
            {
                using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Path) { Content = content };
                // Each request its own client address, so the per-address rate limits of anonymous routes never answer first.
                request.Headers.Remove("X-Forwarded-For");
                var n = Interlocked.Increment(ref _nextAddress);
                request.Headers.Add("X-Forwarded-For", $"100.64.{(n >> 8) & 255}.{n & 255}");
                using var response = await admin.Client.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                var problem = Problem(response, text);
                if (expected is null ? (int)response.StatusCode is >= 500 or 415 : response.StatusCode != expected)
                {
                    failures.Add($"{route.Method} {route.Path} with {name}: {(int)response.StatusCode} {text[..Math.Min(text.Length, 200)]}");
                }
                else if (expected is { } status && (problem is null || (status == HttpStatusCode.BadRequest && !HasFieldMessage(problem.Value))))
                {
                    failures.Add($"{route.Method} {route.Path} with {name}: {(int)response.StatusCode} without a ProblemDetails naming the field: {text[..Math.Min(text.Length, 200)]}");
                }
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of the generated requests were answered wrongly:\n" + string.Join("\n", failures.Take(40)));
    }

    [Fact]
    public async Task A_malformed_body_names_the_field_and_the_place()
    {
        await using var app = await ParleyApp.StartAsync();
        var (admin, _) = await SignUpAsync(app);

        using var wrongType = await admin.Client.PostAsync("/api/cases", Json("""{"name": "Anna", "notes": {"x": 1}}"""));
        using var broken = await admin.Client.PostAsync("/api/cases", Json("""{"name": "Anna",}"""));

        var problem = await ApiSession.ReadAsync(wrongType, HttpStatusCode.BadRequest);
        Assert.Equal("This value has the wrong type or is out of range.", problem.GetProperty("errors").GetProperty("notes")[0].GetString());
        Assert.Contains("line 1", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("System.", problem.GetRawText()); // no .NET type names
        Assert.Equal("The request body is not valid JSON.", (await ApiSession.ReadAsync(broken, HttpStatusCode.BadRequest)).GetProperty("errors").EnumerateObject().Single().Value[0].GetString());
    }

    [Fact]
    public async Task On_kestrel_a_streamed_body_over_the_limit_is_413_too()
    {
        await using var app = await ParleyApp.StartOnKestrelAsync();
        using var client = new HttpClient { BaseAddress = app.BaseUrl };

        // No Content-Length: the limit is enforced while the body is read.
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"email": "{{new string('x', 70 * 1024)}}", "password": "x"}""")));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/sign-in") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add(Parley.Functions.Identity.CsrfProtection.HeaderName, "dashboard");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task A_query_value_of_the_wrong_type_is_400_naming_the_parameter(string environment)
    {
        await using var app = await ParleyApp.StartAsync(environment: environment);
        var (admin, _) = await SignUpAsync(app);

        using var response = await admin.GetAsync("/api/cases?limit=many");

        var problem = await ApiSession.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("This value is not valid.", problem.GetProperty("errors").GetProperty("limit")[0].GetString());
    }

    /// <summary>The generated cases for one body type: name, content, and the status expected (null: anything but 5xx and 415).</summary>
    private static IEnumerable<(string Name, HttpContent Content, HttpStatusCode? Expected)> Cases(Type bodyType, bool optional)
    {
        var properties = bodyType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).ToList();
        yield return ("malformed JSON", Json("""{"a": """), HttpStatusCode.BadRequest);
        yield return ("trailing JSON", Json("{} {}"), HttpStatusCode.BadRequest);
        yield return ("an array for the object", Json("[]"), HttpStatusCode.BadRequest);
        yield return ("5,000-deep nesting", Json("""{"nested": """ + new string('[', 5000) + new string(']', 5000) + "}"), HttpStatusCode.BadRequest);
        yield return ("a null body", Json("null"), optional ? null : HttpStatusCode.BadRequest);
        yield return ("an empty body", Json(""), optional ? null : HttpStatusCode.BadRequest);
        yield return ("text/plain", new StringContent("{}", Encoding.UTF8, "text/plain"), HttpStatusCode.UnsupportedMediaType);
        yield return ("no content type", new ByteArrayContent("{}"u8.ToArray()), HttpStatusCode.UnsupportedMediaType);
        yield return ("a body over 64 KiB", Json($$"""{"{{properties.FirstOrDefault() ?? "a"}}": "{{new string('x', 64 * 1024)}}"}"""), HttpStatusCode.RequestEntityTooLarge);
        foreach (var property in properties)
        {
            yield return ($"a wrong type for {property}", Json($$"""{"{{property}}": [[]]}"""), HttpStatusCode.BadRequest);
            yield return ($"an out-of-range number for {property}", Json($$"""{"{{property}}": 1e400}"""), HttpStatusCode.BadRequest);
            var invalidUtf8 = new ByteArrayContent([.. Encoding.UTF8.GetBytes($$"""{"{{property}}": "a"""), 0xFF, 0xFE, .. "\"}"u8]);
            invalidUtf8.Headers.ContentType = new("application/json");
            yield return ($"invalid UTF-8 in {property}", invalidUtf8, HttpStatusCode.BadRequest);
        }
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string PathOf(RouteEndpoint endpoint) => "/" + string.Join("/", endpoint.RoutePattern.PathSegments.Select(segment =>
        string.Concat(segment.Parts.Select(part => part switch
        {
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => parameter.ParameterPolicies.Any(p => p.Content == "int") ? "1" : SomeId,
            _ => "",
        }))));

    private static JsonElement? Problem(HttpResponseMessage response, string text)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return null;
        }
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        return problem.TryGetProperty("title", out _) && problem.TryGetProperty("status", out _) ? problem : null;
    }

    private static bool HasFieldMessage(JsonElement problem) =>
        problem.TryGetProperty("errors", out var errors) && errors.EnumerateObject().Any(e => e.Value.GetArrayLength() > 0);
}
