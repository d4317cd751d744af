using System.Security.Cryptography;
using System.Text;
using Azure;
using Parley.Functions.Communication.Acs;

namespace Parley.Functions.Notifications.Providers;

/// <summary>
/// Azure Communication Services. The SMS repeatability id and the e-mail operation id are derived from our message
/// id, so a retry after a crash or a 500 is recognised by ACS as the same send (within its repeatability window).
/// </summary>
public sealed class AcsProvider(AcsClient client, ProviderReferences references, TimeProvider time) : IMessageProvider
{
    private static readonly TimeSpan EmailPollLimit = TimeSpan.FromSeconds(20);

    public string Name => "acs";

    public async Task<ProviderResult> SendAsync(OutgoingMessage m, CancellationToken ct)
    {
        var id = StableGuid(m.MessageId);
        try
        {
            if (m.Channel == MessageChannel.Sms)
            {
                var sms = await client.SendSmsAsync(m.FromAddress, m.To, m.Text, $"{m.AccountId}/{m.MessageId}", id, m.FirstAttemptAt, ct); // the tag finds the delivery report's message
                return sms.Successful
                    ? new ProviderResult(true, sms.MessageId, null)
                    : new ProviderResult(false, sms.MessageId, sms.ErrorMessage ?? $"SMS refused ({sms.HttpStatusCode})");
            }
            await references.RememberAsync(id.ToString("D"), m.AccountId, m.MessageId, ct); // for the delivery report, which names only the operation
            var operation = await client.SendEmailAsync(m.FromAddress, m.To, m.ToName, m.Subject, m.Text, m.Html ?? m.Text, id, ct);
            var deadline = time.GetUtcNow() + EmailPollLimit;
            while (!operation.IsTerminal && time.GetUtcNow() < deadline)
            {
                await Task.Delay(operation.RetryAfter ?? TimeSpan.FromSeconds(1), time, ct);
                operation = await client.GetEmailOperationAsync(operation.Id, ct);
            }
            return operation.Status switch
            {
                "Failed" or "Canceled" => new ProviderResult(false, operation.Id, operation.Error ?? "E-mail " + operation.Status.ToLowerInvariant()),
                _ => new ProviderResult(true, operation.Id, null), // Succeeded, or still running: accepted by ACS
            };
        }
        catch (RequestFailedException ex) when (ex.Status is 429 or >= 500 or 0)
        {
            throw new ProviderUnavailableException($"Communication Services answered {ex.Status}", RetryAfter(ex), ex);
        }
        catch (RequestFailedException ex) when (ex.Status is 400 or 404 or 422)
        {
            return new ProviderResult(false, null, $"Refused by Communication Services ({ex.Status} {ex.ErrorCode}): {ex.Message.Split('\n')[0]}");
        }
        catch (HttpRequestException ex)
        {
            throw new ProviderUnavailableException("Communication Services is unreachable", null, ex);
        }
    }

    private static TimeSpan? RetryAfter(RequestFailedException ex) =>
        ex.GetRawResponse()?.Headers.TryGetValue("Retry-After", out var value) == true && int.TryParse(value, out var seconds) ? TimeSpan.FromSeconds(seconds) : null;

    /// <summary>A GUID that is always the same for the same message id.</summary>
    public static Guid StableGuid(string messageId) => new(SHA256.HashData(Encoding.UTF8.GetBytes(messageId)).AsSpan(0, 16));
}
