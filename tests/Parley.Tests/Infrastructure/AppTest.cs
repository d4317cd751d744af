namespace Parley.Tests.Infrastructure;

/// <summary>A test class with its own running Parley on the shared Azurite, started before and stopped after its tests.</summary>
public abstract class AppTest : IAsyncLifetime
{
    protected ParleyApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await ParleyApp.StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}
