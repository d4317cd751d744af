using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.Functions.Abuse;
using Parley.Functions.Accounts;
using Parley.Functions.Appointments;
using Parley.Functions.Cases;
using Parley.Functions.Common;
using Parley.Functions.Identity;
using Parley.Functions.Notifications;
using Parley.Functions.Notifications.Providers;
using Parley.Testing;
using Parley.Tests.Infrastructure;
using PhoneNumbers;
using static Parley.Tests.Infrastructure.Accounts;
using PhoneNumber = Parley.Functions.Common.PhoneNumber;

namespace Parley.Tests.Abuse;

/// <summary>
/// One app for the guard's tests, on its own storage account (they hammer the guard's counters, which are global per
/// number and client) and a pinned clock (fixed one-hour windows start at 08:00, so no test straddles a window's end).
/// Tests of this class run one after another; each uses its own account, numbers and client addresses.
/// </summary>
public sealed class GuardApp : IAsyncLifetime
{
    public TestClock Clock { get; } = new(new DateTimeOffset(2027, 3, 1, 8, 0, 0, TimeSpan.Zero));

    public CapturedLogs Logs { get; } = new();

    public ParleyApp App { get; private set; } = null!;

    public PublicSendGuard Guard => App.Services.GetRequiredService<PublicSendGuard>();

    public async Task InitializeAsync() =>
        App = await ParleyApp.StartAsync(new() { ["AzureWebJobsStorage"] = (await Azurite.SharedAsync()).IsolatedConnectionString() }, s =>
        {
            s.AddSingleton<TimeProvider>(Clock);
            s.AddSingleton<ILoggerProvider>(Logs);
        });

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>
/// The abuse guard for messages caused by public pages (docs/booking.md, "Abuse guard"): an SMS-pumping bot gets at
/// most 1 % of its messages out; per-number, per-client and per-account-day limits; the SMS country allowlist; no
/// premium-rate or unknown numbers; refusals masked in logs and listed for administrators; and no send when the
/// guard cannot reach its storage.
/// </summary>
public sealed class PublicSendGuardTests(GuardApp fixture) : IClassFixture<GuardApp>
{
    private ParleyApp App => fixture.App;
    private PublicSendGuard Guard => fixture.Guard;

    private static string Client(string address) => PublicSource.HashClientAddress(address);

    private async Task<(ApiSession Admin, Account Account)> NewAccountAsync()
    {
        var (admin, me) = await SignUpAsync(App);
        return (admin, await AccountAsync(me.GetProperty("account").GetProperty("id").GetString()!));
    }

    private Task<Account> AccountAsync(string id) => App.Services.GetRequiredService<AccountStore>().GetAccountAsync(id, CancellationToken.None)!;

    private Task<SendCheck> CheckAsync(Account account, string number, string? client, MessageChannel channel = MessageChannel.Sms) =>
        Guard.CheckAsync(account, channel, number, client, PublicSource.BookingPage, null, CancellationToken.None);

    [Fact]
    public async Task Sms_pumping_guard_lets_at_most_one_percent_of_a_bots_thousand_sends_reach_the_provider()
    {
        var watch = Stopwatch.StartNew();
        var (admin, account) = await NewAccountAsync();
        var tenant = new Tenant(account.Id, null, OperatorRole.Administrator, null);
        var bot = Client("198.51.100.23"); // one client address, as the booking endpoint hashes it
        var provider = App.Services.GetRequiredService<IMessageProvider>();
        var cases = App.Services.GetRequiredService<CaseStore>();
        var activity = App.Services.GetRequiredService<SendAppointmentMessageActivity>();
        var attempts = 0;

        // The real path for the first 20 bookings: a case from the booking page (PublicSource), its appointment with an
        // SMS and e-mail invitation, and the workflow's send activity through CustomerMessenger, per channel.
        var appointmentIds = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var created = await ApiSession.ReadAsync(await admin.PostAsync("/api/cases", new
            {
                name = $"Bot {i}", phone = $"+49151123450{i:00}", email = $"bot{i}@example.net",
            }), HttpStatusCode.Created);
            var before = (await cases.GetAsync(tenant, created.GetProperty("id").GetString()!, CancellationToken.None))!;
            await cases.SaveAsync(before, before with { PublicSource = new PublicSource(PublicSource.BookingPage, bot) }, CancellationToken.None);
            var day = fixture.Clock.GetUtcNow().UtcDateTime.Date.AddDays(2 + i % 5).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture); // other tests move the clock
            var appointment = await ApiSession.ReadAsync(await admin.PostAsync($"/api/cases/{before.Id}/appointments", new
            {
                start = $"{day}T{9 + i / 5:00}:00", end = $"{day}T{9 + i / 5:00}:30",
                invitation = new { sms = true, email = true, language = "en" },
            }), HttpStatusCode.Created);
            var id = appointment.GetProperty("id").GetString()!;
            appointmentIds.Add(id);
            foreach (var channel in new[] { MessageChannel.Email, MessageChannel.Sms })
            {
                var outcome = await activity.RunAsync(null!, new EntryMessage(account.Id, id, 0, channel, 0));
                Assert.False(outcome.Unavailable);
                attempts++;
            }
        }

