using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Parley.Functions.Storage;
using Parley.Functions.Workflows;

using Parley.Testing;

namespace Parley.Tests.Infrastructure;

/// <summary>
/// The real Parley app (its Program, DI, middleware) on the shared Azurite. The queue pump and timers are off
/// unless a test turns them on for its own queues, so parallel test classes never take each other's messages.
/// </summary>
public sealed class ParleyApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private readonly string _environment;

    private ParleyApp(Azurite azurite, Dictionary<string, string?> settings, Action<IServiceCollection>? services, string environment = "Testing")
    {
        _environment = environment;
        Azurite = azurite;
        _settings = new Dictionary<string, string?>
        {
            [StorageConnection.SettingName] = azurite.ConnectionString,
            ["QueuePump:Enabled"] = "false",
            ["Timers:Enabled"] = "false",
            // Each app its own task hub, so no test's worker runs another test's orchestrations; the worker runs only
            // where a test turns it on (Durable:Enabled), the client always works.
            ["Durable:TaskHub"] = Azurite.UniqueName("hub"),
            ["Durable:Enabled"] = "false",
            ["Durable:PartitionCount"] = "1",
            ["Durable:MaxQueuePollingInterval"] = "00:00:00.250",
            ["QueuePump:MinPollingInterval"] = "00:00:00.020",
            ["QueuePump:MaxPollingInterval"] = "00:00:00.200",
            ["QueuePump:RetryDelay"] = "00:00:00",
            ["Storage:NetworkTimeout"] = "00:00:10",
            // A loaded test machine can keep Azurite busy for a moment; tests of slow storage set the production 2 s.
            ["RateLimits:Deadline"] = "00:00:10",
            // Each test session presents its own client address (ApiSession), so rate-limit counters never collide.
            ["Network:TrustForwardedFor"] = "true",
            // Tests provoke failures on purpose; keep the console to what is unexpected.
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Parley.Functions.Workflows.QueuePump"] = "Critical",
            ["Logging:LogLevel:Parley.Functions.Invocations"] = "Critical",
            ["Logging:LogLevel:DurableTask"] = "Error",
        };
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }
        _services = services;
    }

    public Azurite Azurite { get; }

    public StorageAccount Storage => Services.GetRequiredService<StorageAccount>();

    /// <summary>Runs one delivery of a queue message through the app's handler, as the queue pump or the Functions host would.</summary>
    public Task RunQueueStepAsync(string queueName, string text, long dequeueCount = 1) =>
        Services.GetRequiredService<WorkflowInvoker>().HandleQueueMessageAsync(
            new QueueWorkItem(queueName, Guid.NewGuid().ToString(), text, dequeueCount, DateTimeOffset.UtcNow), CancellationToken.None);

    /// <summary>Runs one delivery of a work item (serialized as the app's queues carry it).</summary>
    public Task RunQueueStepAsync<T>(string queueName, T work, long dequeueCount = 1) where T : class =>
        RunQueueStepAsync(queueName, System.Text.Json.JsonSerializer.Serialize(work, QueueJson.Options), dequeueCount);

    /// <summary>A browser-like API client: https (so Secure cookies flow), cookies kept, the dashboard's CSRF header, its own client address.</summary>
    public ApiSession NewSession(bool dashboardHeader = true) => new(CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri("https://localhost"),
        HandleCookies = true,
        AllowAutoRedirect = false,
    }), dashboardHeader);

    /// <summary>Starts the app; <paramref name="environment"/> is the ASP.NET Core environment (Development is what <c>npm start</c> runs).</summary>
    public static async Task<ParleyApp> StartAsync(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, string environment = "Testing")
    {
        // The in-memory test server listens nowhere; its address is the one every test client uses (NewSession).
        var withAddress = new Dictionary<string, string?> { ["App:PublicUrl"] = "https://localhost" };
        foreach (var (key, value) in settings ?? [])
        {
            withAddress[key] = value;
        }
        var app = new ParleyApp(await Azurite.SharedAsync(), withAddress, services, environment);
        _ = app.Server; // start now, so startup failures surface here
        return app;
    }

    /// <summary>The app on real Kestrel at a loopback port, for a real browser; <see cref="BaseUrl"/> says where.</summary>
    public static async Task<ParleyApp> StartOnKestrelAsync(Dictionary<string, string?>? settings = null)
    {
        var app = new ParleyApp(await Azurite.SharedAsync(), settings ?? [], null);
        app.UseKestrel(0);
        app.StartServer();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        // "localhost" rather than 127.0.0.1: browsers treat it as a secure context, so Secure cookies work over http.
        app.BaseUrl = new Uri(address.Replace("127.0.0.1", "localhost", StringComparison.Ordinal).Replace("[::1]", "localhost", StringComparison.Ordinal));
        return app;
    }

    public Uri? BaseUrl { get; private set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(_settings));
        if (_services is not null)
        {
            builder.ConfigureServices(_services);
        }
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        builder.UseContentRoot(RepositoryPaths.Combine("functions"));
        return base.CreateHost(builder);
    }
}
