using System.Text.Json;
using Parley.Functions.Common;
using Parley.Functions.Conversations;

namespace Parley.Functions.Chat;

/// <summary><c>POST /api/chat/{key}/session</c>: an optional identity the website signed with the account's chat secret.</summary>
public sealed record ChatSessionRequest(string? Identifier, string? Signature);

/// <summary>What the widget needs to start: its token and what to show.</summary>
public sealed record ChatSessionView(string Token, string Greeting, string Color, string ReplyTime, IReadOnlyDictionary<string, string> PreChat, bool Verified);

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
public sealed record ChatMessageView(long Seq, string Text, string Author, string? OperatorName, DateTimeOffset At)
{
    public static ChatMessageView From(ConversationMessage m) => new(m.Seq, m.Text,
        m.Author == MessageAuthor.Operator ? "operator" : "visitor", m.Author == MessageAuthor.Operator ? m.AuthorName : null, m.At);
}

/// <summary>The visitor's events: messages after the asked number, and the number to ask after next.</summary>
public sealed record ChatEventsView(IReadOnlyList<ChatMessageView> Messages, long Next);
