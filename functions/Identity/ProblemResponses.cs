namespace Parley.Functions.Identity;

internal static class ProblemResponses
{
    /// <summary>Writes a ProblemDetails body from places that are not endpoints (authentication events, middleware).</summary>
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
