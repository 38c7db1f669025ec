using Microsoft.CodeAnalysis;

namespace AsyncPerf;

/// <summary>The catalog of every rule the package reports. rules.md is generated from it (see the Meta tests).</summary>
internal static class Descriptors
{
    public const string HelpLinkBase = "https://github.com/asyncperf/asyncperf/blob/main/docs/rules/";

    public static readonly DiagnosticDescriptor UnboundedFanOut = Create(
        DiagnosticIds.UnboundedFanOut, Categories.Concurrency, DiagnosticSeverity.Warning,
        "Unbounded fan-out: one concurrent task per item",
        "Throttle the tasks started here, one per '{0}' item: run at most {1} at a time with SemaphoreSlim or Parallel.ForEachAsync",
        "Starting one task per element and awaiting them all at once runs as many operations concurrently as the collection has items: 1,000 URLs become 1,000 simultaneous requests, sockets and buffers.");

    public static readonly DiagnosticDescriptor AsyncVoidDelegate = Create(
        DiagnosticIds.AsyncVoidDelegate, Categories.Concurrency, DiagnosticSeverity.Warning,
        "Async lambda passed as a void-returning delegate",
        "Nothing awaits the async lambda passed to '{0}': {1}",
        "An async lambda converted to Action or Action<T> is async void: the caller returns at once, nothing observes completion, and an exception is rethrown on the thread pool where it terminates the process.");

    public static readonly DiagnosticDescriptor UnboundedQueue = Create(
        DiagnosticIds.UnboundedQueue, Categories.Concurrency, DiagnosticSeverity.Info,
        "Unbounded producer/consumer queue",
        "'{0}' has no bound: a fast producer fills memory instead of slowing down; use a bounded queue (capacity {1}) that makes producers wait",
        "An unbounded channel or BlockingCollection never pushes back on its producers; when they outrun the consumers the queue grows until the process runs out of memory.");

    public static readonly DiagnosticDescriptor SemaphoreReleaseNotInFinally = Create(
        DiagnosticIds.SemaphoreReleaseNotInFinally, Categories.Concurrency, DiagnosticSeverity.Warning,
        "Semaphore acquired without a guaranteed release",
        "Release '{0}' in the finally block of a try that starts right after the acquire: an exception in between leaks the permit and later callers wait forever",
        "A SemaphoreSlim permit released outside finally is lost when the code between acquire and release throws; every later caller then waits forever.");

    public static readonly DiagnosticDescriptor SyncOverAsync = Create(
        DiagnosticIds.SyncOverAsync, Categories.Blocking, DiagnosticSeverity.Warning,
        "Sync-over-async: a thread blocked on an unfinished task",
        "'{0}' blocks a thread until the task finishes; {1}",
        "Blocking on a task holds a thread-pool thread for the whole operation; under load the pool starves and throughput collapses, and with a synchronization context it deadlocks.");

    public static readonly DiagnosticDescriptor BlockingCallInAsyncCode = Create(
        DiagnosticIds.BlockingCallInAsyncCode, Categories.Blocking, DiagnosticSeverity.Warning,
        "Blocking call in async code",
        "'{0}' blocks the thread inside async code; await '{1}' instead",
        "Synchronous I/O or sleeping inside async code holds a thread-pool thread for the whole operation although an awaitable equivalent exists.");

    public static readonly DiagnosticDescriptor CancellationTokenNotForwarded = Create(
        DiagnosticIds.CancellationTokenNotForwarded, Categories.Cancellation, DiagnosticSeverity.Warning,
        "CancellationToken in scope not forwarded",
        "Pass '{0}' to '{1}': without it the call cannot be cancelled",
        "A call that accepts a CancellationToken, made where one is available, but called without it keeps running after the caller gave up.");

    public static readonly DiagnosticDescriptor AsyncApiWithoutCancellationToken = Create(
        DiagnosticIds.AsyncApiWithoutCancellationToken, Categories.Cancellation, DiagnosticSeverity.Info,
        "Async API without a CancellationToken",
        "'{0}' calls cancellable operations but its callers cannot cancel it; add a CancellationToken parameter",
        "A public async method that performs cancellable work but takes no CancellationToken forces every caller to let the work run to completion.");

