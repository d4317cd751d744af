using Microsoft.Extensions.DependencyInjection;

namespace Parley.Tests.Infrastructure;

/// <summary>A test class with its own running Parley on the shared Azurite, started before and stopped after its tests.</summary>
public abstract class AppTest : IAsyncLifetime
{
    protected ParleyApp App { get; private set; } = null!;

    /// <summary>Set to pin the app's clock; null runs it on the real time.</summary>
    protected virtual TestClock? Clock => null;

    public async Task InitializeAsync() =>
        App = await ParleyApp.StartAsync(services: Clock is { } clock ? s => s.AddSingleton<TimeProvider>(clock) : null);

    public async Task DisposeAsync() => await App.DisposeAsync();
}
