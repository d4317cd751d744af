using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Maintenance;
using Parley.Functions.RateLimiting;
using Azure.Data.Tables;
using Parley.Functions.Storage;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Security;

public sealed class RateLimitCleanupTests
{
    [Fact]
    public async Task The_sweep_deletes_windows_that_ended_over_an_hour_ago_and_keeps_current_ones()
    {
        await using var app = await ParleyApp.StartAsync();
        var table = app.Storage.GetTableClient(TableRateLimiter.TableName);
        var tag = Guid.NewGuid().ToString("N");
        await table.AddEntityAsync(new TableEntity("test-old|" + tag, "k") { { "Count", 3 }, { "ExpiresAt", DateTimeOffset.UtcNow.AddHours(-2) } });
        await table.AddEntityAsync(new TableEntity("test-new|" + tag, "k") { { "Count", 3 }, { "ExpiresAt", DateTimeOffset.UtcNow.AddMinutes(5) } });

        using (var scope = app.Services.CreateScope())
        {
            var task = scope.ServiceProvider.GetServices<ISweepTask>().Single(t => t.Name == "rate-limit-cleanup");
            await task.RunAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        }

        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("test-old|" + tag, "k")).HasValue);
        Assert.True((await table.GetEntityIfExistsAsync<TableEntity>("test-new|" + tag, "k")).HasValue);
    }
}
