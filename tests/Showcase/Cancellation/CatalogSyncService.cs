using System.Net.Http;

namespace Showcase.Cancellation;

/// <summary>Synchronizes the product catalog with the supplier's API.</summary>
public sealed class CatalogSyncService
{
    private readonly HttpClient _supplier;

    public CatalogSyncService(HttpClient supplier) => _supplier = supplier;

    public async Task<int> SyncAsync(IReadOnlyList<string> skus, IAsyncEnumerable<string> changes, CancellationToken cancellationToken)
    {
        var updated = 0;
        await Parallel.ForEachAsync(skus, cancellationToken, async (sku, token) =>
        {
            // showcase-marker: AP3001 the outer token inside a lambda that receives its own
            var product = await _supplier.GetStringAsync($"/products/{sku}", cancellationToken);
            if (product.Length > 0)
            {
                Interlocked.Increment(ref updated);
            }
        });

        // showcase-marker: AP3001 the back-off delay ignores cancellation
        await Task.Delay(TimeSpan.FromMilliseconds(200));

        // showcase-marker: AP3001 await foreach without WithCancellation
        await foreach (var change in changes)
        {
            updated += change.Length > 0 ? 1 : 0;
        }

        return updated;
    }

    // showcase-marker: AP3002 callers cannot cancel a full catalog download
    public async Task<string> DownloadCatalogAsync(string region)
    {
        using var response = await _supplier.GetAsync($"/catalog/{region}");
        return await response.Content.ReadAsStringAsync();
    }
}
