using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Communication;

/// <summary>
/// Azure Communication Services as far as our clients see it: verifies every request's HMAC signature from what
/// arrived on the wire, checks api-versions, dedups SMS by repeatability id and e-mail by operation id as ACS
/// does, and answers with ACS's shapes — or with the failures a test queues up.
/// </summary>
public sealed class FakeAcs : IAsyncDisposable
{
    public const string KeyBase64 = "ZmFrZS1hY3Mta2V5LWZvci10ZXN0cy1vbmx5LTAxMjM0NTY3ODk=";
    private static readonly byte[] Key = Convert.FromBase64String(KeyBase64);

    private FakeAcs(FakeHttpServer server) => Server = server;

    public FakeHttpServer Server { get; }

    public string ConnectionString => $"endpoint={Server.BaseAddress};accesskey={KeyBase64}";

    /// <summary>App settings that send everything through this fake (callbacks go to https://parley.example, which tests route back in memory).</summary>
    public Dictionary<string, string?> AppSettings(string? storage = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["App:PublicUrl"] = "https://parley.example",
            ["Communication:Provider"] = "acs",
            ["Communication:ConnectionString"] = ConnectionString,
            ["Communication:SmsFrom"] = "+4930123456",
            ["Communication:CallerId"] = "+4930999999",
            ["Communication:EmailFrom"] = "DoNotReply@parley.example",
            ["Communication:CognitiveServicesEndpoint"] = "https://ai.example.cognitiveservices.azure.com/",
        };
        if (storage is not null)
        {
            settings["AzureWebJobsStorage"] = storage;
        }
        return settings;
    }

    /// <summary>Failures to answer with before behaving normally: (status, Retry-After seconds or null).</summary>
    public ConcurrentQueue<(int Status, int? RetryAfter)> Failures { get; } = new();

    /// <summary>Routes that fail while listed: a part of the path → the status they answer (with Retry-After: 1).</summary>
    public ConcurrentDictionary<string, int> Outages { get; } = new();

    /// <summary>SMS actually delivered to the network (after repeatability dedup).</summary>
    public ConcurrentDictionary<string, JsonElement> SentSms { get; } = new();

    public ConcurrentDictionary<string, JsonElement> SentEmails { get; } = new();

    /// <summary>How many polls an e-mail operation answers "Running" before "Succeeded".</summary>
    public int EmailPollsBeforeDone { get; set; } = 1;

    public ConcurrentBag<string> SignatureFailures { get; } = [];

    /// <summary>Calls placed (after repeatability dedup), by repeatability id.</summary>
    public ConcurrentDictionary<string, JsonElement> Calls { get; } = new();

    /// <summary>
    /// Where the fake posts call events, as ACS posts them to a call's callbackUri (CloudEvents array). Set by tests
    /// whose app is in memory; posts happen before the fake answers the request that caused them, so tests are ordered.
    /// </summary>
    public Func<Uri, string, Task<int>>? Callbacks { get; set; }

    /// <summary>Numbers that do not answer: creating a call to them yields CreateCallFailed 408/8523.</summary>
    public ConcurrentBag<string> Unanswered { get; } = [];

    /// <summary>Numbers that do not answer the first so many calls to them, then answer.</summary>
    public ConcurrentDictionary<string, int> UnansweredTimes { get; } = new();

    /// <summary>Status codes our app answered the callbacks with.</summary>
    public ConcurrentQueue<int> CallbackResponses { get; } = new();

    /// <summary>Create-call requests received, including repeated ones.</summary>
    public int CallCreateRequests => _createRequests;

    private int _createRequests;
    private readonly ConcurrentDictionary<string, string> _callbacksByConnection = new();

    private async Task PostEventAsync(string connectionId, string type, string operationContext, int? code = null, int? subCode = null)
    {
        if (Callbacks is null || !_callbacksByConnection.TryGetValue(connectionId, out var callback))
        {
            return;
        }
        var json = JsonSerializer.Serialize(new[]
        {
            new
            {
                id = Guid.NewGuid().ToString(), source = "calling/callConnections/" + connectionId, type = "Microsoft.Communication." + type, specversion = "1.0",
                time = DateTimeOffset.UtcNow, datacontenttype = "application/json",
                data = new
                {
                    callConnectionId = connectionId, serverCallId = "server-" + connectionId, correlationId = Guid.NewGuid().ToString(), operationContext,
                    resultInformation = code is null ? null : new { code, subCode, message = code == 408 ? "Call was not answered." : "Action completed successfully." },
                },
            },
        });
        CallbackResponses.Enqueue(await Callbacks(new Uri(callback), json));
    }

    /// <summary>Everything said or done on calls: "play:{id}:{locale}:{text}", "terminate:{id}".</summary>
    public ConcurrentQueue<string> CallActions { get; } = new();

    private readonly ConcurrentDictionary<string, int> _polls = new();

    public static async Task<FakeAcs> StartAsync()
    {
        FakeAcs? acs = null;
        var server = await FakeHttpServer.StartAsync((context, request) => acs!.HandleAsync(context, request));
        acs = new FakeAcs(server);
        return acs;
    }

    private async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        var rawTarget = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? request.PathAndQuery;
        if (!VerifySignature(request with { PathAndQuery = rawTarget }, out var why))
        {
            SignatureFailures.Add(why);
            await Problem(context, 401, "Denied", why);
            return;
        }
        if (Failures.TryDequeue(out var failure))
        {
            if (failure.RetryAfter is { } seconds)
            {
                context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            await Problem(context, failure.Status, failure.Status == 429 ? "TooManyRequests" : "Failure", "queued failure");
            return;
        }
        var path = context.Request.Path.Value!;
        if (Outages.Keys.FirstOrDefault(part => path.Contains(part, StringComparison.Ordinal)) is { } down)
        {
            context.Response.Headers.RetryAfter = "1";
            await Problem(context, Outages[down], "ServiceUnavailable", "outage set by the test");
            return;
        }
        var apiVersion = context.Request.Query["api-version"].ToString();
        if (path == "/sms" && context.Request.Method == "POST" && apiVersion == "2021-03-07")
        {
            using var doc = JsonDocument.Parse(request.Body);
            var recipient = doc.RootElement.GetProperty("smsRecipients")[0];
            var repeatability = recipient.GetProperty("repeatabilityRequestId").GetString()!;
            var first = SentSms.TryAdd(repeatability, doc.RootElement.Clone());
            context.Response.StatusCode = 202;
            await context.Response.WriteAsJsonAsync(new
            {
                value = new[] { new { to = recipient.GetProperty("to").GetString(), messageId = "sms-" + repeatability, httpStatusCode = 202, successful = true, repeatabilityResult = first ? "accepted" : "rejected" } },
            });
            return;
        }
        if (path == "/emails:send" && context.Request.Method == "POST" && apiVersion == "2023-03-31")
        {
            var operationId = context.Request.Headers["Operation-Id"].ToString();
            using var doc = JsonDocument.Parse(request.Body);
            SentEmails.TryAdd(operationId, doc.RootElement.Clone());
            context.Response.StatusCode = 202;
            context.Response.Headers["Operation-Location"] = $"{Server.BaseAddress}emails/operations/{operationId}?api-version=2023-03-31";
            context.Response.Headers.RetryAfter = "1";
            await context.Response.WriteAsJsonAsync(new { id = operationId, status = "Running" });
            return;
        }
        if (path == "/calling/callConnections" && context.Request.Method == "POST" && apiVersion == "2024-09-15")
        {
            var repeatability = context.Request.Headers["Repeatability-Request-ID"].ToString();
            if (repeatability.Length == 0 || string.IsNullOrEmpty(context.Request.Headers["Repeatability-First-Sent"]))
            {
                await Problem(context, 400, "BadRequest", "Repeatability headers missing");
                return;
            }
            using var doc = JsonDocument.Parse(request.Body);
            Interlocked.Increment(ref _createRequests);
            var connectionId = "call-" + repeatability;
            var callbackUri = doc.RootElement.GetProperty("callbackUri").GetString()!;
            var operationContext = doc.RootElement.GetProperty("operationContext").GetString()!;
            if (Calls.TryAdd(repeatability, doc.RootElement.Clone()))
            {
                _callbacksByConnection[connectionId] = callbackUri;
                var to = doc.RootElement.GetProperty("targets")[0].GetProperty("phoneNumber").GetProperty("value").GetString()!;
                if (Unanswered.Contains(to) || (UnansweredTimes.TryGetValue(to, out var times) && times > 0 && UnansweredTimes.TryUpdate(to, times - 1, times)))
                {
                    await PostEventAsync(connectionId, "CreateCallFailed", operationContext, 408, 8523);
                }
                else
                {
                    await PostEventAsync(connectionId, "CallConnected", operationContext);
                }
            }
            context.Response.StatusCode = 201;
            await context.Response.WriteAsJsonAsync(new { callConnectionId = connectionId, callConnectionState = "connecting", callbackUri });
            return;
        }
        if (path.StartsWith("/calling/callConnections/", StringComparison.Ordinal) && apiVersion == "2024-09-15")
        {
            var rest = path["/calling/callConnections/".Length..];
            var colon = rest.LastIndexOf(':');
            var (id, action) = colon < 0 ? (rest, "") : (rest[..colon], rest[(colon + 1)..]);
            if (action == "play")
            {
                using var doc = JsonDocument.Parse(request.Body);
                var text = doc.RootElement.GetProperty("playSources")[0].GetProperty("text");
                CallActions.Enqueue($"play:{id}:{text.GetProperty("sourceLocale").GetString()}:{text.GetProperty("voiceName").GetString()}:{text.GetProperty("text").GetString()}");
                await PostEventAsync(id, "PlayCompleted", doc.RootElement.GetProperty("operationContext").GetString()!, 200, 0);
                context.Response.StatusCode = 202;
                return;
            }
            if (action == "terminate")
            {
                CallActions.Enqueue($"terminate:{id}");
                await PostEventAsync(id, "CallDisconnected", "");
                context.Response.StatusCode = 204;
                return;
            }
        }
        if ((path == "/rooms" || path.StartsWith("/rooms/", StringComparison.Ordinal)) && apiVersion == RoomsApiVersion)
        {
            await HandleRoomsAsync(context, request, path);
            return;
        }
        if ((path == "/identities" || path.StartsWith("/identities/", StringComparison.Ordinal)) && apiVersion == IdentityApiVersion)
        {
            await HandleIdentitiesAsync(context, request, path);
            return;
        }
        if (path.StartsWith("/emails/operations/", StringComparison.Ordinal) && apiVersion == "2023-03-31")
        {
            var id = path["/emails/operations/".Length..];
            var polls = _polls.AddOrUpdate(id, 1, (_, n) => n + 1);
            await context.Response.WriteAsJsonAsync(new { id, status = SentEmails.ContainsKey(id) ? (polls > EmailPollsBeforeDone ? "Succeeded" : "Running") : "Failed" });
            return;
        }
        await Problem(context, 404, "NotFound", $"{context.Request.Method} {path}?api-version={apiVersion} is not an ACS route here");
    }

    public const string RoomsApiVersion = "2025-03-13";
    public const string IdentityApiVersion = "2023-10-01";

    /// <summary>A room as ACS keeps it: its window and its participants (raw id → role).</summary>
    public sealed class Room(string id, DateTimeOffset validFrom, DateTimeOffset validUntil)
    {
        public string Id { get; } = id;
        public DateTimeOffset ValidFrom { get; set; } = validFrom;
        public DateTimeOffset ValidUntil { get; set; } = validUntil;
        public ConcurrentDictionary<string, string> Participants { get; } = new();
    }

    /// <summary>An identity and what was done to it.</summary>
    public sealed class Identity(string id)
    {
        public string Id { get; } = id;
        public ConcurrentQueue<IssuedToken> Tokens { get; } = new();
        public int Revocations;
    }

    /// <summary>A token as issued: its scopes and lifetime as asked for.</summary>
    public sealed record IssuedToken(string Token, string UserId, string[] Scopes, int ExpiresInMinutes, DateTimeOffset ExpiresOn);

    /// <summary>Rooms that exist (deleted ones are removed).</summary>
    public ConcurrentDictionary<string, Room> Rooms { get; } = new();

    /// <summary>Rooms ever created, by id (deleted ones stay), and room ids by repeatability id.</summary>
    public ConcurrentDictionary<string, Room> RoomsEverCreated { get; } = new();

    public ConcurrentDictionary<string, string> RoomsByRepeatability { get; } = new();

    /// <summary>Create-room requests received, including replays.</summary>
    public int RoomCreateRequests => _roomCreates;

    private int _roomCreates;

    /// <summary>Identities that exist (deleted ones are removed), and the ids of deleted ones in order.</summary>
    public ConcurrentDictionary<string, Identity> Identities { get; } = new();

    public ConcurrentQueue<string> DeletedIdentities { get; } = new();

    /// <summary>Rooms deleted, with when.</summary>
    public ConcurrentQueue<(string Id, DateTimeOffset At)> DeletedRooms { get; } = new();

    /// <summary>Every rooms and identity request as "METHOD path content-type", for shape checks.</summary>
    public ConcurrentQueue<string> MediaRequests { get; } = new();

    private async Task HandleRoomsAsync(HttpContext context, RecordedRequest request, string path)
    {
        var method = context.Request.Method;
        MediaRequests.Enqueue($"{method} {path} {context.Request.ContentType}");
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries); // rooms, {id}, participants
        if (parts.Length == 1 && method == "POST")
        {
            var repeatability = context.Request.Headers["Repeatability-Request-ID"].ToString();
            if (!Guid.TryParse(repeatability, out _) || !DateTimeOffset.TryParse(context.Request.Headers["Repeatability-First-Sent"].ToString(), out _))
            {
                await Problem(context, 400, "BadRequest", "Repeatability-Request-ID (a UUID) and Repeatability-First-Sent (an HTTP date) are expected");
                return;
            }
            Interlocked.Increment(ref _roomCreates);
            using var doc = JsonDocument.Parse(request.Body);
            var id = RoomsByRepeatability.GetOrAdd(repeatability, _ =>
            {
                var room = new Room(Random.Shared.NextInt64(10_000_000_000_000_000, 99_999_999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    doc.RootElement.GetProperty("validFrom").GetDateTimeOffset(), doc.RootElement.GetProperty("validUntil").GetDateTimeOffset());
                if (doc.RootElement.TryGetProperty("participants", out var participants))
                {
                    foreach (var p in participants.EnumerateObject())
                    {
                        room.Participants[p.Name] = p.Value.GetProperty("role").GetString()!;
                    }
                }
                Rooms[room.Id] = room;
                RoomsEverCreated[room.Id] = room;
                return room.Id;
            });
            context.Response.StatusCode = 201;
            await WriteRoomAsync(context, RoomsEverCreated[id]);
            return;
        }
        if (parts.Length < 2 || !Rooms.TryGetValue(parts[1], out var existing))
        {
            await Problem(context, 404, "NotFound", "Room not found.");
            return;
        }
        if (parts.Length == 2 && method == "PATCH" && context.Request.ContentType == "application/merge-patch+json")
        {
            using var doc = JsonDocument.Parse(request.Body);
            if (doc.RootElement.TryGetProperty("validFrom", out var from))
            {
                existing.ValidFrom = from.GetDateTimeOffset();
            }
            if (doc.RootElement.TryGetProperty("validUntil", out var until))
            {
                existing.ValidUntil = until.GetDateTimeOffset();
            }
            await WriteRoomAsync(context, existing);
            return;
        }
        if (parts.Length == 2 && method == "DELETE")
        {
            Rooms.TryRemove(existing.Id, out _);
            DeletedRooms.Enqueue((existing.Id, DateTimeOffset.UtcNow));
            context.Response.StatusCode = 204;
            return;
        }
        if (parts.Length == 3 && parts[2] == "participants" && method == "PATCH" && context.Request.ContentType == "application/merge-patch+json")
        {
            using var doc = JsonDocument.Parse(request.Body);
            foreach (var p in doc.RootElement.GetProperty("participants").EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.Null)
                {
                    existing.Participants.TryRemove(p.Name, out _);
                }
                else if (!p.Name.StartsWith("8:acs:", StringComparison.Ordinal) || !Identities.ContainsKey(p.Name))
                {
                    await Problem(context, 400, "InvalidParticipant", $"{p.Name} is not an identity of this resource.");
                    return;
                }
                else
                {
                    existing.Participants[p.Name] = p.Value.GetProperty("role").GetString()!;
                }
            }
            await context.Response.WriteAsJsonAsync(new { });
            return;
        }
        await Problem(context, 404, "NotFound", $"{method} {path} is not a rooms route here");
    }

    private static Task WriteRoomAsync(HttpContext context, Room room) => context.Response.WriteAsJsonAsync(new
    {
        id = room.Id, createdAt = DateTimeOffset.UtcNow, validFrom = room.ValidFrom, validUntil = room.ValidUntil, pstnDialOutEnabled = false,
    });

    private async Task HandleIdentitiesAsync(HttpContext context, RecordedRequest request, string path)
    {
        var method = context.Request.Method;
        MediaRequests.Enqueue($"{method} {path} {context.Request.ContentType}");
        if (path == "/identities" && method == "POST")
        {
            var identity = new Identity("8:acs:00000000-fake-0000-0000-000000000000_" + Guid.NewGuid().ToString("N"));
            Identities[identity.Id] = identity;
            using var doc = JsonDocument.Parse(request.Body);
            var root = doc.RootElement;
            object? token = null;
            if (root.TryGetProperty("createTokenWithScopes", out var scopes))
            {
                var issued = Issue(identity, scopes, root);
                token = new { token = issued.Token, expiresOn = issued.ExpiresOn };
            }
            context.Response.StatusCode = 201;
            await context.Response.WriteAsJsonAsync(new { identity = new { id = identity.Id }, accessToken = token });
            return;
        }
        var rest = path["/identities/".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var (id, action) = slash < 0 ? (rest, "") : (rest[..slash], rest[(slash + 1)..]);
        if (!Identities.TryGetValue(id, out var known))
        {
            await Problem(context, 404, "IdentityNotFound", "Identity not found.");
            return;
        }
        if (action == ":issueAccessToken" && method == "POST")
        {
            using var doc = JsonDocument.Parse(request.Body);
            var issued = Issue(known, doc.RootElement.GetProperty("scopes"), doc.RootElement);
            await context.Response.WriteAsJsonAsync(new { token = issued.Token, expiresOn = issued.ExpiresOn });
            return;
        }
        if (action == ":revokeAccessTokens" && method == "POST")
        {
            Interlocked.Increment(ref known.Revocations);
            context.Response.StatusCode = 204;
            return;
        }
        if (action == "" && method == "DELETE")
        {
            Identities.TryRemove(id, out _);
            DeletedIdentities.Enqueue(id);
            context.Response.StatusCode = 204;
            return;
        }
        await Problem(context, 404, "NotFound", $"{method} {path} is not an identity route here");
    }

    private static IssuedToken Issue(Identity identity, JsonElement scopes, JsonElement request)
    {
        var minutes = request.TryGetProperty("expiresInMinutes", out var m) ? m.GetInt32() : 1440;
        if (minutes is < 60 or > 1440)
        {
            throw new InvalidOperationException($"ACS refuses expiresInMinutes {minutes}: 60 to 1440.");
        }
        var issued = new IssuedToken("acs-token-" + Guid.NewGuid().ToString("N"), identity.Id, scopes.EnumerateArray().Select(s => s.GetString()!).ToArray(), minutes,
            DateTimeOffset.UtcNow.AddMinutes(minutes));
        identity.Tokens.Enqueue(issued);
        return issued;
    }

    /// <summary>Recomputes the HMAC from the request as received (method, path and query, date, Host header, body).</summary>
    private static bool VerifySignature(RecordedRequest request, out string why)
    {
        why = "";
        var h = request.Headers;
        if (!h.TryGetValue("Authorization", out var auth) || !auth.StartsWith("HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=", StringComparison.Ordinal))
        {
            why = "missing or malformed HMAC Authorization header";
            return false;
        }
        var bodyHash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(request.Body)));
        if (h.GetValueOrDefault("x-ms-content-sha256") != bodyHash)
        {
            why = "x-ms-content-sha256 does not match the body";
            return false;
        }
        var date = h.GetValueOrDefault("x-ms-date") ?? "";
        if (!DateTimeOffset.TryParse(date, out var sent) || (DateTimeOffset.UtcNow - sent).Duration() > TimeSpan.FromMinutes(15))
        {
            why = "x-ms-date missing or off by more than 15 minutes";
            return false;
        }
        var stringToSign = $"{request.Method}\n{request.PathAndQuery}\n{date};{h.GetValueOrDefault("Host")};{bodyHash}";
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Key, Encoding.ASCII.GetBytes(stringToSign)));
        if (auth[(auth.IndexOf("Signature=", StringComparison.Ordinal) + 10)..] != expected)
        {
            why = "signature mismatch";
            return false;
        }
        return true;
    }

    private static async Task Problem(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new { error = new { code, message } });
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
