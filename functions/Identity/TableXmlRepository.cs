using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Parley.Functions.Storage;
using Azure.Data.Tables;

namespace Parley.Functions.Identity;

/// <summary>
/// Data-protection keys (which sign and encrypt session cookies) in Table Storage, so sessions survive
/// restarts and every instance of a scaled-out app reads the same key ring. Storage encrypts them at rest.
/// The interface is synchronous; the key ring is read rarely and cached by ASP.NET Core.
/// </summary>
public sealed class TableXmlRepository(StorageAccount storage) : IXmlRepository
{
    public const string TableName = "DataProtectionKeys";
    private const string Partition = "keys";
    private readonly TableClient _table = storage.GetTableClient(TableName);

    public IReadOnlyCollection<XElement> GetAllElements() => GetAllElementsAsync().GetAwaiter().GetResult();

    public void StoreElement(XElement element, string friendlyName) =>
        _table.UpsertEntityAsync(new TableEntity(Partition, Sanitize(friendlyName)) { { "Xml", element.ToString(SaveOptions.DisableFormatting) } }, TableUpdateMode.Replace)
            .GetAwaiter().GetResult();

    private async Task<IReadOnlyCollection<XElement>> GetAllElementsAsync()
    {
        var elements = new List<XElement>();
        await foreach (var e in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}")).ConfigureAwait(false))
        {
            elements.Add(XElement.Parse(e.GetString("Xml")!));
        }
        return elements;
    }

    private static string Sanitize(string name) => new(name.Select(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c) ? '-' : c).ToArray());
}
