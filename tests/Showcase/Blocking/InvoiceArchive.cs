using System.Text.Json;

namespace Showcase.Blocking;

/// <summary>Archives invoices to disk and waits between export batches.</summary>
public sealed class InvoiceArchive
{
    private readonly string _folder;

    public InvoiceArchive(string folder) => _folder = folder;

    public async Task<int> ArchiveAsync(IReadOnlyList<Invoice> invoices, CancellationToken cancellationToken)
    {
        var written = 0;
        foreach (var invoice in invoices)
        {
            var json = JsonSerializer.Serialize(invoice);
            // showcase-marker: AP2002 keep this comment (File.WriteAllText blocks a pool thread)
            File.WriteAllText(Path.Combine(_folder, invoice.Number + ".json"), json);
            written++;
            if (written % 100 == 0)
            {
                // showcase-marker: AP2002 pause between batches
                Thread.Sleep(250);
            }
        }

        await Task.Yield();
        return written;
    }

    public async Task<Invoice?> LoadAsync(string number)
    {
        await using var file = new FileStream(Path.Combine(_folder, number + ".json"), FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.Asynchronous);
        // showcase-marker: AP2002 deserialize straight from the file
        return JsonSerializer.Deserialize<Invoice>(file);
    }
}

public sealed record Invoice(string Number, decimal Total);
