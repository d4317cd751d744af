using Azure.Core;

namespace Parley.Functions.Storage;

/// <summary>
/// Pipeline options for our storage clients (Azure.Core retry, timeouts, diagnostics). Bound from the
/// <c>Storage</c> configuration section; the defaults fail fast enough to ride out Azurite's queue stalls
/// (see docs) without hanging a request for the Azure.Core default of 100 s.
/// </summary>
public sealed class StorageClientOptions : ClientOptions
{
    public const string SectionName = "Storage";

    public StorageClientOptions()
    {
        Retry.MaxRetries = 3;
        Retry.Mode = RetryMode.Exponential;
        Retry.Delay = TimeSpan.FromMilliseconds(200);
        Retry.MaxDelay = TimeSpan.FromSeconds(5);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(15);
        Diagnostics.IsLoggingContentEnabled = false;
        Diagnostics.IsTelemetryEnabled = false;
        // Our own logs cover failures; per-request tracing scopes cost CPU the 2-core benchmark shows.
        Diagnostics.IsDistributedTracingEnabled = false;
        Diagnostics.ApplicationId = "Parley";
    }

    /// <summary>Time source for request dates; tests may pin it.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Reads <c>Storage:NetworkTimeout</c> and <c>Storage:MaxRetries</c>.</summary>
    public static StorageClientOptions FromConfiguration(IConfiguration configuration)
    {
        var options = new StorageClientOptions();
        var section = configuration.GetSection(SectionName);
        if (section["NetworkTimeout"] is { Length: > 0 } timeout)
        {
            if (!TimeSpan.TryParse(timeout, System.Globalization.CultureInfo.InvariantCulture, out var value) || value <= TimeSpan.Zero)
            {
                throw new StorageConfigurationException($"'{SectionName}__NetworkTimeout' must be a positive time span such as 00:00:15, not '{timeout}'.");
            }
            options.Retry.NetworkTimeout = value;
        }
        if (section["MaxRetries"] is { Length: > 0 } retries)
        {
            if (!int.TryParse(retries, out var value) || value is < 0 or > 10)
            {
                throw new StorageConfigurationException($"'{SectionName}__MaxRetries' must be a whole number from 0 to 10, not '{retries}'.");
            }
            options.Retry.MaxRetries = value;
        }
        return options;
    }
}
