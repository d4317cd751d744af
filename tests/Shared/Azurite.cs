using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Parley.Functions.Storage;

namespace Parley.Testing;

/// <summary>
/// One in-memory Azurite (blob, queue and table services) for the whole test run, on free loopback ports.
/// Started on first use, stopped when the test process exits. Test classes isolate themselves by using
/// their own table and queue names (<see cref="UniqueName"/>), so they run in parallel.
/// </summary>
public sealed class Azurite
{
    private static readonly Lazy<Task<Azurite>> SharedInstance = new(StartAsync);
    private readonly List<Process> _processes;

    private Azurite(int blobPort, int tablePort, int queuePort, List<Process> processes)
    {
        BlobPort = blobPort;
        TablePort = tablePort;
        QueuePort = queuePort;
        _processes = processes;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
    }

    public int BlobPort { get; }
    public int TablePort { get; }
    public int QueuePort { get; }

    public string ConnectionString => ConnectionStringFor(StorageConnection.DevelopmentAccountName);

    /// <summary>Extra storage accounts for hosts that pump shared work queues, so they never take other tests' messages.</summary>
    public const int IsolatedAccounts = 16;
    private static int _nextIsolated;

    /// <summary>A connection string to a storage account no other caller of this method gets (a fresh Azurite account).</summary>
    public string IsolatedConnectionString()
    {
        var n = Interlocked.Increment(ref _nextIsolated);
        if (n > IsolatedAccounts)
        {
            throw new InvalidOperationException($"Only {IsolatedAccounts} isolated storage accounts exist; raise Azurite.IsolatedAccounts.");
        }
        return ConnectionStringFor(IsolatedName(n));
    }

    private static string IsolatedName(int n) => "parleyisolated" + n;

    private string ConnectionStringFor(string account) =>
        $"DefaultEndpointsProtocol=http;AccountName={account};AccountKey={StorageConnection.DevelopmentAccountKey};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{account};" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{account};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{account};";

    public static Task<Azurite> SharedAsync() => SharedInstance.Value;

    public StorageAccount CreateAccount(StorageClientOptions? options = null) =>
        new(StorageConnection.Parse(ConnectionString), options);

    /// <summary>A name no other test uses: letters and digits, valid for tables and (lower-cased) queues.</summary>
    public static string UniqueName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..12];

    public static string UniqueQueueName(string prefix) => (prefix + "-" + Guid.NewGuid().ToString("N")[..12]).ToLowerInvariant();

    private static async Task<Azurite> StartAsync()
    {
        var root = RepositoryPaths.Root;
        var dist = Path.Combine(root, "node_modules", "azurite", "dist", "src");
        if (!Directory.Exists(dist))
        {
            throw new InvalidOperationException($"Azurite is not installed under {root}/node_modules. Run the tests with 'npm test', which installs it.");
        }
        for (var attempt = 1; ; attempt++)
        {
            var blobPort = FreePort();
            var tablePort = FreePort();
            var queuePort = FreePort();
            var processes = new List<Process>
            {
                StartService(Path.Combine(dist, "blob", "main.js"), "--blobHost", "127.0.0.1", "--blobPort", blobPort),
                StartService(Path.Combine(dist, "table", "main.js"), "--tableHost", "127.0.0.1", "--tablePort", tablePort),
                StartService(Path.Combine(dist, "queue", "main.js"), "--queueHost", "127.0.0.1", "--queuePort", queuePort),
            };
            if (await WaitForPortAsync(blobPort, processes[0]) && await WaitForPortAsync(tablePort, processes[1]) && await WaitForPortAsync(queuePort, processes[2]))
            {
                return new Azurite(blobPort, tablePort, queuePort, processes);
            }
            foreach (var p in processes)
            {
                Kill(p);
            }
            if (attempt == 3)
            {
                throw new InvalidOperationException("Azurite did not start on a free port after 3 attempts.");
            }
        }
    }

    private static Process StartService(string script, string hostArg, string host, string portArg, int port)
    {
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { script, "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck", "--loose", "--silent", hostArg, host, portArg, port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }
        // The development account plus isolated ones, all with the public development key.
        info.Environment["AZURITE_ACCOUNTS"] = string.Join(";", new[] { StorageConnection.DevelopmentAccountName }
            .Concat(Enumerable.Range(1, IsolatedAccounts).Select(IsolatedName))
            .Select(a => $"{a}:{StorageConnection.DevelopmentAccountKey}"));
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        // The test runner may end this process without running exit handlers; 'npm test' stops what is listed here.
        try
        {
            var pids = Path.Combine(RepositoryPaths.Root, ".tmp", "azurite-pids");
            Directory.CreateDirectory(pids);
            File.WriteAllText(Path.Combine(pids, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), script);
        }
        catch (IOException)
        {
        }
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<bool> WaitForPortAsync(int port, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                return false;
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        return false;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Stop()
    {
        foreach (var p in _processes)
        {
            Kill(p);
        }
    }

    private static void Kill(Process p)
    {
        try
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }
}
