namespace Showcase.Concurrency;

/// <summary>Renders and e-mails the month's invoices, and keeps a background sender loop running.</summary>
public sealed class InvoiceDispatchService
{
    private readonly Func<string, CancellationToken, Task> _render;
    private readonly Func<string, Task> _email;
    private Task? _senderLoop;

    public InvoiceDispatchService(Func<string, CancellationToken, Task> render, Func<string, Task> email)
    {
        _render = render;
        _email = email;
    }

    public async Task DispatchAsync(List<string> invoiceIds, CancellationToken cancellationToken)
    {
        // showcase-marker: AP1002 Parallel.ForEach returns before any invoice is rendered
        Parallel.ForEach(invoiceIds, async id => await _render(id, cancellationToken));

        // showcase-marker: AP1002 ForEach does not wait for the e-mails, and one failure kills the process
        invoiceIds.ForEach(async id => await _email(id));
    }

    public void StartSender(Func<Task> pump)
    {
        // showcase-marker: AP1002 the outer task completes at the pump's first await
        _senderLoop = Task.Factory.StartNew(async () => await pump());
    }

    public void ResendAll(List<string> invoiceIds)
    {
        // showcase-marker: AP1002 no-fix a synchronous method cannot await the loop
        invoiceIds.ForEach(async id => await _email(id));
    }

    public Task? SenderLoop => _senderLoop;
}
