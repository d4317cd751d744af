using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Notifications;
using Parley.Testing;
using Parley.Tests.Communication;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Durable;

/// <summary>
/// The real executable runs the durable engine; it is killed (SIGKILL) while reminders are going out and started again
/// on the same task hub: every due reminder reaches the provider exactly once, none is lost.
/// </summary>
public sealed class CrashRecoveryTests
{
    private const int Appointments = 24;

    [Fact]
    public async Task Killing_the_process_mid_run_loses_no_reminder_and_sends_none_twice()
    {
        var azurite = await Azurite.SharedAsync();
        await using var acs = await FakeAcs.StartAsync();
        var hub = Azurite.UniqueName("crash");
        var settings = new Dictionary<string, string?>(acs.AppSettings()) { ["Durable:TaskHub"] = hub, ["Durable:PartitionCount"] = "2" };

        // Set-up through the API of an in-test app on the same storage and task hub, its worker off: the account, and
        // appointments whose one-hour reminder falls due one after another, from 15 seconds from now on, a second apart.
        string accountId;
        await using (var setup = await ParleyApp.StartAsync(settings))
        {
            var (admin, me) = await SignUpAsync(setup);
            accountId = me.GetProperty("account").GetProperty("id").GetString()!;
            await ApiSession.ReadAsync(await admin.PatchAsync("/api/account", new { reminderOffsetMinutes = new[] { 60 } }), HttpStatusCode.OK);
            var now = DateTimeOffset.UtcNow;
            var first = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddHours(1).AddSeconds(15);
            for (var i = 0; i < Appointments; i++)
            {
                var start = first.AddSeconds(i); // one-second appointments, so they do not overlap while their reminders fall due a second apart
                await ApiSession.ReadAsync(await admin.PostAsync("/api/appointments", new
                {
                    @case = new { name = $"Customer {i}", email = $"c{i}@example.com", phone = $"+49 170 10000{i:D2}" },
                    start = Iso(start), end = Iso(start.AddSeconds(1)), invitation = new { sms = true, email = true },
                }), HttpStatusCode.Created);
            }
        }

        var environment = Environment(azurite, settings);
        var firstRun = AppProcess.Start(environment);
        await WaitUntilAsync(() => Reminders(acs) >= 6, TimeSpan.FromSeconds(90));
        await firstRun.DisposeAsync(); // SIGKILL, mid-run
        var sentBeforeCrash = Reminders(acs);

        // The restarted process takes over the dead one's partitions once their leases lapse, then sends the rest; the bound
        // is generous because the whole suite shares two cores with this process (a condition is awaited, not a time).
        await using var secondRun = AppProcess.Start(Environment(azurite, settings));
        await WaitUntilAsync(() => Reminders(acs) == 2 * Appointments, TimeSpan.FromSeconds(240),
            () => $"{Reminders(acs)} of {2 * Appointments} reminders sent ({sentBeforeCrash} before the crash). Second run's output (tail):\n{Tail(secondRun.StandardOutput)}");

        Assert.InRange(sentBeforeCrash, 6, 2 * Appointments - 1);
        Assert.Equal(Appointments, acs.SentSms.Values.Count(s => s.GetProperty("message").GetString()!.Contains("reminder of your appointment", StringComparison.Ordinal)));
        Assert.Equal(Appointments, acs.SentEmails.Values.Count(e => e.GetProperty("content").GetProperty("subject").GetString()!.StartsWith("Reminder:", StringComparison.Ordinal)));
        Assert.Equal(Appointments, acs.SentSms.Values.Where(IsReminder).Select(s => s.GetProperty("smsRecipients")[0].GetProperty("to").GetString()).Distinct().Count());
        Assert.Empty(acs.SignatureFailures);
    }

    private static bool IsReminder(System.Text.Json.JsonElement sms) => sms.GetProperty("message").GetString()!.Contains("reminder of your appointment", StringComparison.Ordinal);

    private static int Reminders(FakeAcs acs) =>
        acs.SentSms.Values.Count(IsReminder) + acs.SentEmails.Values.Count(e => e.GetProperty("content").GetProperty("subject").GetString()!.StartsWith("Reminder:", StringComparison.Ordinal));

    private static Dictionary<string, string?> Environment(Azurite azurite, Dictionary<string, string?> settings)
    {
        var environment = settings.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);
        environment["AzureWebJobsStorage"] = azurite.ConnectionString;
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{AppProcess.FreePort()}";
        environment["Durable__Enabled"] = "true";
        environment["Durable__MaxQueuePollingInterval"] = "00:00:00.500";
        return environment;
    }

    private static string Iso(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string>? explain = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not reached within {timeout}. {explain?.Invoke()}");
            await Task.Delay(100);
        }
    }

    private static string Tail(string output) => string.Join("\n", output.Split('\n').TakeLast(60));
}
