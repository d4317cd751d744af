using System.Text.RegularExpressions;
using Parley.Testing;

namespace Parley.Tests.Storage;

/// <summary>The storage layer stays what issue 12 made it: the SDKs used directly, with our guard in front of transactions.</summary>
public sealed partial class StorageCodeTests
{
    private static IEnumerable<(string Path, string Text)> SourceFiles() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "functions"), "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(p => (Path.GetRelativePath(RepositoryPaths.Root, p), File.ReadAllText(p)));

    [Fact]
    public void Feature_code_submits_transactions_only_through_the_guard()
    {
        var direct = SourceFiles()
            .Where(f => !f.Path.EndsWith("TableClientExtensions.cs", StringComparison.Ordinal) && f.Text.Contains(".SubmitTransactionAsync(", StringComparison.Ordinal))
            .Select(f => f.Path)
            .ToList();

        Assert.Empty(direct);
    }

    [Fact]
    public void No_hand_written_storage_protocol_code_is_left()
    {
        // Signing, multipart batches, OData JSON and queue XML are the SDKs' job now.
        var suspects = SourceFiles()
            .Where(f => HandWrittenProtocol().IsMatch(f.Text))
            .Select(f => f.Path)
            .ToList();

        Assert.Empty(suspects);
        Assert.False(Directory.Exists(Path.Combine(RepositoryPaths.Root, "functions", "Storage", "Tables")));
        Assert.False(Directory.Exists(Path.Combine(RepositoryPaths.Root, "functions", "Storage", "Queues")));
    }

    // (The Communication Services clients are ours on purpose and sign their own requests; they do not match these.)
    [GeneratedRegex(@"SharedKeyLitePolicy|QueueSharedKeyPolicy|StorageSigning|multipart/mixed|odata\.metadata|""<QueueMessage>|changeset_|NextPartitionKey")]
    private static partial Regex HandWrittenProtocol();
}
