using System.Text.Json;
using Parley.Functions.Common;
using Parley.Functions.Conversations;

namespace Parley.Functions.Chat;

/// <summary><c>POST /api/chat/{key}/session</c>: an optional identity the website signed with the account's chat secret.</summary>
public sealed record ChatSessionRequest(string? Identifier, string? Signature, string? Token = null);

/// <summary>What the widget needs to start: its token and what to show.</summary>
public sealed record ChatSessionView(string Token, string BusinessName, string Greeting, string Color, string ReplyTime, IReadOnlyDictionary<string, string> PreChat,
    IReadOnlyDictionary<string, string> PreChatLabels, bool Verified, bool Online, bool HasConversation, bool HasEmail);

public sealed record ChatUtm(string? Source, string? Medium, string? Campaign, string? Term, string? Content);

/// <summary><c>POST /api/chat/{key}/messages</c>; the contact and page fields count on the visitor's first message only.</summary>
public sealed record ChatMessageRequest(
    string? ClientMessageId,
    string? Text,
    string? Name,
    string? Email,
    string? Phone,
    Dictionary<string, JsonElement>? CustomFields,
    string? PageUrl,
    string? Referrer,
    string? Language,
    string? TimeZone,
    ChatUtm? Utm);

/// <summary>An operator's answer: <c>POST /api/cases/{caseId}/conversation</c>.</summary>
public sealed record ChatReplyRequest(string? ClientMessageId, string? Text);

/// <summary>A message as the visitor sees it: nothing internal (no ids of operators or cases).</summary>
public sealed record ChatMessageView(long Seq, string Text, string Author, string? OperatorName, DateTimeOffset At, string? MeetingUrl = null)
{
    public static ChatMessageView From(ConversationMessage m, string? meetingUrl = null) => new(m.Seq, m.Text,
        m.Author == MessageAuthor.Operator ? "operator" : "visitor", m.Author == MessageAuthor.Operator ? m.AuthorName : null, m.At, meetingUrl);
}

/// <summary>
/// The visitor's events: messages after the asked number, the number to ask after next, the live state (anyone online,
/// an operator typing, how far operators have read, how many operator messages the visitor has not seen) and the
/// state number to pass back.
/// </summary>
public sealed record ChatEventsView(IReadOnlyList<ChatMessageView> Messages, long Next, bool Online = false, bool OperatorTyping = false, long OperatorRead = 0,
    int Unread = 0, long State = 0);

/// <summary>An operator's view of a chat's events (<c>GET /api/cases/{caseId}/conversation/events</c>).</summary>
public sealed record OperatorChatEventsView(IReadOnlyList<ConversationMessageView> Messages, long Next, bool VisitorTyping, long VisitorRead, bool VisitorOnline, long State);

public sealed record ChatReadRequest(long? Seq);

public sealed record ChatContactRequest(string? Email);

public sealed record ChatTranscriptRequest(string? Email);

public sealed record ChatLinkRequest(string? Token);

public sealed record ChatLinkView(string Key, ChatSessionView Session);

public sealed record ChatVideoView(string AppointmentId, string MeetingUrl, ConversationMessageView Message);

public sealed record ChatInboxItem(string CaseId, int Number, string Name, int UnreadMessages, DateTimeOffset LastMessageAt);

public sealed record ChatInboxView(IReadOnlyList<ChatInboxItem> Cases, int Total, long Next);
