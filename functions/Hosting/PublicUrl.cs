namespace Parley.Functions.Hosting;

/// <summary>The public address of the dashboard, for links Parley hands out.</summary>
public static class PublicUrl
{
    public const string Setting = "App:PublicUrl";

    /// <summary><c>App__PublicUrl</c> when set, else the address this request came to.</summary>
    public static string Of(HttpContext http) =>
        http.RequestServices.GetRequiredService<IConfiguration>()[Setting] is { Length: > 0 } configured
            ? configured.TrimEnd('/')
            : $"{http.Request.Scheme}://{http.Request.Host}";
}
