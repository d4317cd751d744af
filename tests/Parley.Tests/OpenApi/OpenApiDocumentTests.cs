using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Identity;
using Parley.Functions.OpenApi;
using Parley.Functions.Webhooks;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.OpenApi;

/// <summary>
/// The OpenAPI document against the route table: every route open to API keys is in it with the methods and status
/// codes its endpoint declares (plus the 401/403 every public route can answer), and nothing else is; every operation
/// has an id, a summary and the API-key scheme; errors are problem details; the webhooks are the event catalog.
/// A route opened to keys without declaring its answers fails here.
/// </summary>
public sealed partial class OpenApiDocumentTests : AppTest
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    [Fact]
    public async Task The_document_lists_exactly_the_public_routes_with_their_declared_status_codes()
    {
        var document = await FetchAsync();
        var routes = PublicRoutes();

        Assert.NotEmpty(routes);
        var problems = Drift(document, routes);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task The_drift_check_notices_a_missing_route_an_extra_route_and_a_changed_status()
    {
        var routes = PublicRoutes();
        var missing = await FetchAsync();
        missing["paths"]!.AsObject().Remove("/api/cases/{id}");
        var extra = await FetchAsync();
        extra["paths"]!["/api/operators"] = new JsonObject { ["get"] = new JsonObject { ["operationId"] = "listOperators", ["summary"] = "x", ["responses"] = new JsonObject() } };
        var changed = await FetchAsync();
        changed["paths"]!["/api/cases"]!["post"]!["responses"]!.AsObject().Remove("201");
        var undeclared = routes.ToDictionary(r => r.Key, r => r.Key == "POST /api/cases" ? (IReadOnlySet<int>)new HashSet<int> { 400 } : r.Value);

        Assert.Contains(Drift(missing, routes), p => p.Contains("GET /api/cases/{id}", StringComparison.Ordinal) && p.Contains("missing", StringComparison.Ordinal));
        Assert.Contains(Drift(extra, routes), p => p.Contains("GET /api/operators", StringComparison.Ordinal) && p.Contains("not a public route", StringComparison.Ordinal));
        Assert.Contains(Drift(changed, routes), p => p.Contains("POST /api/cases", StringComparison.Ordinal) && p.Contains("201", StringComparison.Ordinal));
        Assert.Contains(Drift(await FetchAsync(), undeclared), p => p.Contains("POST /api/cases", StringComparison.Ordinal) && p.Contains("2xx", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_document_is_openapi_3_1_with_ids_summaries_the_api_key_scheme_and_problem_details()
    {
        var document = await FetchAsync();

        Assert.StartsWith("3.1", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Parley API", document["info"]!["title"]!.GetValue<string>());
        Assert.Equal("1", document["info"]!["version"]!.GetValue<string>());
        Assert.Equal("https://localhost", document["servers"]![0]!["url"]!.GetValue<string>());
        var scheme = document["components"]!["securitySchemes"]![PublicDocumentTransformer.SecuritySchemeId]!;
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
        Assert.Equal("Parley API key", scheme["bearerFormat"]!.GetValue<string>());

        var ids = new List<string>();
        foreach (var (route, operation) in Operations(document))
        {
            ids.Add(operation["operationId"]?.GetValue<string>() ?? "");
            Assert.False(string.IsNullOrWhiteSpace(operation["operationId"]?.GetValue<string>()), route + " has no operationId");
            Assert.False(string.IsNullOrWhiteSpace(operation["summary"]?.GetValue<string>()), route + " has no summary (.WithSummary)");
            Assert.NotEmpty(operation["tags"]!.AsArray());
            Assert.Contains(operation["security"]!.AsArray(), r => r!.AsObject().ContainsKey(PublicDocumentTransformer.SecuritySchemeId));
            foreach (var (status, response) in operation["responses"]!.AsObject())
            {
                var content = response!["content"]?.AsObject();
                if (int.Parse(status, System.Globalization.CultureInfo.InvariantCulture) >= 400)
                {
                    Assert.True(content?.ContainsKey("application/problem+json") == true, $"{route} {status} does not offer application/problem+json");
                }
            }
        }
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("createCase", ids);
        var schemas = document["components"]!["schemas"]!.AsObject();
        var references = References(document).ToList();
        Assert.Contains("#/components/schemas/ProblemDetails", references);
        Assert.All(references, r => Assert.True(r.StartsWith("#/components/schemas/", StringComparison.Ordinal) && schemas.ContainsKey(r["#/components/schemas/".Length..]), "dangling " + r));
    }

    [Fact]
    public async Task Request_and_response_bodies_have_schemas_in_the_app_s_json_names_and_main_requests_have_examples()
    {
        var document = await FetchAsync();

        var create = document["paths"]!["/api/cases"]!["post"]!;
        var request = create["requestBody"]!["content"]!["application/json"]!;
        Assert.Equal("Jana Novak", request["example"]!["name"]!.GetValue<string>());
        var caseView = Resolve(document, create["responses"]!["201"]!["content"]!["application/json"]!["schema"]!);
        Assert.True(caseView["properties"]!.AsObject().ContainsKey("assignedOperatorIds"));
        Assert.True(caseView["properties"]!.AsObject().ContainsKey("customerStatus"));
        Assert.NotNull(document["paths"]!["/api/cases/{caseId}/appointments"]!["post"]!["requestBody"]!["content"]!["application/json"]!["example"]);
        Assert.NotNull(document["paths"]!["/api/appointments"]!["post"]!["requestBody"]!["content"]!["application/json"]!["example"]);
        Assert.NotNull(document["paths"]!["/api/dialogs/{id}/replies"]!["post"]!["requestBody"]!["content"]!["application/json"]!["example"]);
        var withAppointment = Resolve(document, document["paths"]!["/api/appointments"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!);
        Assert.False(withAppointment["properties"]!.AsObject().ContainsKey("appointment")); // computed by the handler, not sent
        Assert.Equal("integer", caseView["properties"]!["number"]!["type"]!.GetValue<string>()); // not ["integer", "string"]
        foreach (var (route, operation) in Operations(document))
        {
            if (operation["requestBody"] is { } requestBody)
            {
                Assert.True(requestBody["content"]?["application/json"]?["schema"] is not null, $"{route} has a request body without a JSON schema");
            }
            else
            {
                Assert.False(route.StartsWith("PUT", StringComparison.Ordinal) || route.StartsWith("PATCH", StringComparison.Ordinal), $"{route} has no request body");
            }
            foreach (var (status, response) in operation["responses"]!.AsObject())
            {
                if (status.StartsWith('2') && status != "204" && response!["content"]?["application/json"]?["schema"] is null)
                {
                    Assert.Fail($"{route} {status} has no response schema (declare .Produces<T>)");
                }
            }
        }
    }

    [Fact]
    public async Task The_webhooks_section_holds_exactly_the_event_types_with_envelope_headers_and_example()
    {
        var document = await FetchAsync();

        var webhooks = document["webhooks"]!.AsObject();
        Assert.Equal(WebhookEventTypes.All.Select(t => t.Name).Order(StringComparer.Ordinal), webhooks.Select(w => w.Key).Order(StringComparer.Ordinal));
        foreach (var type in WebhookEventTypes.All)
        {
            var post = webhooks[type.Name]!["post"]!;
            Assert.Equal(["webhook-id", "webhook-timestamp", "webhook-signature"], post["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()));
            Assert.All(post["parameters"]!.AsArray(), p => Assert.Equal("header", p!["in"]!.GetValue<string>()));
            var body = post["requestBody"]!["content"]!["application/json"]!;
            Assert.Equal(["id", "type", "timestamp", "data"], body["schema"]!["properties"]!.AsObject().Select(p => p.Key));
            Assert.Equal(type.Name, body["schema"]!["properties"]!["type"]!["const"]!.GetValue<string>());
            var data = Resolve(document, body["schema"]!["properties"]!["data"]!);
            Assert.Equal(type.Name, body["example"]!["type"]!.GetValue<string>());
            Assert.All(body["example"]!["data"]!.AsObject(), p => Assert.True(data["properties"]!.AsObject().ContainsKey(p.Key), $"{type.Name}: example field {p.Key} is not in the schema"));
            Assert.NotNull(post["responses"]!["2XX"]);
        }
        Assert.Contains(document["tags"]!.AsArray(), t => t!["name"]!.GetValue<string>() == "Webhooks");
    }

    [Fact]
    public async Task The_document_is_anonymous_and_holds_no_internal_route()
    {
        var document = await FetchAsync();

        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.DoesNotContain("/api/operators", paths);
        Assert.DoesNotContain("/api/api-keys", paths);
        Assert.DoesNotContain("/api/health", paths);
        Assert.DoesNotContain("/api/openapi.json", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/api/meet", StringComparison.Ordinal) || p.StartsWith("/api/book/", StringComparison.Ordinal)
            || p.StartsWith("/api/widget", StringComparison.Ordinal) || p.StartsWith("/api/reference", StringComparison.Ordinal) || !p.StartsWith("/api/", StringComparison.Ordinal));
    }

    [Fact]
    public void Derived_operation_ids_read_as_method_and_route()
    {
        Assert.Equal("postCasesIdComplete", PublicOperationTransformer.DeriveOperationId("POST", "api/cases/{id}/complete"));
        Assert.Equal("getWebhookEndpointsEndpointIdDeliveries", PublicOperationTransformer.DeriveOperationId("GET", "api/webhook-endpoints/{endpointId:int?}/deliveries"));
    }

    /// <summary>Every difference between the document and the public routes (<c>METHOD /path</c> → declared statuses).</summary>
    private static List<string> Drift(JsonObject document, IReadOnlyDictionary<string, IReadOnlySet<int>> routes)
    {
        var problems = new List<string>();
        var documented = Operations(document).ToDictionary(o => o.Route, o => o.Operation);
        foreach (var (route, declared) in routes)
        {
            if (!declared.Any(s => s is >= 200 and < 300))
            {
                problems.Add($"{route} declares no 2xx answer: add .Produces<T>(status) (and its error statuses) to the endpoint");
            }
            if (!documented.TryGetValue(route, out var operation))
            {
                problems.Add($"{route} is a public route but missing from the document");
                continue;
            }
            var middleware = route.StartsWith("POST ", StringComparison.Ordinal)
                ? PublicOperationTransformer.CommonResponses.Keys.Concat(PublicOperationTransformer.IdempotencyResponses.Keys)
                : PublicOperationTransformer.CommonResponses.Keys;
            var expected = declared.Concat(middleware).Distinct().Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal);
            var actual = operation["responses"]!.AsObject().Select(r => r.Key).Order(StringComparer.Ordinal);
            if (!expected.SequenceEqual(actual))
            {
                problems.Add($"{route} documents {string.Join(",", actual)} but declares {string.Join(",", expected)}");
            }
        }
        problems.AddRange(documented.Keys.Where(r => !routes.ContainsKey(r)).Select(r => $"{r} is in the document but not a public route"));
        return problems;
    }

    /// <summary>The routes open to API keys, as <c>METHOD /path</c> (constraints dropped, as OpenAPI writes them) → the statuses their endpoints declare.</summary>
    private Dictionary<string, IReadOnlySet<int>> PublicRoutes() =>
        App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.AllowsApiKeys())
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (
                Route: $"{m} /{ParameterRegex().Replace(e.RoutePattern.RawText!.Trim('/'), "{$1}")}",
                Statuses: (IReadOnlySet<int>)e.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().Select(p => p.StatusCode).ToHashSet())))
            .ToDictionary(r => r.Route, r => r.Statuses, StringComparer.Ordinal);

    private static IEnumerable<(string Route, JsonObject Operation)> Operations(JsonObject document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(m => Methods.Contains(m.Key))
            .Select(m => ($"{m.Key.ToUpperInvariant()} {path.Key}", m.Value!.AsObject())));

    private static IEnumerable<string> References(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == "$ref" && p.Value is JsonValue v ? [v.GetValue<string>()] : References(p.Value)),
        JsonArray a => a.SelectMany(References),
        _ => [],
    };

    private static JsonObject Resolve(JsonObject document, JsonNode schema) =>
        schema["$ref"]?.GetValue<string>() is { } reference
            ? document["components"]!["schemas"]![reference["#/components/schemas/".Length..]]!.AsObject()
            : schema.AsObject();

    private async Task<JsonObject> FetchAsync()
    {
        using var anonymous = App.NewSession(dashboardHeader: false);
        using var response = await anonymous.GetAsync(OpenApiEndpoints.DocumentPath);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    [GeneratedRegex(@"\{(\w+)(?::[^}]*)?\??\}")]
    private static partial Regex ParameterRegex();
}
