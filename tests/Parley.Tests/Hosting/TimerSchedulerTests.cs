using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Parley.Functions.Workflows;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Hosting;

public sealed class TimerSchedulerTests
{
    [Fact]
    public async Task Standalone_timers_fire_on_their_schedule()
    {
        var firings = new ConcurrentQueue<TimerInvocation>();
        await using var app = await ParleyApp.StartAsync(
            new() { ["Timers:Enabled"] = "true" },
            services => services.AddSingleton(firings).AddTimerHandler<EverySecond>());

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (firings.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var fired = firings.Take(2).ToArray();
        Assert.Equal(2, fired.Length);
        Assert.All(fired, f => Assert.Equal("every-second", f.FunctionName));
        Assert.All(fired, f => Assert.Equal(0, f.FiredAt.Millisecond));
        // On a loaded machine a second may be skipped (missed firings are not replayed), but never doubled or shifted.
        var gap = fired[1].FiredAt - fired[0].FiredAt;
        Assert.True(gap >= TimeSpan.FromSeconds(1) && gap.Milliseconds == 0, $"firings {gap} apart");
    }

    [Fact]
    public async Task Timers_stay_quiet_when_disabled()
    {
        var firings = new ConcurrentQueue<TimerInvocation>();
        await using var app = await ParleyApp.StartAsync(services: services => services.AddSingleton(firings).AddTimerHandler<EverySecond>());
        var scheduler = app.Services.GetServices<IHostedService>().OfType<TimerScheduler>().Single();

        // A disabled scheduler ends at once instead of waiting for a firing: once it has ended, nothing can fire.
        await scheduler.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Empty(firings);
    }

    private sealed class EverySecond(ConcurrentQueue<TimerInvocation> firings) : ITimerHandler
    {
        public static string FunctionName => "every-second";
        public static string Schedule => "* * * * * *";

        public Task RunAsync(TimerInvocation invocation, CancellationToken cancellationToken)
        {
            firings.Enqueue(invocation);
            return Task.CompletedTask;
        }
    }
}
