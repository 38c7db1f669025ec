namespace Showcase.Data;

/// <summary>Imports the supplier's nightly catalog file and screens it against discontinued products.</summary>
public sealed class CatalogImportService
{
    private readonly List<string> _discontinuedSkus;
    private readonly string[] _blockedSuppliers;

    public CatalogImportService(IEnumerable<string> discontinuedSkus, IEnumerable<string> blockedSuppliers)
    {
        _discontinuedSkus = discontinuedSkus.ToList();
        _blockedSuppliers = blockedSuppliers.ToArray();
    }

    public async Task<List<string>> ImportAsync(string path, CancellationToken cancellationToken)
    {
        var accepted = new List<string>();
        // showcase-marker: AP5004 the whole catalog file is loaded only to be read line by line
        foreach (var line in await File.ReadAllLinesAsync(path, cancellationToken))
        {
            var columns = line.Split(',');
            // showcase-marker: AP5001 every line searches the discontinued list from the start
            if (!_discontinuedSkus.Contains(columns[0]))
            {
                accepted.Add(columns[0]);
            }
        }

        return accepted;
    }

    public int CountFromBlockedSuppliers(IEnumerable<string> suppliers)
    {
        // showcase-marker: AP5001 a linear search of the blocked list for every supplier
        var blocked = suppliers.Count(s => Array.IndexOf(_blockedSuppliers, s) >= 0);
        return blocked;
    }

    public int CountRows(string path)
    {
        var rows = 0;
        // showcase-marker: AP5004 File.ReadAllLines holds every row in memory for one pass
        foreach (var line in File.ReadAllLines(path))
        {
            if (line.Length > 0)
            {
                rows++;
            }
        }

        return rows;
    }
}
