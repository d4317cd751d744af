using System.Reflection;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Parley.Functions.Storage;

namespace Parley.Functions.Hosting;

public static class HostingExtensions
{
    public const string DefaultUrl = "http://localhost:7071";

    /// <summary>
    /// Where to listen (the host's <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>, else ASPNETCORE_URLS / --urls, else
    /// http://localhost:7071), the public address for links, settings from local.settings.json, ProblemDetails and the clock.
    /// </summary>
    public static WebApplicationBuilder AddParleyHosting(this WebApplicationBuilder builder)
    {
        builder.Configuration.AddLocalSettings(builder.Environment.ContentRootPath);

        var port = builder.Configuration[HostingMode.CustomHandlerPortSetting];
        if (!string.IsNullOrWhiteSpace(port))
        {
            if (!int.TryParse(port, out var p) || p is < 0 or > 65535)
            {
                throw new InvalidOperationException($"{HostingMode.CustomHandlerPortSetting} must be a port number, not '{port}'.");
            }
            // The host calls us on loopback only; this port is not public.
            builder.WebHost.UseUrls($"http://127.0.0.1:{p}");
        }
        else if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // No "Server: Kestrel": it tells an attacker what to try and no client needs it.
        builder.WebHost.ConfigureKestrel(o => o.AddServerHeader = false);
        builder.Services.AddSingleton<PublicUrl>();
        builder.Services.AddOptions<PublicUrl.Options>().BindConfiguration("App").ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<PublicUrl.Options>, PublicUrl.Validator>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        RequestBodies.AddRequestBodies(builder.Services);
        return builder;
    }

