using System.Collections;
using Azure;

namespace Parley.Functions.Storage.Tables;

/// <summary>
/// A Table Storage entity: keys, system properties and typed custom properties. Values may be
/// string, int, long, double, bool, DateTimeOffset (DateTime is converted to UTC), Guid or byte[];
/// setting null removes the property.
/// </summary>
public sealed class TableEntity : IEnumerable<KeyValuePair<string, object>>
{
    private readonly Dictionary<string, object> _properties = new(StringComparer.Ordinal);

    public TableEntity(string partitionKey, string rowKey)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    public string PartitionKey { get; set; }
    public string RowKey { get; set; }

    /// <summary>Set by the service; ignored on writes.</summary>
    public DateTimeOffset? Timestamp { get; set; }

    /// <summary>The entity's version as last read or written; pass it to conditional updates.</summary>
    public ETag ETag { get; set; }

    public int Count => _properties.Count;

    public IEnumerable<string> Keys => _properties.Keys;

    public object? this[string name]
    {
        get => _properties.TryGetValue(name, out var v) ? v : null;
        set
        {
            if (value is null)
            {
                _properties.Remove(name);
                return;
            }
            _properties[name] = Normalize(name, value);
        }
    }

    public bool ContainsKey(string name) => _properties.ContainsKey(name);

    public bool Remove(string name) => _properties.Remove(name);

    public string? GetString(string name) => this[name] as string;

    public int? GetInt32(string name) => this[name] switch
    {
        null => null,
        int i => i,
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        var other => throw TypeMismatch(name, other, "Int32"),
    };

    public long? GetInt64(string name) => this[name] switch
    {
        null => null,
        long l => l,
        int i => i,
        var other => throw TypeMismatch(name, other, "Int64"),
    };

    public double? GetDouble(string name) => this[name] switch
    {
        null => null,
        double d => d,
        int i => i,
        long l => l,
        var other => throw TypeMismatch(name, other, "Double"),
    };

    public bool? GetBoolean(string name) => this[name] switch
    {
        null => null,
        bool b => b,
        var other => throw TypeMismatch(name, other, "Boolean"),
    };

    public DateTimeOffset? GetDateTimeOffset(string name) => this[name] switch
    {
        null => null,
        DateTimeOffset d => d,
        var other => throw TypeMismatch(name, other, "DateTime"),
    };

    public Guid? GetGuid(string name) => this[name] switch
    {
        null => null,
        Guid g => g,
        var other => throw TypeMismatch(name, other, "Guid"),
    };

    public byte[]? GetBinary(string name) => this[name] switch
    {
        null => null,
        byte[] b => b,
        var other => throw TypeMismatch(name, other, "Binary"),
    };

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => _properties.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Collection-initializer support: <c>new TableEntity(pk, rk) { { "Name", "x" } }</c>.</summary>
    public void Add(string name, object? value) => this[name] = value;

    private static object Normalize(string name, object value)
    {
        if (name is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")
        {
            throw new ArgumentException($"'{name}' is a system property; use the {name} property of the entity.", nameof(name));
        }
        return value switch
        {
            string or int or long or double or bool or Guid or byte[] or DateTimeOffset => value,
            DateTime dt => new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt.ToUniversalTime()),
            _ => throw new ArgumentException($"Property '{name}' has type {value.GetType().Name}, which Table Storage cannot store.", nameof(value)),
        };
    }

    private static InvalidOperationException TypeMismatch(string name, object value, string expected) =>
        new($"Property '{name}' holds a {value.GetType().Name}, not {expected}.");
}
