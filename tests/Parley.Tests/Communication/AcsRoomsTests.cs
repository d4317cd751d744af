using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Durable;
using Parley.Functions.Meetings.Media;
using Parley.Functions.Meetings.Media.Acs;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Communication;

/// <summary>
/// Meetings on ACS Rooms: the real <see cref="AcsMeetingMedia"/> with its real REST clients and HMAC signing, its
/// table on Azurite and (for the cleanup) the real durable engine, against <see cref="FakeAcs"/>, which verifies
/// every signature and api-version and keeps rooms and identities as ACS does.
/// </summary>
public sealed class AcsRoomsTests
{
    private static readonly MediaParticipant Operator = new("op-1", IsOperator: true, "Olga Operator");
    private static readonly MediaParticipant Customer = new("cu-1", IsOperator: false, "Carl Customer");
    private static readonly MediaParticipant Guest = new("gu-1", IsOperator: false, "Gina Guest");

    [Fact]
    public async Task Joining_creates_one_room_for_the_appointment_window_with_the_operator_as_presenter_and_the_customer_as_attendee()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AppAsync(acs);
        var room = Window(Guid.NewGuid().ToString("N"), "appt-1");

        var op = await Media(app).JoinAsync(room, Operator, CancellationToken.None);
        var customer = await Media(app).JoinAsync(room, Customer, CancellationToken.None);

