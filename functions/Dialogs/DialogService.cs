using Parley.Functions.Common;

namespace Parley.Functions.Dialogs;

public sealed record NewDialog(string Keyword, DateTimeOffset? AvailableUntil, DateTimeOffset? WishedAt, string TimeZone, string Language, CustomerContact Contact, string Message);

/// <summary>
/// Writes dialogs and their messages and hands them to the <see cref="DialogQueueHandler"/> workflow. Each write is
/// preceded by a hidden copy of its work item (visible after a minute), so a crash between the write and the immediate
/// item still alerts the other side; the workflow's sends are idempotent, so the copy sends nothing twice.
/// </summary>
public sealed class DialogService(DialogStore store, CustomerIds customerIds, ReplyLinks replyLinks, DialogQueue queue, TimeProvider time)
{
    public static readonly TimeSpan HandOverDelay = TimeSpan.FromMinutes(1);

    /// <summary>Starts a dialog; returns the customer's pseudonymous id.</summary>
    public async Task<string> StartAsync(string accountId, string operatorId, NewDialog input, CancellationToken ct)
    {
        var customerId = await customerIds.ForEmailAsync(accountId, input.Contact.Email, ct);
        var now = time.GetUtcNow();
        var dialog = new Dialog(accountId, store.NewDialogId(), operatorId, customerId, input.Keyword, input.AvailableUntil, input.WishedAt, input.TimeZone, input.Language,
            input.Contact, input.Message, input.Message, DialogParty.Customer, false, 1, false, replyLinks.NewProtectedSecret(), now, now);
        var work = new DialogWork(accountId, dialog.Id, 1);
        await queue.EnqueueAsync(work, HandOverDelay, ct);
        await store.CreateAsync(dialog, new DialogMessage(1, DialogParty.Customer, input.Message, now, null), ct);
        await queue.EnqueueAsync(work, null, ct);
        return customerId;
    }

    /// <summary>Adds a message to the dialog read as <paramref name="dialog"/> (ETag-guarded; a concurrent write makes this throw).</summary>
    public async Task<Dialog> AddMessageAsync(Dialog dialog, DialogParty from, string text, string? operatorId, bool callCustomer, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var seq = dialog.MessageCount + 1;
        var work = new DialogWork(dialog.AccountId, dialog.Id, seq, callCustomer);
        await queue.EnqueueAsync(work, HandOverDelay, ct);
        var saved = await store.SaveAsync(dialog with
        {
            LastMessage = text, LastFrom = from, Answered = dialog.Answered || from == DialogParty.Adviser, MessageCount = seq, UpdatedAt = now,
        }, new DialogMessage(seq, from, text, now, operatorId), ct);
        await queue.EnqueueAsync(work, null, ct);
        return saved;
    }

    public Task<Dialog> CloseAsync(Dialog dialog, CancellationToken ct) =>
        store.SaveAsync(dialog with { Closed = true, UpdatedAt = time.GetUtcNow() }, null, ct);
}
