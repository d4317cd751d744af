using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Parley.Functions.Appointments;

namespace Parley.Functions.OpenApi;

/// <summary>Removes what a request type computes for the handler but never reads from the body (it would show as a field to send).</summary>
internal sealed class RequestSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type == typeof(CaseWithAppointmentRequest))
        {
            schema.Properties?.Remove("appointment"); // CaseWithAppointmentRequest.Appointment: built from the other fields
        }
        return Task.CompletedTask;
    }
}
