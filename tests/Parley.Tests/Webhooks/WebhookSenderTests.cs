using Microsoft.Extensions.Options;
using Parley.Functions.Webhooks;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Webhooks;

/// <summary>One attempt's HTTP side: the time limit (15 s in production), and what a slow or silent receiver leaves in the log.</summary>
public sealed class WebhookSenderTests
{
    [Fact]
    public async Task A_receiver_that_does_not_answer_within_the_attempt_timeout_is_a_failed_attempt_with_the_reason()
    {
        using var release = new CancellationTokenSource();
        await using var receiver = await FakeHttpServer.StartAsync(async (context, _) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, CancellationTokenSource.CreateLinkedTokenSource(release.Token, context.RequestAborted).Token);
            }
            catch (OperationCanceledException)
            {
            }
        });
        var options = Options.Create(new WebhookOptions { AllowLoopback = true, AttemptTimeout = TimeSpan.FromSeconds(1) });
        using var sender = new WebhookSender(new OutboundAddressGuard(allowLoopback: true), options, TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        var endpoint = new WebhookEndpoint("ep1", "acc1", WebhookKind.Endpoint, new Uri(receiver.BaseAddress, "slow").ToString(), "", ["case.created"], true,
            WebhookSignature.NewSecret(), null, null, now, now, null, null);

        var outcome = await sender.SendAsync(endpoint, "msg_1", "{}", CancellationToken.None);
        release.Cancel();

        Assert.False(outcome.Delivered);
        Assert.Null(outcome.Record.Status);
        Assert.Equal("No answer within 1 seconds.", outcome.Record.Error);
        Assert.InRange(outcome.Record.LatencyMs, 900, 30_000); // cut at the limit, not left hanging
        await Poll.UntilAsync("the attempt reached the receiver (which was only too slow)", () => Task.FromResult(receiver.Requests.Count == 1), TimeSpan.FromSeconds(20));
    }
}
