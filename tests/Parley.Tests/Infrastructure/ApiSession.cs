using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Functions.Identity;

namespace Parley.Tests.Infrastructure;

/// <summary>One caller of the API with its own cookies and client address.</summary>
public sealed class ApiSession : IDisposable
{
    private static int _nextAddress;

    public ApiSession(HttpClient client, bool dashboardHeader)
    {
        Client = client;
        var n = Interlocked.Increment(ref _nextAddress);
        ClientAddress = $"198.51.{(n >> 8) & 255}.{n & 255}";
        client.DefaultRequestHeaders.Add("X-Forwarded-For", ClientAddress);
        if (dashboardHeader)
        {
            client.DefaultRequestHeaders.Add(CsrfProtection.HeaderName, "dashboard");
        }
    }

    public HttpClient Client { get; }

    public string ClientAddress { get; }

    public void UseApiKey(string key) => Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

    public Task<HttpResponseMessage> GetAsync(string path) => Client.GetAsync(path);

    public Task<HttpResponseMessage> PostAsync(string path, object? body = null) => Client.PostAsJsonAsync(path, body ?? new { });

    public Task<HttpResponseMessage> PatchAsync(string path, object body) => Client.PatchAsJsonAsync(path, body);

    public Task<HttpResponseMessage> PutAsync(string path, object body) => Client.PutAsJsonAsync(path, body);

    public Task<HttpResponseMessage> DeleteAsync(string path) => Client.DeleteAsync(path);

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        return await ReadAsync(response, HttpStatusCode.OK);
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public void Dispose() => Client.Dispose();
}

/// <summary>Builders for the common steps of API tests.</summary>
public static class Accounts
{
    public const string Password = "correct horse battery staple";

    public static string NewEmail(string who = "admin") => $"{who}.{Guid.NewGuid():N}@example.com";

    /// <summary>Signs up a new business; the session is signed in as its administrator.</summary>
    public static async Task<(ApiSession Session, JsonElement Me)> SignUpAsync(ParleyApp app, string? email = null, string business = "Kanzlei Beispiel")
    {
        var session = app.NewSession();
        using var response = await session.PostAsync("/api/accounts", new { businessName = business, timeZone = "Europe/Berlin", adminName = "Anna Admin", email = email ?? NewEmail(), password = Password });
        var me = await ApiSession.ReadAsync(response, HttpStatusCode.Created);
        return (session, me);
    }

    /// <summary>Adds an operator through the API and sets their password through the one-time link.</summary>
    public static async Task<(string Id, string Email)> AddOperatorAsync(ApiSession admin, ParleyApp app, string role = "operator", string? email = null)
    {
        email ??= NewEmail("op");
        using var response = await admin.PostAsync("/api/operators", new { name = "Otto Operator", email, role, lineId = "201" });
        var created = await ApiSession.ReadAsync(response, HttpStatusCode.Created);
        var url = created.GetProperty("setPasswordUrl").GetString()!;
        var token = Uri.UnescapeDataString(url[(url.IndexOf("#token=", StringComparison.Ordinal) + 7)..]);
        using var anonymous = app.NewSession();
        using var set = await anonymous.PostAsync("/api/auth/set-password", new { token, password = Password });
        await ApiSession.ReadAsync(set, HttpStatusCode.NoContent);
        return (created.GetProperty("operator").GetProperty("id").GetString()!, email);
    }

    public static async Task<ApiSession> SignInAsync(ParleyApp app, string email, string password = Password)
    {
        var session = app.NewSession();
        using var response = await session.PostAsync("/api/auth/sign-in", new { email, password });
        await ApiSession.ReadAsync(response, HttpStatusCode.OK);
        return session;
    }
}
