using Azure;
using Parley.Functions.Storage;
using Parley.Functions.Storage.Queues;
using Parley.Testing;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Storage;

public sealed class QueueStorageClientTests : IAsyncLifetime
{
    private QueueStorageClient _queue = null!;
    private StorageAccount _account = null!;

    public async Task InitializeAsync()
    {
        _account = (await Azurite.SharedAsync()).CreateAccount();
        _queue = _account.GetQueueClient(Azurite.UniqueQueueName("q"));
        await _queue.CreateIfNotExistsAsync();
    }

    public Task DisposeAsync() => _queue.DeleteAsync();

    [Fact]
    public async Task Creating_an_existing_queue_is_not_an_error()
    {
        var queue = _account.GetQueueClient(Azurite.UniqueQueueName("twice"));
        Assert.True(await queue.CreateIfNotExistsAsync());
        Assert.False(await queue.CreateIfNotExistsAsync());
        await queue.DeleteAsync();
    }

    [Fact]
    public async Task A_message_with_xml_special_characters_arrives_exactly_as_sent()
    {
        const string text = """{"note":"<b>a & b</b> 'quoted' \"double\" ]]> Grüße 🎉"}""";
        var receipt = (await _queue.SendMessageAsync(text)).Value;

        var received = Assert.Single((await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30))).Value);

        Assert.Equal(receipt.MessageId, received.MessageId);
        Assert.Equal(text, received.MessageText);
        Assert.Equal(1, received.DequeueCount);
        await _queue.DeleteMessageAsync(received.MessageId, received.PopReceipt);
        Assert.Empty((await _queue.PeekMessagesAsync(32)).Value);
    }

    [Fact]
    public async Task A_delayed_message_stays_invisible_until_its_time()
    {
        await _queue.SendMessageAsync("later", visibilityTimeout: TimeSpan.FromSeconds(1));

        Assert.Empty((await _queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value);
        Assert.Equal("later", (await ReceiveWhenVisibleAsync()).MessageText);
    }

    [Fact]
    public async Task A_leased_message_reappears_after_its_lease_with_a_higher_dequeue_count()
    {
        await _queue.SendMessageAsync("lease");
        var first = Assert.Single((await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1))).Value);
        Assert.Empty((await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1))).Value);

        var second = await ReceiveWhenVisibleAsync();

        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal(2, second.DequeueCount);
        var stale = await Assert.ThrowsAsync<RequestFailedException>(() => _queue.DeleteMessageAsync(first.MessageId, first.PopReceipt));
        Assert.Equal(400, stale.Status);
        Assert.Equal("PopReceiptMismatch", stale.ErrorCode);
        await _queue.DeleteMessageAsync(second.MessageId, second.PopReceipt);
    }

    [Fact]
    public async Task Updating_visibility_returns_a_new_pop_receipt_and_can_change_the_text()
    {
        await _queue.SendMessageAsync("v1");
        var leased = Assert.Single((await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30))).Value);

        var update = (await _queue.UpdateMessageAsync(leased.MessageId, leased.PopReceipt, TimeSpan.Zero, "v2")).Value;

        Assert.NotEqual(leased.PopReceipt, update.PopReceipt);
        var again = Assert.Single((await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30))).Value);
        Assert.Equal("v2", again.MessageText);
        await _queue.DeleteMessageAsync(again.MessageId, again.PopReceipt);
    }

    [Fact]
    public async Task Peek_does_not_lease_and_count_is_reported()
    {
        for (var i = 0; i < 5; i++)
        {
            await _queue.SendMessageAsync("m" + i);
        }

        var peeked = (await _queue.PeekMessagesAsync(32)).Value;
        var received = (await _queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value;

        Assert.Equal(5, peeked.Count);
        Assert.All(peeked, p => Assert.Equal(0, p.DequeueCount));
        Assert.Equal(5, received.Count);
        Assert.Equal(5, await _queue.GetApproximateMessageCountAsync());
    }

    [Fact]
    public async Task A_batch_receive_returns_at_most_32_messages()
    {
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => _queue.SendMessageAsync("b" + i)));

        var batch = (await _queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value;

        Assert.Equal(32, batch.Count);
        Assert.Equal(32, batch.Select(m => m.MessageId).Distinct().Count());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _queue.ReceiveMessagesAsync(33, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Time_to_live_can_be_never_and_delays_are_capped_at_seven_days()
    {
        var forever = (await _queue.SendMessageAsync("forever", timeToLive: QueueStorageClient.NeverExpires)).Value;
        var week = (await _queue.SendMessageAsync("a week", visibilityTimeout: TimeSpan.FromDays(7), timeToLive: QueueStorageClient.NeverExpires)).Value;
        var hour = (await _queue.SendMessageAsync("an hour", timeToLive: TimeSpan.FromHours(1))).Value;

        Assert.Equal(9999, forever.ExpiresOn.Year);
        Assert.InRange(week.NextVisibleOn - week.InsertedOn, TimeSpan.FromDays(7) - TimeSpan.FromSeconds(5), TimeSpan.FromDays(7) + TimeSpan.FromSeconds(5));
        Assert.InRange(hour.ExpiresOn - hour.InsertedOn, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _queue.SendMessageAsync("too far", visibilityTimeout: TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _queue.SendMessageAsync("hidden past its life", visibilityTimeout: TimeSpan.FromHours(2), timeToLive: TimeSpan.FromHours(1)));
    }

    [Fact]
    public async Task Text_that_xml_cannot_carry_or_that_is_too_long_is_refused_before_sending()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _queue.SendMessageAsync("bell \u0007"));
        await Assert.ThrowsAsync<ArgumentException>(() => _queue.SendMessageAsync(new string('x', 64 * 1024 + 1)));
        Assert.Empty((await _queue.PeekMessagesAsync(32)).Value);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("UpperCase")]
    [InlineData("double--hyphen")]
    [InlineData("-leading")]
    [InlineData("trailing-")]
    public void Invalid_queue_names_are_rejected(string name)
    {
        Assert.Throws<ArgumentException>(() => _account.GetQueueClient(name));
    }

    /// <summary>Polls until the one message becomes visible (Azurite's clock decides when), leasing it for 30 s.</summary>
    private async Task<QueueMessage> ReceiveWhenVisibleAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if ((await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30))).Value is [var message])
            {
                return message;
            }
            Assert.True(DateTime.UtcNow < deadline, "The message did not become visible within 20 s.");
            await Task.Delay(100); // polling interval
        }
    }
}
