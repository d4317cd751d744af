using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Notifications;
using Parley.Functions.Storage;
using Parley.Functions.Workflows;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Communication;

/// <summary>The reminder workflow driven by an injected clock against real storage and the outbox provider.</summary>
public sealed class ReminderWorkflowTests : IAsyncLifetime
{
    private readonly ManualClock _clock = new();
    private readonly RecordingReminderQueue.Journal _hops = new();
    private ParleyApp _app = null!;

    public async Task InitializeAsync() => _app = await ParleyApp.StartAsync(services: s =>
    {
        s.AddSingleton(_hops);
        s.AddSingleton<ReminderQueue, RecordingReminderQueue>();
        s.AddKeyedSingleton<TimeProvider>("workflow", _clock);
        s.AddScoped(sp => new ReminderQueueHandlerFactory(sp));
    });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(1.0 / 24)]
    [InlineData(6)]
    [InlineData(8)]
    [InlineData(90)]
    public async Task A_reminder_hops_until_it_is_due_and_fires_once(double daysAhead)
    {
        var (admin, accountId) = await SignUpWithAccountAsync();
        var start = DateTimeOffset.UtcNow.AddDays(daysAhead).AddHours(2);
        var appointment = await BookAsync(admin, start);
        var work = new ReminderWork(accountId, appointment.Id, appointment.Start.UtcTicks, 60, appointment.Start.AddHours(-1));
        var hops = new List<TimeSpan>();

        _clock.Now = DateTimeOffset.UtcNow;
        while (true)
        {
            await RunAsync(work);
            if (!_hops.Items.TryDequeue(out var hop))
            {
                break;
            }
            Assert.True(hop.Delay <= TimeSpan.FromDays(7), $"a hop of {hop.Delay}");
            hops.Add(hop.Delay);
            _clock.Now += hop.Delay; // the queue makes the message visible again after the hop
            work = hop.Work;
        }
        await RunAsync(work); // a duplicate delivery of the due message

        Assert.Equal(appointment.Start.AddHours(-1), _clock.Now);
        Assert.Equal(Math.Max(1, (int)Math.Ceiling((appointment.Start.AddHours(-1) - DateTimeOffset.UtcNow).TotalDays / 7)), hops.Count);
        var sent = await MessagesAsync(accountId, appointment.Id);
        Assert.Equal(["email|Sent", "sms|Sent"], sent.Select(m => $"{m.Channel.ToString().ToLowerInvariant()}|{m.Status}").Order());
        Assert.All(sent, m => Assert.False(m.Late));
        Assert.Equal(2, (await admin.GetJsonAsync("/api/outbox")).EnumerateArray().Count(e => e.GetProperty("subject").GetString()!.StartsWith("Reminder", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Moved_cancelled_and_finished_appointments_get_no_reminder_and_a_late_one_is_marked()
    {
        var (admin, accountId) = await SignUpWithAccountAsync();
        var moved = await BookAsync(admin, DateTimeOffset.UtcNow.AddDays(2));
        var cancelled = await BookAsync(admin, DateTimeOffset.UtcNow.AddDays(3));
        var over = await BookAsync(admin, DateTimeOffset.UtcNow.AddDays(4));
        var late = await BookAsync(admin, DateTimeOffset.UtcNow.AddDays(5));
        await ApiSession.ReadAsync(await admin.PatchAsync($"/api/appointments/{moved.Id}", new { start = DateTimeOffset.UtcNow.AddDays(2).AddHours(3).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), end = DateTimeOffset.UtcNow.AddDays(2).AddHours(4).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") }), HttpStatusCode.OK);
        await ApiSession.ReadAsync(await admin.PostAsync($"/api/appointments/{cancelled.Id}/cancel", new { }), HttpStatusCode.OK);

        foreach (var (a, now) in new[] { (moved, moved.Start.AddHours(-1)), (cancelled, cancelled.Start.AddHours(-1)), (over, over.End.AddMinutes(1)), (late, late.Start.AddMinutes(-30)) })
        {
            _clock.Now = now;
            await RunAsync(new ReminderWork(accountId, a.Id, a.Start.UtcTicks, 60, a.Start.AddHours(-1)));
        }

        Assert.Empty(await MessagesAsync(accountId, moved.Id, reminderOnly: true));
        Assert.Empty(await MessagesAsync(accountId, cancelled.Id, reminderOnly: true));
        Assert.Empty(await MessagesAsync(accountId, over.Id, reminderOnly: true));
        var lateMessages = await MessagesAsync(accountId, late.Id, reminderOnly: true);
        Assert.Equal(2, lateMessages.Count);
        Assert.All(lateMessages, m => Assert.True(m.Late));
    }

    [Fact]
    public async Task Booking_plans_the_accounts_reminders_and_skips_those_already_in_the_past()
    {
        var (admin, accountId) = await SignUpWithAccountAsync();
        var queue = _app.Services.GetRequiredService<ReminderQueue>();
        var far = await BookAsync(admin, DateTimeOffset.UtcNow.AddDays(10));
        var soon = await BookAsync(admin, DateTimeOffset.UtcNow.AddMinutes(30));
        _clock.Now = DateTimeOffset.UtcNow;

        var farPlanned = await queue.PlanAsync(accountId, far, [1440, 60], CancellationToken.None);
        var farHops = _hops.Items.ToList();
        _hops.Items.Clear();
        var soonPlanned = await queue.PlanAsync(accountId, soon, [1440, 60], CancellationToken.None);

        Assert.Equal(2, farPlanned);
        Assert.All(farHops, h => Assert.Equal(TimeSpan.FromDays(7), h.Delay));
        Assert.Equal(new[] { far.Start.AddDays(-1), far.Start.AddHours(-1) }.Order(), farHops.Select(h => h.Work.Due).Order());
        Assert.Equal(0, soonPlanned);
        Assert.Empty(_hops.Items);
    }

    [Theory]
    [InlineData("2026-03-30T07:00:00Z", "2026-03-29T07:00:00Z")] // 09:00 CEST the day after spring-forward → 09:00 CEST the day before
    [InlineData("2026-10-26T08:00:00Z", "2026-10-25T08:00:00Z")] // 09:00 CET the day after fall-back → 09:00 CET the day before
    [InlineData("2026-03-29T07:00:00Z", "2026-03-28T08:00:00Z")] // 09:00 CEST on the change day → 09:00 CET the day before (23 h)
    [InlineData("2026-10-25T08:00:00Z", "2026-10-24T07:00:00Z")] // 09:00 CET on the change day → 09:00 CEST the day before (25 h)
    public void A_24_hour_reminder_comes_at_the_same_wall_clock_time_the_day_before(string start, string due)
    {
        Assert.Equal(DateTimeOffset.Parse(due, System.Globalization.CultureInfo.InvariantCulture),
            ReminderPlan.DueAt(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture), "Europe/Berlin", 1440));
    }

    private async Task RunAsync(ReminderWork work)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var handler = scope.ServiceProvider.GetRequiredService<ReminderQueueHandlerFactory>().Create();
        await handler.HandleAsync(new QueueWorkItem(ReminderQueueHandler.QueueName, Guid.NewGuid().ToString(), JsonSerializer.Serialize(work, QueueJson.Options), 1, DateTimeOffset.UtcNow), CancellationToken.None);
    }

    private async Task<List<MessageRecord>> MessagesAsync(string accountId, string appointmentId, bool reminderOnly = true) =>
        (await _app.Services.GetRequiredService<MessageStore>().ListForAppointmentAsync(accountId, appointmentId, CancellationToken.None))
            .Where(m => !reminderOnly || m.Kind == MessageKind.Reminder).ToList();

    private async Task<(ApiSession Admin, string AccountId)> SignUpWithAccountAsync()
    {
        var (admin, me) = await SignUpAsync(_app);
        return (admin, me.GetProperty("account").GetProperty("id").GetString()!);
    }

    private static async Task<Parley.Functions.Appointments.Appointment> BookAsync(ApiSession admin, DateTimeOffset start)
    {
        using var response = await admin.PostAsync("/api/appointments", new
        {
            @case = new { name = "Rita Reminder", email = "rita@example.com", phone = "+49 170 7654321" },
            start = start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), end = start.AddMinutes(30).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        });
        var a = (await ApiSession.ReadAsync(response, HttpStatusCode.Created)).GetProperty("appointment");
        return new Parley.Functions.Appointments.Appointment(a.GetProperty("id").GetString()!, "", a.GetProperty("caseId").GetString()!, default,
            a.GetProperty("start").GetDateTimeOffset(), a.GetProperty("end").GetDateTimeOffset(), "Europe/Berlin", [], new Parley.Functions.Appointments.InvitationRequest(false, false, "en"), false, null, "", default, [], default, default);
    }

    /// <summary>The clock of the workflow under test; everything else keeps real time.</summary>
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>Builds the reminder handler with the manual clock (the rest of the app keeps the system clock).</summary>
    private sealed class ReminderQueueHandlerFactory(IServiceProvider services)
    {
        public ReminderQueueHandler Create() => ActivatorUtilities.CreateInstance<ReminderQueueHandler>(services, services.GetRequiredKeyedService<TimeProvider>("workflow"));
    }

    public sealed class RecordingReminderQueue(StorageAccount storage, TimeProvider time, RecordingReminderQueue.Journal journal) : ReminderQueue(storage, time)
    {
        public override Task EnqueueAsync(ReminderWork work, TimeSpan delay, CancellationToken ct)
        {
            journal.Items.Enqueue((work, delay));
            return Task.CompletedTask;
        }

        public sealed class Journal
        {
            public ConcurrentQueue<(ReminderWork Work, TimeSpan Delay)> Items { get; } = new();
        }
    }
}
