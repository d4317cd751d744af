using Azure;
using Azure.Data.Tables;
using Parley.Functions.Storage;
using Parley.Testing;

namespace Parley.Tests.Storage;

/// <summary>
/// Our use of Azure.Data.Tables against Azurite: the transaction guard for rules Azurite does not enforce, the
/// "update never inserts" rule inside transactions, the idempotent create-once, prefix filters and the expiry sweep.
/// (The SDK's own behaviour is the SDK's to test; these are the places where our code adds or relies on something.)
/// </summary>
public sealed class TableUsageTests : IAsyncLifetime
{
    private TableClient _table = null!;
    private StorageAccount _account = null!;

    public async Task InitializeAsync()
    {
        var azurite = await Azurite.SharedAsync();
        _account = azurite.CreateAccount();
        _table = _account.GetTableClient(Azurite.UniqueName("Usage"));
        await _table.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync() => await _table.DeleteAsync();

    public static TheoryData<string> BrokenTransactions => ["two partitions", "101 actions", "a row twice", "empty"];

    [Theory]
    [MemberData(nameof(BrokenTransactions))]
    public async Task A_transaction_Azure_would_refuse_is_refused_before_anything_is_sent(string kind)
    {
        List<TableTransactionAction> actions = kind switch
        {
            // Azurite accepts this one; Azure answers 400. The guard keeps the two in step.
            "two partitions" => [Add("a", "1"), Add("b", "1")],
            // Azurite answers 101 actions with a malformed body; Azure refuses them.
            "101 actions" => Enumerable.Range(0, 101).Select(i => Add("p", i.ToString("D3"))).ToList(),
            "a row twice" => [Add("a", "1"), new TableTransactionAction(TableTransactionActionType.UpsertMerge, new TableEntity("a", "1"))],
            _ => [],
        };
        var before = _account.RoundTrips.Count;

        await Assert.ThrowsAsync<ArgumentException>(() => _table.SubmitAtomicallyAsync(actions));

        Assert.Equal(before, _account.RoundTrips.Count);
        Assert.Empty(await All(_table.QueryAsync<TableEntity>()));
    }

    [Fact]
    public async Task One_hundred_actions_go_in_one_round_trip_and_every_entity_gets_its_etag()
    {
        var actions = Enumerable.Range(0, 100).Select(i => Add("many", i.ToString("D3"))).ToList();
        var before = _account.RoundTrips.Count;

        await _table.SubmitAtomicallyAsync(actions);

        Assert.Equal(before + 1, _account.RoundTrips.Count);
        Assert.All(actions, a => Assert.NotEqual(default, a.Entity.ETag));
        var stored = await _table.GetEntityOrNullAsync("many", "042");
        Assert.Equal(stored!.ETag, actions[42].Entity.ETag);
        Assert.Equal(100, (await All(_table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"many"}")))).Count);
    }

    [Fact]
    public async Task An_update_without_an_etag_in_a_transaction_never_creates_the_entity()
    {
        // The SDK sends such an update without If-Match, which the service would treat as an upsert.
        var ex = await Assert.ThrowsAsync<TableTransactionFailedException>(() => _table.SubmitAtomicallyAsync([
            Add("u", "new"),
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity("u", "missing") { { "V", 1 } }),
        ]));

        Assert.Equal(404, ex.Status);
        Assert.Equal(1, ex.FailedTransactionActionIndex);
        Assert.Empty(await All(_table.QueryAsync<TableEntity>()));
    }

    [Fact]
    public async Task An_update_without_an_etag_in_a_transaction_overwrites_an_existing_entity()
    {
        await _table.AddEntityAsync(new TableEntity("u", "there") { { "V", 1 } });

        await _table.SubmitAtomicallyAsync([new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity("u", "there") { { "V", 2 } })]);

        Assert.Equal(2, (await _table.GetEntityOrNullAsync("u", "there"))!.GetInt32("V"));
    }

    [Fact]
    public async Task A_conflict_names_the_failing_action_and_rolls_back_the_rest()
    {
        await _table.AddEntityAsync(new TableEntity("rb", "taken") { { "V", "original" } });

        var ex = await Assert.ThrowsAsync<TableTransactionFailedException>(() => _table.SubmitAtomicallyAsync([
            Add("rb", "first"),
            Add("rb", "second"),
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("rb", "taken") { { "V", "overwritten" } }),
        ]));

        Assert.Equal(409, ex.Status);
        Assert.Equal(2, ex.FailedTransactionActionIndex);
        var rows = await All(_table.QueryAsync<TableEntity>());
        Assert.Equal("original", Assert.Single(rows).GetString("V"));
    }

