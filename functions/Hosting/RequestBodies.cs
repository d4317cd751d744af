using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Hosting;

/// <summary>
/// Request bodies the API cannot take answer a ProblemDetails in every environment, never a 500: malformed or trailing
/// JSON, nesting deeper than 64 levels, wrong types, a missing or <c>null</c> body, invalid UTF-8 and out-of-range
/// numbers are 400 with the field concerned; a body that is not JSON is 415; a body over <see cref="MaxApiBodyBytes"/>
/// on an <c>/api</c> route is 413. Minimal APIs throw <see cref="BadHttpRequestException"/> for all of these
/// (<see cref="RouteHandlerOptions.ThrowOnBadRequest"/> is on everywhere, not only in Development), and this handler
/// turns them into the answer; other exceptions go on to the default 500.
/// </summary>
public sealed partial class RequestBodies(IProblemDetailsService problems) : IExceptionHandler
{
    /// <summary>The largest request body an <c>/api</c> route accepts (the longest real body, a case with 10,000 characters of notes, fits).</summary>
    public const long MaxApiBodyBytes = 64 * 1024;

    public static void AddRequestBodies(IServiceCollection services)
    {
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<RequestBodies>();
    }

    /// <summary>Caps <c>/api</c> request bodies: by the declared length at once, and while reading where the server enforces it (Kestrel).</summary>
    public static void UseRequestBodyLimit(WebApplication app) => app.Use((context, next) =>
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = MaxApiBodyBytes;
            }
            if (context.Request.ContentLength > MaxApiBodyBytes)
            {
                throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
            }
        }
        return next(context);
    });

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || httpContext.Response.HasStarted)
        {
            return false;
        }
        var problem = bad.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => new HttpValidationProblemDetails
            {
                Title = L("The request body is too large."),
                Detail = L("Send at most {0} KiB.", MaxApiBodyBytes / 1024),
                Type = "https://parley.app/problems/body-too-large",
            },
            StatusCodes.Status415UnsupportedMediaType => new HttpValidationProblemDetails
            {
                Title = L("The request body must be JSON."),
                Detail = L("Send it with Content-Type: application/json."),
                Type = "https://parley.app/problems/unsupported-media-type",
            },
            _ => BadRequest(bad),
        };
        problem.Status = bad.StatusCode;
        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static HttpValidationProblemDetails BadRequest(BadHttpRequestException bad)
    {
        var (field, message) = bad.InnerException switch
        {
            JsonException json => (Field(json.Path), Describe(json)),
            _ when bad.Message.Contains("body", StringComparison.Ordinal) => ("body", L("Send a JSON object as the request body.")),
            _ when ParameterName().Match(bad.Message) is { Success: true } m => (m.Groups["name"].Value, L("This value is not valid.")),
            _ => ("body", L("Send a JSON object as the request body.")),
        };
        return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Title = L("The request could not be read."),
            Detail = bad.InnerException is JsonException { LineNumber: { } line, BytePositionInLine: { } position }
                ? L("{0} (line {1}, position {2})", message, line + 1, position + 1)
                : message,
            Type = "https://parley.app/problems/validation",
        };
    }

    /// <summary>What went wrong, without the .NET type names the serializer's messages carry.</summary>
    private static string Describe(JsonException json) => json.InnerException switch
    {
        // The reader's own errors (syntax, trailing data, depth) come wrapped; conversion errors come bare or around a FormatException.
        JsonException reader when reader.Message.Contains("maximum configured depth", StringComparison.Ordinal) => L("The JSON is nested too deeply."),
        JsonException => L("The request body is not valid JSON."),
        InvalidOperationException { Message: var m } when m.Contains("UTF-8", StringComparison.Ordinal) => L("The request body is not valid UTF-8."),
        _ when json.Message.Contains("maximum configured depth", StringComparison.Ordinal) => L("The JSON is nested too deeply."),
        _ => L("This value has the wrong type or is out of range."),
    };

    /// <summary><c>$.invitation.sms</c> → <c>invitation.sms</c>, the field names validation problems use; the root is <c>body</c>.</summary>
    private static string Field(string? path) =>
        path is null or "$" || !path.StartsWith("$.", StringComparison.Ordinal) ? "body" : path[2..];

    /// <summary>Minimal APIs' <c>Failed to bind parameter "int? limit" from "abc".</c>: the parameter's name.</summary>
    [GeneratedRegex("parameter \"[^\"]* (?<name>[A-Za-z0-9_]+)\"", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterName();
}
