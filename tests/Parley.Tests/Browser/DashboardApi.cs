using System.Text.Json;
using Microsoft.Playwright;

namespace Parley.Tests.Browser;

/// <summary>Test set-up through the API the dashboard uses, inside the page's browser context (its session cookie, its CSRF header).</summary>
internal static class DashboardApi
{
    private static readonly Dictionary<string, string> Headers = new() { ["X-Parley-Client"] = "dashboard" };

    public static async Task<JsonElement> SendAsync(IPage page, string method, string path, object? body = null)
    {
        var response = await page.APIRequest.FetchAsync(path, new() { Method = method, DataObject = body, Headers = Headers });
        var text = await response.TextAsync();
        Assert.True(response.Ok, $"{method} {path}: {response.Status} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static Task<JsonElement> PostAsync(IPage page, string path, object body) => SendAsync(page, "POST", path, body);

    public static Task<JsonElement> GetAsync(IPage page, string path) => SendAsync(page, "GET", path);
}
