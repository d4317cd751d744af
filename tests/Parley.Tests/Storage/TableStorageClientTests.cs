using Azure;
using Parley.Functions.Storage;
using Parley.Functions.Storage.Tables;
using Parley.Testing;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Storage;

public sealed class TableStorageClientTests : IAsyncLifetime
{
    private TableStorageClient _table = null!;
    private StorageAccount _account = null!;

    public async Task InitializeAsync()
    {
        var azurite = await Azurite.SharedAsync();
        _account = azurite.CreateAccount();
        _table = _account.GetTableClient(Azurite.UniqueName("Tbl"));
        await _table.CreateIfNotExistsAsync();
    }

    public Task DisposeAsync() => _table.DeleteAsync();

    [Fact]
    public async Task Creating_an_existing_table_is_not_an_error()
    {
        var table = _account.GetTableClient(Azurite.UniqueName("Twice"));
        Assert.True(await table.CreateIfNotExistsAsync());
        Assert.False(await table.CreateIfNotExistsAsync());
        await table.DeleteAsync();
    }

    [Fact]
    public async Task Every_property_type_round_trips_exactly()
    {
        var when = new DateTimeOffset(2026, 3, 29, 1, 59, 59, TimeSpan.FromHours(1)).AddTicks(1234567);
        var guid = Guid.NewGuid();
        var bytes = new byte[] { 0, 1, 2, 254, 255 };
        var entity = new TableEntity("p", "types")
        {
            { "Text", "Grüße, 'quoted' \"double\" <tag> & emoji 🎉" },
            { "Empty", "" },
            { "Int", int.MinValue },
            { "Long", long.MaxValue },
            { "SmallLong", 5L },
            { "Double", 0.1 },
            { "WholeDouble", 3.0 },
            { "NegativeDouble", -1.5e-300 },
            { "True", true },
            { "False", false },
            { "When", when },
            { "Id", guid },
            { "Bytes", bytes },
        };
        await _table.AddEntityAsync(entity);

        var read = (await _table.GetEntityIfExistsAsync("p", "types")).Value!;

        Assert.Equal("Grüße, 'quoted' \"double\" <tag> & emoji 🎉", read["Text"]);
        Assert.Equal("", read["Empty"]);
        Assert.Equal(int.MinValue, read["Int"]);
        Assert.Equal(long.MaxValue, read["Long"]);
        Assert.Equal(5L, read["SmallLong"]);
        Assert.Equal(0.1, read["Double"]);
        Assert.Equal(3.0, read["WholeDouble"]);
        Assert.IsType<double>(read["WholeDouble"]);
        Assert.Equal(-1.5e-300, read["NegativeDouble"]);
        Assert.Equal(true, read["True"]);
        Assert.Equal(false, read["False"]);
        Assert.Equal(when, read.GetDateTimeOffset("When"));
        Assert.Equal(when.UtcTicks, read.GetDateTimeOffset("When")!.Value.UtcTicks);
        Assert.Equal(guid, read["Id"]);
        Assert.Equal(bytes, read.GetBinary("Bytes"));
        Assert.NotNull(read.Timestamp);
        Assert.NotEqual(default, read.ETag);
        Assert.Equal(entity.ETag, read.ETag);
    }

    [Fact]
    public async Task Inserting_existing_keys_is_a_conflict_with_the_service_error_code()
    {
        await _table.AddEntityAsync(new TableEntity("p", "dup") { { "N", 1 } });

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => _table.AddEntityAsync(new TableEntity("p", "dup") { { "N", 2 } }));

