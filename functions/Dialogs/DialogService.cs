using System.Diagnostics;
using Microsoft.Extensions.Options;
using Parley.Functions.Common;
using Parley.Functions.Durable;

namespace Parley.Functions.Dialogs;

public sealed record NewDialog(string Keyword, DateTimeOffset? AvailableUntil, DateTimeOffset? WishedAt, string TimeZone, string Language, CustomerContact Contact, string Message);

/// <summary>
/// Writes dialogs and their messages and hands each message to its <see cref="DialogAlertOrchestrator"/>. The
/// orchestration is started <i>before</i> the write — when that fails, nothing is written and the request meets the
/// storage outage (503) — and told <see cref="DialogAlertOrchestrator.WrittenEvent"/> after it; a crash in between is
/// covered by the orchestration's own timer, a failed write by its finding no message, a slow write by a second
/// orchestration.
/// </summary>
public sealed class DialogService(DialogStore store, CustomerIds customerIds, ReplyLinks replyLinks, Orchestrations orchestrations, IOptions<DialogOptions> options,
    Webhooks.WebhookPublisher webhooks, TimeProvider time, ILogger<DialogService> logger)
{
    /// <summary>Starts a dialog; returns the customer's pseudonymous id.</summary>
    public async Task<string> StartAsync(string accountId, string operatorId, NewDialog input, CancellationToken ct)
    {
        var customerId = await customerIds.ForEmailAsync(accountId, input.Contact.Email, ct);
        var now = time.GetUtcNow();
        var dialog = new Dialog(accountId, store.NewDialogId(), operatorId, customerId, input.Keyword, input.AvailableUntil, input.WishedAt, input.TimeZone, input.Language,
            input.Contact, input.Message, input.Message, DialogParty.Customer, false, 1, false, replyLinks.NewProtectedSecret(), now, now);
        var first = new DialogMessage(1, DialogParty.Customer, input.Message, now, null);
        var alert = await HandOverAsync(dialog, first, callCustomer: false, ct);
        await store.CreateAsync(dialog, first, ct);
        await WrittenAsync(alert);
        await webhooks.PublishAsync(accountId, Webhooks.WebhookEventTypes.DialogStarted, EventData(dialog, first), ct);
        return customerId;
    }

    /// <summary>Adds a message to the dialog read as <paramref name="dialog"/> (ETag-guarded; a concurrent write makes this throw).</summary>
    public async Task<Dialog> AddMessageAsync(Dialog dialog, DialogParty from, string text, string? operatorId, bool callCustomer, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var seq = dialog.MessageCount + 1;
        var message = new DialogMessage(seq, from, text, now, operatorId);
        var alert = await HandOverAsync(dialog, message, callCustomer, ct);
        var saved = await store.SaveAsync(dialog with
        {
            LastMessage = text, LastFrom = from, Answered = dialog.Answered || from == DialogParty.Adviser, MessageCount = seq, UpdatedAt = now,
        }, message, ct);
        await WrittenAsync(alert);
        await webhooks.PublishAsync(dialog.AccountId, Webhooks.WebhookEventTypes.DialogMessageCreated, EventData(saved, message), ct);
        return saved;
    }

    /// <summary>A dialog in an event: the customer only by their pseudonymous id, never their contact data.</summary>
    private static Webhooks.DialogEventData EventData(Dialog d, DialogMessage m) => new(d.Id, d.OperatorId, d.CustomerId, d.Keyword, d.CreatedAt,
        new Webhooks.DialogMessageEventData(m.Seq, Wire.Name(m.From), m.Text, m.At));

    public Task<Dialog> CloseAsync(Dialog dialog, CancellationToken ct) =>
        store.SaveAsync(dialog with { Closed = true, UpdatedAt = time.GetUtcNow() }, null, ct);

    /// <summary>The orchestration a message was handed to, with its input and when the hand-over began.</summary>
    private sealed record HandOver(string Instance, DialogAlertJob Job, long StartedAt);

    /// <summary>
    /// Starts the alert orchestration of <paramref name="message"/>, which waits for the write. The first writer of a
    /// message number gets <c>dialog-…-m{seq}</c>. A second one — a concurrent writer, or a retry after a write that
    /// failed, whose instance may have ended already — gets an instance of its own; the message's fingerprint makes
    /// each instance tell only about the message its own request wrote.
    /// </summary>
    private async Task<HandOver> HandOverAsync(Dialog dialog, DialogMessage message, bool callCustomer, CancellationToken ct)
    {
        var startedAt = Stopwatch.GetTimestamp();
        var job = new DialogAlertJob(new DialogAlert(dialog.AccountId, dialog.Id, message.Seq, callCustomer, DialogAlert.FingerprintOf(message)), options.Value.HandOverWait);
        var instance = DialogAlertOrchestrator.InstanceId(dialog.AccountId, dialog.Id, message.Seq);
        if (!await orchestrations.StartAsync(nameof(DialogAlertOrchestrator), instance, job, ct))
        {
            instance = await StartOwnAsync(job, ct);
        }
        return new HandOver(instance, job, startedAt);
    }

    private async Task<string> StartOwnAsync(DialogAlertJob job, CancellationToken ct)
    {
        var instance = $"{DialogAlertOrchestrator.InstanceId(job.Alert.AccountId, job.Alert.DialogId, job.Alert.Seq)}-{SecureTokens.NewId(8)}";
        await orchestrations.StartAsync(nameof(DialogAlertOrchestrator), instance, job, ct);
        return instance;
    }

    /// <summary>
    /// Tells the orchestration its message is stored; if that fails, its timer finds the message a little later. A write
    /// that took half the hand-over wait or more may have been looked for before it was there, so it is handed to an
    /// orchestration of its own as well (sends are idempotent: nothing goes out twice).
    /// </summary>
    private async Task WrittenAsync(HandOver handOver)
    {
        var instance = handOver.Instance;
        try
        {
            if (Stopwatch.GetElapsedTime(handOver.StartedAt) >= handOver.Job.HandOverWait / 2)
            {
                logger.LogWarning("The write of {Instance}'s message was slow; an orchestration of its own makes sure it is alerted", instance);
                instance = await StartOwnAsync(handOver.Job, CancellationToken.None);
            }
            await orchestrations.RaiseEventAsync(instance, DialogAlertOrchestrator.WrittenEvent, true);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not tell {Instance} that its message is written; its hand-over timer sends the alert a little later", instance);
        }
    }
}
