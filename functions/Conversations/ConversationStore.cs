using Azure.Data.Tables;
using Parley.Functions.Storage;

namespace Parley.Functions.Conversations;

/// <summary>Who wrote a conversation message.</summary>
public enum MessageAuthor
{
    Customer,
    Operator,
    System,
}

/// <summary>
/// One message of a case's conversation: the one thread per case that the meeting room writes to (and, later, the
/// booking page and the website chat). <paramref name="Source"/> says where it was written ("meeting", …) and
/// <paramref name="AppointmentId"/> which meeting, so a room shows only its own messages. Text is plain text, always.
/// </summary>
public sealed record ConversationMessage(long Seq, string Id, DateTimeOffset At, MessageAuthor Author, string AuthorName, string? ParticipantId,
    string Text, string Source, string? AppointmentId);

/// <summary>
/// The conversations: table <c>Conversations</c>, one partition per case (<c>{account}|{case}</c>) holding a
/// <see cref="SequencedLog"/> of messages (<c>m|{seq}</c>) and their idempotency rows (<c>c|{client message id}</c>), so
/// a retried send never writes a message twice.
/// </summary>
public sealed class ConversationStore(StorageAccount storage, TimeProvider time, Webhooks.WebhookPublisher webhooks)
{
    public const string TableName = "Conversations";
    public const int MaxLength = 2000;
    private const string MessagePrefix = "m|";
    private const string ClientPrefix = "c|";

    private TableClient Table => storage.GetTableClient(TableName);

    private static string Partition(string accountId, string caseId) => accountId + "|" + caseId;

    /// <summary>Appends a message (or answers the one written before under the same <paramref name="clientId"/>).</summary>
    public async Task<(ConversationMessage Message, bool Created)> AppendAsync(string accountId, string caseId, MessageAuthor author, string authorName, string? participantId,
        string text, string source, string? appointmentId, string clientId, CancellationToken ct)
    {
        var partition = Partition(accountId, caseId);
        var id = Common.SecureTokens.NewId();
        var (seq, created) = await SequencedLog.AppendAsync(Table, partition, MessagePrefix, e =>
        {
            e["Id"] = id;
            e["At"] = time.GetUtcNow();
            e["Author"] = author.ToString();
            e["AuthorName"] = authorName;
            e["ParticipantId"] = participantId;
            e["Text"] = text;
            e["Source"] = source;
            e["AppointmentId"] = appointmentId;
        }, ClientPrefix + clientId, ct);
        var row = await Table.GetEntityOrNullAsync(partition, SequencedLog.EntryKey(MessagePrefix, seq), cancellationToken: ct)
            ?? throw new InvalidOperationException($"Conversation message {seq} of case {caseId} vanished.");
        var message = ToMessage(row);
        if (created)
        {
            await webhooks.PublishAsync(accountId, Webhooks.WebhookEventTypes.ChatMessageCreated, new Webhooks.ChatMessageEventData(caseId, message.Id, message.Seq,
                Common.Wire.Name(message.Author), message.AuthorName, message.Text, message.Source, message.At), ct);
        }
        return (message, created);
    }

    /// <summary>Messages after <paramref name="afterSeq"/>, oldest first.</summary>
    public async Task<IReadOnlyList<ConversationMessage>> ListAsync(string accountId, string caseId, long afterSeq, int max, CancellationToken ct) =>
        [.. (await SequencedLog.ReadAsync(Table, Partition(accountId, caseId), MessagePrefix, afterSeq, max, ct)).Select(ToMessage)];

    /// <summary>The number of the conversation's last message (0 when it has none).</summary>
    public Task<long> LastSeqAsync(string accountId, string caseId, CancellationToken ct) => SequencedLog.LastAsync(Table, Partition(accountId, caseId), ct);

    /// <summary>Removes a case's whole conversation (the case is being deleted).</summary>
    public Task DeleteAsync(string accountId, string caseId, CancellationToken ct) => SequencedLog.DeletePartitionAsync(Table, Partition(accountId, caseId), ct);

    private static ConversationMessage ToMessage(TableEntity e) => new(
        e.GetInt64("Seq") ?? 0, e.GetString("Id")!, e.GetDateTimeOffset("At") ?? default, Enum.Parse<MessageAuthor>(e.GetString("Author")!),
        e.GetString("AuthorName") ?? "", e.GetString("ParticipantId"), e.GetString("Text") ?? "", e.GetString("Source") ?? "", e.GetString("AppointmentId"));
}