        Assert.Equal(409, ex.Status);
        Assert.Equal("EntityAlreadyExists", ex.ErrorCode);
        Assert.True(ex.IsAlreadyExists());
        Assert.Equal(1, (await _table.GetEntityIfExistsAsync("p", "dup")).Value!["N"]);
    }

    [Fact]
    public async Task Add_or_get_inserts_once_and_then_returns_what_is_stored()
    {
        var (first, created) = await _table.AddOrGetAsync(new TableEntity("p", "once") { { "N", 1 } });
        var (second, createdAgain) = await _table.AddOrGetAsync(new TableEntity("p", "once") { { "N", 2 } });

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(1, second["N"]);
        Assert.Equal(first.ETag, second.ETag);
    }

    [Fact]
    public async Task Upsert_merge_keeps_other_properties_and_replace_drops_them()
    {
        await _table.UpsertEntityAsync(new TableEntity("p", "u") { { "A", "a" }, { "B", "b" } });
        await _table.UpsertEntityAsync(new TableEntity("p", "u") { { "B", "b2" } }, TableUpdateMode.Merge);
        var merged = (await _table.GetEntityIfExistsAsync("p", "u")).Value!;
        Assert.Equal("a", merged["A"]);
        Assert.Equal("b2", merged["B"]);

        await _table.UpsertEntityAsync(new TableEntity("p", "u") { { "C", "c" } }, TableUpdateMode.Replace);
        var replaced = (await _table.GetEntityIfExistsAsync("p", "u")).Value!;
        Assert.Null(replaced["A"]);
        Assert.Null(replaced["B"]);
        Assert.Equal("c", replaced["C"]);
    }

    [Fact]
    public async Task Update_with_a_stale_etag_is_rejected_as_a_concurrency_conflict()
    {
        var entity = new TableEntity("p", "etag") { { "V", 1 } };
        await _table.AddEntityAsync(entity);
        var staleETag = entity.ETag;
        await _table.UpdateEntityAsync(new TableEntity("p", "etag") { { "V", 2 } }, staleETag);

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() =>
            _table.UpdateEntityAsync(new TableEntity("p", "etag") { { "V", 3 } }, staleETag));

        Assert.True(ex.IsConditionFailed());
        Assert.Equal("UpdateConditionNotSatisfied", ex.ErrorCode);
        Assert.Equal(2, (await _table.GetEntityIfExistsAsync("p", "etag")).Value!["V"]);
    }

    [Fact]
    public async Task Updating_a_missing_entity_is_not_found_and_does_not_create_it()
    {
        var ex = await Assert.ThrowsAsync<RequestFailedException>(() =>
            _table.UpdateEntityAsync(new TableEntity("p", "ghost") { { "V", 1 } }, ETag.All));

        Assert.True(ex.IsNotFound());
        Assert.False((await _table.GetEntityIfExistsAsync("p", "ghost")).HasValue);
    }

    [Fact]
    public async Task Parallel_read_modify_write_with_etags_loses_no_update()
    {
        await _table.AddEntityAsync(new TableEntity("p", "counter") { { "Count", 0 } });
        var conflicts = 0;

        await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            while (true)
            {
                var current = (await _table.GetEntityIfExistsAsync("p", "counter")).Value!;
                current["Count"] = current.GetInt32("Count")!.Value + 1;
                try
                {
                    await _table.UpdateEntityAsync(current, current.ETag);
                    return;
                }
                catch (RequestFailedException ex) when (ex.IsConditionFailed())
                {
                    Interlocked.Increment(ref conflicts);
                }
            }
        }));

        Assert.Equal(40, (await _table.GetEntityIfExistsAsync("p", "counter")).Value!["Count"]);
        Assert.True(conflicts > 0, "40 racing writers should have produced at least one 412");
    }

    [Fact]
    public async Task Conditional_delete_with_a_stale_etag_keeps_the_entity()
    {
        var entity = new TableEntity("p", "del") { { "V", 1 } };
        await _table.AddEntityAsync(entity);
        var stale = entity.ETag;
        await _table.UpdateEntityAsync(entity, entity.ETag);

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => _table.DeleteEntityAsync("p", "del", stale));
        Assert.True(ex.IsConditionFailed());

        await _table.DeleteEntityAsync("p", "del", entity.ETag);
        Assert.False((await _table.GetEntityIfExistsAsync("p", "del")).HasValue);
        await _table.DeleteEntityAsync("p", "del");
    }

    [Theory]
    [InlineData("it's")]
    [InlineData("two '' quotes")]
    [InlineData("space and %25 percent + plus")]
    [InlineData("Ünïcödé ✓")]
    [InlineData("a&b=c;d,e:f@g")]
    [InlineData("(paren)=[]{}")]
    public async Task Keys_with_special_characters_round_trip(string key)
    {
        await _table.AddEntityAsync(new TableEntity(key, key) { { "K", key } });

        var read = await _table.GetEntityIfExistsAsync(key, key);
        Assert.True(read.HasValue);
        Assert.Equal(key, read.Value!.PartitionKey);
        Assert.Equal(key, read.Value.RowKey);

        var found = await ToListAsync(_table.QueryAsync(TableFilter.Create($"PartitionKey eq {key} and RowKey eq {key}")));
        Assert.Equal(key, Assert.Single(found)["K"]);

        await _table.UpdateEntityAsync(new TableEntity(key, key) { { "K", "updated" } }, ETag.All);
        await _table.DeleteEntityAsync(key, key);
        Assert.False((await _table.GetEntityIfExistsAsync(key, key)).HasValue);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\u0001b")]
    public async Task Keys_with_characters_the_service_forbids_are_rejected_before_sending(string key)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => _table.AddEntityAsync(new TableEntity("p", key)));
        Assert.Contains("RowKey", ex.Message);
    }

    [Fact]
    public async Task A_quote_in_a_filter_value_cannot_inject_into_the_filter()
    {
        await _table.AddEntityAsync(new TableEntity("tenant-a", "1") { { "Owner", "a" } });
        await _table.AddEntityAsync(new TableEntity("tenant-b", "1") { { "Owner", "b" } });

        var hostile = "tenant-a' or PartitionKey ne 'x";
        var results = await ToListAsync(_table.QueryAsync(TableFilter.Create($"PartitionKey eq {hostile}")));

        Assert.Empty(results);
        Assert.Equal("PartitionKey eq 'tenant-a'' or PartitionKey ne ''x'", TableFilter.Create($"PartitionKey eq {hostile}"));
    }

    [Fact]
    public async Task Query_filters_on_typed_values_and_selects_properties()
    {
        var day = new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 10; i++)
        {
            await _table.AddEntityAsync(new TableEntity("q", i.ToString("D2")) { { "N", i }, { "Big", 10_000_000_000L + i }, { "At", day.AddHours(i) }, { "Extra", "x" } });
        }

        var byInt = await ToListAsync(_table.QueryAsync(TableFilter.Create($"PartitionKey eq {"q"} and N ge {7}")));
        var byLong = await ToListAsync(_table.QueryAsync(TableFilter.Create($"PartitionKey eq {"q"} and Big lt {10_000_000_002L}")));
        var byDate = await ToListAsync(_table.QueryAsync(TableFilter.Create($"PartitionKey eq {"q"} and At gt {day.AddHours(8)}")));
        var selected = await ToListAsync(_table.QueryAsync(TableFilter.Create($"PartitionKey eq {"q"} and RowKey eq {"03"}"), select: ["N"]));

        Assert.Equal(["07", "08", "09"], byInt.Select(e => e.RowKey));
        Assert.Equal(["00", "01"], byLong.Select(e => e.RowKey));
        Assert.Equal(["09"], byDate.Select(e => e.RowKey));
        var only = Assert.Single(selected);
        Assert.Equal(3, only["N"]);
        Assert.Null(only["Extra"]);
    }

    [Fact]
    public async Task Query_follows_continuations_over_more_than_a_thousand_entities()
    {
        const int total = 1_150;
        for (var start = 0; start < total; start += 100)
        {
            var actions = Enumerable.Range(start, Math.Min(100, total - start))
                .Select(i => TableTransactionAction.Add(new TableEntity("many", i.ToString("D5")) { { "I", i } }))
                .ToList();
            await _table.SubmitTransactionAsync(actions);
        }

        var pages = new List<Page<TableEntity>>();
        await foreach (var page in _table.QueryAsync(TableFilter.Create($"PartitionKey eq {"many"}")).AsPages())
        {
            pages.Add(page);
        }
        var small = new List<Page<TableEntity>>();
        await foreach (var page in _table.QueryAsync(TableFilter.Create($"PartitionKey eq {"many"} and RowKey lt {"00250"}"), maxPerPage: 100).AsPages())
        {
            small.Add(page);
        }

        Assert.True(pages.Count >= 2, $"expected continuation paging, got {pages.Count} page(s)");
        Assert.Equal(Enumerable.Range(0, total), pages.SelectMany(p => p.Values).Select(e => (int)e["I"]!));
        Assert.Equal(3, small.Count);
        Assert.Equal(250, small.Sum(p => p.Values.Count));
    }

    [Fact]
    public async Task A_transaction_applies_all_of_its_actions()
    {
        var existing = new TableEntity("tx", "existing") { { "V", 1 } };
        await _table.AddEntityAsync(existing);
        await _table.AddEntityAsync(new TableEntity("tx", "doomed"));

        var result = await _table.SubmitTransactionAsync([
            TableTransactionAction.Add(new TableEntity("tx", "new") { { "V", 1 } }),
            TableTransactionAction.Update(new TableEntity("tx", "existing") { { "V", 2 } }, ifMatch: existing.ETag),
            TableTransactionAction.Upsert(new TableEntity("tx", "upserted") { { "V", 3 } }, TableUpdateMode.Replace),
            TableTransactionAction.Delete(new TableEntity("tx", "doomed")),
        ]);

        Assert.Equal(4, result.Value.Count);
        Assert.All(result.Value, r => Assert.InRange(r.Status, 200, 299));
        var rows = await ToListAsync(_table.QueryAsync(TableFilter.Create($"PartitionKey eq {"tx"}")));
        Assert.Equal(["existing", "new", "upserted"], rows.Select(r => r.RowKey));
        Assert.Equal(2, rows[0]["V"]);
    }

    [Fact]
    public async Task A_failing_action_rolls_back_the_whole_transaction()
    {
        await _table.AddEntityAsync(new TableEntity("rb", "taken") { { "V", "original" } });

        var ex = await Assert.ThrowsAsync<TableTransactionFailedException>(() => _table.SubmitTransactionAsync([
            TableTransactionAction.Add(new TableEntity("rb", "first")),
            TableTransactionAction.Add(new TableEntity("rb", "second")),
            TableTransactionAction.Add(new TableEntity("rb", "taken") { { "V", "overwritten" } }),
        ]));

        Assert.Equal(2, ex.FailedActionIndex);
        Assert.Equal(409, ex.Status);
        var rows = await ToListAsync(_table.QueryAsync(TableFilter.Create($"PartitionKey eq {"rb"}")));
        Assert.Equal(["taken"], rows.Select(r => r.RowKey));
        Assert.Equal("original", rows[0]["V"]);
    }

    [Fact]
    public async Task A_stale_etag_inside_a_transaction_rolls_it_back()
    {
        // Azurite once ignored If-Match inside batches (Azurite #1233); the pinned version must honour it.
        var entity = new TableEntity("rb-etag", "guarded") { { "V", 1 } };
        await _table.AddEntityAsync(entity);
        var stale = entity.ETag;
        await _table.UpdateEntityAsync(new TableEntity("rb-etag", "guarded") { { "V", 2 } }, ETag.All);

        var ex = await Assert.ThrowsAsync<TableTransactionFailedException>(() => _table.SubmitTransactionAsync([
            TableTransactionAction.Add(new TableEntity("rb-etag", "claim")),
            TableTransactionAction.Update(new TableEntity("rb-etag", "guarded") { { "V", 3 } }, ifMatch: stale),
        ]));

        Assert.Equal(412, ex.Status);
        Assert.Equal(1, ex.FailedActionIndex);
        Assert.False((await _table.GetEntityIfExistsAsync("rb-etag", "claim")).HasValue);
        Assert.Equal(2, (await _table.GetEntityIfExistsAsync("rb-etag", "guarded")).Value!["V"]);
    }

    [Fact]
    public async Task Transactions_that_break_the_service_rules_are_refused_before_sending()
    {
        var tooMany = Enumerable.Range(0, 101).Select(i => TableTransactionAction.Add(new TableEntity("p", i.ToString()))).ToList();
        var mixed = new List<TableTransactionAction> { TableTransactionAction.Add(new TableEntity("a", "1")), TableTransactionAction.Add(new TableEntity("b", "1")) };
        var twice = new List<TableTransactionAction> { TableTransactionAction.Add(new TableEntity("a", "1")), TableTransactionAction.Delete(new TableEntity("a", "1")) };

        Assert.Contains("1 to 100", (await Assert.ThrowsAsync<ArgumentException>(() => _table.SubmitTransactionAsync(tooMany))).Message);
        Assert.Contains("one PartitionKey", (await Assert.ThrowsAsync<ArgumentException>(() => _table.SubmitTransactionAsync(mixed))).Message);
        Assert.Contains("twice", (await Assert.ThrowsAsync<ArgumentException>(() => _table.SubmitTransactionAsync(twice))).Message);
    }

    [Fact]
    public async Task A_point_read_of_a_missing_entity_has_no_value_but_a_missing_table_throws()
    {
        Assert.False((await _table.GetEntityIfExistsAsync("nobody", "here")).HasValue);

        var missing = _account.GetTableClient(Azurite.UniqueName("Missing"));
        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => missing.GetEntityIfExistsAsync("p", "r"));
        Assert.Equal(404, ex.Status);
        Assert.Equal("TableNotFound", ex.ErrorCode);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }
        return list;
    }
}
