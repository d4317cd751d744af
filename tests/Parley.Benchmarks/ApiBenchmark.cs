using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Identity;
using Parley.Functions.Storage;
using Parley.Testing;

namespace Parley.Benchmarks;

/// <summary>
/// The real Parley app on Kestrel (loopback, HTTP/1.1 keep-alive) against in-memory Azurite: create-case, get-case
/// and list-cases through the API with API keys, next to GET /api/health (the app's pipeline without storage).
/// </summary>
internal static class ApiBenchmark
{
    public static async Task<IReadOnlyList<(Measurement Result, double RoundTrips)>> RunAsync(Azurite azurite, int concurrency, TimeSpan duration, TimeSpan warmup)
    {
        await using var factory = new Factory(azurite);
        factory.UseKestrel(0);
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var storage = factory.Services.GetRequiredService<StorageAccount>();

        // One business per connection, as tenants load the system; plus one shared business for the contention figure.
        var keys = new string[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            (keys[i], _) = await NewAccountKeyAsync(address, i);
        }
        var (sharedKey, _) = await NewAccountKeyAsync(address, 999);
        var clients = keys.Select(k => Client(address, k)).ToArray();
        var shared = Enumerable.Range(0, concurrency).Select(_ => Client(address, sharedKey)).ToArray();
        var caseIds = new string[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            using var created = await clients[i].PostAsJsonAsync("/api/cases", new { name = "Benchmark seed" });
            caseIds[i] = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        }

        var results = new List<(Measurement, double)>();
        async Task Measure(string name, Func<int, long, Task> op)
        {
            await LoadRunner.RunAsync("warm-up", concurrency, warmup, op);
            var before = storage.RoundTrips.Count;
            var m = await LoadRunner.RunAsync(name, concurrency, duration, op);
            var trips = (storage.RoundTrips.Count - before) / Math.Max(1.0, m.PerSecond * duration.TotalSeconds);
            results.Add((m, trips));
        }

        await Measure("GET /api/health (no storage)", async (w, _) => Check(await clients[w].GetAsync("/api/health")));
        await Measure("create-case (own account each)", async (w, i) => Check(await clients[w].PostAsJsonAsync("/api/cases", new { name = $"Case {i}" })));
        await Measure("create-case (one shared account)", async (w, i) => Check(await shared[w].PostAsJsonAsync("/api/cases", new { name = $"Shared {w}-{i}" })));
        await Measure("get-case", async (w, _) => Check(await clients[w].GetAsync($"/api/cases/{caseIds[w]}")));
        await Measure("list-cases (25 newest)", async (w, _) => Check(await clients[w].GetAsync("/api/cases?limit=25")));
        foreach (var c in clients.Concat(shared))
        {
            c.Dispose();
        }
        return results;
    }

    private static void Check(HttpResponseMessage response)
    {
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"HTTP {(int)response.StatusCode}");
            }
        }
    }

    private static HttpClient Client(string address, string key)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = new Uri(address) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>A new account's API key and its administrator's operator id (keys may not list operators).</summary>
    private static async Task<(string Key, string OperatorId)> NewAccountKeyAsync(string address, int n)
    {
        // The session cookie is Secure; over plain loopback HTTP we carry it by hand.
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = new Uri(address) };
        http.DefaultRequestHeaders.Add("X-Parley-Client", "benchmark");
        using var signUp = await http.PostAsJsonAsync("/api/accounts", new { businessName = $"Bench {n}", timeZone = "Europe/Berlin", adminName = "Benjamin Mark", email = $"load{n}.{Guid.NewGuid():N}@example.com", password = "correct horse battery staple" });
        signUp.EnsureSuccessStatusCode();
        var cookie = signUp.Headers.GetValues("Set-Cookie").First(c => c.StartsWith(OperatorSessions.CookieName + "=", StringComparison.Ordinal)).Split(';')[0];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/api-keys") { Content = JsonContent.Create(new { name = "bench" }) };
        request.Headers.Add("Cookie", cookie);
        using var key = await http.SendAsync(request);
        key.EnsureSuccessStatusCode();
        var operatorId = JsonDocument.Parse(await signUp.Content.ReadAsStringAsync()).RootElement.GetProperty("operator").GetProperty("id").GetString()!;
        return (JsonDocument.Parse(await key.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!, operatorId);
    }

    /// <summary>The real app for benchmarks. Any type of the app assembly names its entry point; "Program" is taken by this console.</summary>
    internal sealed class Factory(Azurite azurite, Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null) : WebApplicationFactory<StorageAccount>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseContentRoot(RepositoryPaths.Combine("functions"));
            var values = new Dictionary<string, string?>
            {
                [StorageConnection.SettingName] = azurite.ConnectionString,
                ["QueuePump:Enabled"] = "false",
                ["Timers:Enabled"] = "false",
                // The API section needs no worker; each factory its own task hub.
                ["Durable:Enabled"] = "false",
                ["Durable:TaskHub"] = "bench" + Guid.NewGuid().ToString("N")[..12],
                ["Logging:LogLevel:DurableTask"] = "Error",
                ["RateLimits:SignUp:Limit"] = "1000",
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
            };
            foreach (var (k, v) in settings ?? [])
            {
                values[k] = v;
            }
            builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(values));
            if (services is not null)
            {
                builder.ConfigureServices(services);
            }
        }
    }

    internal static string Address(Factory factory) =>
        factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    internal static Task<(string Key, string OperatorId)> AccountKeyAsync(string address, int n) => NewAccountKeyAsync(address, n);
}
