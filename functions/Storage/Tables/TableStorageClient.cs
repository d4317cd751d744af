using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Parley.Functions.Storage.Tables;

/// <summary>
/// A typed client for one table over the Table REST API: the shape of Azure.Data.Tables' TableClient in
/// miniature (request factories, one pipeline, RequestFailedException with the service error code,
/// Response/NullableResponse, AsyncPageable driven by continuation headers).
/// </summary>
public sealed partial class TableStorageClient
{
    private const string ServiceVersion = "2019-02-02";
    private const string JsonMinimal = "application/json;odata=minimalmetadata";
    private const string JsonNoMetadata = "application/json;odata=nometadata";
    private static readonly RequestMethod Merge = new("MERGE");

    private readonly HttpPipeline _pipeline;
    private readonly string _serviceUrl;

    internal TableStorageClient(StorageAccount account, string tableName)
    {
        if (!TableNameRegex().IsMatch(tableName) || string.Equals(tableName, "tables", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{tableName}' is not a valid table name (3–63 letters and digits, starting with a letter).", nameof(tableName));
        }
        _pipeline = account.TablePipeline;
        _serviceUrl = account.Connection.TableEndpoint.AbsoluteUri.TrimEnd('/');
        Name = tableName;
    }

    public string Name { get; }

    /// <summary>Creates the table; an existing table is fine.</summary>
    public async Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Post, $"{_serviceUrl}/Tables");
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        message.Request.Headers.SetValue("Content-Type", JsonNoMetadata);
        message.Request.Content = RequestContent.Create(JsonSerializer.SerializeToUtf8Bytes(new { TableName = Name }));
        var response = await SendAsync(message, cancellationToken, allow: 409).ConfigureAwait(false);
        if (response.Status == 409)
        {
            var error = new RequestFailedException(response);
            if (error.ErrorCode != "TableAlreadyExists")
            {
                throw error;
            }
            return false;
        }
        return true;
    }

    /// <summary>Deletes the table and everything in it; a missing table is fine.</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, $"{_serviceUrl}/Tables('{EscapeKey(Name)}')");
        await SendAsync(message, cancellationToken, allow: 404).ConfigureAwait(false);
    }

    /// <summary>Inserts a new entity; 409 EntityAlreadyExists when the keys are taken. Sets <see cref="TableEntity.ETag"/>.</summary>
    public async Task<Response> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        ValidateKeys(entity.PartitionKey, entity.RowKey);
        using var message = CreateMessage(RequestMethod.Post, $"{_serviceUrl}/{Name}");
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        SetEntityContent(message, entity);
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        entity.ETag = ReadETag(response);
        return response;
    }

    /// <summary>
    /// Inserts the entity unless its keys are taken; returns what is stored either way (the inserted entity with its
    /// ETag, or the existing one) and whether this call inserted it. The idempotent "create once" of workflow records.
    /// </summary>
    public async Task<(TableEntity Entity, bool Created)> AddOrGetAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        try
        {
            await AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return (entity, true);
        }
        catch (RequestFailedException ex) when (ex.IsAlreadyExists())
        {
            var existing = (await GetEntityIfExistsAsync(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false)).Value
                ?? throw new InvalidOperationException($"{Name} row {entity.RowKey} existed and then vanished.", ex);
            return (existing, false);
        }
    }

    /// <summary>Inserts or merges/replaces without a condition.</summary>
    public async Task<Response> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        ValidateKeys(entity.PartitionKey, entity.RowKey);
        using var message = CreateMessage(mode == TableUpdateMode.Merge ? Merge : RequestMethod.Put, EntityUrl(entity.PartitionKey, entity.RowKey));
        SetEntityContent(message, entity);
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        entity.ETag = ReadETag(response);
        return response;
    }

    /// <summary>
    /// Updates an existing entity if it still has <paramref name="ifMatch"/> (use <see cref="ETag.All"/> for
    /// unconditional). A stale ETag throws <see cref="RequestFailedException"/> with status 412 — see
    /// <see cref="StorageErrors.IsConditionFailed"/>; a missing entity throws 404.
    /// </summary>
    public async Task<Response> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        ValidateKeys(entity.PartitionKey, entity.RowKey);
        if (ifMatch == default)
        {
            throw new ArgumentException("An update needs the ETag the entity was read with, or ETag.All.", nameof(ifMatch));
        }
        using var message = CreateMessage(mode == TableUpdateMode.Merge ? Merge : RequestMethod.Put, EntityUrl(entity.PartitionKey, entity.RowKey));
        message.Request.Headers.SetValue("If-Match", ifMatch.ToString());
        SetEntityContent(message, entity);
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        entity.ETag = ReadETag(response);
        return response;
    }

    /// <summary>Deletes an entity (conditionally when <paramref name="ifMatch"/> is given). A missing entity is not an error.</summary>
    public async Task<Response> DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch = default, CancellationToken cancellationToken = default)
    {
        ValidateKeys(partitionKey, rowKey);
        using var message = CreateMessage(RequestMethod.Delete, EntityUrl(partitionKey, rowKey));
        message.Request.Headers.SetValue("If-Match", ifMatch == default ? ETag.All.ToString() : ifMatch.ToString());
        return await SendAsync(message, cancellationToken, allow: 404).ConfigureAwait(false);
    }

    /// <summary>Point read; no value when the entity does not exist.</summary>
    public async Task<NullableResponse<TableEntity>> GetEntityIfExistsAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        ValidateKeys(partitionKey, rowKey);
        using var message = CreateMessage(RequestMethod.Get, EntityUrl(partitionKey, rowKey));
        if (select is not null)
        {
            message.Request.Uri.AppendQuery("$select", string.Join(",", select));
        }
        var response = await SendAsync(message, cancellationToken, allow: 404).ConfigureAwait(false);
        if (response.Status == 404)
        {
            var error = new RequestFailedException(response);
            if (error.ErrorCode == "TableNotFound")
            {
                throw error;
            }
            return new StorageNullableResponse<TableEntity>(response, null);
        }
        using var doc = JsonDocument.Parse(response.Content.ToMemory());
        var entity = TableEntityJson.Read(doc.RootElement);
        if (response.Headers.ETag is { } etag)
        {
            entity.ETag = etag;
        }
        return new StorageNullableResponse<TableEntity>(response, entity);
    }

    /// <summary>
    /// Queries entities. Build <paramref name="filter"/> with <see cref="TableFilter.Create"/>;
    /// <paramref name="maxPerPage"/> is per page (≤1,000), the pageable follows continuations to the end.
    /// </summary>
    public AsyncPageable<TableEntity> QueryAsync(string? filter = null, IEnumerable<string>? select = null, int? maxPerPage = null, CancellationToken cancellationToken = default)
    {
        var selectList = select is null ? null : string.Join(",", select);
        return new StorageAsyncPageable<TableEntity>((token, hint, ct) => QueryPageAsync(filter, selectList, hint ?? maxPerPage, token, ct), cancellationToken);
    }

    private async Task<Page<TableEntity>> QueryPageAsync(string? filter, string? select, int? top, string? continuation, CancellationToken cancellationToken)
    {
        using var message = CreateMessage(RequestMethod.Get, $"{_serviceUrl}/{Name}()");
        var uri = message.Request.Uri;
        if (!string.IsNullOrEmpty(filter))
        {
            uri.AppendQuery("$filter", filter);
        }
        if (select is not null)
        {
            uri.AppendQuery("$select", select);
        }
        if (top is { } t)
        {
            uri.AppendQuery("$top", Math.Clamp(t, 1, 1000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (continuation is not null)
        {
            var parts = continuation.Split('\n');
            uri.AppendQuery("NextPartitionKey", parts[0]);
            if (parts.Length > 1 && parts[1].Length > 0)
            {
                uri.AppendQuery("NextRowKey", parts[1]);
            }
        }
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        var items = new List<TableEntity>();
        using (var doc = JsonDocument.Parse(response.Content.ToMemory()))
        {
            foreach (var element in doc.RootElement.GetProperty("value").EnumerateArray())
            {
                items.Add(TableEntityJson.Read(element));
            }
        }
        string? next = null;
        if (response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var npk) && !string.IsNullOrEmpty(npk))
        {
            response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var nrk);
            next = npk + "\n" + nrk;
        }
        return Page<TableEntity>.FromValues(items, next, response);
    }

    /// <summary>
    /// Runs up to 100 operations on one partition atomically (entity-group transaction). If any fails,
    /// none is applied and <see cref="TableTransactionFailedException"/> names the failing action.
    /// On success each entity's ETag is updated.
    /// </summary>
    public async Task<Response<IReadOnlyList<Response>>> SubmitTransactionAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        TableTransaction.Validate(actions);
        foreach (var action in actions)
        {
            ValidateKeys(action.Entity.PartitionKey, action.Entity.RowKey);
        }
        using var message = CreateMessage(RequestMethod.Post, $"{_serviceUrl}/$batch");
        var batch = new TableTransaction(_serviceUrl, Name, actions);
        message.Request.Headers.SetValue("Content-Type", batch.ContentType);
        message.Request.Headers.SetValue("Accept", "application/json");
        message.Request.Content = RequestContent.Create(batch.Body);
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        var results = TableTransaction.ParseResponse(response, actions);
        return Response.FromValue(results, response);
    }

    internal string EntityUrl(string partitionKey, string rowKey) =>
        $"{_serviceUrl}/{Name}(PartitionKey='{EscapeKey(partitionKey)}',RowKey='{EscapeKey(rowKey)}')";

    internal static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    private HttpMessage CreateMessage(RequestMethod method, string url)
    {
        var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(new Uri(url));
        request.Headers.SetValue("x-ms-version", ServiceVersion);
        request.Headers.SetValue("DataServiceVersion", "3.0");
        request.Headers.SetValue("MaxDataServiceVersion", "3.0;NetFx");
        request.Headers.SetValue("Accept", JsonMinimal);
        return message;
    }

    private static void SetEntityContent(HttpMessage message, TableEntity entity)
    {
        message.Request.Headers.SetValue("Content-Type", JsonNoMetadata);
        message.Request.Content = RequestContent.Create(TableEntityJson.Serialize(entity));
    }

    private Task<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken, int allow = 0) =>
        _pipeline.SendCheckedAsync(message, cancellationToken, allow);

    private static ETag ReadETag(Response response) => response.Headers.ETag ?? default;

    /// <summary>Keys may not contain '/', '\', '#', '?' or control characters (Table service data model).</summary>
    internal static void ValidateKeys(string partitionKey, string rowKey)
    {
        ValidateKey(partitionKey, "PartitionKey");
        ValidateKey(rowKey, "RowKey");
    }

    private static void ValidateKey(string key, string name)
    {
        ArgumentNullException.ThrowIfNull(key, name);
        if (Encoding.UTF8.GetByteCount(key) > 1024)
        {
            throw new ArgumentException($"{name} is longer than 1 KiB.", name);
        }
        foreach (var c in key)
        {
            if (c is '/' or '\\' or '#' or '?' || char.IsControl(c))
            {
                throw new ArgumentException($"{name} '{key}' contains '{(char.IsControl(c) ? $"U+{(int)c:X4}" : c)}', which Table Storage does not allow in keys.", name);
            }
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableNameRegex();
}
