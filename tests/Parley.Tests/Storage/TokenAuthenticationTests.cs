using Azure.Data.Tables;
using Azure.Core;
using Microsoft.AspNetCore.Http;
using Parley.Functions.Storage;
using Parley.Testing;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Storage;

/// <summary>In Azure, storage accounts disable shared keys; endpoint-only configuration must send Entra ID bearer tokens to tables and queues.</summary>
public sealed class TokenAuthenticationTests
{
    [Fact]
    public async Task Endpoint_only_configuration_sends_a_bearer_token_for_the_storage_scope()
    {
        await using var server = await FakeHttpServer.StartAsync(async (context, _) =>
        {
            context.Response.StatusCode = 404;
            if (context.Request.Path.Value!.EndsWith("/jobs", StringComparison.Ordinal))
            {
                context.Response.Headers["x-ms-error-code"] = "QueueNotFound";
                context.Response.ContentType = "application/xml";
                await context.Response.WriteAsync("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>QueueNotFound</Code><Message>The specified queue does not exist.</Message></Error>");
                return;
            }
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"odata.error":{"code":"ResourceNotFound","message":{"lang":"en-US","value":"The specified resource does not exist."}}}""");
        }, https: true);
        var credential = new RecordingCredential();
        var account = new StorageAccount(StorageConnection.WithCredential(
            new Uri(server.BaseAddress + "devstoreaccount1"), new Uri(server.BaseAddress + "devstoreaccount1"), new Uri(server.BaseAddress + "devstoreaccount1"), credential),
            new StorageClientOptions { Transport = new Azure.Core.Pipeline.HttpClientTransport(FakeHttpServer.TrustingHandler()) });

        var result = await account.GetTableClient("Cases").GetEntityIfExistsAsync<TableEntity>("p", "r");
        var queueExists = await account.GetQueueClient("jobs").ExistsAsync();

        Assert.False(result.HasValue);
        Assert.False(queueExists.Value);
        Assert.Equal(2, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal("Bearer token-for-https://storage.azure.com/.default", r.Headers["Authorization"]));
        Assert.Equal(["https://storage.azure.com/.default"], credential.Scopes.Distinct());
    }

    private sealed class RecordingCredential : TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.AddRange(requestContext.Scopes);
            return new AccessToken("token-for-" + string.Join(" ", requestContext.Scopes), DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }
}