    /// <summary>Security headers, errors as ProblemDetails, and the built web front end when it is next to us (local runs).</summary>
    public static WebApplication UseParleyHosting(this WebApplication app)
    {
        app.UseMiddleware<SecurityHeaders>();
        // Messages follow Accept-Language (de or en); see ServerText.
        app.UseRequestLocalization(o =>
        {
            o.SetDefaultCulture("en");
            o.AddSupportedCultures(Common.ServerText.Cultures);
            o.AddSupportedUICultures(Common.ServerText.Cultures);
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        RequestBodies.UseRequestBodyLimit(app);

        if (StaticWebRoot(app) is { } root)
        {
            var files = new PhysicalFileProvider(root);
            // The dashboard's client-side routes (/sign-in, /settings/…) load index.html; /api and other methods never do.
            app.Use(async (context, next) =>
            {
                var path = context.Request.Path;
                if ((HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
                    && context.GetEndpoint() is null && !path.StartsWithSegments("/api") && !Path.HasExtension(path.Value))
                {
                    if (path.StartsWithSegments("/widget", out var rest) && rest.Value is { Length: > 1 })
                    {
                        // The dialog widget's frame: embedded by customers' websites, so framing is allowed for this page only.
                        context.Request.Path = "/widget.html";
                        SecurityHeaders.AllowFramingByAnySite(context.Response);
                    }
                    else if (path.Equals("/meet", StringComparison.OrdinalIgnoreCase))
                    {
                        // The customer's meeting room: its own small page, not the dashboard.
                        context.Request.Path = "/meet.html";
                        if (string.Equals(context.RequestServices.GetRequiredService<IConfiguration>()["Meetings:Provider"], "acs", StringComparison.OrdinalIgnoreCase))
                        {
                            SecurityHeaders.AllowAcsCalling(context.Response);
                        }
                        // Opened inside the website chat's panel (?embed=<chat key>): framable by that account's websites.
                        await AllowFramingByAccountAsync(context, context.Request.Query["embed"].ToString());
                    }
                    else if (path.StartsWithSegments("/book", out var handle) && handle.Value is { Length: > 1 } && !handle.Value[1..].Contains('/'))
                    {
                        // A booking page: framable by the websites its account allows (and nobody else).
                        context.Request.Path = "/book.html";
                        var page = await context.RequestServices.GetRequiredService<Booking.BookingCalendar>().FindAsync(handle.Value[1..].ToLowerInvariant(), context.RequestAborted);
                        SecurityHeaders.AllowFramingBy(context.Response, page?.Account.EmbedOrigins ?? []);
                    }
                    else if (path.Equals("/chat", StringComparison.OrdinalIgnoreCase))
                    {
                        // The website chat's frame (?key=<chat key>): framable by the websites its account allows; the
                        // full page opened from an e-mail's link (/chat#token, no key) by nobody.
                        context.Request.Path = "/chat.html";
                        await AllowFramingByAccountAsync(context, context.Request.Query["key"].ToString());
                    }
                    else if (path.Equals("/booking", StringComparison.OrdinalIgnoreCase))
                    {
                        context.Request.Path = "/book.html"; // the booker's own link: the same page, in its "manage" view
                    }
                    else
                    {
                        context.Request.Path = "/index.html";
                    }
                }
                await next(context);
            });
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                ContentTypeProvider = TextWithCharset(),
                // Unhashed file names: always revalidate (ETag), so a new build is picked up at once.
                OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
            });
        }
        return app;
    }

    private static async Task AllowFramingByAccountAsync(HttpContext context, string accountId)
    {
        if (Accounts.AccountStore.IsId(accountId)
            && await context.RequestServices.GetRequiredService<Accounts.AccountStore>().GetSettingsAsync(Chat.ChatService.TenantOf(accountId), context.RequestAborted) is { } account)
        {
            SecurityHeaders.AllowFramingBy(context.Response, account.EmbedOrigins);
        }
    }

    /// <summary>The usual types, with the charset spelled out for our text files (all UTF-8), so no client has to guess.</summary>
    private static FileExtensionContentTypeProvider TextWithCharset()
    {
        var provider = new FileExtensionContentTypeProvider();
        foreach (var extension in new[] { ".html", ".js", ".css", ".svg" })
        {
            provider.Mappings[extension] = provider.Mappings[extension] + "; charset=utf-8";
        }
        return provider;
    }

    /// <summary>
    /// The built web front end: <c>StaticWeb:Root</c> (a relative value is looked up under the content root, then
    /// next to the executable), else <c>wwwroot/</c> next to the executable (the deployment package), else
    /// <c>../static-web/dist</c> from the content root (a local build). Null when none of them holds an index.html.
    /// </summary>
    private static string? StaticWebRoot(WebApplication app) =>
        StaticWebRoot(app.Configuration["StaticWeb:Root"], app.Environment.ContentRootPath, AppContext.BaseDirectory);

    internal static string? StaticWebRoot(string? configured, string contentRoot, string baseDirectory)
    {
        IEnumerable<string> candidates = configured is { Length: > 0 }
            ? [Path.GetFullPath(configured, contentRoot), Path.GetFullPath(configured, baseDirectory)]
            : [Path.Combine(baseDirectory, "wwwroot"), Path.GetFullPath(Path.Combine(contentRoot, "..", "static-web", "dist"))];
        return candidates.FirstOrDefault(root => File.Exists(Path.Combine(root, "index.html")));
    }

    /// <summary><c>GET /</c> for the host's readiness probe, <c>GET /api/health</c>, and the host's trigger routes when hosted.</summary>
    public static WebApplication MapPlatformEndpoints(this WebApplication app)
    {
        if (StaticWebRoot(app) is null)
        {
            // With the front end present, GET / serves the dashboard, which answers the host's readiness probe just as well.
            app.MapGet("/", () => Results.Text("Parley is running.")).ExcludeFromDescription();
        }
        app.MapGet("/api/health", (IConfiguration configuration) => Results.Ok(new
        {
            status = "ok",
            version = typeof(HostingExtensions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
            mode = HostingMode.IsFunctionsHost(configuration) ? "functions-host" : "standalone",
        })).WithTags("Platform");

        if (HostingMode.IsFunctionsHost(app.Configuration))
        {
            app.MapFunctionInvocations();
        }
        return app;
    }

    /// <summary>Runs the app; a configuration or storage problem at startup prints one clear line and exits with 1.</summary>
    public static async Task<int> RunParleyAsync(this WebApplication app)
    {
        var addresses = ListenAddresses(app); // read now: the configuration is gone once the app has stopped
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            await Console.Error.WriteLineAsync($"Parley cannot start: {addresses} is already in use. "
                + "Stop what runs there, or set ASPNETCORE_URLS (or --urls) to a free port.");
            return 1;
        }
        catch (Exception ex) when (FindStartupProblem(ex) is { } problem)
        {
            await Console.Error.WriteLineAsync($"Parley cannot start: {problem}");
            return 1;
        }
    }

    /// <summary>The addresses as configured (what the person starting Parley typed), not as Kestrel resolved them.</summary>
    private static string ListenAddresses(WebApplication app) =>
        HostingMode.IsFunctionsHost(app.Configuration)
            ? $"http://127.0.0.1:{app.Configuration[HostingMode.CustomHandlerPortSetting]}"
            : string.Join(" or ", (app.Configuration["urls"] is { Length: > 0 } urls ? urls : DefaultUrl).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string? FindStartupProblem(Exception ex) => ex switch
    {
        StorageConfigurationException s => s.Message,
        Microsoft.Extensions.Options.OptionsValidationException o => string.Join(" ", o.Failures),
        AggregateException a => a.InnerExceptions.Select(FindStartupProblem).FirstOrDefault(m => m is not null),
        { InnerException: { } inner } => FindStartupProblem(inner),
        _ => null,
    };
}
