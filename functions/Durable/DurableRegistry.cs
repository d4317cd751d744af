using DurableTask.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker.Shims;

namespace Parley.Functions.Durable;

/// <summary>An orchestrator or activity class the engine runs, registered under its class name.</summary>
public sealed record DurableRegistration(string Name, Type Type, bool IsOrchestrator);

/// <summary>
/// Turns our <see cref="TaskOrchestrator{TInput,TOutput}"/> and <see cref="TaskActivity{TInput,TOutput}"/> classes into
/// Durable Task Framework objects through <see cref="DurableTaskShimFactory"/>: a fresh orchestrator per episode, and
/// activities resolved from the app's services per call.
/// </summary>
internal sealed class ShimOrchestrationCreator(string name, Func<ITaskOrchestrator> create, DurableTaskShimFactory shims) : ObjectCreator<TaskOrchestration>
{
    public ShimOrchestrationCreator Init()
    {
        Name = name;
        Version = string.Empty;
        return this;
    }

    public override TaskOrchestration Create() => shims.CreateOrchestration(new TaskName(name), create());
}

internal sealed class ShimActivityCreator(string name, Func<ITaskActivity> create, DurableTaskShimFactory shims) : ObjectCreator<DurableTask.Core.TaskActivity>
{
    public ShimActivityCreator Init()
    {
        Name = name;
        Version = string.Empty;
        return this;
    }

    public override DurableTask.Core.TaskActivity Create() => shims.CreateActivity(new TaskName(name), create());
}

/// <summary>Looks up creators by name (DTFx's own manager is internal); versions are not used.</summary>
internal sealed class CreatorManager<T> : INameVersionObjectManager<T>
{
    private readonly Dictionary<string, ObjectCreator<T>> _creators = new(StringComparer.Ordinal);

    public void Add(ObjectCreator<T> creator)
    {
        if (!_creators.TryAdd(creator.Name, creator))
        {
            throw new InvalidOperationException($"'{creator.Name}' is registered twice.");
        }
    }

    public T? GetObject(string name, string? version) => _creators.TryGetValue(name, out var creator) ? creator.Create() : default;
}
