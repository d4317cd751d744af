using System.Net;
using System.Net.Sockets;

namespace Parley.Tests.Infrastructure;

/// <summary>
/// Forwards a loopback port to another; while paused it accepts connections but passes no bytes, which is
/// what a stalled Azurite looks like to a client (connections open, no answers). Severed, it drops every open
/// connection and closes new ones at once, which is what an unreachable one looks like.
/// </summary>
public sealed class PausableTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private volatile TaskCompletionSource _gate = Open();
    private int _connections;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TcpClient, bool> _open = new();
    private volatile bool _severed;

    public PausableTcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far (a client that times out a request drops its connection and opens another).</summary>
    public int Connections => Volatile.Read(ref _connections);

    public void Pause() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Resume()
    {
        _severed = false;
        _gate.TrySetResult();
    }

    /// <summary>Drops every open connection and refuses (closes) new ones until <see cref="Resume"/>.</summary>
    public void Sever()
    {
        _severed = true;
        foreach (var client in _open.Keys)
        {
            client.Client.LingerState = new LingerOption(true, 0); // reset, not a graceful close
            client.Close();
        }
    }

    private static TaskCompletionSource Open()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult();
        return tcs;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        if (_severed)
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Close();
            return;
        }
        _open[client] = true;
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                await Task.WhenAny(PipeAsync(client.GetStream(), upstream.GetStream()), PipeAsync(upstream.GetStream(), client.GetStream()));
            }
            catch (Exception)
            {
                // Either side went away; closing both is all a proxy can do.
            }
            finally
            {
                _open.TryRemove(client, out _);
            }
        }
    }

    private async Task PipeAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            await _gate.Task.WaitAsync(_stop.Token);
            var read = await from.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                return;
            }
            await _gate.Task.WaitAsync(_stop.Token);
            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        _gate.TrySetResult();
        return ValueTask.CompletedTask;
    }
}
