using Microsoft.AspNetCore.Http;
using Parley.Functions.Webhooks;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace Parley.Tests.Webhooks;

/// <summary>Our signatures against the reference Standard Webhooks verifier (issue 17).</summary>
public sealed class WebhookSignatureTests
{
    private const string Body = """{"type":"case.created","timestamp":"2026-12-01T10:00:00Z","data":{"id":"c1","name":"Anna"}}""";

    private static HeaderDictionary HeadersOf(IEnumerable<KeyValuePair<string, string>> headers) =>
        new(headers.ToDictionary(h => h.Key, h => new Microsoft.Extensions.Primitives.StringValues(h.Value)));

    [Fact]
    public void A_signed_attempt_passes_the_reference_verifier_and_a_changed_body_or_id_does_not()
    {
        var secret = WebhookSignature.NewSecret();
        var headers = HeadersOf(WebhookSignature.Headers([secret], "msg_2Lq1", DateTimeOffset.UtcNow, Body));
        new StandardWebhook(secret).Verify(Body, headers); // throws when it does not verify

        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(secret).Verify(Body.Replace("Anna", "Eve", StringComparison.Ordinal), headers));
        var otherId = HeadersOf(WebhookSignature.Headers([secret], "msg_2Lq1", DateTimeOffset.UtcNow, Body));
        otherId["webhook-id"] = "msg_other";
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(secret).Verify(Body, otherId));
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(WebhookSignature.NewSecret()).Verify(Body, headers));
    }

    [Fact]
    public void A_delivery_replayed_after_the_tolerance_window_is_rejected_by_the_reference_verifier()
    {
        var secret = WebhookSignature.NewSecret();
        var old = HeadersOf(WebhookSignature.Headers([secret], "msg_replay", DateTimeOffset.UtcNow.AddMinutes(-10), Body));
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(secret).Verify(Body, old));
        var future = HeadersOf(WebhookSignature.Headers([secret], "msg_replay", DateTimeOffset.UtcNow.AddMinutes(10), Body));
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(secret).Verify(Body, future));
    }

    [Fact]
    public void During_a_rotation_every_signature_sent_is_a_valid_signature_of_its_secret()
    {
        var previous = WebhookSignature.NewSecret();
        var current = WebhookSignature.NewSecret();
        var at = DateTimeOffset.UtcNow;
        var both = WebhookSignature.Headers([previous, current], "msg_rot", at, Body).Single(h => h.Key == "webhook-signature").Value.Split(' ');
        Assert.Equal(2, both.Length);
        // The reference verifier of StandardWebhooks 1.1.2 compares only the first of several space-separated signatures
        // (the specification, and the library in the standard's repository, accept any), so each signature is checked by
        // putting it first: each is exactly what the reference computes for its secret.
        foreach (var (signature, secret) in new[] { (both[0], previous), (both[1], current) })
        {
            var headers = HeadersOf(WebhookSignature.Headers([secret], "msg_rot", at, Body));
            Assert.Equal(signature, headers["webhook-signature"].ToString());
            new StandardWebhook(secret).Verify(Body, headers);
        }
        var sent = HeadersOf(WebhookSignature.Headers([previous, current], "msg_rot", at, Body));
        new StandardWebhook(previous).Verify(Body, sent); // receivers still on the old secret keep working during the rotation
    }

    [Theory]
    [InlineData(23, false)]
    [InlineData(24, true)]
    [InlineData(64, true)]
    [InlineData(65, false)]
    public void Secrets_are_whsec_and_base64_of_24_to_64_bytes(int bytes, bool valid)
    {
        var secret = WebhookSignature.SecretPrefix + Convert.ToBase64String(new byte[bytes]);
        Assert.Equal(valid, WebhookSignature.KeyOf(secret) is not null);
        Assert.Null(WebhookSignature.KeyOf("secret_" + Convert.ToBase64String(new byte[32])));
        Assert.Null(WebhookSignature.KeyOf("whsec_not*base64"));
        Assert.Equal(32, WebhookSignature.KeyOf(WebhookSignature.NewSecret())!.Length);
    }
}
