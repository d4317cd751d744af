using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Parley.Tests.Browser;

/// <summary>
/// The meeting room in Chromium with a fake camera and microphone: the customer's page from the invitation link and
/// the operator's room in the dashboard, in separate browser profiles. Video is asserted on decoded frames of the
/// remote &lt;video&gt;, not on the element being there.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class MeetingPageTests(BrowserFixture fixture)
{
    private const string Xss1 = "<img src=x onerror=\"window.__xss=1\">";
    private const string Xss2 = "<script>window.__xss=2</script>";
    private const string Xss3 = "\"><svg onload=window.__xss=3>";

    /// <summary>Counts every request for camera or microphone the page makes.</summary>
    private const string CountMediaRequests = """
        window.__media = 0;
        if (navigator.mediaDevices) {
          const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
          navigator.mediaDevices.getUserMedia = (constraints) => { window.__media++; return original(constraints); };
        }
        """;

    /// <summary>A browser whose user refused camera and microphone for the site.</summary>
    private const string RefuseMedia = """
        if (navigator.mediaDevices) {
          navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
        }
        """;

    private const string ReceivesVideo = """
        () => [...document.querySelectorAll('video.remote-video')].some(v => v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 2)
        """;

    private static string At(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

    private static async Task<(string Id, string Path, string? Pin)> ScheduleAsync(IPage admin, string caseId, object extra)
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(5);
        var body = new Dictionary<string, object?> { ["start"] = At(start), ["end"] = At(start.AddMinutes(30)), ["timeZone"] = "UTC" };
        foreach (var p in extra.GetType().GetProperties())
        {
            body[p.Name] = p.GetValue(extra);
        }
        var a = await DashboardApi.PostAsync(admin, $"/api/cases/{caseId}/appointments", body);
        return (a.GetProperty("id").GetString()!, "/meet#" + a.GetProperty("joinUrl").GetString()!.Split('#')[1], a.GetProperty("pin").GetString());
    }

    private static async Task<string> CaseAsync(IPage admin, string name) =>
        (await DashboardApi.PostAsync(admin, "/api/cases", new { name })).GetProperty("id").GetString()!;

    [Fact]
    public async Task Customer_and_operator_meet_with_the_code_see_each_other_chat_share_location_and_the_case_goes_away_after()
    {
        await using var operatorContext = await fixture.NewContextAsync();
        var op = await operatorContext.NewPageAsync();
        await BrowserFixture.SignUpAsync(op, business: "Kanzlei Licht", adminName: "Anna Adviser");
        await DashboardApi.SendAsync(op, "PATCH", "/api/account", new { locationSharing = true });
        var caseId = await CaseAsync(op, "Bruno Kunde");
        var (appointmentId, link, pin) = await ScheduleAsync(op, caseId, new { pinProtected = true, invitation = new { sms = false, email = false, language = "en" } });

        await using var customerContext = await fixture.NewContextAsync(configure: o =>
        {
            o.Permissions = ["geolocation"];
            o.Geolocation = new Geolocation { Latitude = 52.52f, Longitude = 13.405f, Accuracy = 30 };
        });
        var customer = await customerContext.NewPageAsync();
        await customer.GotoAsync(link);
        await Expect(customer.GetByText("Kanzlei Licht")).ToBeVisibleAsync();
        await Expect(customer.GetByText("Bruno Kunde")).Not.ToBeVisibleAsync(); // nothing beyond the business before the code
        await customer.GetByLabel("Meeting code").FillAsync(pin == "000000" ? "111111" : "000000");
        await customer.GetByRole(AriaRole.Button, new() { Name = "Enter meeting" }).ClickAsync();
        await Expect(customer.GetByRole(AriaRole.Alert)).ToContainTextAsync("not valid");
        await customer.GetByLabel("Meeting code").FillAsync(pin!);
        await customer.GetByRole(AriaRole.Button, new() { Name = "Enter meeting" }).ClickAsync();
        await Expect(customer.Locator(".meet-state")).ToHaveTextAsync(new Regex("your adviser will let you in"));
        await Expect(customer.GetByRole(AriaRole.Heading, new() { Name = "Bruno Kunde" })).ToBeVisibleAsync();
        await customer.GetByRole(AriaRole.Button, new() { Name = "Check camera and microphone" }).ClickAsync();
        await Expect(customer.GetByText("Camera and microphone work.")).ToBeVisibleAsync();
        await Expect(customer.Locator("#device-camera option")).Not.ToHaveCountAsync(0);

        // The case list shows the customer waiting; Join on the case page opens the operator's room.
        await op.GotoAsync("/cases");
        await Expect(op.Locator($"[data-presence-case='{caseId}'] .badge.waiting")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await op.GotoAsync($"/cases/{caseId}");
        await op.Locator(".appointment").GetByRole(AriaRole.Link, new() { Name = "Join", Exact = true }).ClickAsync(); // the appointment's Join (the status line may offer one too)
        await Expect(op).ToHaveURLAsync(new Regex($"/meeting/{appointmentId}$"));
        await op.GetByRole(AriaRole.Button, new() { Name = "Admit Bruno Kunde" }).ClickAsync();
        await Expect(customer.Locator(".meet-state")).ToHaveTextAsync("You are in the meeting.");
        await op.GetByRole(AriaRole.Button, new() { Name = "Start camera and microphone" }).ClickAsync();

        // Each side decodes the other's video.
        await customer.WaitForFunctionAsync(ReceivesVideo, null, new() { Timeout = 30_000 });
        await op.WaitForFunctionAsync(ReceivesVideo, null, new() { Timeout = 30_000 });

        // Chat both ways.
        await customer.GetByLabel("Message").FillAsync("Guten Tag, ich sehe Sie!");
        await customer.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(op.Locator(".room-chat-list")).ToContainTextAsync("Guten Tag, ich sehe Sie!");
        await op.GetByLabel("Message").FillAsync("Willkommen!");
        await op.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(customer.Locator(".room-chat-list")).ToContainTextAsync("Willkommen!");

        // Location: shared once, refused once.
        await op.GetByRole(AriaRole.Button, new() { Name = "Request location" }).ClickAsync();
        await customer.GetByRole(AriaRole.Button, new() { Name = "Share my location" }).ClickAsync();
        await Expect(op.Locator(".location-shared")).ToContainTextAsync("52.52000, 13.40500");
        await Expect(op.Locator(".location-shared").GetByRole(AriaRole.Link, new() { Name = "Open map" })).ToHaveAttributeAsync("href", new Regex("openstreetmap.org/.*mlat=52.52"));
        await op.GetByRole(AriaRole.Button, new() { Name = "Request location" }).ClickAsync();
        await customer.GetByRole(AriaRole.Button, new() { Name = "Don't share" }).ClickAsync();
        await Expect(op.Locator(".location-refused")).ToContainTextAsync("Bruno Kunde did not share the location");
        await BrowserFixture.ScreenshotAsync(op, "meeting-operator");
        await BrowserFixture.ScreenshotAsync(customer, "meeting-customer");

        // The case page: Online while the customer's page is open, Away once they leave it, with the shared position.
        await op.GotoAsync($"/cases/{caseId}");
        var status = op.Locator(".customer-status");
        await Expect(status).ToContainTextAsync("Customer online");
        await Expect(op.Locator(".shared-location")).ToContainTextAsync("52.52000, 13.40500");
        await Expect(op.Locator(".case-conversation")).ToContainTextAsync("Guten Tag, ich sehe Sie!"); // the chat is in the case's conversation
        await customer.GotoAsync("about:blank"); // the page is left: its page-hide beacon says so
        await Expect(status).ToHaveTextAsync("Customer away", new() { Timeout = 15_000 });
    }

    [Fact]
    public async Task A_chat_only_meeting_never_asks_for_camera_or_microphone_on_either_side()
    {
        await using var operatorContext = await fixture.NewContextAsync();
        await operatorContext.AddInitScriptAsync(CountMediaRequests);
        var op = await operatorContext.NewPageAsync();
        await BrowserFixture.SignUpAsync(op, business: "Nur Chat GmbH");
        await DashboardApi.SendAsync(op, "PATCH", "/api/account", new { meetingMode = "chatOnly" });
        var caseId = await CaseAsync(op, "Clara Chat");
        var (appointmentId, link, _) = await ScheduleAsync(op, caseId, new { pinProtected = false, invitation = new { sms = false, email = false, language = "de" } });

        await using var customerContext = await fixture.NewContextAsync();
        await customerContext.AddInitScriptAsync(CountMediaRequests);
        var customer = await customerContext.NewPageAsync();
        await customer.GotoAsync(link);
        await Expect(customer.Locator(".meet-state")).ToHaveTextAsync(new Regex("Ihr Berater lässt Sie gleich herein")); // the appointment's language

        await op.GotoAsync($"/meeting/{appointmentId}");
        await Expect(op.GetByText("chat-only meetings")).ToBeVisibleAsync();
        await op.GetByRole(AriaRole.Button, new() { Name = "Admit Clara Chat" }).ClickAsync();
        await Expect(customer.Locator(".meet-state")).ToHaveTextAsync("Sie sind im Termin.");
        await customer.GetByLabel("Nachricht").FillAsync("Nur schreiben, bitte.");
        await customer.GetByRole(AriaRole.Button, new() { Name = "Senden" }).ClickAsync();
        await Expect(op.Locator(".room-chat-list")).ToContainTextAsync("Nur schreiben, bitte.");
        await op.GetByLabel("Message").FillAsync("Gern.");
        await op.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(customer.Locator(".room-chat-list")).ToContainTextAsync("Gern.");

        Assert.Equal(0, await customer.EvaluateAsync<int>("window.__media"));
        Assert.Equal(0, await op.EvaluateAsync<int>("window.__media"));
        Assert.Equal(0, await customer.Locator("video").CountAsync());
        Assert.Equal(0, await op.Locator("video").CountAsync());
    }

    [Fact]
    public async Task A_group_meeting_with_three_guests_whose_names_and_messages_look_like_script()
    {
        await using var operatorContext = await fixture.NewContextAsync();
        var op = await operatorContext.NewPageAsync();
        await BrowserFixture.SignUpAsync(op, business: "Gruppe & Co");
        var caseId = await CaseAsync(op, "Workshop");
        var (appointmentId, link, pin) = await ScheduleAsync(op, caseId, new { type = "group", pinProtected = true });
        await op.GotoAsync($"/meeting/{appointmentId}");
        await op.GetByRole(AriaRole.Button, new() { Name = "Start camera and microphone" }).ClickAsync();

        var names = new[] { Xss1, Xss2, Xss3 };
        var contexts = new List<IBrowserContext>();
        var guests = new List<IPage>();
        try
        {
            for (var i = 0; i < names.Length; i++)
            {
                var context = await fixture.NewContextAsync();
                contexts.Add(context);
                if (i == 0)
                {
                    await context.AddInitScriptAsync(RefuseMedia); // this guest's browser refuses the camera
                }
                var guest = await context.NewPageAsync();
                guests.Add(guest);
                await guest.GotoAsync(link);
                await guest.GetByLabel("Your name").FillAsync(names[i]);
                await guest.GetByLabel("Meeting code").FillAsync(pin!);
                await guest.GetByRole(AriaRole.Button, new() { Name = "Enter meeting" }).ClickAsync();
                await Expect(guest.Locator(".meet-state")).ToHaveTextAsync(new Regex("your adviser will let you in"));
            }

            // The refusing browser gets the explanation and can go on without video.
            await guests[0].GetByRole(AriaRole.Button, new() { Name = "Check camera and microphone" }).ClickAsync();
            await Expect(guests[0].Locator(".device-status")).ToContainTextAsync("blocked the camera and microphone");
            foreach (var guest in guests)
            {
                await guest.GetByRole(AriaRole.Button, new() { Name = "Join without video" }).ClickAsync();
            }

            foreach (var name in names)
            {
                await op.GetByRole(AriaRole.Button, new() { Name = "Admit " + name }).ClickAsync();
            }
            foreach (var guest in guests)
            {
                await Expect(guest.Locator(".meet-state")).ToHaveTextAsync("You are in the meeting.");
                await guest.WaitForFunctionAsync(ReceivesVideo, null, new() { Timeout = 30_000 }); // the operator's picture reaches every guest
            }

            await guests[1].GetByLabel("Message").FillAsync(Xss2 + " " + Xss1);
            await guests[1].GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
            await op.GetByLabel("Message").FillAsync(Xss3);
            await op.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
            foreach (var page in guests.Append(op))
            {
                await Expect(page.Locator(".room-chat-list")).ToContainTextAsync(Xss2 + " " + Xss1);
                await Expect(page.Locator(".room-chat-list")).ToContainTextAsync(Xss3);
            }
            await Expect(op.Locator(".meeting-inside")).ToContainTextAsync(Xss1);
            await Expect(op.Locator(".meeting-inside")).ToContainTextAsync(Xss2);
            await Expect(op.Locator(".meeting-inside")).ToContainTextAsync(Xss3);
            foreach (var page in guests.Append(op))
            {
                Assert.Equal("undefined", await page.EvaluateAsync<string>("typeof window.__xss"));
            }
        }
        finally
        {
            foreach (var context in contexts)
            {
                await context.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_moved_and_a_cancelled_appointment_explain_themselves_on_the_same_link()
    {
        await using var operatorContext = await fixture.NewContextAsync();
        var op = await operatorContext.NewPageAsync();
        await BrowserFixture.SignUpAsync(op, business: "Termine AG");
        await DashboardApi.SendAsync(op, "PATCH", "/api/account", new { contactLine = "Rufen Sie uns an: +49 30 1234567" });
        var caseId = await CaseAsync(op, "Dora");
        var (movedId, movedLink, _) = await ScheduleAsync(op, caseId, new { pinProtected = false, invitation = new { sms = false, email = false, language = "en" } });
        var tomorrow = DateTimeOffset.UtcNow.AddDays(1);
        await DashboardApi.SendAsync(op, "PATCH", $"/api/appointments/{movedId}", new { start = At(tomorrow), end = At(tomorrow.AddMinutes(30)), timeZone = "UTC" });
        var later = DateTimeOffset.UtcNow.AddDays(2);
        var cancelled = await DashboardApi.PostAsync(op, $"/api/cases/{caseId}/appointments", new { start = At(later), end = At(later.AddMinutes(30)), timeZone = "UTC", pinProtected = false, invitation = new { sms = false, email = false, language = "it" } });
        await DashboardApi.PostAsync(op, $"/api/appointments/{cancelled.GetProperty("id").GetString()}/cancel", new { reason = "Krank" });

        await using var customerContext = await fixture.NewContextAsync();
        var customer = await customerContext.NewPageAsync();
        await customer.GotoAsync(movedLink);
        await Expect(customer.Locator(".meet-state")).ToContainTextAsync("This appointment was moved");
        await customer.GotoAsync("/meet#" + cancelled.GetProperty("joinUrl").GetString()!.Split('#')[1]);
        await Expect(customer.Locator(".meet-state")).ToHaveTextAsync("Questo appuntamento è stato annullato.");
        await Expect(customer.GetByText("Contatto: Rufen Sie uns an: +49 30 1234567")).ToBeVisibleAsync();
        await customer.GotoAsync("/meet#not-a-real-token");
        await Expect(customer.GetByRole(AriaRole.Heading, new() { Name = "This link does not work" })).ToBeVisibleAsync();
    }
}
