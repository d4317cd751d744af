using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Parley.Benchmarks;
using Parley.Functions.Storage;
using Azure.Data.Tables;
using Parley.Testing;

// Storage benchmark: the Azure.Data.Tables SDK TableClient (as Parley configures it) against a bare signed HttpClient
// loop, both against the same in-memory Azurite in the same run, plus a no-op Kestrel baseline; then the API's storage
// round trips per operation and the reminder dispatch. Prints figures; judges nothing.
// Usage: npm run bench [-- --seconds 5 --concurrency 16 --reminders 2000 --partitions 4 --activities 32 --reminders-only
//                         --rooms 20 --chat-only --booking-only --webhooks-only --api-only --endpoints 50 --events 20]
var seconds = Option("--seconds", 5);
var reminders = Option("--reminders", 2000);
var concurrency = Option("--concurrency", 16);
var partitions = Option("--partitions", 4);
var activities = Option("--activities", new Parley.Functions.Durable.DurableOptions().MaxConcurrentActivities);
var remindersOnly = args.Contains("--reminders-only");
var chatOnly = args.Contains("--chat-only");
var bookingOnly = args.Contains("--booking-only");
var webhooksOnly = args.Contains("--webhooks-only");
var apiOnly = args.Contains("--api-only");
var rooms = Option("--rooms", 20);
var duration = TimeSpan.FromSeconds(seconds);
var warmup = TimeSpan.FromSeconds(Math.Max(1, seconds / 3.0));

Console.WriteLine($"Parley storage benchmark: {concurrency} concurrent callers, {seconds} s per measurement, {Environment.ProcessorCount} cores");
var azurite = await Azurite.SharedAsync();
var account = azurite.CreateAccount();
var table = account.GetTableClient("Bench" + Guid.NewGuid().ToString("N")[..8]);
await table.CreateIfNotExistsAsync();
var bare = new BareTableLoop(account.Connection.TableEndpoint, StorageConnection.DevelopmentAccountName, StorageConnection.DevelopmentAccountKey, table.Name);

if (apiOnly)
{
    Console.WriteLine();
    Console.WriteLine("API through the real app (Kestrel, API keys, Azurite):");
    foreach (var (m, trips) in await ApiBenchmark.RunAsync(azurite, concurrency, duration, warmup))
    {
        Console.WriteLine($"{m.Name,-36} {m.PerSecond,9:N0} req/s  p50 {m.P50,8:N2} ms  p99 {m.P99,8:N2} ms  errors {m.Errors,4}  storage trips/op {trips,6:N2}");
    }
    return 0;
}

if (webhooksOnly || !(bookingOnly || remindersOnly || chatOnly))
{
    Console.WriteLine();
    Console.WriteLine("Webhook fan-out through the real app (durable delivery workflows, local receiver):");
    await WebhookFanOutBenchmark.RunAsync(azurite, Option("--endpoints", 50), Option("--events", 20));
    if (webhooksOnly)
    {
        return 0;
    }
}

if (bookingOnly)
{
    Console.WriteLine();
    Console.WriteLine("Booking page through the real app (Kestrel, Azurite):");
    await BookingBenchmark.RunAsync(azurite, concurrency, duration, warmup);
    return 0;
}

if (!remindersOnly || chatOnly)
{
    Console.WriteLine();
    Console.WriteLine("Meeting chat delivery through the room API (long polls, real app on Kestrel, Azurite):");
    await ChatLatencyBenchmark.RunAsync(azurite, rooms, messagesPerSide: 20);
    Console.WriteLine();
    Console.WriteLine("Website chat: visitor <-> operator through the widget's and the case page's long polls; one idle widget's cost:");
    await WebsiteChatBenchmark.RunAsync(azurite, rooms, messagesPerSide: 20, idleFor: TimeSpan.FromSeconds(args.Contains("--quick") ? 10 : 60));
    if (chatOnly)
    {
        return 0;
    }
}

