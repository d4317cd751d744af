namespace Parley.Functions.Durable;

/// <summary>
/// The Durable Task Framework's client serializes inputs and events with Newtonsoft by default, while the
/// Microsoft.DurableTask shims read them with System.Text.Json. This converter makes the client write what the shims
/// read: both sides use <see cref="Microsoft.DurableTask.Converters.JsonDataConverter.Default"/>.
/// </summary>
internal sealed class DurableDataConverter : DurableTask.Core.Serializing.DataConverter
{
    public static readonly DurableDataConverter Instance = new();

    private static readonly Microsoft.DurableTask.Converters.JsonDataConverter Json = Microsoft.DurableTask.Converters.JsonDataConverter.Default;

    public override string Serialize(object value) => Json.Serialize(value)!;

    public override string Serialize(object value, bool formatted) => Json.Serialize(value)!;

    public override object Deserialize(string data, Type objectType) => Json.Deserialize(data, objectType)!;
}
