using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.Testing;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Hosting;

/// <summary>
/// Storage that stalls or cannot be reached is an outage: every route answers 503 with Retry-After and a
/// ProblemDetails body (never 500), the log gets one warning instead of a stack trace per request, and the app
/// serves again once storage is back. Faults come from a TCP proxy between the app and Azurite.
/// </summary>
public sealed class StorageOutageTests
{
    [Fact]
    public async Task Every_route_answers_503_with_retry_after_while_storage_is_unreachable_and_the_log_gets_one_warning()
    {
        var azurite = await Azurite.SharedAsync();
        await using var tables = new PausableTcpProxy(azurite.TablePort);
        await using var queues = new PausableTcpProxy(azurite.QueuePort);
        var logs = new CapturedLogs();
        await using var app = await ParleyApp.StartAsync(new()
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString
                .Replace($"127.0.0.1:{azurite.TablePort}", $"127.0.0.1:{tables.Port}", StringComparison.Ordinal)
                .Replace($"127.0.0.1:{azurite.QueuePort}", $"127.0.0.1:{queues.Port}", StringComparison.Ordinal),
            ["Storage:NetworkTimeout"] = "00:00:02",
            ["Storage:MaxRetries"] = "0",
        }, s => s.AddSingleton<ILoggerProvider>(logs));
        var (admin, _) = await SignUpAsync(app);
        var caseId = (await ApiSession.ReadAsync(await admin.PostAsync("/api/cases", new { name = "Still here" }), HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Route: "/" + e.RoutePattern.RawText!.Trim('/'))))
            // Not the health probe (no storage), not sign-out (its answer deletes the session cookie this test goes on with).
            .Where(r => r.Route.StartsWith("/api/", StringComparison.Ordinal) && r.Route is not "/api/health" and not "/api/auth/sign-out")
            .Distinct()
            .ToList();
        Assert.True(routes.Count > 40, $"only {routes.Count} routes found");

        var answers = new List<string>();
        foreach (var (fault, apply) in new (string, Action)[] { ("stalled", () => { tables.Pause(); queues.Pause(); }), ("unreachable", () => { tables.Sever(); queues.Sever(); }) })
        {
            apply();
            var results = await Task.WhenAll(routes.Select(async r =>
            {
                using var request = new HttpRequestMessage(new HttpMethod(r.Method), System.Text.RegularExpressions.Regex.Replace(r.Route, @"\{[^}]+\}", caseId));
                if (r.Method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = System.Net.Http.Json.JsonContent.Create(new { name = "x" });
                }
                using var response = await admin.Client.SendAsync(request);
                return (r.Method, r.Route, response.StatusCode, RetryAfter: response.Headers.RetryAfter?.Delta, response.Content.Headers.ContentType?.MediaType, Body: await response.Content.ReadAsStringAsync());
            })).WaitAsync(TimeSpan.FromMinutes(2));
            tables.Resume();
            queues.Resume();

            Assert.DoesNotContain(results, r => (int)r.StatusCode >= 500 && r.StatusCode != HttpStatusCode.ServiceUnavailable);
            var unavailable = results.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
            Assert.True(unavailable.Count >= routes.Count / 2, $"{fault}: only {unavailable.Count} of {routes.Count} answered 503: " + string.Join(", ", results.Select(r => $"{r.Method} {r.Route} {(int)r.StatusCode}")));
            Assert.All(unavailable, r =>
            {
                Assert.Equal("application/problem+json", r.MediaType);
                Assert.NotNull(r.RetryAfter);
                Assert.DoesNotContain("   at ", r.Body); // no stack trace
            });
            Assert.Contains(results, r => r is { Method: "GET", Route: "/api/cases/{id}", StatusCode: HttpStatusCode.ServiceUnavailable });
            Assert.Contains(results, r => r is { Method: "POST", Route: "/api/cases", StatusCode: HttpStatusCode.ServiceUnavailable });
            answers.AddRange(results.Select(r => $"{fault} {r.Method} {r.Route} {(int)r.StatusCode}"));

            // Back to normal once storage is (the stalled requests drain first): the case is there, nothing of the outage stuck.
            var recovered = HttpStatusCode.ServiceUnavailable;
            for (var attempt = 0; attempt < 100 && recovered == HttpStatusCode.ServiceUnavailable; attempt++)
            {
                using var probe = await admin.GetAsync($"/api/cases/{caseId}");
                recovered = probe.StatusCode;
                if (recovered == HttpStatusCode.OK)
                {
                    Assert.Contains("Still here", await probe.Content.ReadAsStringAsync());
                }
                else
                {
                    await Task.Delay(100); // poll interval: a refused probe can fail fast, before Azurite has drained the stall
                }
            }
            Assert.Equal(HttpStatusCode.OK, recovered);
        }

        // One warning for the outage (both faults came within the quiet period), no unhandled-exception stack traces.
        Assert.Single(logs.Entries, e => e.Category == typeof(Parley.Functions.Storage.StorageOutage).FullName && e.Level == LogLevel.Warning);
        Assert.DoesNotContain(logs.Entries, e => e.Category.Contains("ExceptionHandler", StringComparison.Ordinal) && e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Sign_in_sign_up_and_the_widget_refuse_rather_than_succeed_while_storage_stalls()
    {
        var azurite = await Azurite.SharedAsync();
        await using var tables = new PausableTcpProxy(azurite.TablePort);
        await using var app = await ParleyApp.StartAsync(new()
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString.Replace($"127.0.0.1:{azurite.TablePort}", $"127.0.0.1:{tables.Port}", StringComparison.Ordinal),
            ["RateLimits:Deadline"] = "00:00:02", // the production default
        });
        var email = NewEmail();
        var (admin, me) = await SignUpAsync(app, email);
        await ApiSession.ReadAsync(await admin.PostAsync("/api/dialog-settings/secret-words", new { word = "stall26" }), HttpStatusCode.Created);
        var widget = $"{me.GetProperty("account").GetProperty("id").GetString()}-{me.GetProperty("operator").GetProperty("id").GetString()}";

        foreach (var stall in new[] { TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(20) })
        {
            tables.Pause();
            var requests = Task.WhenAll(
                PostAsync(app, "/api/auth/sign-in", new { email, password = Password }),
                PostAsync(app, "/api/accounts", new { businessName = "Neu", timeZone = "Europe/Berlin", adminName = "Nina", email = NewEmail(), password = Password }),
                PostAsync(app, $"/api/widget/{widget}/dialogs", new
                {
                    mode = "wish", wishedDate = "2027-01-11", wishedTime = "10:00", timeZone = "UTC", keyword = "K", message = "Hallo", email = "c@example.com", secretWord = "stall26",
                }));
            // Storage comes back after the stall, or as soon as every request has been answered if that is sooner.
            await Task.WhenAny(requests, Task.Delay(stall));
            tables.Resume();
            var statuses = await requests.WaitAsync(TimeSpan.FromMinutes(1));
            Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.ServiceUnavailable, HttpStatusCode.TooManyRequests }));
        }

        // Once storage answers again, the same sign-in works (so the refusals above came from the stall).
        Assert.Equal(HttpStatusCode.OK, await PostAsync(app, "/api/auth/sign-in", new { email, password = Password }));
    }

    private static async Task<HttpStatusCode> PostAsync(ParleyApp app, string path, object body)
    {
        using var session = app.NewSession();
        using var response = await session.PostAsync(path, body);
        return response.StatusCode;
    }
}
