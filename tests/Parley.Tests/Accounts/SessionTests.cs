using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Identity;
using Parley.Functions.Maintenance;
using Azure.Data.Tables;
using Parley.Functions.Storage;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Accounts;

public sealed class SessionTests : AppTest
{
    [Fact]
    public async Task A_copied_session_cookie_answers_401_as_soon_as_its_session_signs_out()
    {
        var email = NewEmail();
        await SignUpAsync(App, email);
        using var session = App.NewSession();
        using var signIn = await session.PostAsync("/api/auth/sign-in", new { email, password = Password });
        var cookie = SessionCookie(signIn);
        using var copy = WithCookie(cookie);
        using (var before = await copy.GetAsync("/api/me"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode); // the copy works, and is now cached as valid
        }

        using var signOut = await session.PostAsync("/api/auth/sign-out");
        using var after = await copy.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal("application/problem+json", after.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Signing_out_ends_only_that_session_not_the_operators_others()
    {
        var email = NewEmail();
        var (first, _) = await SignUpAsync(App, email);
        using var second = await SignInAsync(App, email);

        using var signOut = await first.PostAsync("/api/auth/sign-out");

        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await first.GetAsync("/api/me")).StatusCode);
        first.Dispose();
    }

    [Fact]
    public async Task A_signed_cookie_whose_session_row_is_gone_is_refused()
    {
        // The cookie alone proves nothing any more: without its row (signed out on another instance, or swept) it is refused.
        var email = NewEmail();
        var (admin, me) = await SignUpAsync(App, email);
        using var session = App.NewSession();
        using var signIn = await session.PostAsync("/api/auth/sign-in", new { email, password = Password });
        using var copy = WithCookie(SessionCookie(signIn));
        var table = App.Storage.GetTableClient(OperatorSessions.TableName);
        var accountId = me.GetProperty("account").GetProperty("id").GetString()!;
        var rows = new List<(string, string)>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {accountId}")))
        {
            rows.Add((row.PartitionKey, row.RowKey));
        }
        Assert.Equal(2, rows.Count); // sign-up's session and this sign-in's

        foreach (var (partition, rowKey) in rows)
        {
            await table.DeleteEntityAsync(partition, rowKey);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.GetAsync("/api/me")).StatusCode);
        admin.Dispose();
    }

    [Fact]
    public async Task The_sweep_deletes_sessions_expired_over_two_hours_ago_and_keeps_the_others()
    {
        var table = App.Storage.GetTableClient(OperatorSessions.TableName);
        var tag = Guid.NewGuid().ToString("N");
        await table.AddEntityAsync(new TableEntity("test-" + tag, "old") { { "OperatorId", "o" }, { "ExpiresAt", DateTimeOffset.UtcNow.AddHours(-3) } });
        await table.AddEntityAsync(new TableEntity("test-" + tag, "recent") { { "OperatorId", "o" }, { "ExpiresAt", DateTimeOffset.UtcNow.AddHours(-1) } });

        using (var scope = App.Services.CreateScope())
        {
            await scope.ServiceProvider.GetServices<ISweepTask>().Single(t => t.Name == "session-cleanup").RunAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        }

        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("test-" + tag, "old")).HasValue);
        Assert.True((await table.GetEntityIfExistsAsync<TableEntity>("test-" + tag, "recent")).HasValue);
    }

    private static string SessionCookie(HttpResponseMessage response) =>
        response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(OperatorSessions.CookieName + "=", StringComparison.Ordinal)).Split(';')[0];

    private ApiSession WithCookie(string cookie)
    {
        var copy = App.NewSession();
        copy.Client.DefaultRequestHeaders.Add("Cookie", cookie);
        return copy;
    }
}
