using System.Net.Http;

namespace Showcase.Data;

/// <summary>Downloads the nightly order exports (tens of megabytes each) from the warehouse API.</summary>
public sealed class ExportDownloadService
{
    private readonly HttpClient _warehouse;

    public ExportDownloadService(HttpClient warehouse) => _warehouse = warehouse;

    public async Task CopyExportAsync(string exportId, Stream destination, CancellationToken cancellationToken)
    {
        // showcase-marker: AP5002 the whole export is buffered in memory before it is copied
        var response = await _warehouse.GetAsync($"exports/{exportId}", cancellationToken);
        response.EnsureSuccessStatusCode();
        await response.Content.CopyToAsync(destination, cancellationToken);
    }

    public async Task<long> CountBytesAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // showcase-marker: AP5002 SendAsync buffers the body although it is only read as a stream
        using var response = await _warehouse.SendAsync(request, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
        }

        return total;
    }
}
