using Azure;
using Microsoft.Extensions.Options;
using Parley.Functions.Hosting;
using Parley.Functions.Storage;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Parley.Functions.Workflows;

/// <summary>
/// The Functions queue trigger, reproduced in process for runs without the host: polls each work queue
/// (batches, backing off while idle), hides messages while their handler runs (renewing the lease),
/// deletes on success, lets failures reappear after <see cref="QueuePumpOptions.RetryDelay"/>, and moves a
/// message to <c>&lt;queue&gt;-poison</c> once it has been delivered <see cref="QueuePumpOptions.MaxDequeueCount"/> times.
/// Storage errors (an Azurite stall, a network blip) only pause the loop: nothing is deleted that was not handled.
/// </summary>
public sealed class QueuePump(
    StorageAccount storage,
    WorkflowInvoker invoker,
    IOptions<QueuePumpOptions> options,
    IConfiguration configuration,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<QueuePump> logger) : BackgroundService
{
    /// <summary>Time to live for poison messages: they stay until someone looks at them.</summary>
    private static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    private readonly QueuePumpOptions _options = options.Value;

    public static string PoisonQueueName(string queueName) => queueName + "-poison";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (HostingMode.IsFunctionsHost(configuration) || !_options.Enabled)
        {
            return;
        }
        // No work before the app serves: a start that fails (a taken port) handles no message.
        if (!await lifetime.StartedAsync(stoppingToken))
        {
            return;
        }
        var only = (_options.Queues ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var queues = invoker.Queues.Select(q => q.QueueName).Where(q => only.Length == 0 || only.Contains(q)).ToList();
        if (queues.Count == 0)
        {
            return;
        }
        logger.LogInformation("Queue pump polling {Queues}", string.Join(", ", queues));
        await Task.WhenAll(queues.SelectMany(q => Enumerable.Range(0, _options.Receivers).Select(_ => PollAsync(q, stoppingToken))));
    }

    private async Task PollAsync(string queueName, CancellationToken stoppingToken)
    {
        var queue = storage.GetQueueClient(queueName);
        var poison = storage.GetQueueClient(PoisonQueueName(queueName));
        var idleDelay = _options.MinPollingInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            IReadOnlyList<QueueMessage> batch;
            try
            {
                batch = (await queue.ReceiveMessagesAsync(_options.BatchSize, _options.Lease, stoppingToken)).Value;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Polling queue {Queue} failed; retrying in {Delay}", queueName, _options.MaxPollingInterval);
                await DelayAsync(_options.MaxPollingInterval, stoppingToken);
                continue;
            }

            if (batch.Count == 0)
            {
                await DelayAsync(idleDelay, stoppingToken);
                idleDelay = TimeSpan.FromTicks(Math.Min(idleDelay.Ticks * 2, _options.MaxPollingInterval.Ticks));
                continue;
            }
            idleDelay = _options.MinPollingInterval;
            await Task.WhenAll(batch.Select(m => ProcessAsync(queue, poison, m, stoppingToken)));
        }
    }

    private async Task ProcessAsync(QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken stoppingToken)
    {
        if (message.DequeueCount > _options.MaxDequeueCount)
        {
            // Delivered too often without completing (e.g. the process died mid-handler each time).
            await MoveToPoisonAsync(queue, poison, message, message.PopReceipt, "it was delivered more often than allowed without completing");
            return;
        }

        var lease = new Lease(message.PopReceipt);
        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewing = RenewAsync(queue, message, lease, renewal.Token);
        Exception? failure = null;
        try
        {
            await invoker.HandleQueueMessageAsync(
                new QueueWorkItem(queue.Name, message.MessageId, message.MessageText, message.DequeueCount, message.InsertedOn), stoppingToken);
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        finally
        {
            await renewal.CancelAsync();
            await renewing;
        }

        try
        {
            if (failure is null)
            {
                await queue.DeleteMessageAsync(message.MessageId, lease.PopReceipt, CancellationToken.None);
            }
            else if (stoppingToken.IsCancellationRequested && failure is OperationCanceledException)
            {
                // Shutting down: release the message for the next run without counting it as a failure.
                await queue.UpdateMessageAsync(message.MessageId, lease.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
            }
            else if (message.DequeueCount >= _options.MaxDequeueCount)
            {
                logger.LogError(failure, "Message {MessageId} on {Queue} failed on attempt {Attempt} of {Max}", message.MessageId, queue.Name, message.DequeueCount, _options.MaxDequeueCount);
                await MoveToPoisonAsync(queue, poison, message, lease.PopReceipt, $"attempt {message.DequeueCount} failed: {failure.Message}");
            }
            else
            {
                logger.LogWarning(failure, "Message {MessageId} on {Queue} failed on attempt {Attempt} of {Max}; it reappears in {Delay}", message.MessageId, queue.Name, message.DequeueCount, _options.MaxDequeueCount, _options.RetryDelay);
                await queue.UpdateMessageAsync(message.MessageId, lease.PopReceipt, visibilityTimeout: _options.RetryDelay, cancellationToken: CancellationToken.None);
            }
        }
        catch (RequestFailedException ex) when (ex.Status is 400 or 404)
        {
            // Our lease was lost (it expired and someone else took the message): they own it now.
            logger.LogWarning("Message {MessageId} on {Queue} was leased again elsewhere before we could settle it ({Code})", message.MessageId, queue.Name, ex.ErrorCode);
        }
        catch (Exception ex)
        {
            // Storage unreachable while settling: the lease runs out and the message reappears; handlers are idempotent.
            logger.LogWarning(ex, "Could not settle message {MessageId} on {Queue}; it will reappear after its lease", message.MessageId, queue.Name);
        }
    }

    private async Task MoveToPoisonAsync(QueueClient queue, QueueClient poison, QueueMessage message, string popReceipt, string reason)
    {
        // Copy first, then delete: a crash in between leaves a duplicate in poison, never a lost message.
        await poison.SendMessageAsync(message.MessageText, timeToLive: NeverExpires, cancellationToken: CancellationToken.None);
        await queue.DeleteMessageAsync(message.MessageId, popReceipt, CancellationToken.None);
        logger.LogError("Message {MessageId} moved from {Queue} to {PoisonQueue}: {Reason}", message.MessageId, queue.Name, poison.Name, reason);
    }

    private async Task RenewAsync(QueueClient queue, QueueMessage message, Lease lease, CancellationToken cancellationToken)
    {
        var interval = _options.Lease / 2;
        while (true)
        {
            try
            {
                await Task.Delay(interval, time, cancellationToken);
                // Not cancellable: a renewal cut off mid-flight could leave us holding a stale pop receipt.
                var receipt = await queue.UpdateMessageAsync(message.MessageId, lease.PopReceipt, visibilityTimeout: _options.Lease, cancellationToken: CancellationToken.None);
                lease.PopReceipt = receipt.Value.PopReceipt;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Could not renew the lease of message {MessageId} on {Queue}", message.MessageId, queue.Name);
            }
        }
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class Lease(string popReceipt)
    {
        public string PopReceipt { get; set; } = popReceipt;
    }
}
