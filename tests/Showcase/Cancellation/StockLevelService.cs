namespace Showcase.Cancellation;

/// <summary>Asks the warehouse for stock levels, but never lets a slow warehouse hold up the storefront.</summary>
public sealed class StockLevelService
{
    private readonly Func<string, CancellationToken, Task<int>> _queryWarehouse;

    public StockLevelService(Func<string, CancellationToken, Task<int>> queryWarehouse) => _queryWarehouse = queryWarehouse;

    public async Task<int?> GetStockAsync(string sku, CancellationToken cancellationToken)
    {
        var query = _queryWarehouse(sku, cancellationToken);
        // showcase-marker: AP3003 a 2-second timeout whose timer outlives every fast answer
        if (await Task.WhenAny(query, Task.Delay(2000, cancellationToken)) == query)
        {
            return await query;
        }

        return null;
    }

    public async Task<bool> ReserveAsync(string sku, int quantity, Func<string, int, Task> reserve)
    {
        var reservation = reserve(sku, quantity);
        var deadline = Task.Delay(TimeSpan.FromSeconds(5));
        // showcase-marker: AP3003 the winner is compared with the deadline
        var winner = await Task.WhenAny(reservation, deadline);
        if (winner == deadline)
        {
            return false;
        }

        await reservation;
        return true;
    }
}
