using System.Net.Http;

namespace Showcase.Cancellation;

/// <summary>Downloads the supplier's price catalog, which can take minutes to generate.</summary>
public sealed class SupplierCatalogClient
{
    private readonly HttpClient _http;

    public SupplierCatalogClient(HttpClient http)
    {
        _http = http;
        // showcase-marker: AP3004 no-fix "the catalog is slow": a supplier that never answers now hangs the import forever
        _http.Timeout = Timeout.InfiniteTimeSpan;
    }

    public async Task<string> DownloadCatalogAsync(string supplierId, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"https://suppliers.example.com/{supplierId}/catalog.csv", cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }
}
