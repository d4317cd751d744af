using Azure;

namespace Parley.Functions.Storage.Tables;

public enum TableTransactionActionType
{
    Add,
    UpdateMerge,
    UpdateReplace,
    UpsertMerge,
    UpsertReplace,
    Delete,
}

/// <summary>One operation of an entity-group transaction. Updates and deletes use <paramref name="ETag"/> (default: unconditional).</summary>
public sealed record TableTransactionAction(TableTransactionActionType ActionType, TableEntity Entity, ETag ETag = default)
{
    public static TableTransactionAction Add(TableEntity entity) => new(TableTransactionActionType.Add, entity);
    public static TableTransactionAction Delete(TableEntity entity, ETag? ifMatch = null) => new(TableTransactionActionType.Delete, entity, ifMatch ?? entity.ETag);
    public static TableTransactionAction Update(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge, ETag? ifMatch = null) =>
        new(mode == TableUpdateMode.Merge ? TableTransactionActionType.UpdateMerge : TableTransactionActionType.UpdateReplace, entity, ifMatch ?? entity.ETag);
    public static TableTransactionAction Upsert(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge) =>
        new(mode == TableUpdateMode.Merge ? TableTransactionActionType.UpsertMerge : TableTransactionActionType.UpsertReplace, entity);
}