        // The rest straight through the guard, as fast as a bot would: sequential mobile numbers and premium-rate ones
        // (German 0900, British 09xx); whatever the guard allows goes to the provider.
        var numbers = Enumerable.Range(20, 480).Select(n => $"+4915112345{n:000}")
            .Concat(Enumerable.Range(0, 240).Select(n => $"+4990051{n:00000}"))
            .Concat(Enumerable.Range(0, 240).Select(n => $"+4490987{n:00000}"))
            .ToList();
        var allowed = 0;
        await Parallel.ForEachAsync(numbers.Select((number, i) => (number, i)), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (n, ct) =>
        {
            var check = await Guard.CheckAsync(account, MessageChannel.Sms, n.number, bot, PublicSource.BookingPage, null, ct);
            Interlocked.Increment(ref attempts);
            if (check.Allowed)
            {
                Interlocked.Increment(ref allowed);
                await provider.SendAsync(new OutgoingMessage(account.Id, $"bulk|{n.i}", MessageChannel.Sms, n.number, null, "Parley", null, "", "Your booking", null, DateTimeOffset.UtcNow), ct);
            }
        });

        var reached = (await admin.GetJsonAsync("/api/outbox?limit=500")).GetArrayLength();
        Assert.Equal(1000, attempts);
        Assert.True(reached <= attempts / 100, $"{reached} of {attempts} attempted sends reached the provider");
        Assert.True(reached > 0, "the first bookings' invitations must go out: the guard refuses abuse, not booking");
        Assert.Equal(0, allowed); // the client's hourly allowance was spent on the real path
        // Refused ones are failed delivery records with the guard's reason, so the appointment's messages say why.
        var last = (await admin.GetJsonAsync($"/api/appointments/{appointmentIds[^1]}/messages")).EnumerateArray().ToList();
        Assert.Equal(2, last.Count);
        Assert.All(last, m =>
        {
            Assert.Equal("failed", m.GetProperty("status").GetString());
            Assert.StartsWith("Not sent (abuse guard): too many messages caused from the same network", m.GetProperty("reason").GetString());
        });
        var refused = (await admin.GetJsonAsync("/api/abuse/refused?limit=500")).EnumerateArray().Select(r => r.GetProperty("code").GetString()).ToList();
        Assert.Contains("clientLimit", refused);
        Assert.Contains("numberType", refused);
        Assert.Contains("countryNotAllowed", refused);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_public_source_keeps_only_a_hash_of_the_requesters_address_counting_ipv6_by_its_64_and_is_stored_with_the_case()
    {
        using var scope = App.Services.CreateScope();
        Microsoft.AspNetCore.Http.HttpContext Request(string ip) =>
            new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = scope.ServiceProvider, Connection = { RemoteIpAddress = IPAddress.Parse(ip) } };
        var a = PublicSource.FromRequest(Request("2001:db8:1:2::5"));
        var b = PublicSource.FromRequest(Request("2001:db8:1:2:ffff::9"));
        var c = PublicSource.FromRequest(Request("203.0.113.5"));
        var (admin, account) = await NewAccountAsync();
        var tenant = new Tenant(account.Id, null, OperatorRole.Administrator, null);
        var cases = App.Services.GetRequiredService<CaseStore>();
        var id = (await ApiSession.ReadAsync(await admin.PostAsync("/api/cases", new { name = "Booker" }), HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var before = (await cases.GetAsync(tenant, id, CancellationToken.None))!;
        await cases.SaveAsync(before, before with { PublicSource = c }, CancellationToken.None);
        var stored = (await cases.GetAsync(tenant, id, CancellationToken.None))!;

        Assert.Equal(PublicSource.BookingPage, a.Kind);
        Assert.Equal(a.ClientAddressHash, b.ClientAddressHash); // one /64, one client
        Assert.NotEqual(a.ClientAddressHash, c.ClientAddressHash);
        Assert.Matches("^[0-9a-f]{64}$", c.ClientAddressHash);
        Assert.Null(before.PublicSource); // operators' cases are not guarded
        Assert.Equal(c, stored.PublicSource);
    }

    [Fact]
    public async Task A_number_or_address_gets_at_most_three_messages_an_hour_whoever_asks()
    {
        var (_, account) = await NewAccountAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await CheckAsync(account, "+49 151 12346000", Client($"192.0.2.{i}"))).Allowed);
            Assert.True((await CheckAsync(account, i == 0 ? "Anna@Example.com" : " anna@example.com", Client($"192.0.2.{i}"), MessageChannel.Email)).Allowed);
        }

        var fourth = await CheckAsync(account, "+4915112346000", Client("192.0.2.9"));
        var fourthMail = await CheckAsync(account, "ANNA@example.com", Client("192.0.2.9"), MessageChannel.Email);
        var other = await CheckAsync(account, "+4915112346001", Client("192.0.2.9"));
        fixture.Clock.Advance(TimeSpan.FromHours(1));
        var nextHour = await CheckAsync(account, "+4915112346000", Client("192.0.2.9"));

        Assert.Equal(RefusalReason.DestinationLimit, fourth.Refusal);
        Assert.Equal(RefusalReason.DestinationLimit, fourthMail.Refusal);
        Assert.True(other.Allowed);
        Assert.True(nextHour.Allowed);
    }

    [Fact]
    public async Task A_client_address_causes_at_most_ten_messages_an_hour_and_reminders_do_not_count_against_it()
    {
        var (_, account) = await NewAccountAsync();
        var client = Client("2001:db8:1:2::/64");
        for (var i = 0; i < 10; i++)
        {
            Assert.True((await CheckAsync(account, $"+491511234710{i}", client)).Allowed);
        }

        var eleventh = await CheckAsync(account, "+4915112347110", client);
        var eleventhMail = await CheckAsync(account, "someone@example.org", client, MessageChannel.Email);
        var otherClient = await CheckAsync(account, "+4915112347111", Client("2001:db8:9:9::/64"));
        var reminder = await CheckAsync(account, "+4915112347112", null);

        Assert.Equal(RefusalReason.ClientLimit, eleventh.Refusal);
        Assert.Equal(RefusalReason.ClientLimit, eleventhMail.Refusal);
        Assert.True(otherClient.Allowed);
        Assert.True(reminder.Allowed);
    }

    [Fact]
    public async Task The_account_daily_cap_is_an_administrator_setting_and_holds_across_numbers_and_clients()
    {
        var (admin, account) = await NewAccountAsync();
        Assert.Equal(200, (await admin.GetJsonAsync("/api/account")).GetProperty("publicMessagesPerDay").GetInt32());
        var invalid = await ApiSession.ReadAsync(await admin.PatchAsync("/api/account", new { publicMessagesPerDay = -1 }), HttpStatusCode.BadRequest);
        Assert.True(invalid.GetProperty("errors").TryGetProperty("publicMessagesPerDay", out _));
        var patched = await ApiSession.ReadAsync(await admin.PatchAsync("/api/account", new { publicMessagesPerDay = 4 }), HttpStatusCode.OK);
        Assert.Equal(4, patched.GetProperty("publicMessagesPerDay").GetInt32());
        account = await AccountAsync(account.Id);

        var results = new List<SendCheck>();
        for (var i = 0; i < 5; i++)
        {
            results.Add(await CheckAsync(account, $"+491511234800{i}", Client($"198.18.0.{i}")));
        }
        await ApiSession.ReadAsync(await admin.PatchAsync("/api/account", new { publicMessagesPerDay = 0 }), HttpStatusCode.OK);
        var off = await CheckAsync(await AccountAsync(account.Id), "booker@example.org", Client("198.18.0.10"), MessageChannel.Email);
        fixture.Clock.Advance(TimeSpan.FromDays(1));
        var tomorrow = await CheckAsync(account, "+4915112348009", Client("198.18.0.9")); // the account as it was: 4 a day

        Assert.All(results.Take(4), r => Assert.True(r.Allowed));
        Assert.Equal(RefusalReason.AccountDailyLimit, results[4].Refusal);
        Assert.True(tomorrow.Allowed);
        Assert.Equal(RefusalReason.AccountDailyLimit, off.Refusal); // 0: public pages cause no messages at all
    }

    [Fact]
    public async Task Sms_go_only_to_the_account_countrys_calling_code_until_administrators_allow_others()
    {
        var (admin, account) = await NewAccountAsync();
        Assert.Equal([49], (await admin.GetJsonAsync("/api/account")).GetProperty("smsCountryCodes").EnumerateArray().Select(c => c.GetInt32()));
        const string austrian = "+43 664 1234567";

        var before = await CheckAsync(account, austrian, Client("203.0.113.50"));
        var fieldError = PublicSendGuard.CheckNumber(account, "+436641234567");
        var invalid = await ApiSession.ReadAsync(await admin.PatchAsync("/api/account", new { smsCountryCodes = new[] { 49, 999 } }), HttpStatusCode.BadRequest);
        var garbled = await ApiSession.ReadAsync(await admin.PatchAsync("/api/account", new { smsCountryCodes = new[] { 49, -1 } }), HttpStatusCode.BadRequest); // the form's "not a code"
        var patched = await ApiSession.ReadAsync(await admin.PatchAsync("/api/account", new { smsCountryCodes = new[] { 49, 43, 43 } }), HttpStatusCode.OK);
        account = await AccountAsync(account.Id);
        var after = await CheckAsync(account, austrian, Client("203.0.113.50"));

        Assert.Equal(RefusalReason.CountryNotAllowed, before.Refusal);
        Assert.StartsWith("Text messages cannot be sent to numbers with this country code.", fieldError);
        Assert.Contains("+999", invalid.GetProperty("errors").GetProperty("smsCountryCodes")[0].GetString());
        Assert.StartsWith("Enter country calling codes", garbled.GetProperty("errors").GetProperty("smsCountryCodes")[0].GetString());
        Assert.Equal([43, 49], patched.GetProperty("smsCountryCodes").EnumerateArray().Select(c => c.GetInt32()));
        Assert.True(after.Allowed);
        Assert.Null(PublicSendGuard.CheckNumber(account, "+436641234567"));
        // The default comes from the time zone (as the phone fields' country), else from the language.
        Assert.Equal("US", SmsCountries.CountryOf("America/New_York", "en"));
        Assert.Equal("AT", SmsCountries.CountryOf("Europe/Vienna", "de"));
        Assert.Equal("DE", SmsCountries.CountryOf("UTC", "de"));
        Assert.Null(SmsCountries.CountryOf("UTC", "en"));
    }

    [Fact]
    public async Task Premium_rate_shared_cost_uan_unknown_and_fixed_line_numbers_get_no_sms_and_the_booking_form_can_say_so_first()
    {
        var (admin, _) = await NewAccountAsync();
        await ApiSession.ReadAsync(await admin.PatchAsync("/api/account", new { smsCountryCodes = new[] { 49, 44, 1 } }), HttpStatusCode.OK);
        var account = await AccountAsync((await admin.GetJsonAsync("/api/account")).GetProperty("id").GetString()!);
        var refused = new (string Number, PhoneNumberType Type)[]
        {
            ("+49 900 5123456", PhoneNumberType.PREMIUM_RATE),
            ("+44 909 8790000", PhoneNumberType.PREMIUM_RATE),
            ("+49 180 1234567", PhoneNumberType.SHARED_COST),
            ("+44 55 1234 5678", PhoneNumberType.UAN),
            ("+49 9999 999", PhoneNumberType.UNKNOWN),
            ("+49 30 1234567", PhoneNumberType.FIXED_LINE),
        };
        var mobiles = new[] { "+49 151 12349000", "+1 201 555 0123" }; // MOBILE; FIXED_LINE_OR_MOBILE (US numbers cannot be told apart)

        foreach (var (number, type) in refused)
        {
            Assert.True(PhoneNumber.TryNormalize(number, out var e164), number);
            Assert.Equal(type, PhoneNumber.Classify(e164).Type);
            Assert.StartsWith("Enter a mobile number", PublicSendGuard.CheckNumber(account, e164));
            Assert.Equal(RefusalReason.NumberType, (await CheckAsync(account, number, Client("203.0.113.60"))).Refusal);
        }
        foreach (var number in mobiles)
        {
            Assert.True(PhoneNumber.TryNormalize(number, out var e164), number);
            Assert.Null(PublicSendGuard.CheckNumber(account, e164));
            Assert.True((await CheckAsync(account, number, Client("203.0.113.61"))).Allowed, number);
        }
    }

    [Fact]
    public async Task Refusals_are_logged_and_listed_for_administrators_with_masked_destinations_only()
    {
        var (admin, account) = await NewAccountAsync();
        var (_, operatorEmail) = await AddOperatorAsync(admin, App);
        using var op = await SignInAsync(App, operatorEmail);
        var client = Client("203.0.113.70");
        await CheckAsync(account, "+4990051299999", client);                      // premium
        await CheckAsync(account, "+436641299999", client);                       // country
        for (var i = 0; i < 4; i++)
        {
            await CheckAsync(account, "+4915112399967", Client($"203.0.113.8{i}")); // the fourth: destination limit
            await CheckAsync(account, "Maria.Secret@Example.com", Client($"203.0.113.8{i}"), MessageChannel.Email);
        }

        var list = (await admin.GetJsonAsync("/api/abuse/refused")).EnumerateArray().ToList();
        using var asOperator = await op.GetAsync("/api/abuse/refused");

        Assert.Equal(HttpStatusCode.Forbidden, asOperator.StatusCode);
        Assert.Equal(["destinationLimit", "destinationLimit", "countryNotAllowed", "numberType"], list.Select(r => r.GetProperty("code").GetString()));
        var times = list.Select(r => r.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderDescending(), times);
        Assert.Equal(["m***@example.com", "+49 151 ****67", "+43 664 ****99", "+49 900 ****99"], list.Select(r => r.GetProperty("destination").GetString()));
        Assert.All(list, r => Assert.StartsWith("Not sent (abuse guard)", r.GetProperty("reason").GetString()));
        var raw = JsonSerializer.Serialize(list);
        var logs = string.Join("\n", fixture.Logs.Entries.Select(e => e.Text));
        foreach (var secret in new[] { "4915112399967", "436641299999", "4990051299999", "maria.secret", "Maria.Secret" })
        {
            Assert.DoesNotContain(secret, raw, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(secret, logs, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(secret, Regex.Replace(logs, @"[\s\-()]", ""), StringComparison.OrdinalIgnoreCase); // nor grouped
        }
        Assert.Contains(fixture.Logs.Entries, e => e.Level == LogLevel.Warning && e.Text.Contains("+49 151 ****67", StringComparison.Ordinal) && e.Text.Contains("DestinationLimit", StringComparison.Ordinal));
        // Another account's administrators see none of these.
        var (otherAdmin, _) = await SignUpAsync(App);
        Assert.Empty((await otherAdmin.GetJsonAsync("/api/abuse/refused")).EnumerateArray());
    }

    [Fact]
    public async Task Refusals_are_kept_thirty_days_then_the_sweep_deletes_them()
    {
        var (admin, account) = await NewAccountAsync();
        await CheckAsync(account, "+49 900 5120001", Client("203.0.113.95"));
        Assert.Single((await admin.GetJsonAsync("/api/abuse/refused")).EnumerateArray());
        fixture.Clock.Advance(RefusedSendStore.KeepFor + TimeSpan.FromMinutes(1));

        using var scope = App.Services.CreateScope();
        await scope.ServiceProvider.GetServices<Parley.Functions.Maintenance.ISweepTask>().Single(t => t.Name == "refused-sends-cleanup")
            .RunAsync(fixture.Clock.GetUtcNow(), CancellationToken.None);

        var left = await App.Services.GetRequiredService<RefusedSendStore>().ListAsync(account.Id, 10, CancellationToken.None);
        Assert.Empty(left);
    }

    /// <summary>
    /// Storage stalls between the app and Azurite: the guard cannot read its counters, so it refuses to decide and
    /// nothing reaches the provider; the messenger reports the message as held back (the workflow retries it, as
    /// during a provider outage), and once storage is back the retry sends it once.
    /// </summary>
    [Fact]
    public async Task The_guard_fails_closed_when_its_storage_is_unavailable_and_the_message_is_sent_on_a_retry_after()
    {
        var azurite = await Azurite.SharedAsync();
        await using var tables = new PausableTcpProxy(azurite.TablePort);
        var counting = new CountingProvider();
        await using var app = await ParleyApp.StartAsync(new()
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString.Replace($"127.0.0.1:{azurite.TablePort}", $"127.0.0.1:{tables.Port}", StringComparison.Ordinal),
            ["Storage:NetworkTimeout"] = "00:00:00.500",
            ["Storage:MaxRetries"] = "0",
        }, s => s.AddSingleton<IMessageProvider>(counting));
        var (admin, me) = await SignUpAsync(app);
        var accountId = me.GetProperty("account").GetProperty("id").GetString()!;
        var tenant = new Tenant(accountId, null, OperatorRole.Administrator, null);
        var number = "+49151" + Random.Shared.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture); // fresh per run: this storage is shared
        var created = await ApiSession.ReadAsync(await admin.PostAsync("/api/cases", new { name = "Booker", phone = number }), HttpStatusCode.Created);
        var cases = app.Services.GetRequiredService<CaseStore>();
        var before = (await cases.GetAsync(tenant, created.GetProperty("id").GetString()!, CancellationToken.None))!;
        await cases.SaveAsync(before, before with { PublicSource = new PublicSource(PublicSource.BookingPage, Client(Guid.NewGuid().ToString())) }, CancellationToken.None);
        var booked = await ApiSession.ReadAsync(await admin.PostAsync($"/api/cases/{before.Id}/appointments", new
        {
            start = DateTime.UtcNow.Date.AddDays(3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T10:00",
            end = DateTime.UtcNow.Date.AddDays(3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T10:30",
            invitation = new { sms = true, email = false, language = "en" },
        }), HttpStatusCode.Created);
        var messenger = app.Services.GetRequiredService<CustomerMessenger>();
        var appointment = (await app.Services.GetRequiredService<AppointmentStore>().GetAsync(tenant, booked.GetProperty("id").GetString()!, CancellationToken.None))!;
        var context = (await messenger.LoadAsync(tenant, appointment, CancellationToken.None))!;
        var facts = new MessageFacts("en", context.Account.BusinessName, context.GreetingName, context.OperatorName, appointment.Start, appointment.TimeZone,
            messenger.JoinUrl(appointment), null, null);
        var guard = app.Services.GetRequiredService<PublicSendGuard>();

        tables.Pause();
        SendCheck direct, byId;
        ProviderUnavailableException? held;
        try
        {
            direct = await guard.CheckAsync(context.Account, MessageChannel.Sms, number, Client("203.0.113.90"), PublicSource.BookingPage, null, CancellationToken.None);
            byId = await guard.CheckAsync(accountId, MessageChannel.Sms, number, Client("203.0.113.90"), CancellationToken.None);
            held = await messenger.SendAsync(accountId, appointment, context, MessageKind.Invitation, facts, appointment.Invitation, "h0", late: false, recordMissing: true, CancellationToken.None);
        }
        finally
        {
            tables.Resume();
        }
        Assert.Equal(0, counting.Sent);
        // The workflow's retry, once storage answers again (the first tries may still meet the stall draining).
        await Poll.UntilAsync("the held-back message is sent on a retry", async () =>
        {
            try
            {
                return await messenger.SendAsync(accountId, appointment, context, MessageKind.Invitation, facts, appointment.Invitation, "h0", late: true, recordMissing: true, CancellationToken.None) is null;
            }
            catch (Exception ex) when (Parley.Functions.Storage.StorageOutage.IsOutage(ex))
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30));

        Assert.True(direct.Unavailable);
        Assert.False(direct.Allowed);
        Assert.True(byId.Unavailable);
        Assert.False(byId.Allowed);
        Assert.Equal(PublicSendGuard.UnavailableReason, held?.Message);
        Assert.Equal(1, counting.Sent);
        var messages = (await admin.GetJsonAsync($"/api/appointments/{appointment.Id}/messages")).EnumerateArray().ToList();
        Assert.Equal("sent", Assert.Single(messages).GetProperty("status").GetString());
    }

    private sealed class CountingProvider : IMessageProvider
    {
        private int _sent;

        public int Sent => _sent;

        public string Name => "counting";

        public Task<ProviderResult> SendAsync(OutgoingMessage message, CancellationToken ct)
        {
            Interlocked.Increment(ref _sent);
            return Task.FromResult(new ProviderResult(true, "counted-" + message.MessageId, null));
        }
    }
}
