using System.Net.Http;

namespace Showcase.Concurrency;

/// <summary>Refreshes product prices and stock levels from the supplier's API.</summary>
public sealed class CatalogSyncService
{
    private readonly HttpClient _supplier;

    public CatalogSyncService(HttpClient supplier) => _supplier = supplier;

    public async Task<string[]> FetchPricesAsync(IReadOnlyList<string> skus, CancellationToken cancellationToken)
    {
        // showcase-marker: AP1001 one request per SKU, all at once: 20,000 SKUs open 20,000 connections
        var prices = await Task.WhenAll(skus.Select(sku => _supplier.GetStringAsync($"prices/{sku}", cancellationToken)));
        return prices;
    }

    public async Task PushStockAsync(IEnumerable<string> skus, CancellationToken cancellationToken)
    {
        var updates = new List<Task<HttpResponseMessage>>();
        foreach (var sku in skus)
        {
            updates.Add(_supplier.PostAsync($"stock/{sku}/refresh", content: null, cancellationToken));
        }

        // showcase-marker: AP1001 a list filled in a loop, then awaited all at once
        await Task.WhenAll(updates);
    }
}
