using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Parley.Functions.Webhooks;

namespace Parley.Functions.OpenApi;

/// <summary>
/// The outgoing webhooks in the document's OpenAPI 3.1 <c>webhooks</c>: one entry per <see cref="WebhookEventTypes.All"/>
/// (keyed by the event type), a POST whose body is the envelope <c>{id, type, timestamp, data}</c> with <c>data</c>
/// generated from the event's C# type, the Standard Webhooks signature headers, an example, and any 2xx as success.
/// </summary>
internal sealed class WebhookDocumentTransformer : IOpenApiDocumentTransformer
{
    private const string Tag = "Webhooks";

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Webhooks = new Dictionary<string, IOpenApiPathItem>(StringComparer.Ordinal);
        document.Tags ??= new HashSet<OpenApiTag>();
        document.Tags.Add(new OpenApiTag
        {
            Name = Tag,
            Description = "Events Parley posts to your endpoints (Settings → Integrations) and REST hooks, signed per Standard Webhooks. "
                + "Verify `webhook-signature` with your endpoint's secret before trusting a body.",
        });
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        foreach (var type in WebhookEventTypes.All)
        {
            var schemaId = type.DataType.Name;
            if (!document.Components.Schemas.ContainsKey(schemaId))
            {
                document.Components.Schemas[schemaId] = await context.GetOrCreateSchemaAsync(type.DataType, null, cancellationToken);
            }
            var envelope = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string>(StringComparer.Ordinal) { "id", "type", "timestamp", "data" },
                Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
                {
                    ["id"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Stable event id: the same in every delivery, retry and resend. Deduplicate by it." },
                    ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Const = type.Name },
                    ["timestamp"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", Description = "When the event happened." },
                    ["data"] = new OpenApiSchemaReference(schemaId, document),
                },
            };
            var example = new JsonObject
            {
                ["id"] = "evt_2Yb7Kp4Wq9Xz1Lm3",
                ["type"] = type.Name,
                ["timestamp"] = "2026-12-01T09:30:00+00:00",
                ["data"] = JsonSerializer.SerializeToNode(type.Example(), type.DataType, JsonSerializerOptions.Web),
            };
            var operation = new OpenApiOperation
            {
                OperationId = "webhook" + string.Concat(type.Name.Split('.').Select(w => char.ToUpperInvariant(w[0]) + w[1..])),
                Summary = type.Name,
                Description = type.Description + " Sent as a signed POST to each enabled endpoint subscribed to it (Standard Webhooks).",
                Tags = new HashSet<OpenApiTagReference> { new(Tag, document) },
                Parameters =
                [
                    Header("webhook-id", "The message id; the same in every retry of this delivery."),
                    Header("webhook-timestamp", "Unix seconds of this attempt; refuse old ones (replays)."),
                    Header("webhook-signature", "Space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>` signatures (two while a secret is rotated)."),
                ],
                RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { ["application/json"] = new() { Schema = envelope, Example = example } },
                },
                Responses = new OpenApiResponses
                {
                    ["2XX"] = new OpenApiResponse { Description = "Received. Anything else (also 3xx: redirects are not followed) is retried; 410 disables the endpoint." },
                },
            };
            var item = new OpenApiPathItem();
            item.AddOperation(HttpMethod.Post, operation);
            document.Webhooks[type.Name] = item;
        }
    }

    private static OpenApiParameter Header(string name, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = true,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };
}
