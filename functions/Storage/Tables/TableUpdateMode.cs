namespace Parley.Functions.Storage.Tables;

/// <summary>Merge keeps properties the request does not name; Replace drops them.</summary>
public enum TableUpdateMode
{
    Merge,
    Replace,
}
