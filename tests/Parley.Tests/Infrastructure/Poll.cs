namespace Parley.Tests.Infrastructure;

/// <summary>
/// Waiting for work that runs in the background (durable orchestrations, the queue pump): the condition is checked
/// every 100 ms until it holds or the deadline passes. Never a fixed sleep.
/// </summary>
public static class Poll
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(string what, Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not within {(timeout ?? DefaultTimeout).TotalSeconds:0} s: {what}");
            await Task.Delay(100);
        }
    }

    /// <summary>Reads <paramref name="read"/> until its value satisfies <paramref name="condition"/>, and returns that value.</summary>
    public static async Task<T> ForAsync<T>(string what, Func<Task<T>> read, Func<T, bool> condition, TimeSpan? timeout = null)
    {
        var value = default(T)!;
        await UntilAsync(what, async () => condition(value = await read()), timeout);
        return value;
    }
}
