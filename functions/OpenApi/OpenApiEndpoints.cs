using System.Security.Cryptography;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Parley.Functions.Hosting;
using Parley.Functions.Identity;
using Scalar.AspNetCore;

namespace Parley.Functions.OpenApi;

/// <summary>
/// The OpenAPI 3.1 document of the public API at <c>GET /api/openapi.json</c> and its interactive reference page at
/// <c>/api/reference</c> (both anonymous, both under <c>/api</c> so the Functions host forwards them). "Public" is
/// exactly the routes open to API keys (<see cref="ApiKeyAccess.AllowApiKeys{TBuilder}"/>): a route marked so is in
/// the document without further work, every other route (dashboard-only, widget, booking and meeting pages, trigger
/// routes) stays out on purpose. The drift test (tests/…/OpenApi) holds the document to the route table.
/// </summary>
public static class OpenApiEndpoints
{
    public const string DocumentPath = "/api/openapi.json";
    public const string ReferencePath = "/api/reference";

    public static IServiceCollection AddParleyOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            o.ShouldInclude = description => IsPublic(description.ActionDescriptor.EndpointMetadata);
            o.AddOperationTransformer<PublicOperationTransformer>();
            o.AddSchemaTransformer<WireSchemaTransformer>();
            o.AddDocumentTransformer<PublicDocumentTransformer>();
            o.AddDocumentTransformer<WebhookDocumentTransformer>();
        });

    /// <summary>True for an endpoint open to API keys, the one rule for what the document holds.</summary>
    public static bool IsPublic(IEnumerable<object> endpointMetadata) => endpointMetadata.OfType<ApiKeyAccess.Marker>().Any();

    public static WebApplication MapParleyOpenApi(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath).AllowAnonymous();
        // Scalar's page and its script files come from the package itself (served under /api/reference/…); nothing loads
        // from elsewhere: no default fonts (Scalar's CDN), no telemetry, no agent or MCP features, no proxy for "try it".
        app.MapScalarApiReference(ReferencePath, (options, http) =>
        {
            var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            SecurityHeaders.AllowApiReference(http.Response, nonce);
            options.WithTitle("Parley API reference")
                .WithOpenApiRoutePattern(DocumentPath)
                .WithNonce(nonce)
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp()
                .AddPreferredSecuritySchemes(PublicDocumentTransformer.SecuritySchemeId)
                .WithBaseServerUrl(PublicUrl.Of(http));
        }).AllowAnonymous();
        return app;
    }
}
