using System.Net.Http;
using System.Text;
using System.Text.Json;

namespace Showcase.Data;

/// <summary>Keeps the local order book in sync with the marketplace API.</summary>
public sealed class OrderSyncService
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNameCaseInsensitive = true };

    private readonly HttpClient _marketplace;

    public OrderSyncService(HttpClient marketplace) => _marketplace = marketplace;

    public async Task<MarketplaceOrder?> GetOrderAsync(int id, CancellationToken cancellationToken)
    {
        using var response = await _marketplace.GetAsync($"orders/{id}", cancellationToken);
        response.EnsureSuccessStatusCode();
        // showcase-marker: AP5003 the body becomes a UTF-16 string before it is parsed
        return JsonSerializer.Deserialize<MarketplaceOrder>(await response.Content.ReadAsStringAsync(cancellationToken), s_json);
    }

    public async Task<List<MarketplaceOrder>> ListOrdersAsync(CancellationToken cancellationToken)
    {
        var json = await _marketplace.GetStringAsync("orders?status=open", cancellationToken);
        // showcase-marker: AP5003 GetStringAsync + Deserialize instead of GetFromJsonAsync
        return JsonSerializer.Deserialize<List<MarketplaceOrder>>(json, s_json) ?? new List<MarketplaceOrder>();
    }

    public async Task ConfirmAsync(MarketplaceOrder order, CancellationToken cancellationToken)
    {
        // showcase-marker: AP5003 the request body is serialized to a string, then encoded to UTF-8
        using var content = new StringContent(JsonSerializer.Serialize(order, s_json), Encoding.UTF8, "application/json");
        using var response = await _marketplace.PostAsync($"orders/{order.Id}/confirm", content, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}

public sealed record MarketplaceOrder(int Id, string Customer, decimal Total);
