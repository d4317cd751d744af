using System.Net;
using System.Text.RegularExpressions;
using Parley.Functions.Hosting;
using Parley.Functions.OpenApi;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.OpenApi;

/// <summary>
/// The reference page is served by Parley (script files from our origin, no CDN) and is the only response whose
/// Content-Security-Policy allows more: its own inline start-up script by a fresh nonce, and inline styles.
/// The page rendering in a real browser is Browser/ApiReferencePageTests.
/// </summary>
public sealed partial class ApiReferencePolicyTests : AppTest
{
    [Fact]
    public async Task The_page_loads_its_scripts_from_our_origin_and_only_it_allows_its_nonce_and_inline_styles()
    {
        using var anonymous = App.NewSession(dashboardHeader: false);

        using var first = await anonymous.GetAsync(OpenApiEndpoints.ReferencePath + "/");
        using var second = await anonymous.GetAsync(OpenApiEndpoints.ReferencePath + "/");
        using var script = await anonymous.GetAsync(OpenApiEndpoints.ReferencePath + "/scalar.js");
        using var document = await anonymous.GetAsync(OpenApiEndpoints.DocumentPath);
        using var redirect = await anonymous.GetAsync(OpenApiEndpoints.ReferencePath);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("text/html", first.Content.Headers.ContentType?.MediaType);
        var html = await first.Content.ReadAsStringAsync();
        var policy = first.Headers.GetValues("Content-Security-Policy").Single();
        var nonce = NonceRegex().Match(policy).Groups[1].Value;
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy
            .Replace("script-src 'self'", $"script-src 'self' 'nonce-{nonce}'", StringComparison.Ordinal)
            .Replace("style-src 'self'", "style-src 'self' 'unsafe-inline'", StringComparison.Ordinal), policy);
        Assert.True(nonce.Length >= 32, policy);
        Assert.NotEqual(policy, second.Headers.GetValues("Content-Security-Policy").Single()); // a fresh nonce per response
        var scripts = ScriptRegex().Matches(html).Select(m => m.Value).ToList();
        Assert.Equal(3, scripts.Count);
        Assert.All(scripts, s => Assert.Contains($"nonce=\"{nonce}\"", s, StringComparison.Ordinal));
        Assert.DoesNotContain("//", string.Concat(scripts.Select(s => SrcRegex().Match(s).Value))); // relative: our origin
        Assert.DoesNotContain("cdn", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"url\":\"api/openapi.json\"", html.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("javascript", script.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, script.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, document.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, redirect.Headers.GetValues("Content-Security-Policy").Single());
    }

    [GeneratedRegex("'nonce-([^']+)'")]
    private static partial Regex NonceRegex();

    [GeneratedRegex("<script[^>]*>")]
    private static partial Regex ScriptRegex();

    [GeneratedRegex("src=\"[^\"]*\"")]
    private static partial Regex SrcRegex();
}
