using Azure;

namespace Parley.Functions.Storage;

/// <summary>Names for the storage failures callers handle on purpose.</summary>
public static class StorageErrors
{
    /// <summary>An If-Match condition failed: someone else changed the entity since it was read (412).</summary>
    public static bool IsConditionFailed(this RequestFailedException ex) => ex.Status == 412;

    /// <summary>An insert hit existing keys (409 EntityAlreadyExists).</summary>
    public static bool IsAlreadyExists(this RequestFailedException ex) => ex.Status == 409 && ex.ErrorCode is "EntityAlreadyExists" or null;

    public static bool IsNotFound(this RequestFailedException ex) => ex.Status == 404;
}
