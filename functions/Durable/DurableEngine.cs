using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.Options;
using Parley.Functions.Storage;
using Parley.Functions.Workflows;

namespace Parley.Functions.Durable;

/// <summary>
/// The Durable Task Framework's Azure Storage backend inside our process (the app is a custom handler, so the Durable
/// Functions trigger is not available; see docs/hosting.md). Before the app serves, the task hub is created and the
/// client is ready, so requests can start orchestrations; once it serves, the worker runs our orchestrators and
/// activities (unless <see cref="DurableOptions.Enabled"/> is off). Shutdown lets in-flight work items finish.
/// </summary>
public sealed class DurableEngine(
    IOptions<DurableOptions> options,
    StorageAccount storage,
    StorageClientOptions clientOptions,
    IEnumerable<DurableRegistration> registrations,
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggerFactory,
    ILogger<DurableEngine> logger) : IHostedLifecycleService
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(20);
    private readonly DurableOptions _options = options.Value;
    private readonly CancellationTokenSource _stopping = new();
    private AzureStorageOrchestrationService? _service;
    private TaskHubClient? _client;
    private TaskHubWorker? _worker;
    private Task _starting = Task.CompletedTask;

    /// <summary>The task hub's client; ready before the app serves.</summary>
    public TaskHubClient Client => _client ?? throw new InvalidOperationException("The durable engine has not started.");

    /// <summary>The backend itself, for what the client lacks (purging by creation time).</summary>
    internal AzureStorageOrchestrationService Service => _service ?? throw new InvalidOperationException("The durable engine has not started.");

    /// <summary>True once the worker runs orchestrations in this process.</summary>
    public bool WorkerRunning { get; private set; }

    public string TaskHub => _options.TaskHub;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var connection = storage.Connection;
        var settings = new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = _options.TaskHub,
            PartitionCount = _options.PartitionCount,
            MaxQueuePollingInterval = _options.MaxQueuePollingInterval,
            ControlQueueVisibilityTimeout = _options.VisibilityTimeout,
            WorkItemQueueVisibilityTimeout = _options.VisibilityTimeout,
            LeaseInterval = _options.LeaseInterval,
            LeaseRenewInterval = _options.LeaseInterval / 3,
            LeaseAcquireInterval = _options.LeaseInterval / 3,
            MaxConcurrentTaskActivityWorkItems = _options.MaxConcurrentActivities,
            MaxConcurrentTaskOrchestrationWorkItems = _options.MaxConcurrentOrchestrations,
            LoggerFactory = loggerFactory,
            // A second start of an instance id is reported (Orchestrations.StartAsync turns it into "false"), not silently dropped.
            ThrowExceptionOnInvalidDedupeStatus = true,
            StorageAccountClientProvider = ClientProvider(connection),
        };
        _service = new AzureStorageOrchestrationService(settings);
        try
        {
            await _service.CreateIfNotExistsAsync().WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new StorageConfigurationException(
                $"Cannot create the durable task hub '{_options.TaskHub}' in storage configured by '{StorageConnection.SettingName}' ({connection.Description}): " +
                $"{ex.GetBaseException().Message}. The engine needs the blob, queue and table services (with managed identity: Storage Blob Data Owner, " +
                "Queue Data Contributor and Table Data Contributor).", ex);
        }
        _client = new TaskHubClient(_service, DurableDataConverter.Instance, loggerFactory);
        logger.LogInformation("Durable task hub {TaskHub} ready ({Partitions} partitions); worker {State}", _options.TaskHub, _options.PartitionCount, _options.Enabled ? "starts when the app serves" : "disabled");
    }

    /// <summary>
    /// The engine's own storage clients, with the app's retry and timeout settings (so an outage fails a request as fast
    /// as our other storage calls do) and their own round-trip counter.
    /// </summary>
    private StorageAccountClientProvider ClientProvider(StorageConnection connection)
    {
        var blobs = clientOptions.ApplyTo(new Azure.Storage.Blobs.BlobClientOptions(), RoundTrips);
        var queues = clientOptions.ApplyTo(new Azure.Storage.Queues.QueueClientOptions(), RoundTrips);
        var tables = clientOptions.ApplyTo(new Azure.Data.Tables.TableClientOptions(), RoundTrips);
        return connection.KeyConnectionString is { } keyed
            ? new StorageAccountClientProvider(
                StorageServiceClientProvider.ForBlob(keyed, blobs), StorageServiceClientProvider.ForQueue(keyed, queues), StorageServiceClientProvider.ForTable(keyed, tables))
            : new StorageAccountClientProvider(
                StorageServiceClientProvider.ForBlob(connection.BlobEndpoint, connection.Credential!, blobs),
                StorageServiceClientProvider.ForQueue(connection.QueueEndpoint, connection.Credential!, queues),
                StorageServiceClientProvider.ForTable(connection.TableEndpoint, connection.Credential!, tables));
    }

    /// <summary>Requests the engine has sent to storage (polling included), apart from the app's own <see cref="StorageAccount.RoundTrips"/>.</summary>
    public StorageRoundTrips RoundTrips { get; } = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Enabled)
        {
            _starting = Task.Run(StartWorkerWhenServingAsync, CancellationToken.None);
        }
        return Task.CompletedTask;
    }

    private async Task StartWorkerWhenServingAsync()
    {
        if (!await lifetime.StartedAsync(_stopping.Token))
        {
            return;
        }
        var shims = new DurableTaskShimFactory(new DurableTaskWorkerOptions { MaximumTimerInterval = _options.MaximumTimerInterval }, loggerFactory);
        var orchestrations = new CreatorManager<TaskOrchestration>();
        var activities = new CreatorManager<DurableTask.Core.TaskActivity>();
        foreach (var r in registrations)
        {
            if (r.IsOrchestrator)
            {
                orchestrations.Add(new ShimOrchestrationCreator(r.Name, () => (ITaskOrchestrator)ActivatorUtilities.CreateInstance(services, r.Type), shims).Init());
            }
            else
            {
                activities.Add(new ShimActivityCreator(r.Name, () => (ITaskActivity)services.GetRequiredService(r.Type), shims).Init());
            }
        }
        _worker = new TaskHubWorker(_service!, orchestrations, activities, loggerFactory)
        {
            ErrorPropagationMode = ErrorPropagationMode.UseFailureDetails,
        };
        await _worker.StartAsync();
        WorkerRunning = true;
        logger.LogInformation("Durable worker running on task hub {TaskHub}", _options.TaskHub);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _starting;
        if (_worker is null)
        {
            return;
        }
        // Graceful first: in-flight orchestration episodes and activities finish and are checkpointed.
        var graceful = _worker.StopAsync(isForced: false);
        if (await Task.WhenAny(graceful, Task.Delay(StopGrace, CancellationToken.None)) != graceful)
        {
            logger.LogWarning("Durable worker did not drain within {Grace}; stopping it; unfinished work items reappear after {Timeout}", StopGrace, _options.VisibilityTimeout);
            await _worker.StopAsync(isForced: true);
        }
        WorkerRunning = false;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
