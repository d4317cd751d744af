using System.Net;
using Azure.Data.Tables;
using Parley.Functions.Notifications.Providers;
using Parley.Testing;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Booking.BookingKit;

namespace Parley.Tests.Abuse;

/// <summary>The SMS-pumping attack through the front door: a bot on one network hammers a real booking page.</summary>
public sealed class BookingPumpingTests
{
    [Fact]
    public async Task Sms_pumping_guard_a_bot_booking_1000_times_to_sequential_and_premium_numbers_gets_at_most_1_percent_of_its_sends_out()
    {
        // Its own storage account: the bot exhausts shared counters (its address, the destinations) on purpose.
        var settings = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = (await Azurite.SharedAsync()).IsolatedConnectionString() };
        await using var app = await StartAsync(durable: true, settings: settings);
        var page = await PublishAsync(app, new { daysAhead = 30 });
        var slots = new List<DateTimeOffset>();
        foreach (var day in new[] { "2027-01-06", "2027-01-07", "2027-01-08", "2027-01-11", "2027-01-12" })
        {
            slots.AddRange(await SlotsAsync(app, page.Handle, day));
        }

        // One bot, one network: every other attempt a premium-rate number (German 0900, UK 09), the rest sequential mobiles.
        using var bot = app.NewSession(dashboardHeader: false);
        var statuses = new List<HttpStatusCode>();
        var gate = new SemaphoreSlim(8);
        await Task.WhenAll(Enumerable.Range(0, 1000).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var phone = i % 2 == 0 ? (i % 4 == 0 ? "+49900" : "+44909") + (1_000_000 + i) : "+4915112345" + (i / 2).ToString("D3");
                var body = Booker(slots[i / 2 % slots.Count], name: $"Bot {i}", email: $"bot{i}@example.com", phone: phone);
                using var response = await bot.PostAsync($"/api/book/{page.Handle}", body);
                lock (statuses)
                {
                    statuses.Add(response.StatusCode);
                }
            }
            finally
            {
                gate.Release();
            }
        }));

        // Every booking that got through has had its invitations handled (sent, or refused by the guard and recorded failed).
        var booked = (await page.Admin.GetJsonAsync($"/api/appointments?from={Iso(Now)}&to={Iso(Now.AddDays(10))}")).EnumerateArray().Select(a => a.GetProperty("id").GetString()!).ToList();
        foreach (var id in booked)
        {
            await Poll.UntilAsync($"the invitations of {id} are handled", async () =>
            {
                var messages = (await page.Admin.GetJsonAsync($"/api/appointments/{id}/messages")).EnumerateArray().Where(m => m.GetProperty("kind").GetString() == "invitation").ToList();
                return messages.Count == 2 && messages.All(m => m.GetProperty("status").GetString() is "sent" or "failed" or "delivered");
            });
        }
        var delivered = 0;
        await foreach (var e in app.Storage.GetTableClient(OutboxProvider.TableName).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {page.AccountId}")))
        {
            delivered += e.GetString("To") == page.OperatorEmail ? 0 : 1; // the operator's own booking alerts are not sends the bot caused
        }
        var refused = await page.Admin.GetJsonAsync("/api/abuse/refused");

        Assert.Equal(1000, statuses.Count);
        Assert.DoesNotContain(HttpStatusCode.InternalServerError, statuses);
        Assert.True(statuses.Count(s => s == HttpStatusCode.Created) <= 20, "the booking limit per network holds");
        Assert.Contains(HttpStatusCode.BadRequest, statuses); // premium-rate numbers are refused at once
        Assert.True(statuses.Count(s => s == HttpStatusCode.TooManyRequests) >= 960);
        Assert.NotEmpty(booked);
        Assert.InRange(delivered, 1, 10); // 1 % of 1,000 attempts
        Assert.NotEmpty(refused.EnumerateArray());
        Assert.DoesNotContain("+4915112345", refused.GetRawText()); // masked
    }
}
