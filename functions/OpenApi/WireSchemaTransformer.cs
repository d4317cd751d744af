using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Parley.Functions.Appointments;

namespace Parley.Functions.OpenApi;

/// <summary>
/// Schemas as integrations should read them: numbers are numbers (the web JSON defaults also accept them as strings
/// on input, which the generator writes as <c>["integer", "string"]</c> with a pattern; Parley never sends that), and
/// nothing a request type computes for the handler shows as a field to send.
/// </summary>
internal sealed class WireSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Type is { } type && (type & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0 && (type & JsonSchemaType.String) != 0)
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
        if (context.JsonTypeInfo.Type == typeof(CaseWithAppointmentRequest))
        {
            schema.Properties?.Remove("appointment"); // CaseWithAppointmentRequest.Appointment: built from the other fields
        }
        return Task.CompletedTask;
    }
}
