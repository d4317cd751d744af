using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Notifications;
using Parley.Functions.Notifications.Providers;
using Parley.Functions.Storage;
using Parley.Functions.Workflows;
using Parley.Testing;

namespace Parley.Benchmarks;

/// <summary>
/// Reminder dispatch: N reminders due at once, processed by the real queue pump and handler (appointment re-read,
/// template, delivery record), sent to a provider with no quota that timestamps each send.
/// </summary>
internal static class ReminderBenchmark
{
    public static async Task RunAsync(Azurite azurite, int count)
    {
        var provider = new CountingProvider();
        await using var factory = new ApiBenchmark.Factory(azurite, new()
        {
            ["QueuePump:Enabled"] = "true",
            ["QueuePump:Queues"] = "reminders",
            ["QueuePump:BatchSize"] = "32",
            ["QueuePump:MinPollingInterval"] = "00:00:00.010",
            ["QueuePump:MaxPollingInterval"] = "00:00:00.200",
        }, s => s.AddSingleton<IMessageProvider>(provider));
        factory.UseKestrel(0);
        factory.StartServer();
        var address = ApiBenchmark.Address(factory);
        var (key, operatorId) = await ApiBenchmark.AccountKeyAsync(address, 5000);
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var me = JsonDocument.Parse(await http.GetStringAsync("/api/me")).RootElement;
        var accountId = me.GetProperty("account").GetProperty("id").GetString()!;

        Console.Write($"Booking {count} appointments… ");
        var start0 = DateTimeOffset.UtcNow.Date.AddDays(2);
        var appointments = new ConcurrentBag<(string Id, long StartTicks)>();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var start = start0.AddMinutes(30 * i);
            using var response = await http.PostAsJsonAsync("/api/appointments", new
            {
                @case = new { name = $"Reminder {i}", email = $"r{i}@example.com" },
                start = start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), end = start.AddMinutes(30).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
                operatorIds = new[] { operatorId },
            }, ct);
            response.EnsureSuccessStatusCode();
            var a = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("appointment");
            appointments.Add((a.GetProperty("id").GetString()!, a.GetProperty("start").GetDateTimeOffset().UtcTicks));
        });
        Console.WriteLine("done.");
        // Booking queued invitation work (immediate + hand-over items) that this run does not process; Azurite's queue
        // service slows down with every message it holds, so empty it to measure reminders alone.
        var notifications = factory.Services.GetRequiredService<StorageAccount>().GetQueueClient(NotificationQueueHandler.QueueName);
        await notifications.DeleteAsync();
        await notifications.CreateIfNotExistsAsync();

        var queue = factory.Services.GetRequiredService<StorageAccount>().GetQueueClient(ReminderQueueHandler.QueueName);
        var due = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(appointments, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (a, ct) =>
            await queue.SendJsonAsync(new ReminderWork(accountId, a.Id, a.StartTicks, 60, due), cancellationToken: ct));
        var clock = Stopwatch.StartNew();
        while (provider.Sent.Count < count && clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            await Task.Delay(100);
        }
        var latencies = provider.Sent.Values.Select(t => (t - due).TotalSeconds).Order().ToArray();
        var last = provider.Sent.Values.DefaultIfEmpty(due).Max();
        var rate = provider.Sent.Count / Math.Max(0.001, (last - due).TotalSeconds);
        var p99 = latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(0.99 * latencies.Length))];
        var duplicates = provider.Calls - provider.Sent.Count;
        Console.WriteLine($"{"reminders due at once",-36} {count,9:N0}");
        Console.WriteLine($"{"sent",-36} {provider.Sent.Count,9:N0}   duplicates at the provider: {duplicates}");
        Console.WriteLine($"{"dispatched per second",-36} {rate,9:N0}   target ≥ 100/s   {(rate >= 100 ? "met" : "NOT met")}");
        Console.WriteLine($"{"due → sent p99 (s)",-36} {p99,9:N2}   target ≤ 2 s     {(p99 <= 2 ? "met" : "NOT met")}");
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
