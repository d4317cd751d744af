using Azure;

namespace Parley.Functions.Storage.Tables;

/// <summary>An entity-group transaction was rejected; nothing in it was applied.</summary>
public sealed class TableTransactionFailedException(int status, string? errorCode, string message, int? failedActionIndex)
    : RequestFailedException(status, message, errorCode, null)
{
    /// <summary>The index of the action that failed, when the service reports it.</summary>
    public int? FailedActionIndex { get; } = failedActionIndex;
}
