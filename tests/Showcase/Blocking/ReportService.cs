using System.Net.Http;

namespace Showcase.Blocking;

/// <summary>Builds the nightly sales report from the pricing service.</summary>
public sealed class ReportService
{
    private readonly HttpClient _pricing;

    public ReportService(HttpClient pricing) => _pricing = pricing;

    // AP2001: .Result blocks a thread-pool thread until the HTTP call finishes.
    public async Task<int> CountPriceLinesAsync(string sku)
    {
        // showcase-marker: AP2001 keep this comment
        var body = _pricing.GetStringAsync($"/prices/{sku}").Result;
        await Task.Yield();
        return body.Split('\n').Length;
    }

    public async Task<int> CountHeaderFieldsAsync(string sku)
    {
        var header = LoadHeader(sku);
        await Task.Yield();
        return header.Split(',').Length;
    }

    // showcase-marker: AP2001 the private helper becomes LoadHeaderAsync and its caller awaits it
    private string LoadHeader(string sku) => _pricing.GetStringAsync($"/prices/{sku}/header").Result;

    // showcase-marker: AP2001 no-fix: Wait() inside a synchronous public API is reported without a fix.
    public void RefreshPrices() => _pricing.GetAsync("/prices/refresh").Wait();
}
