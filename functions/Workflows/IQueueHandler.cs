namespace Parley.Functions.Workflows;

/// <summary>
/// Processes the messages of one work queue. Delivery is at least once and unordered: a handler must be
/// idempotent. Throwing makes the message reappear; after <see cref="QueuePumpOptions.MaxDequeueCount"/>
/// attempts it moves to <c>&lt;queue&gt;-poison</c>. The same handler serves the Functions host's queue
/// trigger (<c>POST /&lt;queue&gt;</c>) and the local <see cref="QueuePump"/>.
/// </summary>
public interface IQueueHandler
{
    /// <summary>The queue, its function folder under Triggers/ and its invocation route share this kebab-case name.</summary>
    static abstract string QueueName { get; }

    Task HandleAsync(QueueWorkItem message, CancellationToken cancellationToken);
}

/// <summary>One delivery of a queue message.</summary>
public sealed record QueueWorkItem(string QueueName, string MessageId, string Text, long DequeueCount, DateTimeOffset? InsertedOn)
{
    /// <summary>Reads the message as JSON (web defaults: camelCase); a message that is not valid JSON throws and so ends up poisoned.</summary>
    public T ReadJson<T>() =>
        System.Text.Json.JsonSerializer.Deserialize<T>(Text, QueueJson.Options)
        ?? throw new FormatException($"Message {MessageId} on '{QueueName}' is empty JSON.");
}

public sealed record QueueHandlerRegistration(string QueueName, Type HandlerType);
