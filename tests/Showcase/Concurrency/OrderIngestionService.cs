using System.Threading.Channels;

namespace Showcase.Concurrency;

/// <summary>Accepts orders from the web tier and saves them in the background, one at a time.</summary>
public sealed class OrderIngestionService
{
    // showcase-marker: AP1003 orders pile up in memory when the database is slower than the web tier
    private readonly Channel<string> _pending = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Func<string, CancellationToken, Task> _save;

    public OrderIngestionService(Func<string, CancellationToken, Task> save) => _save = save;

    public ValueTask AcceptAsync(string orderJson, CancellationToken cancellationToken) =>
        _pending.Writer.WriteAsync(orderJson, cancellationToken);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var order in _pending.Reader.ReadAllAsync(cancellationToken))
        {
            await _save(order, cancellationToken);
        }
    }
}
