using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Azure;

namespace Parley.Functions.Storage.Tables;

/// <summary>
/// The Table service's JSON entity format. Types JSON cannot express exactly (Int64, Double, DateTime,
/// Guid, Binary) carry an <c>@odata.type</c> annotation on write; reads use minimalmetadata so the
/// service returns those annotations and every type round-trips.
/// </summary>
internal static class TableEntityJson
{
    public static byte[] Serialize(TableEntity entity)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, entity);
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(Utf8JsonWriter writer, TableEntity entity)
    {
        writer.WriteStartObject();
        writer.WriteString("PartitionKey", entity.PartitionKey);
        writer.WriteString("RowKey", entity.RowKey);
        foreach (var (name, value) in entity)
        {
            switch (value)
            {
                case string s:
                    writer.WriteString(name, s);
                    break;
                case int i:
                    writer.WriteNumber(name, i);
                    break;
                case long l:
                    writer.WriteString(name, l.ToString(CultureInfo.InvariantCulture));
                    writer.WriteString(name + "@odata.type", "Edm.Int64");
                    break;
                case double d:
                    if (double.IsFinite(d))
                    {
                        writer.WriteNumber(name, d);
                    }
                    else
                    {
                        writer.WriteString(name, double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                    }
                    writer.WriteString(name + "@odata.type", "Edm.Double");
                    break;
                case bool b:
                    writer.WriteBoolean(name, b);
                    break;
                case DateTimeOffset dto:
                    writer.WriteString(name, dto.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
                    writer.WriteString(name + "@odata.type", "Edm.DateTime");
                    break;
                case Guid g:
                    writer.WriteString(name, g.ToString("D"));
                    writer.WriteString(name + "@odata.type", "Edm.Guid");
                    break;
                case byte[] bytes:
                    writer.WriteBase64String(name, bytes);
                    writer.WriteString(name + "@odata.type", "Edm.Binary");
                    break;
            }
        }
        writer.WriteEndObject();
    }

    public static TableEntity Read(JsonElement element)
    {
        string? pk = null, rk = null;
        Dictionary<string, string>? types = null;
        foreach (var p in element.EnumerateObject())
        {
            if (p.Name.EndsWith("@odata.type", StringComparison.Ordinal))
            {
                (types ??= new(StringComparer.Ordinal))[p.Name[..^"@odata.type".Length]] = p.Value.GetString() ?? "";
            }
        }

        TableEntity? entity = null;
        var pending = new List<JsonProperty>();
        foreach (var p in element.EnumerateObject())
        {
            switch (p.Name)
            {
                case "PartitionKey": pk = p.Value.GetString(); continue;
                case "RowKey": rk = p.Value.GetString(); continue;
                case "odata.etag":
                case "odata.metadata":
                case "odata.type":
                case "odata.id":
                case "odata.editLink":
                    continue;
            }
            if (p.Name.EndsWith("@odata.type", StringComparison.Ordinal))
            {
                continue;
            }
            pending.Add(p);
        }

        entity = new TableEntity(pk ?? "", rk ?? "");
        if (element.TryGetProperty("odata.etag", out var etag) && etag.GetString() is { } tag)
        {
            entity.ETag = new ETag(tag);
        }
        foreach (var p in pending)
        {
            string? type = null;
            types?.TryGetValue(p.Name, out type);
            var value = ReadValue(p.Value, type);
            if (p.Name == "Timestamp")
            {
                entity.Timestamp = value as DateTimeOffset? ?? ParseDate(p.Value.GetString()!);
                continue;
            }
            entity[p.Name] = value;
        }
        return entity;
    }

    private static object? ReadValue(JsonElement value, string? type)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        switch (type)
        {
            case "Edm.Int64":
                return value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt64();
            case "Edm.Int32":
                return value.ValueKind == JsonValueKind.String ? int.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt32();
            case "Edm.Double":
                return value.ValueKind == JsonValueKind.String ? ParseDouble(value.GetString()!) : value.GetDouble();
            case "Edm.DateTime":
                return ParseDate(value.GetString()!);
            case "Edm.Guid":
                return Guid.Parse(value.GetString()!);
            case "Edm.Binary":
                return value.GetBytesFromBase64();
            case "Edm.Boolean":
                return value.ValueKind == JsonValueKind.String ? bool.Parse(value.GetString()!) : value.GetBoolean();
            case "Edm.String":
                return value.GetString();
        }
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when value.TryGetInt32(out var i) && !value.GetRawText().Contains('.') && !value.GetRawText().Contains('e') && !value.GetRawText().Contains('E') => i,
            JsonValueKind.Number => value.GetDouble(),
            _ => value.GetRawText(),
        };
    }

    private static double ParseDouble(string s) => s switch
    {
        "NaN" => double.NaN,
        "Infinity" or "INF" => double.PositiveInfinity,
        "-Infinity" or "-INF" => double.NegativeInfinity,
        _ => double.Parse(s, CultureInfo.InvariantCulture),
    };

    private static DateTimeOffset ParseDate(string s) =>
        DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