if (!remindersOnly)
{
    var results = new List<Measurement>();
    results.Add(await NoOpBaselineAsync());

    // Three rounds, alternating which client goes first, so the emulator's drift (it slows as data grows) hits both equally.
    const int Rounds = 3;
    var round = 0;
    Measurement ours = null!, reference = null!;
    for (var r = 0; r < Rounds; r++)
    {
        round++;
        await LoadRunner.RunAsync("warm-up", concurrency, warmup, (w, i) => table.AddEntityAsync(Entity($"w{round}-{w}", $"x{i}")));
        Task<Measurement> Ours() => LoadRunner.RunAsync("insert: SDK TableClient", concurrency, duration, (w, i) => table.AddEntityAsync(Entity($"o{round}-{w}", $"{i:D9}")));
        Task<Measurement> Bare() => LoadRunner.RunAsync("insert: bare signed HttpClient", concurrency, duration, (w, i) => bare.InsertAsync($"b{round}-{w}", $"{i:D9}"));
        var (o, b) = r % 2 == 0 ? (await Ours(), await Bare()) : (await Bare(), await Ours()) is var (x, y) ? (y, x) : default;
        ours = r == 0 ? o : Best(ours, o);
        reference = r == 0 ? b : Best(reference, b);
    }
    results.Add(ours);
    results.Add(reference);
    var insertRatio = ours.PerSecond / reference.PerSecond;

    // Point reads of entities written above (partition o1-0 holds enough rows).
    var rows = Math.Max(100, (int)(ours.PerSecond * seconds / concurrency / 2));
    Measurement readOurs = null!, readBare = null!;
    for (var r = 0; r < Rounds; r++)
    {
        Task<Measurement> Ours() => LoadRunner.RunAsync("point read: SDK TableClient", concurrency, duration, async (w, i) =>
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>($"o1-{w}", $"{i % rows:D9}");
            if (!found.HasValue) throw new InvalidOperationException("missing row");
        });
        Task<Measurement> Bare() => LoadRunner.RunAsync("point read: bare signed HttpClient", concurrency, duration, (w, i) => bare.ReadAsync($"o1-{w}", $"{i % rows:D9}"));
        var (o, b) = r % 2 == 0 ? (await Ours(), await Bare()) : (await Bare(), await Ours()) is var (x, y) ? (y, x) : default;
        readOurs = r == 0 ? o : Best(readOurs, o);
        readBare = r == 0 ? b : Best(readBare, b);
    }
    results.Add(readOurs);
    results.Add(readBare);
    var readRatio = readOurs.PerSecond / readBare.PerSecond;

    var baseline = results[0].PerSecond;
    Console.WriteLine();
    Console.WriteLine($"{"scenario",-42} {"ops/s",10} {"p50 ms",8} {"p99 ms",8} {"errors",7} {"of no-op",9}");
    foreach (var m in results)
    {
        Console.WriteLine($"{m.Name,-42} {m.PerSecond,10:N0} {m.P50,8:N2} {m.P99,8:N2} {m.Errors,7} {m.PerSecond / baseline,9:P1}");
    }
    Console.WriteLine();
    Console.WriteLine($"insert ratio (SDK / bare):     {insertRatio:P1}   target ≥ 90 %   {(insertRatio >= 0.9 ? "met" : "NOT met")}");
    Console.WriteLine($"point-read ratio (SDK / bare): {readRatio:P1}   target ≥ 90 %   {(readRatio >= 0.9 ? "met" : "NOT met")}");
    await table.DeleteAsync();

    Console.WriteLine();
    Console.WriteLine("API through the real app (Kestrel, API keys, Azurite):");
    var api = await ApiBenchmark.RunAsync(azurite, concurrency, duration, warmup);
    Console.WriteLine($"{"operation",-36} {"req/s",9} {"p50 ms",8} {"p99 ms",8} {"errors",7} {"of no-op",9} {"storage trips/op",17}");
    foreach (var (m, trips) in api)
    {
        Console.WriteLine($"{m.Name,-36} {m.PerSecond,9:N0} {m.P50,8:N2} {m.P99,8:N2} {m.Errors,7} {m.PerSecond / baseline,9:P1} {trips,17:N2}");
    }
    var create = api.Single(r => r.Result.Name.StartsWith("create-case (own", StringComparison.Ordinal)).Result;
    Console.WriteLine();
    Console.WriteLine($"create-case: {create.PerSecond:N0}/s, p99 {create.P99:N1} ms   target ≥ 150/s and p99 ≤ 50 ms   {(create.PerSecond >= 150 && create.P99 <= 50 ? "met" : "NOT met")}");
    Console.WriteLine("API keys are verified from a 10-second cache, so the trips are the operations' own: create-case = one entity-group");
    Console.WriteLine("transaction (number, case, list entry), get-case = one point read, list-cases = one range query.");

    Console.WriteLine();
    Console.WriteLine("Booking page through the real app (Kestrel, Azurite):");
    await BookingBenchmark.RunAsync(azurite, concurrency, duration, warmup);
}

Console.WriteLine();
Console.WriteLine("Reminder dispatch through the durable engine (real orchestration and send activity, provider without quota):");
await ReminderBenchmark.RunAsync(azurite, reminders, partitions, activities);
return 0;

static Measurement Best(Measurement a, Measurement b) => a.PerSecond >= b.PerSecond ? a : b;

static TableEntity Entity(string partitionKey, string rowKey) => new(partitionKey, rowKey) { { "Name", "Benchmark case" }, { "Count", 42 }, { "Active", true } };

async Task<Measurement> NoOpBaselineAsync()
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    await using var app = builder.Build();
    app.MapGet("/ping", () => "ok");
    await app.StartAsync();
    var address = app.Urls.First();
    using var http = new HttpClient { BaseAddress = new Uri(address) };
    await LoadRunner.RunAsync("warm-up", concurrency, warmup, async (_, _) => await http.GetStringAsync("/ping"));
    var result = await LoadRunner.RunAsync("no-op Kestrel GET (baseline)", concurrency, duration, async (_, _) => await http.GetStringAsync("/ping"));
    await app.StopAsync();
    return result;
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
}
