using System.Globalization;
using System.Text.Json;
using Azure.Core;

namespace Parley.Functions.Communication.Acs;

/// <summary>A call ACS created: its connection id, used to play text and hang up.</summary>
public sealed record CallConnection(string CallConnectionId, string? State);

/// <summary>One CloudEvent ACS posts to a call's callback URL (CallConnected, PlayCompleted, CreateCallFailed, …).</summary>
public sealed record CallEvent(string Id, string Type, string? CallConnectionId, string? OperationContext, int? ResultCode, int? ResultSubCode, string? ResultMessage)
{
    /// <summary>The event name without the "Microsoft.Communication." prefix.</summary>
    public string Name => Type.StartsWith("Microsoft.Communication.", StringComparison.Ordinal) ? Type["Microsoft.Communication.".Length..] : Type;

    /// <summary>Reads the JSON array of CloudEvents 1.0 that ACS posts (a single object is accepted too).</summary>
    public static IReadOnlyList<CallEvent> ParseMany(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var items = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement.EnumerateArray().ToList() : [doc.RootElement];
        return items.Select(e =>
        {
            var data = e.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
            string? Str(JsonElement o, string n) => o.ValueKind == JsonValueKind.Object && o.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            int? Int(JsonElement o, string n) => o.ValueKind == JsonValueKind.Object && o.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
            var result = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("resultInformation", out var r) ? r : default;
            return new CallEvent(Str(e, "id") ?? "", Str(e, "type") ?? "", Str(data, "callConnectionId"), Str(data, "operationContext"),
                Int(result, "code"), Int(result, "subCode"), Str(result, "message"));
        }).ToList();
    }
}

public sealed class AcsCallClient(AcsClient client)
{
    public const string CallApiVersion = "2024-09-15";

    /// <summary>
    /// Calls a phone number. <paramref name="repeatabilityId"/> with its first-sent time makes a retried create a no-op
    /// at ACS. Events arrive at <paramref name="callbackUri"/>; text-to-speech needs the AI services endpoint.
    /// </summary>
    public async Task<CallConnection> CreateCallAsync(string to, string callerId, Uri callbackUri, string operationContext, Guid repeatabilityId, DateTimeOffset firstSent, string? cognitiveServicesEndpoint, CancellationToken ct)
    {
        var body = new Dictionary<string, object?>
        {
            ["targets"] = new[] { new { kind = "phoneNumber", rawId = "4:" + to, phoneNumber = new { value = to } } },
            ["sourceCallerIdNumber"] = new { value = callerId },
            ["callbackUri"] = callbackUri.ToString(),
            ["operationContext"] = operationContext,
        };
        if (cognitiveServicesEndpoint is not null)
        {
            body["callIntelligenceOptions"] = new { cognitiveServicesEndpoint };
        }
        using var message = client.Create(RequestMethod.Post, $"calling/callConnections?api-version={CallApiVersion}", body);
        message.Request.Headers.SetValue("Repeatability-Request-ID", repeatabilityId.ToString("D"));
        message.Request.Headers.SetValue("Repeatability-First-Sent", firstSent.ToString("r", CultureInfo.InvariantCulture));
        var response = await client.SendAsync(message, ct);
        using var doc = JsonDocument.Parse(response.Content.ToMemory());
        return new CallConnection(doc.RootElement.GetProperty("callConnectionId").GetString()!,
            doc.RootElement.TryGetProperty("callConnectionState", out var s) ? s.GetString() : null);
    }

    /// <summary>Speaks <paramref name="text"/> to everyone on the call; PlayCompleted or PlayFailed follows as an event.</summary>
    public async Task PlayTextAsync(string callConnectionId, string text, string locale, string? voiceName, string operationContext, CancellationToken ct)
    {
        var body = new
        {
            playSources = new[] { new { kind = "text", text = new { text, sourceLocale = locale, voiceName } } },
            playOptions = new { loop = false },
            operationContext,
        };
        using var message = client.Create(RequestMethod.Post, $"calling/callConnections/{Uri.EscapeDataString(callConnectionId)}:play?api-version={CallApiVersion}", body);
        await client.SendAsync(message, ct);
    }

    /// <summary>Ends the call for everyone.</summary>
    public async Task HangUpAsync(string callConnectionId, CancellationToken ct)
    {
        using var message = client.Create(RequestMethod.Post, $"calling/callConnections/{Uri.EscapeDataString(callConnectionId)}:terminate?api-version={CallApiVersion}", new { });
        await client.SendAsync(message, ct);
    }

    /// <summary>The Azure text-to-speech voice for a language (female neural voices), so calls speak the person's language.</summary>
    public static (string Locale, string Voice) VoiceFor(string language) => language switch
    {
        "de" => ("de-DE", "de-DE-KatjaNeural"),
        "fr" => ("fr-FR", "fr-FR-DeniseNeural"),
        "es" => ("es-ES", "es-ES-ElviraNeural"),
        "it" => ("it-IT", "it-IT-ElsaNeural"),
        "pl" => ("pl-PL", "pl-PL-ZofiaNeural"),
        "nl" => ("nl-NL", "nl-NL-ColetteNeural"),
        _ => ("en-US", "en-US-JennyNeural"),
    };
}
