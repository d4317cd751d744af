namespace Parley.Functions.Storage;

/// <summary>Storage is misconfigured or unreachable; the message names the setting and is safe to show as is.</summary>
public sealed class StorageConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
