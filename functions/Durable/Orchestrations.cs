using DurableTask.Core;
using DurableTask.Core.Exceptions;

namespace Parley.Functions.Durable;

/// <summary>What a caller may know about an orchestration instance.</summary>
public sealed record OrchestrationView(string InstanceId, string Name, OrchestrationStatus Status, string? CustomStatusJson, DateTime CreatedUtc, DateTime LastUpdatedUtc)
{
    public bool IsRunning => Status is OrchestrationStatus.Running or OrchestrationStatus.Pending or OrchestrationStatus.ContinuedAsNew;

    public T? CustomStatus<T>() => CustomStatusJson is null ? default : (T?)DurableDataConverter.Instance.Deserialize(CustomStatusJson, typeof(T));
}

/// <summary>
/// The small client over the Durable Task Framework's <see cref="TaskHubClient"/> that the app uses: start an instance
/// once (a second start with the same id is a no-op), raise an event, terminate, read state, purge old histories.
/// Inputs and events are serialized the way the Microsoft.DurableTask orchestrators read them.
/// </summary>
public sealed class Orchestrations(DurableEngine engine)
{
    /// <summary>An instance id is started at most once, whatever became of the first.</summary>
    private static readonly OrchestrationStatus[] Once =
    [
        OrchestrationStatus.Pending, OrchestrationStatus.Running, OrchestrationStatus.ContinuedAsNew, OrchestrationStatus.Completed,
        OrchestrationStatus.Failed, OrchestrationStatus.Terminated, OrchestrationStatus.Canceled, OrchestrationStatus.Suspended,
    ];

    /// <summary>Starts <paramref name="orchestrator"/> as <paramref name="instanceId"/>; false when that instance was started before.</summary>
    public async Task<bool> StartAsync<TInput>(string orchestrator, string instanceId, TInput input, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        try
        {
            await engine.Client.CreateOrchestrationInstanceAsync(orchestrator, string.Empty, instanceId, input, null, Once);
            return true;
        }
        catch (OrchestrationAlreadyExistsException)
        {
            return false;
        }
    }

    public Task RaiseEventAsync(string instanceId, string eventName, object? data) =>
        engine.Client.RaiseEventAsync(new OrchestrationInstance { InstanceId = instanceId }, eventName, data!);

    /// <summary>Ends a running instance (a finished or unknown one is left as it is).</summary>
    public async Task TerminateAsync(string instanceId, string reason)
    {
        var state = await GetAsync(instanceId);
        if (state is { IsRunning: true })
        {
            await engine.Client.TerminateInstanceAsync(new OrchestrationInstance { InstanceId = instanceId }, reason);
        }
    }

    public async Task<OrchestrationView?> GetAsync(string instanceId)
    {
        var state = await engine.Client.GetOrchestrationStateAsync(instanceId);
        return state is null ? null : new OrchestrationView(instanceId, state.Name, state.OrchestrationStatus, state.Status, state.CreatedTime, state.LastUpdatedTime);
    }

    /// <summary>Waits until the instance has finished (tests and tools), or the timeout passes.</summary>
    public async Task<OrchestrationView?> WaitForCompletionAsync(string instanceId, TimeSpan timeout, CancellationToken ct = default)
    {
        await engine.Client.WaitForOrchestrationAsync(new OrchestrationInstance { InstanceId = instanceId }, timeout, ct);
        return await GetAsync(instanceId);
    }

    /// <summary>The instance's history as the engine stores it (JSON array of events), for diagnostics and tests.</summary>
    public async Task<string> HistoryJsonAsync(string instanceId)
    {
        var state = await engine.Client.GetOrchestrationStateAsync(instanceId) ?? throw new KeyNotFoundException($"No orchestration instance '{instanceId}'.");
        return await engine.Client.GetOrchestrationHistoryAsync(state.OrchestrationInstance);
    }

    /// <summary>
    /// Deletes the histories of finished instances (completed, failed, terminated) created before <paramref name="beforeUtc"/>.
    /// The Azure Storage backend purges by creation time only; running instances are never touched. Returns how many.
    /// </summary>
    public async Task<int> PurgeFinishedAsync(DateTime beforeUtc)
    {
        var result = await engine.Service.PurgeInstanceHistoryAsync(DateTime.MinValue, beforeUtc,
            [OrchestrationStatus.Completed, OrchestrationStatus.Failed, OrchestrationStatus.Terminated, OrchestrationStatus.Canceled]);
        return result.InstancesDeleted;
    }
}