        var created = Assert.Single(acs.Rooms).Value;
        Assert.Equal((room.ValidFrom, room.ValidUntil), (created.ValidFrom, created.ValidUntil));
        Assert.Equal(AcsMediaStore.RepeatabilityId(room.AccountId, room.AppointmentId).ToString("D"), Assert.Single(acs.RoomsByRepeatability).Key);
        Assert.Equal(created.Id, (string?)op["roomId"]);
        Assert.Equal(created.Id, (string?)customer["roomId"]);
        Assert.Equal("Presenter", created.Participants[(string)op["userId"]!]);
        Assert.Equal("Attendee", created.Participants[(string)customer["userId"]!]);
        Assert.Equal(2, created.Participants.Count);
        Assert.Equal(
        [
            "POST /identities application/json",
            "POST /rooms application/json",
            $"PATCH /rooms/{created.Id}/participants application/merge-patch+json",
            "POST /identities application/json",
            $"PATCH /rooms/{created.Id}/participants application/merge-patch+json",
        ], acs.MediaRequests);
        Assert.Empty(acs.SignatureFailures);
    }

    [Fact]
    public async Task The_answer_carries_a_voip_join_token_of_the_configured_lifetime_and_asks_for_a_refresh_five_minutes_before_it_expires()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AppAsync(acs, new() { ["Meetings:Acs:TokenLifetime"] = "02:00:00" });
        var room = Window(Guid.NewGuid().ToString("N"), "appt-2");

        var answer = await Media(app).JoinAsync(room, Customer, CancellationToken.None);

        var identity = acs.Identities[(string)answer["userId"]!];
        var token = Assert.Single(identity.Tokens);
        Assert.Equal(["voip.join"], token.Scopes);
        Assert.Equal(120, token.ExpiresInMinutes);
        Assert.Equal(["provider", "roomId", "userId", "token", "expiresOn", "refreshAfter"], answer.Select(p => p.Key));
        Assert.Equal("acs", (string?)answer["provider"]);
        Assert.Equal(token.Token, (string?)answer["token"]);
        var expiresOn = DateTimeOffset.Parse((string)answer["expiresOn"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(token.ExpiresOn, expiresOn);
        Assert.Equal(expiresOn - TimeSpan.FromMinutes(5), DateTimeOffset.Parse((string)answer["refreshAfter"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("acs", Media(app).Provider);
        Assert.Same(Media(app), app.Services.GetRequiredService<IMeetingMedia>());
    }

    [Fact]
    public async Task Rejoining_and_refreshing_give_new_tokens_for_the_same_identity()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AppAsync(acs);
        var room = Window(Guid.NewGuid().ToString("N"), "appt-3");

        var first = await Media(app).JoinAsync(room, Customer, CancellationToken.None);
        var again = await Media(app).JoinAsync(room, Customer, CancellationToken.None);
        var refreshed = await Media(app).RefreshAsync(room, Customer, CancellationToken.None);

        var identity = Assert.Single(acs.Identities).Value;
        Assert.All(new[] { first, again, refreshed }, a => Assert.Equal(identity.Id, (string?)a["userId"]));
        Assert.Equal(3, new[] { first, again, refreshed }.Select(a => (string?)a["token"]).Distinct().Count());
        Assert.Equal(identity.Tokens.Select(t => t.Token), new[] { first, again, refreshed }.Select(a => (string)a["token"]!));
        Assert.All(identity.Tokens, t => Assert.Equal(["voip.join"], t.Scopes));
        Assert.EndsWith("/:issueAccessToken application/json", acs.MediaRequests.Last(), StringComparison.Ordinal);
        Assert.Single(acs.Rooms);
    }

    [Fact]
    public async Task Concurrent_and_retried_first_joins_create_one_room_and_every_participant_is_in_it()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AppAsync(acs);
        var room = Window(Guid.NewGuid().ToString("N"), "appt-4");

        var answers = await Task.WhenAll(new[] { Operator, Customer, Guest }.Select(p => Media(app).JoinAsync(room, p, CancellationToken.None)));
        var repeatability = AcsMediaStore.RepeatabilityId(room.AccountId, room.AppointmentId);
        var retried = await app.Services.GetRequiredService<AcsRoomsClient>().CreateAsync(room.ValidFrom, room.ValidUntil, new Dictionary<string, string>(), repeatability, DateTimeOffset.UtcNow, CancellationToken.None);

        var created = Assert.Single(acs.Rooms).Value;
        Assert.Single(acs.RoomsByRepeatability);
        Assert.Equal(created.Id, retried.Id);
        Assert.All(answers, a => Assert.Equal(created.Id, (string?)a["roomId"]));
        Assert.Equal(answers.Select(a => (string)a["userId"]!).Order(), created.Participants.Keys.Order());
        Assert.Equal(3, acs.Identities.Count);
        Assert.Empty(acs.SignatureFailures);
    }

    [Fact]
    public async Task Moving_the_appointment_moves_the_rooms_window_and_keeps_the_room_and_a_move_before_the_first_join_only_changes_the_record()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AppAsync(acs);
        var account = Guid.NewGuid().ToString("N");
        var room = Window(account, "appt-5");
        var later = room with { ValidFrom = room.ValidFrom.AddDays(1), ValidUntil = room.ValidUntil.AddDays(1).AddMinutes(30) };
        var notYetJoined = Window(account, "appt-6");
        var movedBeforeJoin = notYetJoined with { ValidUntil = notYetJoined.ValidUntil.AddHours(2) };

        var joined = await Media(app).JoinAsync(room, Customer, CancellationToken.None);
        await Media(app).MoveAsync(later, CancellationToken.None);
        await Media(app).MoveAsync(movedBeforeJoin, CancellationToken.None); // nothing at ACS yet: nothing to move
        var requestsBefore = acs.MediaRequests.Count;
        var rejoined = await Media(app).JoinAsync(later, Customer, CancellationToken.None);

        var moved = Assert.Single(acs.Rooms).Value;
        Assert.Equal((string?)joined["roomId"], moved.Id);
        Assert.Equal((string?)joined["roomId"], (string?)rejoined["roomId"]);
        Assert.Equal((later.ValidFrom, later.ValidUntil), (moved.ValidFrom, moved.ValidUntil));
        Assert.Contains($"PATCH /rooms/{moved.Id} application/merge-patch+json", acs.MediaRequests);
        Assert.Equal(4, requestsBefore); // identity, room, participant, the window patch; the unjoined move sent nothing
        var stored = await app.Services.GetRequiredService<AcsMediaStore>().GetRoomAsync(account, "appt-5", CancellationToken.None);
        Assert.Equal((later.ValidFrom, later.ValidUntil), (stored!.ValidFrom, stored.ValidUntil));
        Assert.Null(await app.Services.GetRequiredService<AcsMediaStore>().GetRoomAsync(account, "appt-6", CancellationToken.None));
    }

    [Fact]
    public async Task Ending_revokes_and_deletes_every_identity_and_the_room_refuses_later_joins_and_can_be_repeated()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AppAsync(acs);
        var room = Window(Guid.NewGuid().ToString("N"), "appt-7");
        var op = await Media(app).JoinAsync(room, Operator, CancellationToken.None);
        var customer = await Media(app).JoinAsync(room, Customer, CancellationToken.None);
        var identities = acs.Identities.Values.ToList();

        await Media(app).EndAsync(room, CancellationToken.None);
        var late = await Assert.ThrowsAsync<MeetingMediaException>(() => Media(app).JoinAsync(room, Guest, CancellationToken.None));
        var lateRefresh = await Assert.ThrowsAsync<MeetingMediaException>(() => Media(app).RefreshAsync(room, Customer, CancellationToken.None));
        await Media(app).EndAsync(room, CancellationToken.None); // again: nothing left, no error

        Assert.Empty(acs.Rooms);
        Assert.Equal((string)op["roomId"]!, Assert.Single(acs.DeletedRooms).Id);
        Assert.Empty(acs.Identities);
        Assert.Equal(new[] { (string)op["userId"]!, (string)customer["userId"]! }.Order(), acs.DeletedIdentities.Order());
        Assert.All(identities, i => Assert.Equal(1, i.Revocations));
        Assert.Equal((MeetingMediaFailure.Ended, 409), (late.Failure, late.StatusCode));
        Assert.Equal(MeetingMediaFailure.Ended, lateRefresh.Failure);
        Assert.Empty(await app.Services.GetRequiredService<AcsMediaStore>().ListParticipantsAsync(room.AccountId, room.AppointmentId, CancellationToken.None));
        Assert.Single(acs.MediaRequests, r => r.StartsWith("DELETE /rooms/", StringComparison.Ordinal)); // the second end knew everything was cleared
        Assert.Empty(acs.SignatureFailures);
    }

    [Fact]
    public async Task Ending_a_meeting_nobody_joined_leaves_nothing_to_create_later()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AppAsync(acs);
        var room = Window(Guid.NewGuid().ToString("N"), "appt-8");

        await Media(app).EndAsync(room, CancellationToken.None);
        var late = await Assert.ThrowsAsync<MeetingMediaException>(() => Media(app).JoinAsync(room, Customer, CancellationToken.None));

        Assert.Equal(MeetingMediaFailure.Ended, late.Failure);
        Assert.Empty(acs.MediaRequests);
    }

    [Fact]
    public async Task An_acs_outage_is_a_503_with_retry_after_and_a_refusal_a_502_both_in_the_users_language()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AppAsync(acs);
        var room = Window(Guid.NewGuid().ToString("N"), "appt-9");
        acs.Outages["/identities"] = 503; // through the client's own retries
        var outage = await Assert.ThrowsAsync<MeetingMediaException>(() => Media(app).JoinAsync(room, Customer, CancellationToken.None));
        acs.Outages.Clear();
        acs.Failures.Enqueue((400, null));
        var refused = await Assert.ThrowsAsync<MeetingMediaException>(() => Media(app).JoinAsync(room, Customer, CancellationToken.None));
        var german = System.Globalization.CultureInfo.CurrentUICulture;
        System.Globalization.CultureInfo.CurrentUICulture = new System.Globalization.CultureInfo("de");
        var germanTitle = outage.Title;
        System.Globalization.CultureInfo.CurrentUICulture = german;
        var joined = await Media(app).JoinAsync(room, Customer, CancellationToken.None); // ACS is back

        Assert.Equal((MeetingMediaFailure.Unavailable, 503, TimeSpan.FromSeconds(1)), (outage.Failure, outage.StatusCode, outage.RetryAfter));
        Assert.Equal((MeetingMediaFailure.Refused, 502), (refused.Failure, refused.StatusCode));
        Assert.Contains("503", outage.Message, StringComparison.Ordinal);
        Assert.Equal("Video ist vorübergehend nicht verfügbar", germanTitle);
        Assert.Equal("Video is temporarily unavailable", outage.Title);
        Assert.Equal((string?)joined["roomId"], Assert.Single(acs.Rooms).Key);
        Assert.Single(acs.Identities);
    }

    [Fact]
    public async Task A_meeting_nobody_ended_is_cleaned_up_by_the_durable_engine_after_its_moved_window_and_the_grace()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AppAsync(acs, new() { ["Durable:Enabled"] = "true", ["Meetings:Acs:CleanupGrace"] = "00:00:01" });
        var now = DateTimeOffset.UtcNow;
        var room = new MediaRoom(Guid.NewGuid().ToString("N"), "appt-10", now.AddMinutes(-5), now.AddSeconds(3));
        var moved = room with { ValidUntil = now.AddSeconds(6) };

        await Media(app).JoinAsync(room, Operator, CancellationToken.None);
        await Media(app).JoinAsync(room, Customer, CancellationToken.None);
        await Media(app).MoveAsync(moved, CancellationToken.None);
        var instance = AcsRoomCleanupOrchestrator.InstanceId(room.AccountId, room.AppointmentId);
        var done = await app.Services.GetRequiredService<Orchestrations>().WaitForCompletionAsync(instance, Poll.DefaultTimeout);

        Assert.Equal(DurableTask.Core.OrchestrationStatus.Completed, done!.Status);
        var deleted = Assert.Single(acs.DeletedRooms);
        Assert.True(deleted.At >= moved.ValidUntil.AddSeconds(1), $"deleted at {deleted.At:O}, before the moved end {moved.ValidUntil:O} plus the grace");
        Assert.Empty(acs.Rooms);
        Assert.Empty(acs.Identities);
        Assert.Equal(2, acs.DeletedIdentities.Count);
        Assert.Empty(acs.SignatureFailures);
    }

    [Fact]
    public async Task An_ending_that_an_acs_outage_interrupted_is_finished_by_the_cleanup_and_joins_stay_refused()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AppAsync(acs, new() { ["Durable:Enabled"] = "true", ["Meetings:Acs:CleanupGrace"] = "00:00:00" });
        var now = DateTimeOffset.UtcNow;
        var room = new MediaRoom(Guid.NewGuid().ToString("N"), "appt-12", now.AddMinutes(-5), now.AddSeconds(10)); // the cleanup wakes after the outage
        await Media(app).JoinAsync(room, Customer, CancellationToken.None);
        acs.Outages[":revokeAccessTokens"] = 503;

        var outage = await Assert.ThrowsAsync<MeetingMediaException>(() => Media(app).EndAsync(room, CancellationToken.None));
        acs.Outages.Clear();
        var refused = await Assert.ThrowsAsync<MeetingMediaException>(() => Media(app).JoinAsync(room, Guest, CancellationToken.None));
        var instance = AcsRoomCleanupOrchestrator.InstanceId(room.AccountId, room.AppointmentId);
        var done = await app.Services.GetRequiredService<Orchestrations>().WaitForCompletionAsync(instance, Poll.DefaultTimeout);

        Assert.Equal(MeetingMediaFailure.Unavailable, outage.Failure);
        Assert.Equal(MeetingMediaFailure.Ended, refused.Failure);
        Assert.Equal(DurableTask.Core.OrchestrationStatus.Completed, done!.Status);
        Assert.Empty(acs.Rooms);
        Assert.Empty(acs.Identities);
        Assert.True((await app.Services.GetRequiredService<AcsMediaStore>().GetRoomAsync(room.AccountId, room.AppointmentId, CancellationToken.None))!.IsCleared);
    }

    [Fact]
    public async Task The_cleanup_of_a_meeting_ended_by_hand_finds_nothing_to_do()
    {
        await using var acs = await FakeAcs.StartAsync();
        await using var app = await AppAsync(acs, new() { ["Durable:Enabled"] = "true", ["Meetings:Acs:CleanupGrace"] = "00:00:00" });
        var now = DateTimeOffset.UtcNow;
        var room = new MediaRoom(Guid.NewGuid().ToString("N"), "appt-11", now.AddMinutes(-5), now.AddSeconds(2));

        await Media(app).JoinAsync(room, Customer, CancellationToken.None);
        await Media(app).EndAsync(room, CancellationToken.None);
        var instance = AcsRoomCleanupOrchestrator.InstanceId(room.AccountId, room.AppointmentId);
        var done = await app.Services.GetRequiredService<Orchestrations>().WaitForCompletionAsync(instance, Poll.DefaultTimeout);

        Assert.Equal(DurableTask.Core.OrchestrationStatus.Completed, done!.Status);
        Assert.Single(acs.DeletedRooms);
        Assert.Single(acs.DeletedIdentities);
    }

    [Theory]
    [InlineData("00:59:00", null, "Meetings__Acs__TokenLifetime")]
    [InlineData("1.00:01:00", null, "Meetings__Acs__TokenLifetime")]
    [InlineData("01:00:30", null, "Meetings__Acs__TokenLifetime")]
    [InlineData("01:00:00", "-00:00:01", "Meetings__Acs__CleanupGrace")]
    [InlineData("01:00:00", null, "Communication__ConnectionString")]
    public void Settings_acs_would_refuse_or_a_missing_connection_fail_validation_naming_the_setting(string lifetime, string? grace, string named)
    {
        var values = new Dictionary<string, string?> { ["Meetings:Acs:TokenLifetime"] = lifetime, ["Meetings:Acs:CleanupGrace"] = grace };
        if (named != "Communication__ConnectionString")
        {
            values["Communication:ConnectionString"] = "endpoint=https://acs.example/;accesskey=" + FakeAcs.KeyBase64;
        }
        var services = new ServiceCollection();
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddAcsMeetingMedia();
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<AcsMediaOptions>>().Value);

        Assert.Single(ex.Failures);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_are_a_one_hour_token_and_a_fifteen_minute_grace()
    {
        Assert.Equal(TimeSpan.FromHours(1), new AcsMediaOptions().TokenLifetime);
        Assert.Equal(TimeSpan.FromMinutes(15), new AcsMediaOptions().CleanupGrace);
    }

    private static MediaRoom Window(string account, string appointment)
    {
        var start = new DateTimeOffset(DateTimeOffset.UtcNow.Date.AddDays(2).AddHours(9), TimeSpan.Zero);
        return new MediaRoom(account, appointment, start.AddMinutes(-10), start.AddMinutes(45));
    }

    private static AcsMeetingMedia Media(ParleyApp app) => app.Services.GetRequiredService<AcsMeetingMedia>();

    private static Task<ParleyApp> AppAsync(FakeAcs acs, Dictionary<string, string?>? more = null)
    {
        var settings = acs.AppSettings();
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }
        return ParleyApp.StartAsync(settings, services => services.AddAcsMeetingMedia());
    }
}
