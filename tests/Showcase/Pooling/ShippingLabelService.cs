using System.Net.Http;

namespace Showcase.Pooling;

/// <summary>Fetches shipping labels from the carrier and archives them next to the order.</summary>
public sealed class ShippingLabelService
{
    // showcase-marker: AP4002 a process-wide client whose connections never see DNS changes
    private static readonly HttpClient s_carrier = new HttpClient { BaseAddress = new Uri("https://carrier.example.com/") };

    private readonly string _archiveDirectory;

    public ShippingLabelService(string archiveDirectory) => _archiveDirectory = archiveDirectory;

    public async Task<string> TrackAsync(string parcelId, CancellationToken cancellationToken)
    {
        // showcase-marker: AP4001 a new client (and connection) for every tracking request
        using var http = new HttpClient();
        return await http.GetStringAsync($"https://tracking.example.com/parcels/{parcelId}", cancellationToken);
    }

    public async Task<string> ArchiveLabelAsync(string orderId, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_archiveDirectory, orderId + ".pdf");
        // showcase-marker: AP5002 the whole label is buffered before it is copied to the file
        using var response = await s_carrier.GetAsync($"labels/{orderId}", cancellationToken);
        // showcase-marker: AP4003 the label is copied asynchronously into a stream opened in synchronous mode
        using var file = File.Create(path);
        await response.Content.CopyToAsync(file, cancellationToken);
        return path;
    }
}
