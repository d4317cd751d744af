using Microsoft.Extensions.DependencyInjection;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Parley.Functions.Workflows;
using Parley.Testing;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Hosting;

/// <summary>The local pump gives the Functions queue-trigger semantics: delivery, retry, poison after five, lease renewal.</summary>
public sealed class QueuePumpTests : IAsyncLifetime
{
    private readonly string _queueName = Azurite.UniqueQueueName("pump");
    private readonly RecordingHandler.Journal _journal = new();
    private ParleyApp? _app;
    private QueueClient _queue = null!;
    private QueueClient _poison = null!;

    public async Task InitializeAsync()
    {
        var storage = (await Azurite.SharedAsync()).CreateAccount();
        _queue = storage.GetQueueClient(_queueName);
        _poison = storage.GetQueueClient(QueuePump.PoisonQueueName(_queueName));
        await _queue.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task StartPumpAsync(string lease = "00:00:02") => _app = await ParleyApp.StartAsync(
        new() { ["QueuePump:Enabled"] = "true", ["QueuePump:Queues"] = _queueName, ["QueuePump:Lease"] = lease },
        services => services.AddSingleton(_journal).AddQueueHandler<RecordingHandler>(_queueName));

    [Fact]
    public async Task A_message_put_with_our_queue_client_reaches_its_handler_and_is_deleted()
    {
        await StartPumpAsync();
        var receipt = (await _queue.SendJsonAsync(new { hello = "world" })).Value;

        var delivery = Assert.Single(await _journal.WaitForAsync(1));

        Assert.Equal(receipt.MessageId, delivery.MessageId);
        Assert.Equal("""{"hello":"world"}""", delivery.Text);
        Assert.Equal(1, delivery.DequeueCount);
        Assert.Equal(_queueName, delivery.QueueName);
        await WaitUntilAsync(async () => await _queue.ApproximateCountAsync() == 0);
        Assert.Empty((await _poison.PeekMessagesAsync(32)).Value);
    }

    [Fact]
    public async Task A_failing_message_reappears_and_succeeds_on_a_later_attempt()
    {
        await StartPumpAsync();
        _journal.FailuresLeft = 2;
        await _queue.SendMessageAsync("flaky");

        var deliveries = await _journal.WaitForAsync(3);
        await WaitUntilAsync(async () => await _queue.ApproximateCountAsync() == 0);

        Assert.Equal([1L, 2L, 3L], deliveries.Select(d => d.DequeueCount));
        Assert.Empty((await _poison.PeekMessagesAsync(32)).Value);
    }

    [Fact]
    public async Task A_message_that_always_fails_is_tried_five_times_then_moved_to_the_poison_queue()
    {
        await StartPumpAsync();
        _journal.AlwaysFail = true;
        await _queue.SendMessageAsync("""{"doomed":true}""");

        // Once the message has left the main queue, no further delivery can happen; each one was recorded before that.
        await WaitUntilAsync(async () => (await _poison.PeekMessagesAsync(1)).Value.Length == 1 && await _queue.ApproximateCountAsync() == 0);

        Assert.Equal([1L, 2L, 3L, 4L, 5L], _journal.Deliveries.Select(d => d.DequeueCount));
        Assert.Equal("""{"doomed":true}""", Assert.Single((await _poison.PeekMessagesAsync(32)).Value).MessageText);
        Assert.Equal(0, await _queue.ApproximateCountAsync());
    }

    [Fact]
    public async Task A_message_already_delivered_too_often_goes_to_poison_without_running_the_handler()
    {
        // Five deliveries that never completed, as if the worker had crashed each time.
        await _queue.SendMessageAsync("crash-looper");
        for (var i = 0; i < 5; i++)
        {
            var m = Assert.Single((await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30))).Value);
            await _queue.UpdateMessageAsync(m.MessageId, m.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        }
        await StartPumpAsync();

        await WaitUntilAsync(async () => (await _poison.PeekMessagesAsync(1)).Value.Length == 1);

        Assert.Empty(_journal.Deliveries);
        Assert.Equal("crash-looper", Assert.Single((await _poison.PeekMessagesAsync(32)).Value).MessageText);
    }

    [Fact]
    public async Task A_handler_that_outlives_the_lease_keeps_its_message_and_runs_once()
    {
        // Lease 6 s, renewed every 3 s; the handler takes three leases' worth. A renewal may take up to 3 s on a loaded
        // machine (a 2 s lease renewed every second lost its message when Azurite was busy with other tests).
        await StartPumpAsync(lease: "00:00:06");
        _journal.Duration = TimeSpan.FromSeconds(9);
        await _queue.SendMessageAsync("slow");

        await _journal.WaitForAsync(1);
        // The count includes leased messages: at 0 the message is deleted, and a second delivery would have been recorded before that.
        await WaitUntilAsync(async () => await _queue.ApproximateCountAsync() == 0, TimeSpan.FromSeconds(20));

        Assert.Single(_journal.Deliveries);
    }

    [Fact]
    public async Task Many_messages_are_each_handled_exactly_once()
    {
        await StartPumpAsync();
        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => _queue.SendMessageAsync("m" + i)));

        await _journal.WaitForAsync(100);
        // Every message deleted (leased ones count too): no delivery can follow, and duplicates were recorded before their deletion.
        await WaitUntilAsync(async () => await _queue.ApproximateCountAsync() == 0);

        Assert.Equal(Enumerable.Range(0, 100).Select(i => "m" + i).Order(), _journal.Deliveries.Select(d => d.Text).Order());
    }

    [Fact]
    public async Task A_stalled_queue_service_pauses_the_pump_without_losing_a_message()
    {
        var azurite = await Azurite.SharedAsync();
        await using var proxy = new PausableTcpProxy(azurite.QueuePort);
        var throughProxy = azurite.ConnectionString.Replace($"127.0.0.1:{azurite.QueuePort}", $"127.0.0.1:{proxy.Port}", StringComparison.Ordinal);
        _app = await ParleyApp.StartAsync(
            new()
            {
                ["AzureWebJobsStorage"] = throughProxy,
                ["Storage:NetworkTimeout"] = "00:00:00.500",
                ["Storage:MaxRetries"] = "0",
                ["QueuePump:Enabled"] = "true",
                ["QueuePump:Queues"] = _queueName,
                ["QueuePump:Lease"] = "00:00:02",
            },
            services => services.AddSingleton(_journal).AddQueueHandler<RecordingHandler>(_queueName));

        proxy.Pause();
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => _queue.SendMessageAsync("during-stall-" + i)));
        // Several polls time out meanwhile: each timed-out request drops its connection, so the next poll opens a new one.
        var connections = proxy.Connections;
        await WaitUntilAsync(() => Task.FromResult(proxy.Connections >= connections + 3), TimeSpan.FromSeconds(30));
        Assert.Empty(_journal.Deliveries);
        proxy.Resume();

        await _journal.WaitForAsync(20, TimeSpan.FromSeconds(30));
        await WaitUntilAsync(async () => await _queue.ApproximateCountAsync() == 0, TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(0, 20).Select(i => "during-stall-" + i).Order(), _journal.Deliveries.Select(d => d.Text).Distinct().Order());
        Assert.Empty((await _poison.PeekMessagesAsync(32)).Value);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Condition not met in time");
            }
            await Task.Delay(50);
        }
    }
}
