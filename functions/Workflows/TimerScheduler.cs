using Parley.Functions.Hosting;

namespace Parley.Functions.Workflows;

/// <summary>
/// Fires timer handlers on their NCRONTAB schedule when no Functions host does (local runs). Like the host
/// without a schedule monitor, a firing missed while the app was down is not replayed: timer jobs are sweeps
/// that catch up on their own.
/// </summary>
public sealed class TimerScheduler(WorkflowInvoker invoker, IConfiguration configuration, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<TimerScheduler> logger) : BackgroundService
{
    public const string EnabledSetting = "Timers:Enabled";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (HostingMode.IsFunctionsHost(configuration) || !configuration.GetValue(EnabledSetting, true))
        {
            return;
        }
        // Like the queue pump: nothing fires before the app serves, nor after a start that failed.
        if (!await lifetime.StartedAsync(stoppingToken))
        {
            return;
        }
        await Task.WhenAll(invoker.Timers.Select(t => RunAsync(t, stoppingToken)));
    }

    private async Task RunAsync(TimerHandlerRegistration timer, CancellationToken stoppingToken)
    {
        var schedule = CronSchedule.Parse(timer.Schedule);
        var last = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            // From the later of now and the last firing: a delay that wakes a little early must not fire the same occurrence twice.
            var now = time.GetUtcNow();
            var next = schedule.GetNextOccurrence(now > last ? now : last);
            last = next;
            try
            {
                await Task.Delay(next - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time, stoppingToken);
                await invoker.RunTimerAsync(new TimerInvocation(timer.FunctionName, next, IsPastDue: false), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Timer {Timer} failed; it runs again at its next occurrence", timer.FunctionName);
            }
        }
    }
}