    public static readonly DiagnosticDescriptor WhenAnyDelayTimeout = Create(
        DiagnosticIds.WhenAnyDelayTimeout, Categories.Cancellation, DiagnosticSeverity.Warning,
        "Timeout by Task.WhenAny with Task.Delay",
        "Use '{0}.WaitAsync(timeout)' for this timeout: with WhenAny the delay's timer keeps running after the work wins, and the work keeps running after the timeout",
        "Task.WhenAny(work, Task.Delay(t)) leaves the timer alive when the work wins and leaves the work running when the timer wins.");

    public static readonly DiagnosticDescriptor InfiniteHttpClientTimeout = Create(
        DiagnosticIds.InfiniteHttpClientTimeout, Categories.Cancellation, DiagnosticSeverity.Info,
        "HttpClient with an infinite timeout",
        "'{0}' gives this HttpClient an infinite timeout: a server that never answers holds the connection forever; set a finite Timeout or cancel each request with CancelAfter",
        "An HttpClient with an infinite timeout waits forever on a server that never answers, holding its connection, buffers and the awaiting caller.");

    public static readonly DiagnosticDescriptor HttpClientPerCall = Create(
        DiagnosticIds.HttpClientPerCall, Categories.Pooling, DiagnosticSeverity.Warning,
        "HttpClient created per call",
        "Reuse one HttpClient instead of creating one per call{0}: each instance opens its own connections and leaves sockets in TIME_WAIT",
        "Each HttpClient has its own connection pool: creating one per call pays DNS, TCP and TLS set-up every time and leaves sockets in TIME_WAIT, which exhausts ports under load.");

    public static readonly DiagnosticDescriptor NoPooledConnectionLifetime = Create(
        DiagnosticIds.NoPooledConnectionLifetime, Categories.Pooling, DiagnosticSeverity.Info,
        "Long-lived HttpClient without PooledConnectionLifetime",
        "Set SocketsHttpHandler.PooledConnectionLifetime on this long-lived HttpClient: otherwise its connections live forever and never see DNS changes",
        "A long-lived HttpClient keeps its pooled connections forever unless PooledConnectionLifetime is set, so it never notices DNS changes.");

    public static readonly DiagnosticDescriptor FileStreamWithoutAsyncMode = Create(
        DiagnosticIds.FileStreamWithoutAsyncMode, Categories.Pooling, DiagnosticSeverity.Info,
        "FileStream used for async I/O without async mode",
        "'{0}' is opened without FileOptions.Asynchronous but used with '{1}': open it with FileOptions.Asynchronous",
        "A FileStream opened in synchronous mode runs each async call as blocking work on the thread pool.");

    public static readonly DiagnosticDescriptor LinearLookupInLoop = Create(
        DiagnosticIds.LinearLookupInLoop, Categories.Memory, DiagnosticSeverity.Warning,
        "Linear lookup inside a loop",
        "'{0}' searches '{1}' linearly on every iteration; use a HashSet for membership checks",
        "A linear search inside a loop makes the loop O(n·m); a HashSet built once makes it O(n+m).");

    public static readonly DiagnosticDescriptor BufferedResponse = Create(
        DiagnosticIds.BufferedResponse, Categories.Memory, DiagnosticSeverity.Warning,
        "Response buffered before it is streamed",
        "'{0}' buffers the whole response body in memory before it is read as a stream; pass HttpCompletionOption.ResponseHeadersRead",
        "Without HttpCompletionOption.ResponseHeadersRead the whole response body is buffered in memory before the caller can stream it.");

    public static readonly DiagnosticDescriptor JsonViaString = Create(
        DiagnosticIds.JsonViaString, Categories.Memory, DiagnosticSeverity.Info,
        "JSON parsed through an intermediate string",
        "'{0}' materialises the JSON as a UTF-16 string first; {1}",
        "Reading a JSON body into a string before parsing it doubles the bytes held in memory; System.Text.Json reads and writes UTF-8 streams directly.");

    public static readonly DiagnosticDescriptor WholeFileForOnePass = Create(
        DiagnosticIds.WholeFileForOnePass, Categories.Memory, DiagnosticSeverity.Info,
        "Whole file loaded to be iterated once",
        "'{0}' loads the whole file to iterate it once; stream the lines with '{1}'",
        "File.ReadAllLines holds every line of the file in memory although the loop needs one at a time.");

    private static DiagnosticDescriptor Create(string id, string category, DiagnosticSeverity severity, string title, string message, string description) =>
        new(id, title, message, category, severity, isEnabledByDefault: true, description, helpLinkUri: HelpLinkBase + id + ".md");
}
