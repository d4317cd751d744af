using Azure.Core;
using Azure.Core.Pipeline;

namespace Parley.Functions.Storage;

/// <summary>
/// Retry and timeout settings for the storage SDK clients, bound from the <c>Storage</c> configuration section. The
/// defaults fail fast enough to ride out Azurite's queue stalls (see docs) without hanging a request for the Azure.Core
/// default of 100 s. <see cref="ApplyTo"/> copies them into a <see cref="TableClientOptions"/> / <see cref="QueueClientOptions"/>.
/// </summary>
public sealed class StorageClientOptions
{
    public const string SectionName = "Storage";

    public int MaxRetries { get; set; } = 3;

    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Replaces the HTTP transport (tests: a handler that trusts a local TLS certificate).</summary>
    public HttpPipelineTransport? Transport { get; set; }

    /// <summary>Copies the settings into an SDK client's options and adds <paramref name="roundTrips"/> as a per-retry policy.</summary>
    public T ApplyTo<T>(T options, StorageRoundTrips roundTrips) where T : ClientOptions
    {
        options.Retry.MaxRetries = MaxRetries;
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(5);
        options.Retry.NetworkTimeout = NetworkTimeout;
        options.Diagnostics.IsLoggingContentEnabled = false;
        options.Diagnostics.IsTelemetryEnabled = false;
        // Our own logs cover failures; per-request tracing scopes cost CPU the 2-core benchmark shows.
        options.Diagnostics.IsDistributedTracingEnabled = false;
        options.Diagnostics.ApplicationId = "Parley";
        if (Transport is not null)
        {
            options.Transport = Transport;
        }
        options.AddPolicy(roundTrips, HttpPipelinePosition.PerRetry);
        return options;
    }

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
            options.NetworkTimeout = value;
        }
        if (section["MaxRetries"] is { Length: > 0 } retries)
        {
            if (!int.TryParse(retries, out var value) || value is < 0 or > 10)
            {
                throw new StorageConfigurationException($"'{SectionName}__MaxRetries' must be a whole number from 0 to 10, not '{retries}'.");
            }
            options.MaxRetries = value;
        }
        return options;
    }
}