    [Fact]
    public async Task A_stale_etag_inside_a_transaction_is_a_412_and_writes_nothing()
    {
        await _table.AddEntityAsync(new TableEntity("se", "row") { { "V", 1 } });
        var read = (await _table.GetEntityOrNullAsync("se", "row"))!;
        await _table.UpdateEntityAsync(new TableEntity("se", "row") { { "V", 2 } }, read.ETag, TableUpdateMode.Replace);

        var ex = await Assert.ThrowsAsync<TableTransactionFailedException>(() => _table.SubmitAtomicallyAsync([
            Add("se", "claim"),
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity("se", "row") { { "V", 3 } }, read.ETag),
        ]));

        Assert.True(ex.IsConditionFailed());
        Assert.Null(await _table.GetEntityOrNullAsync("se", "claim"));
        Assert.Equal(2, (await _table.GetEntityOrNullAsync("se", "row"))!.GetInt32("V"));
    }

    [Fact]
    public async Task Add_or_get_inserts_once_and_then_returns_what_is_stored()
    {
        var (first, created) = await _table.AddOrGetAsync(new TableEntity("once", "x") { { "V", "first" } });
        var (second, createdAgain) = await _table.AddOrGetAsync(new TableEntity("once", "x") { { "V", "second" } });

        Assert.True(created);
        Assert.NotEqual(default, first.ETag);
        Assert.False(createdAgain);
        Assert.Equal("first", second.GetString("V"));
        Assert.Equal(first.ETag, second.ETag);
    }

    [Fact]
    public async Task A_point_read_of_a_missing_entity_is_null_but_a_missing_table_throws()
    {
        Assert.Null(await _table.GetEntityOrNullAsync("nobody", "here"));

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => _account.GetTableClient(Azurite.UniqueName("Missing")).GetEntityOrNullAsync("a", "b"));
        Assert.Equal(404, ex.Status);
        Assert.Equal("TableNotFound", ex.ErrorCode);
    }

    [Fact]
    public async Task A_prefix_filter_finds_exactly_the_rows_of_its_partition_that_start_with_the_prefix()
    {
        foreach (var (pk, rk) in new[] { ("acc'1", "op|a"), ("acc'1", "op|b"), ("acc'1", "op}"), ("acc'1", "oq|c"), ("acc'1", "case|1"), ("acc'2", "op|z") })
        {
            await _table.AddEntityAsync(new TableEntity(pk, rk));
        }

        var rows = await All(_table.QueryAsync<TableEntity>(TableClientExtensions.StartsWithFilter("acc'1", "op|")));
        var injected = await All(_table.QueryAsync<TableEntity>(TableClientExtensions.StartsWithFilter("acc'1' or PartitionKey ne '", "op|")));

        Assert.Equal(["op|a", "op|b"], rows.Select(r => r.RowKey));
        Assert.Empty(injected);
    }

    [Fact]
    public async Task The_expiry_sweep_deletes_exactly_the_rows_that_expired()
    {
        var now = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        await _table.AddEntityAsync(new TableEntity("x", "old") { { "ExpiresAt", now.AddSeconds(-1) } });
        await _table.AddEntityAsync(new TableEntity("x", "fresh") { { "ExpiresAt", now.AddSeconds(1) } });
        await _table.AddEntityAsync(new TableEntity("x", "forever"));

        Assert.Equal(1, await _table.DeleteExpiredAsync(now, CancellationToken.None));

        Assert.Equal(["forever", "fresh"], (await All(_table.QueryAsync<TableEntity>())).Select(r => r.RowKey).Order());
    }

    private static async Task<List<T>> All<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }
        return list;
    }

    private static TableTransactionAction Add(string pk, string rk) => new(TableTransactionActionType.Add, new TableEntity(pk, rk));
}
