using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Identity;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Accounts;

public sealed class SignInTests : AppTest
{
    [Fact]
    public async Task Sign_in_sign_out_and_sign_in_again()
    {
        var email = NewEmail();
        var (first, _) = await SignUpAsync(App, email);
        using var signOut = await first.PostAsync("/api/auth/sign-out");
        using var afterSignOut = await first.GetAsync("/api/me");

        using var again = await SignInAsync(App, email.ToUpperInvariant());
        var me = await again.GetJsonAsync("/api/me");

        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterSignOut.StatusCode);
        Assert.Equal(email, me.GetProperty("operator").GetProperty("email").GetString());
    }

    [Fact]
    public async Task A_wrong_email_and_a_wrong_password_look_the_same()
    {
        var email = NewEmail();
        await SignUpAsync(App, email);
        // What one password verification costs on this machine right now: the difference a skipped hash would make.
        var hashing = App.Services.GetRequiredService<PasswordHashing>();
        var stored = hashing.Hash(Password);
        var hashCost = Median(Enumerable.Range(0, 5).Select(attempt =>
        {
            var watch = Stopwatch.StartNew();
            hashing.Verify(stored, "wrong password here", out _);
            return watch.Elapsed;
        }));

        // 36 alternating pairs (the order within a pair alternates too), compared by median, so suite load on a busy
        // 2-core machine hits both sides alike. Every 4 pairs a right password resets the five-failure lock, and a
        // new session (client address) keeps each under the per-address limit.
        const int Pairs = 36;
        var wrong = new List<(HttpStatusCode Status, string Body, TimeSpan Elapsed, string? RetryAfter)>();
        var unknown = new List<(HttpStatusCode Status, string Body, TimeSpan Elapsed, string? RetryAfter)>();
        using (var warmUp = App.NewSession())
        {
            await AttemptAsync(warmUp, NewEmail("warm-up"), "wrong password here");
        }
        for (var block = 0; block < Pairs / 4; block++)
        {
            using var session = App.NewSession();
            for (var i = 0; i < 4; i++)
            {
                if (i % 2 == 0)
                {
                    wrong.Add(await AttemptAsync(session, email, "wrong password here"));
                    unknown.Add(await AttemptAsync(session, NewEmail("nobody"), "wrong password here"));
                }
                else
                {
                    unknown.Add(await AttemptAsync(session, NewEmail("nobody"), "wrong password here"));
                    wrong.Add(await AttemptAsync(session, email, "wrong password here"));
                }
            }
            Assert.Equal(HttpStatusCode.OK, (await AttemptAsync(session, email, Password)).Status);
        }
        var wrongMedian = Median(wrong.Select(w => w.Elapsed));
        var unknownMedian = Median(unknown.Select(u => u.Elapsed));

        Assert.All(wrong.Concat(unknown), a => Assert.Equal(HttpStatusCode.Unauthorized, a.Status));
        Assert.Equal(Without(wrong[0].Body, "traceId"), Without(unknown[0].Body, "traceId"));
        // Both verify a full-cost password hash; a skipped hash on either side moves its median by a whole hash.
        var difference = Math.Abs((unknownMedian - wrongMedian).TotalMilliseconds);
        Assert.True(difference < hashCost.TotalMilliseconds / 2,
            $"medians differ by {difference:F0} ms (unknown e-mail {unknownMedian.TotalMilliseconds:F0} ms, wrong password {wrongMedian.TotalMilliseconds:F0} ms); one hash costs {hashCost.TotalMilliseconds:F0} ms");
        Assert.True(unknownMedian > hashCost / 2, $"unknown e-mail answered in {unknownMedian.TotalMilliseconds:F0} ms, a hash costs {hashCost.TotalMilliseconds:F0} ms: no hash was verified");
    }

    [Fact]
    public async Task Five_failures_lock_the_address_for_a_while_even_for_the_right_password()
    {
        var email = NewEmail();
        await SignUpAsync(App, email);
        using var session = App.NewSession();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await AttemptAsync(session, email, "wrong password " + i)).Status);
        }

        var locked = await AttemptAsync(session, email, Password);
        var unknownLocked = await LockUnknownAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.Status);
        Assert.Contains("Too many failed sign-ins", locked.Body);
        Assert.NotNull(locked.RetryAfter);
        Assert.Equal(HttpStatusCode.TooManyRequests, unknownLocked);
    }

    private async Task<HttpStatusCode> LockUnknownAsync()
    {
        using var session = App.NewSession();
        var unknown = NewEmail("ghost");
        for (var i = 0; i < 5; i++)
        {
            await AttemptAsync(session, unknown, "whatever " + i);
        }
        return (await AttemptAsync(session, unknown, "whatever")).Status;
    }

    [Fact]
    public async Task Parallel_failures_are_all_counted()
    {
        var email = NewEmail();
        await SignUpAsync(App, email);
        var sessions = Enumerable.Range(0, 5).Select(_ => App.NewSession()).ToList();

        await Task.WhenAll(sessions.Select(s => AttemptAsync(s, email, "parallel wrong password")));

        using var session = App.NewSession();
        Assert.Equal(HttpStatusCode.TooManyRequests, (await AttemptAsync(session, email, Password)).Status);
        sessions.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task Missing_fields_are_a_validation_problem_not_a_failed_sign_in()
    {
        using var session = App.NewSession();

        using var response = await session.PostAsync("/api/auth/sign-in", new { email = "", password = "" });

        var problem = await ApiSession.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("email", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _));
    }

    [Fact]
    public async Task Changing_the_password_keeps_this_session_and_ends_the_others()
    {
        var email = NewEmail();
        var (current, _) = await SignUpAsync(App, email);
        using var other = await SignInAsync(App, email);

        using var wrong = await current.PostAsync("/api/me/password", new { currentPassword = "not it at all", newPassword = "a brand new passphrase" });
        using var changed = await current.PostAsync("/api/me/password", new { currentPassword = Password, newPassword = "a brand new passphrase" });

        await ApiSession.ReadAsync(wrong, HttpStatusCode.BadRequest);
        await ApiSession.ReadAsync(changed, HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.OK, (await current.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync("/api/me")).StatusCode);
        using var oldPassword = App.NewSession();
        Assert.Equal(HttpStatusCode.Unauthorized, (await AttemptAsync(oldPassword, email, Password)).Status);
        using var newPassword = await SignInAsync(App, email, "a brand new passphrase");
    }

    [Fact]
    public async Task Operators_edit_their_own_profile()
    {
        var (session, _) = await SignUpAsync(App);

        using var ok = await session.PatchAsync("/api/me", new { name = "Anna Beispiel", timeZone = "Europe/Vienna", language = "de" });
        using var bad = await session.PatchAsync("/api/me", new { name = new string('x', 101), language = "klingon" });

        var profile = await ApiSession.ReadAsync(ok, HttpStatusCode.OK);
        var problem = await ApiSession.ReadAsync(bad, HttpStatusCode.BadRequest);
        Assert.Equal("Anna Beispiel", profile.GetProperty("name").GetString());
        Assert.Equal("de", (await session.GetJsonAsync("/api/me")).GetProperty("operator").GetProperty("language").GetString());
        Assert.Contains("at most 100", problem.GetProperty("errors").GetProperty("name")[0].GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("language", out _));
    }

    private static async Task<(HttpStatusCode Status, string Body, TimeSpan Elapsed, string? RetryAfter)> AttemptAsync(ApiSession session, string email, string password)
    {
        var watch = Stopwatch.StartNew();
        using var response = await session.PostAsync("/api/auth/sign-in", new { email, password });
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, body, watch.Elapsed, response.Headers.RetryAfter?.ToString());
    }

    private static TimeSpan Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Without(string json, string property)
    {
        var doc = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        doc.Remove(property);
        return doc.ToJsonString();
    }
}
