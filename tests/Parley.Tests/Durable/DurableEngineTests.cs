using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Durable;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Durable;

/// <summary>The engine itself on Azurite: our Microsoft.DurableTask classes run through the shims on the Azure Storage backend.</summary>
public sealed class DurableEngineTests : IAsyncLifetime
{
    private ParleyApp _app = null!;

    public async Task InitializeAsync() => _app = await ParleyApp.StartAsync(new() { ["Durable:Enabled"] = "true" }, services =>
    {
        services.AddOrchestrator<GreetingOrchestrator>();
        services.AddActivity<GreetActivity>();
    });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task An_orchestration_waits_on_a_durable_timer_and_an_event_and_calls_an_activity_with_typed_input()
    {
        var orchestrations = _app.Services.GetRequiredService<Orchestrations>();
        var id = "greet-" + Guid.NewGuid().ToString("N");

        Assert.True(await orchestrations.StartAsync(nameof(GreetingOrchestrator), id, new GreetingInput("Grüße", 2), CancellationToken.None));
        Assert.False(await orchestrations.StartAsync(nameof(GreetingOrchestrator), id, new GreetingInput("again", 1), CancellationToken.None));
        await WaitUntilAsync(async () => (await orchestrations.GetAsync(id))?.CustomStatus<string>() == "waiting");
        await orchestrations.RaiseEventAsync(id, "name", new Person("Ada"));
        var done = await orchestrations.WaitForCompletionAsync(id, TimeSpan.FromSeconds(60));

        Assert.Equal(DurableTask.Core.OrchestrationStatus.Completed, done!.Status);
        Assert.Equal("done", done.CustomStatus<string>());
        Assert.Equal(["Grüße, Ada (1)", "Grüße, Ada (2)"], GreetActivity.Greetings.Where(g => g.StartsWith("Grüße", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public async Task The_history_purge_removes_finished_instances_and_keeps_running_ones()
    {
        var orchestrations = _app.Services.GetRequiredService<Orchestrations>();
        var finished = "finished-" + Guid.NewGuid().ToString("N");
        var running = "running-" + Guid.NewGuid().ToString("N");
        await orchestrations.StartAsync(nameof(GreetingOrchestrator), finished, new GreetingInput("Bye", 1), CancellationToken.None);
        await orchestrations.StartAsync(nameof(GreetingOrchestrator), running, new GreetingInput("Hold", 1), CancellationToken.None);
        await orchestrations.RaiseEventAsync(finished, "name", new Person("Bo"));
        Assert.Equal(DurableTask.Core.OrchestrationStatus.Completed, (await orchestrations.WaitForCompletionAsync(finished, TimeSpan.FromSeconds(60)))!.Status);
        await WaitUntilAsync(async () => (await orchestrations.GetAsync(running))?.CustomStatus<string>() == "waiting");

        // The sweep with a retention that makes "now" old enough: only the finished instance goes.
        var sweep = ActivatorUtilities.CreateInstance<HistoryPurgeSweep>(_app.Services);
        await sweep.RunAsync(DateTimeOffset.UtcNow + _app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DurableOptions>>().Value.HistoryRetention + TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Null(await orchestrations.GetAsync(finished));
        Assert.True((await orchestrations.GetAsync(running))!.IsRunning);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 60 s");
            await Task.Delay(100);
        }
    }

    public sealed record GreetingInput(string Greeting, int Times);

    public sealed record Person(string Name);

    public sealed class GreetingOrchestrator : TaskOrchestrator<GreetingInput, int>
    {
        public override async Task<int> RunAsync(TaskOrchestrationContext context, GreetingInput input)
        {
            await context.CreateTimer(TimeSpan.FromSeconds(1), CancellationToken.None);
            context.SetCustomStatus("waiting");
            var person = await context.WaitForExternalEvent<Person>("name");
            for (var i = 1; i <= input.Times; i++)
            {
                await context.CallActivityAsync(nameof(GreetActivity), $"{input.Greeting}, {person.Name} ({i})");
            }
            context.SetCustomStatus("done");
            return input.Times;
        }
    }

    public sealed class GreetActivity : TaskActivity<string, bool>
    {
        public static readonly System.Collections.Concurrent.ConcurrentBag<string> Greetings = [];

        public override Task<bool> RunAsync(TaskActivityContext context, string input)
        {
            Greetings.Add(input);
            return Task.FromResult(true);
        }
    }
}
