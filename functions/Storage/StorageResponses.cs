using Azure;

namespace Parley.Functions.Storage;

/// <summary>Concrete <see cref="NullableResponse{T}"/> for point reads that may find nothing.</summary>
internal sealed class StorageNullableResponse<T>(Response raw, T? value) : NullableResponse<T>
{
    public override bool HasValue => value is not null;
    public override T? Value => value;
    public override Response GetRawResponse() => raw;
}

/// <summary>An <see cref="AsyncPageable{T}"/> over a continuation-driven page function.</summary>
internal sealed class StorageAsyncPageable<T>(Func<string?, int?, CancellationToken, Task<Page<T>>> fetchPage, CancellationToken cancellationToken)
    : AsyncPageable<T>(cancellationToken) where T : notnull
{
    public override async IAsyncEnumerable<Page<T>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
    {
        var token = continuationToken;
        do
        {
            var page = await fetchPage(token, pageSizeHint, CancellationToken).ConfigureAwait(false);
            yield return page;
            token = page.ContinuationToken;
        }
        while (token is not null);
    }
}
