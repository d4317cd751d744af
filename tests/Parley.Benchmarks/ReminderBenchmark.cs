using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Durable;
using Parley.Functions.Notifications;
using Parley.Functions.Notifications.Providers;
using Parley.Testing;

namespace Parley.Benchmarks;

/// <summary>
/// Reminder dispatch through the real durable engine on Azurite: N reminder orchestrations due at the same instant (real
/// appointments, the real send activity: appointment re-read, template, delivery record) to a provider with no quota
/// that timestamps each send — next to the engine's ceiling on the same Azurite in the same run: N empty orchestrations
/// (durable timer → no-op activity) due at one instant.
/// </summary>
internal static class ReminderBenchmark
{
    public static async Task RunAsync(Azurite azurite, int count, int partitions, int activities)
    {
        var engineSettings = new Dictionary<string, string?>
        {
            ["Durable:Enabled"] = "true",
            ["Durable:TaskHub"] = "benchrem" + Guid.NewGuid().ToString("N")[..10],
            ["Durable:PartitionCount"] = partitions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Durable:MaxConcurrentActivities"] = activities.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        Console.WriteLine($"engine: {partitions} partition(s), {activities} activities and {new DurableOptions().MaxConcurrentOrchestrations} orchestration episodes at once, idle polling ≤ {new DurableOptions().MaxQueuePollingInterval.TotalSeconds:0.#} s");

        // Appointments are booked through the API of an app whose worker is off (their invitation instances stay idle in
        // another task hub), so the measurement below sees reminders only.
        var appointments = new ConcurrentBag<(string Id, long StartTicks)>();
        string accountId;
        await using (var booking = new ApiBenchmark.Factory(azurite))
        {
            booking.UseKestrel(0);
            booking.StartServer();
            var address = ApiBenchmark.Address(booking);
            var (key, operatorId) = await ApiBenchmark.AccountKeyAsync(address, 5000);
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            accountId = JsonDocument.Parse(await http.GetStringAsync("/api/me")).RootElement.GetProperty("account").GetProperty("id").GetString()!;
            Console.Write($"Booking {count} appointments… ");
            var start0 = DateTimeOffset.UtcNow.Date.AddDays(2);
            await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            {
                var start = start0.AddMinutes(30 * i);
                using var response = await http.PostAsJsonAsync("/api/appointments", new
                {
                    @case = new { name = $"Reminder {i}", email = $"r{i}@example.com" },
                    start = start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), end = start.AddMinutes(30).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
                    operatorIds = new[] { operatorId }, invitation = new { email = true, sms = false },
                }, ct);
                response.EnsureSuccessStatusCode();
                var a = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("appointment");
                appointments.Add((a.GetProperty("id").GetString()!, a.GetProperty("start").GetDateTimeOffset().UtcTicks));
            });
            Console.WriteLine("done.");
        }

        var provider = new CountingProvider();
        await using var engine = new ApiBenchmark.Factory(azurite, engineSettings, s =>
        {
            s.AddSingleton<IMessageProvider>(provider);
            s.AddOrchestrator<EmptyOrchestrator>();
            s.AddActivity<NoOpActivity>();
        });
        engine.UseKestrel(0);
        engine.StartServer();
        var orchestrations = engine.Services.GetRequiredService<Orchestrations>();

        // The ceiling: empty orchestrations, all due at one instant.
        var ceilingDue = await StartAllAsync("empty orchestrations", count, (i, due) =>
            orchestrations.StartAsync(nameof(EmptyOrchestrator), $"empty-{i}", due, CancellationToken.None));
        var ceiling = await MeasureAsync(() => NoOpActivity.Done, ceilingDue, count);

        // Reminders: one orchestration per appointment, its one reminder due at one instant for all.
        var list = appointments.ToList();
        var reminderDue = await StartAllAsync("reminder orchestrations", count, (i, due) =>
            orchestrations.StartAsync(nameof(ReminderOrchestrator), $"reminders-bench-{i}",
                new ReminderInput(accountId, list[i].Id, list[i].StartTicks, [new PlannedReminder(60, due)]), CancellationToken.None));
        var reminders = await MeasureAsync(() => provider.Sent, reminderDue, count);

        Console.WriteLine($"{"scenario",-40} {"done",7} {"per s",8} {"p50 s",7} {"p99 s",7}");
        Console.WriteLine($"{"empty orchestration (engine ceiling)",-40} {ceiling.Done,7:N0} {ceiling.Rate,8:N1} {ceiling.P50,7:N1} {ceiling.P99,7:N1}");
        Console.WriteLine($"{"reminder (real send activity)",-40} {reminders.Done,7:N0} {reminders.Rate,8:N1} {reminders.P50,7:N1} {reminders.P99,7:N1}");
        var share = reminders.Rate / Math.Max(0.001, ceiling.Rate);
        Console.WriteLine($"reminders per second as a share of the ceiling: {share:P0}   target ≥ 80 %   {(share >= 0.8 ? "met" : "NOT met")}");
        Console.WriteLine($"duplicates at the provider: {provider.Calls - provider.Sent.Count}   (target 0)");
        Console.WriteLine($"engine storage requests during the run: {engine.Services.GetRequiredService<DurableEngine>().RoundTrips.Count:N0}");
    }

