using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Durable;
using Parley.Functions.Notifications;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Communication;

/// <summary>
/// The reminder orchestration on the real durable engine and Azurite, with the outbox provider. Reminders that must
/// fire during a test are booked so they fall due a few seconds from now (start = now + 1 h + a few seconds, offset 60).
/// </summary>
public sealed class ReminderWorkflowTests : IAsyncLifetime
{
    private ParleyApp _app = null!;

    public async Task InitializeAsync() => _app = await ParleyApp.StartAsync(new() { ["Durable:Enabled"] = "true", ["Notifications:HandOverWait"] = "00:00:05" });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Orchestrations Orchestrations => _app.Services.GetRequiredService<Orchestrations>();

    [Fact]
    public async Task A_due_reminder_is_sent_once_on_every_invitation_channel_and_the_page_shows_it_scheduled_until_then()
    {
        var (admin, accountId) = await SignUpWithAccountAsync([60]);
        var appointment = await BookAsync(admin, DateTimeOffset.UtcNow.AddHours(1).AddSeconds(8));
        var instance = ReplanRemindersActivity.InstanceId(accountId, appointment.Id, 0);
        // A second appointment whose reminder is days away shows the "scheduled" state without racing its due time.
        var later = await BookAsync(admin, DateTimeOffset.UtcNow.AddDays(2).AddMinutes(30));

        var scheduled = await WaitForAsync(async () => (await admin.GetJsonAsync($"/api/appointments/{later.Id}/messages")).EnumerateArray()
            .Where(m => m.GetProperty("kind").GetString() == "reminder").ToList() is { Count: 2 } rows && rows.All(r => r.GetProperty("status").GetString() == "scheduled") ? rows : null);
        var done = await Orchestrations.WaitForCompletionAsync(instance, TimeSpan.FromSeconds(60));

        Assert.All(scheduled, r => Assert.Equal(later.Start.AddHours(-1), r.GetProperty("dueAt").GetDateTimeOffset()));
        Assert.Equal(DurableTask.Core.OrchestrationStatus.Completed, done!.Status);
        Assert.Equal([("sent", 60)], done.CustomStatus<List<ReminderStatus>>()!.Select(r => (r.State, r.OffsetMinutes)));
        var sent = await RemindersAsync(accountId, appointment.Id);
        Assert.Equal(["email|Sent", "sms|Sent"], sent.Select(m => $"{m.Channel.ToString().ToLowerInvariant()}|{m.Status}").Order());
        Assert.All(sent, m => Assert.False(m.Late));
        Assert.Equal(2, (await admin.GetJsonAsync("/api/outbox")).EnumerateArray().Count(e => e.GetProperty("subject").GetString()!.StartsWith("Reminder", StringComparison.Ordinal)));
        Assert.Equal(["sent", "sent"], (await admin.GetJsonAsync($"/api/appointments/{appointment.Id}/messages")).EnumerateArray()
            .Where(m => m.GetProperty("kind").GetString() == "reminder").Select(m => m.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task A_reminder_90_days_ahead_waits_on_chained_timers_of_at_most_three_days()
    {
        var (admin, accountId) = await SignUpWithAccountAsync([1440, 60]);
        var appointment = await BookAsync(admin, DateTimeOffset.UtcNow.AddDays(90));
        var instance = ReplanRemindersActivity.InstanceId(accountId, appointment.Id, 0);

        var timers = await WaitForAsync(async () => (await Orchestrations.GetAsync(instance)) is { IsRunning: true } ? await TimersAsync(instance) is { Count: > 0 } t ? t : null : null);
        var status = (await Orchestrations.GetAsync(instance))!.CustomStatus<List<ReminderStatus>>()!;

        // The Azure Storage backend hides a queue message for at most 7 days; the first wait is one 3-day link of the chain.
        var first = Assert.Single(timers);
        Assert.InRange(first - DateTime.UtcNow, TimeSpan.FromDays(2.9), TimeSpan.FromDays(3));
        Assert.Equal([appointment.Start.AddDays(-1), appointment.Start.AddHours(-1)], status.Select(r => r.Due));
        Assert.All(status, r => Assert.Equal(ReminderOrchestrator.Scheduled, r.State));
    }

    [Fact]
    public async Task Moving_or_cancelling_ends_the_reminders_of_the_old_time_and_plans_the_new_time()
    {
        var (admin, accountId) = await SignUpWithAccountAsync([60]);
        // Due ten minutes from now: close, but never before the move below, whatever the machine's load.
        var moved = await BookAsync(admin, DateTimeOffset.UtcNow.AddHours(1).AddMinutes(10));
        var cancelled = await BookAsync(admin, DateTimeOffset.UtcNow.AddHours(1).AddMinutes(40));
        await WaitForAsync(async () => (await Orchestrations.GetAsync(ReplanRemindersActivity.InstanceId(accountId, moved.Id, 0)))?.IsRunning == true
            && (await Orchestrations.GetAsync(ReplanRemindersActivity.InstanceId(accountId, cancelled.Id, 0)))?.IsRunning == true ? "" : null);
        var newStart = DateTimeOffset.UtcNow.AddDays(2);
        newStart = new DateTimeOffset(newStart.UtcTicks - newStart.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

        await ApiSession.ReadAsync(await admin.PatchAsync($"/api/appointments/{moved.Id}", new { start = Iso(newStart), end = Iso(newStart.AddMinutes(30)) }), HttpStatusCode.OK);
        await ApiSession.ReadAsync(await admin.PostAsync($"/api/appointments/{cancelled.Id}/cancel", new { }), HttpStatusCode.OK);

        var oldMoved = await WaitForAsync(async () => await Orchestrations.GetAsync(ReplanRemindersActivity.InstanceId(accountId, moved.Id, 0)) is { IsRunning: false } v ? v : null);
        var oldCancelled = await WaitForAsync(async () => await Orchestrations.GetAsync(ReplanRemindersActivity.InstanceId(accountId, cancelled.Id, 0)) is { IsRunning: false } v ? v : null);
        // Running is not enough: the orchestration publishes its plan as custom status on its first turn.
        var newMoved = await WaitForAsync(async () => await Orchestrations.GetAsync(ReplanRemindersActivity.InstanceId(accountId, moved.Id, 1)) is { IsRunning: true } v
            && v.CustomStatus<List<ReminderStatus>>() is { Count: > 0 } ? v : null);

        Assert.Equal(DurableTask.Core.OrchestrationStatus.Terminated, oldMoved.Status);
        Assert.Equal(DurableTask.Core.OrchestrationStatus.Terminated, oldCancelled.Status);
        Assert.Equal([newStart.AddHours(-1)], newMoved.CustomStatus<List<ReminderStatus>>()!.Select(r => r.Due));
        Assert.Empty(await RemindersAsync(accountId, moved.Id));
        Assert.Empty(await RemindersAsync(accountId, cancelled.Id));
        Assert.DoesNotContain((await admin.GetJsonAsync($"/api/appointments/{cancelled.Id}/messages")).EnumerateArray(), m => m.GetProperty("kind").GetString() == "reminder");
    }

    [Fact]
    public async Task The_send_step_skips_moved_and_finished_appointments_and_marks_a_late_reminder()
    {
        var (admin, accountId) = await SignUpWithAccountAsync([60]);
        var moved = await BookAsync(admin, DateTimeOffset.UtcNow.AddDays(2));
        var over = await BookAsync(admin, DateTimeOffset.UtcNow.AddDays(3));
        var late = await BookAsync(admin, DateTimeOffset.UtcNow.AddDays(4));
        await ApiSession.ReadAsync(await admin.PatchAsync($"/api/appointments/{moved.Id}", new { start = Iso(moved.Start.AddHours(3)), end = Iso(moved.Start.AddHours(4)) }), HttpStatusCode.OK);

        // The activity as the engine runs it, with the clock it would see at that moment.
        var outcomes = new List<ReminderOutcome>();
        foreach (var (a, now) in new[] { (moved, moved.Start.AddHours(-1)), (over, over.End.AddMinutes(1)), (late, late.Start.AddMinutes(-30)) })
        {
            var activity = ActivatorUtilities.CreateInstance<SendReminderActivity>(_app.Services, new FixedClock(now));
            outcomes.Add(await activity.RunAsync(null!, new ReminderSend(accountId, a.Id, a.Start.UtcTicks, 60, a.Start.AddHours(-1), 0)));
        }

        Assert.Equal([ReminderOrchestrator.Stale, ReminderOrchestrator.Skipped, ReminderOrchestrator.Sent], outcomes.Select(o => o.State));
        Assert.Empty(await RemindersAsync(accountId, moved.Id));
        Assert.Empty(await RemindersAsync(accountId, over.Id));
        var lateMessages = await RemindersAsync(accountId, late.Id);
        Assert.Equal(2, lateMessages.Count);
        Assert.All(lateMessages, m => Assert.True(m.Late));
    }

    [Fact]
    public async Task A_24_hour_reminder_across_a_daylight_saving_change_is_planned_at_the_same_wall_clock_time()
    {
        var (admin, accountId) = await SignUpWithAccountAsync([1440]);
        // 09:00 CEST on the day summer time begins in 2027 → due 09:00 CET the day before: 23 hours earlier.
        var start = DateTimeOffset.Parse("2027-03-28T07:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var appointment = await BookAsync(admin, start);

        var status = await WaitForAsync(async () => (await Orchestrations.GetAsync(ReplanRemindersActivity.InstanceId(accountId, appointment.Id, 0)))?.CustomStatus<List<ReminderStatus>>());

        Assert.Equal(DateTimeOffset.Parse("2027-03-27T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture), Assert.Single(status).Due);
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

    private async Task<List<DateTime>> TimersAsync(string instanceId)
    {
        using var history = JsonDocument.Parse(await Orchestrations.HistoryJsonAsync(instanceId));
        return history.RootElement.EnumerateArray()
            .Where(e => e.TryGetProperty("FireAt", out _) && e.TryGetProperty("EventType", out var type) && type.GetInt32() == 10) // TimerCreated
            .Select(e => e.GetProperty("FireAt").GetDateTime().ToUniversalTime()).ToList();
    }

    private async Task<List<MessageRecord>> RemindersAsync(string accountId, string appointmentId) =>
        (await _app.Services.GetRequiredService<MessageStore>().ListForAppointmentAsync(accountId, appointmentId, CancellationToken.None))
            .Where(m => m.Kind == MessageKind.Reminder).ToList();

    private async Task<(ApiSession Admin, string AccountId)> SignUpWithAccountAsync(int[] reminderOffsets)
    {
        var (admin, me) = await SignUpAsync(_app);
        await ApiSession.ReadAsync(await admin.PatchAsync("/api/account", new { reminderOffsetMinutes = reminderOffsets }), HttpStatusCode.OK);
        return (admin, me.GetProperty("account").GetProperty("id").GetString()!);
    }

    private static string Iso(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<Parley.Functions.Appointments.Appointment> BookAsync(ApiSession admin, DateTimeOffset start)
    {
        start = new DateTimeOffset(start.UtcTicks - start.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        using var response = await admin.PostAsync("/api/appointments", new
        {
            @case = new { name = "Rita Reminder", email = "rita@example.com", phone = "+49 170 7654321" },
            start = Iso(start), end = Iso(start.AddMinutes(30)), timeZone = "Europe/Berlin", invitation = new { sms = true, email = true },
        });
        var a = (await ApiSession.ReadAsync(response, HttpStatusCode.Created)).GetProperty("appointment");
        return new Parley.Functions.Appointments.Appointment(a.GetProperty("id").GetString()!, "", a.GetProperty("caseId").GetString()!, default,
            a.GetProperty("start").GetDateTimeOffset(), a.GetProperty("end").GetDateTimeOffset(), "Europe/Berlin", [], new Parley.Functions.Appointments.InvitationRequest(false, false, "en"), false, null, "", default, [], default, default);
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, "the condition was not met within 60 s");
            await Task.Delay(100);
        }
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
