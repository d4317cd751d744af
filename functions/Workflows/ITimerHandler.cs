namespace Parley.Functions.Workflows;

/// <summary>
/// A periodic job. In Azure the Functions host fires it (timer trigger, <c>POST /&lt;function-name&gt;</c>);
/// locally <see cref="TimerScheduler"/> fires it on the same NCRONTAB schedule (UTC).
/// </summary>
public interface ITimerHandler
{
    /// <summary>The function folder under Triggers/ and the invocation route.</summary>
    static abstract string FunctionName { get; }

    /// <summary>Six-field NCRONTAB: second minute hour day month day-of-week, in UTC. Must equal function.json.</summary>
    static abstract string Schedule { get; }

    Task RunAsync(TimerInvocation invocation, CancellationToken cancellationToken);
}

/// <summary>One firing of a timer; <see cref="IsPastDue"/> when the host ran it late.</summary>
public sealed record TimerInvocation(string FunctionName, DateTimeOffset FiredAt, bool IsPastDue);

public sealed record TimerHandlerRegistration(string FunctionName, string Schedule, Type HandlerType);