    /// <summary>Starts <paramref name="count"/> instances due a little after the last start; returns the due instant.</summary>
    private static async Task<DateTimeOffset> StartAllAsync(string what, int count, Func<int, DateTimeOffset, Task<bool>> start)
    {
        // Starting takes ≈ 20–100 starts/s on Azurite; leave room so every instance is waiting on its timer when it fires.
        var due = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10 + count / 20.0);
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) => await start(i, due));
        Console.WriteLine($"Started {count} {what} in {clock.Elapsed.TotalSeconds:N1} s ({count / clock.Elapsed.TotalSeconds:N0}/s); all due at +{(due - DateTimeOffset.UtcNow).TotalSeconds:N0} s.");
        return due;
    }

    private sealed record Result(int Done, double Rate, double P50, double P99);

    private static async Task<Result> MeasureAsync(Func<ConcurrentDictionary<string, DateTimeOffset>> done, DateTimeOffset due, int count)
    {
        var deadline = due + TimeSpan.FromMinutes(10);
        while (done().Count < count && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
        var times = done().Values.ToList();
        var latencies = times.Select(t => Math.Max(0, (t - due).TotalSeconds)).Order().ToArray();
        var last = times.DefaultIfEmpty(due).Max();
        double At(double q) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];
        return new Result(times.Count, times.Count / Math.Max(0.001, (last - due).TotalSeconds), At(0.5), At(0.99));
    }

    /// <summary>The engine's ceiling: a durable timer, then a no-op activity that timestamps its first run.</summary>
    public sealed class EmptyOrchestrator : TaskOrchestrator<DateTimeOffset, bool>
    {
        public override async Task<bool> RunAsync(TaskOrchestrationContext context, DateTimeOffset due)
        {
            await context.CreateTimer(due.UtcDateTime, CancellationToken.None);
            return await context.CallActivityAsync<bool>(nameof(NoOpActivity), context.InstanceId);
        }
    }

    public sealed class NoOpActivity : TaskActivity<string, bool>
    {
        public static readonly ConcurrentDictionary<string, DateTimeOffset> Done = new();

        public override Task<bool> RunAsync(TaskActivityContext context, string instanceId) => Task.FromResult(Done.TryAdd(instanceId, DateTimeOffset.UtcNow));
    }

    /// <summary>A provider without quota: records the first send of each message id, counts every call.</summary>
    private sealed class CountingProvider : IMessageProvider
    {
        private int _calls;
        public ConcurrentDictionary<string, DateTimeOffset> Sent { get; } = new();
        public int Calls => _calls;
        public string Name => "benchmark";

        public Task<ProviderResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            Sent.TryAdd(message.MessageId, DateTimeOffset.UtcNow);
            return Task.FromResult(new ProviderResult(true, message.MessageId, null));
        }
    }
}
