using Azure;

namespace Parley.Functions.Storage;

/// <summary>
/// Runs before any other hosted service and before Kestrel listens: reads the storage configuration and
/// creates the declared tables and queues. Any problem becomes one <see cref="StorageConfigurationException"/>
/// whose message names the setting, instead of a stack trace on the first request.
/// </summary>
internal sealed class StorageStartupCheck(IServiceProvider services, IEnumerable<StorageResource> resources, ILogger<StorageStartupCheck> logger)
    : IHostedLifecycleService
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var account = services.GetRequiredService<StorageAccount>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var distinct = resources.Distinct().ToList();
        try
        {
            // Sequential on purpose: the first failure names the service that is unreachable.
            foreach (var resource in distinct.Where(r => r.Kind == StorageResourceKind.Table))
            {
                await PatientlyAsync(() => account.GetTableClient(resource.Name).CreateIfNotExistsAsync(timeout.Token), timeout.Token);
            }
            foreach (var resource in distinct.Where(r => r.Kind == StorageResourceKind.Queue))
            {
                await PatientlyAsync(() => account.GetQueueClient(resource.Name).CreateIfNotExistsAsync(cancellationToken: timeout.Token), timeout.Token);
            }
        }
        catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or OperationCanceledException or AggregateException or Azure.Identity.AuthenticationFailedException
                                   && !cancellationToken.IsCancellationRequested)
        {
            var reason = ex switch
            {
                RequestFailedException { Status: 403 } => "the service refused the credentials (403). Check the account key, or the managed identity's Storage Table/Queue Data Contributor roles",
                RequestFailedException { Status: > 0 } r => $"the service answered {r.Status} {r.ErrorCode}",
                OperationCanceledException => $"no answer within {Timeout.TotalSeconds:0} s",
                _ => Innermost(ex).Message,
            };
            throw new StorageConfigurationException(
                $"Cannot reach storage configured by '{StorageConnection.SettingName}' ({account.Connection.Description}): {reason}. " +
                "Locally, 'npm start' starts Azurite for you; check that nothing else holds its ports.", ex);
        }
        logger.LogInformation("Storage ready: {Connection}; {Count} tables and queues checked", account.Connection.Description, distinct.Count);
    }

    /// <summary>
    /// One creation, tried again while the answer is only slow or a server error (an account configured with short
    /// network timeouts and no SDK retries must not fail to start because one answer came late), until the check's own
    /// deadline; a refusal (4xx) fails at once, since it names a configuration problem.
    /// </summary>
    private static async Task PatientlyAsync(Func<Task> create, CancellationToken deadline)
    {
        while (true)
        {
            try
            {
                await create();
                return;
            }
            catch (Exception ex) when (!deadline.IsCancellationRequested && Slow(ex))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), deadline);
            }
        }
    }

    /// <summary>Late (a network timeout) or a server error — not a refused connection or a refusal, which fail at once.</summary>
    private static bool Slow(Exception ex) => ex switch
    {
        RequestFailedException { Status: >= 500 } => true,
        RequestFailedException { Status: 0 } or AggregateException or HttpRequestException => Innermost(ex) is OperationCanceledException or TimeoutException,
        OperationCanceledException or TimeoutException => true,
        _ => false,
    };

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }
        return ex;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
