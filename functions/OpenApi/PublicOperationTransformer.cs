using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Parley.Functions.OpenApi;

/// <summary>
/// What every public operation shares: an operation id (the endpoint's name, else one derived from method and route,
/// so a newly opened route is documented with a stable id), the 401 and 403 every route can answer, problem details
/// for every error, and examples for the main request bodies.
/// </summary>
internal sealed class PublicOperationTransformer : IOpenApiOperationTransformer
{
    /// <summary>Answered by authentication and authorization before any handler runs, so no endpoint declares them.</summary>
    public static readonly IReadOnlyDictionary<int, string> CommonResponses = new Dictionary<int, string>
    {
        [StatusCodes.Status401Unauthorized] = "No valid API key (or session) was sent.",
        [StatusCodes.Status403Forbidden] = "The key or person may not do this.",
    };

    /// <summary>What the <c>Idempotency-Key</c> middleware may answer to any POST, before its handler runs.</summary>
    public static readonly IReadOnlyDictionary<int, string> IdempotencyResponses = new Dictionary<int, string>
    {
        [StatusCodes.Status409Conflict] = "A request with this Idempotency-Key is still running; try again shortly.",
        [StatusCodes.Status422UnprocessableEntity] = "This Idempotency-Key was used for a different request.",
    };

    public const string ProblemContentType = "application/problem+json";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        operation.OperationId ??= DeriveOperationId(description.HttpMethod ?? "GET", description.RelativePath ?? "");
        operation.Responses ??= new OpenApiResponses();
        var problem = new OpenApiSchemaReference(nameof(ProblemDetails), context.Document); // PublicDocumentTransformer adds the schema
        foreach (var (status, text) in CommonResponses)
        {
            operation.Responses.TryAdd(status.ToString(System.Globalization.CultureInfo.InvariantCulture), new OpenApiResponse
            {
                Description = text,
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { [ProblemContentType] = new() { Schema = problem } },
            });
        }
        if (string.Equals(description.HttpMethod, "POST", StringComparison.OrdinalIgnoreCase))
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = Idempotency.IdempotencyKeys.HeaderName,
                In = ParameterLocation.Header,
                Required = false,
                Description = "Retry safely: the first answer for this key is kept 24 hours and replayed (with Idempotent-Replayed: true) to a retry with the same request; "
                    + "the same key with a different request is 422, a retry while the first still runs 409. 1–100 visible ASCII characters.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 100 },
            });
            foreach (var (status, text) in IdempotencyResponses)
            {
                operation.Responses.TryAdd(status.ToString(System.Globalization.CultureInfo.InvariantCulture), new OpenApiResponse
                {
                    Description = text,
                    Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { [ProblemContentType] = new() { Schema = problem } },
                });
            }
        }
        var bodyType = description.ParameterDescriptions.FirstOrDefault(p => p.Source == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Body)?.Type;
        if (bodyType is not null && RequestExamples.For(bodyType) is { } example && operation.RequestBody?.Content is { } content)
        {
            foreach (var media in content.Values)
            {
                media.Example = example;
            }
        }
        return Task.CompletedTask;
    }

    /// <summary><c>POST api/cases/{id}/complete</c> → <c>postCasesIdComplete</c>: readable, stable while the route is.</summary>
    public static string DeriveOperationId(string method, string route)
    {
        var words = route.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(s => s != "api")
            .Select(s => s.Trim('{', '}').Split(':')[0].TrimEnd('?'))
            .SelectMany(s => s.Split('-', '.', '_'))
            .Where(s => s.Length > 0)
            .Select(s => char.ToUpperInvariant(s[0]) + s[1..]);
        return method.ToLowerInvariant() + string.Concat(words);
    }

    /// <summary>Examples for the request bodies integrations send most.</summary>
    private static class RequestExamples
    {
        public static JsonNode? For(Type type) => type.Name switch
        {
            nameof(Cases.CaseRequest) => Case(),
            nameof(Appointments.AppointmentRequest) => new JsonObject
            {
                ["type"] = "individual",
                ["start"] = "2026-12-03T10:00",
                ["end"] = "2026-12-03T10:30",
                ["timeZone"] = "Europe/Berlin",
                ["invitation"] = new JsonObject { ["email"] = true, ["sms"] = false, ["language"] = "de" },
            },
            nameof(Appointments.CaseWithAppointmentRequest) => new JsonObject
            {
                ["case"] = Case(),
                ["type"] = "individual",
                ["start"] = "2026-12-03T10:00",
                ["end"] = "2026-12-03T10:30",
                ["timeZone"] = "Europe/Berlin",
                ["invitation"] = new JsonObject { ["email"] = true, ["language"] = "de" },
            },
            nameof(Dialogs.ReplyInput) => new JsonObject { ["text"] = "Thank you, I will call you tomorrow at 9.", ["callCustomer"] = false },
            nameof(Cases.CasePatch) => new JsonObject { ["notes"] = "Prefers calls in the morning." },
            nameof(Appointments.CancelRequest) => new JsonObject { ["reason"] = "Customer is ill" },
            _ => null,
        };

        private static JsonObject Case() => new()
        {
            ["name"] = "Jana Novak",
            ["email"] = "jana.novak@example.com",
            ["phone"] = "+4915112345678",
            ["internalReference"] = "CRM-2211",
            ["language"] = "de",
        };
    }
}
