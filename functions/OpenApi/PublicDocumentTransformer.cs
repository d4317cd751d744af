using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Parley.Functions.Hosting;

namespace Parley.Functions.OpenApi;

/// <summary>
/// The document's info, its server (Parley's public address, as every link Parley hands out: under the Functions host
/// the request reaching us is the host's loopback call, and a Host header is the caller's to choose) and the API-key
/// security scheme, required on every operation.
/// </summary>
internal sealed class PublicDocumentTransformer(PublicUrl publicUrl) : IOpenApiDocumentTransformer
{
    public const string SecuritySchemeId = "apiKey";

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Parley API",
            Version = "1",
            Description = "Cases, appointments, adviser dialogs and custom fields of one Parley account, for integrations (Zapier, Make, n8n, your own code). "
                + "Authenticate with an API key (Settings → API keys) sent as `Authorization: Bearer parley_…`. Errors are RFC 9457 problem details; "
                + "any route may answer 503 with Retry-After while Parley's storage is unreachable. "
                + "The outgoing webhooks are described under `webhooks`. Guide: docs/integrations.md in the Parley repository.",
        };
        document.Servers = [new OpenApiServer { Url = publicUrl.Origin }];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
        document.Components.SecuritySchemes[SecuritySchemeId] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "Parley API key",
            Description = "An API key from Settings → API keys, sent as `Authorization: Bearer parley_…`. A key acts for its whole account on these routes only.",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        if (!document.Components.Schemas.ContainsKey(nameof(ProblemDetails)))
        {
            document.Components.Schemas[nameof(ProblemDetails)] = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken);
        }
        var requirement = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeId, document)] = [] };
        foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values ?? (IEnumerable<OpenApiOperation>)[]))
        {
            operation.Security = [requirement];
        }
    }
}
