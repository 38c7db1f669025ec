using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using static AsyncPerf.Benchmarks.Fix.Measure;

namespace AsyncPerf.Benchmarks.Fix;

/// <summary>
/// The fix-effect scenarios of the correctness rules (AP1002, AP1004, AP3001/AP3002, AP3004, AP4002): their effect is
/// a count (permits leaked, steps run after a cancellation, requests still pending, connections opened), not a speed.
/// Every scenario is bounded and stops by itself.
/// </summary>
internal static partial class Scenarios
{
    // ------------------------------------------------------------------ AP1004

    private static async Task<ScenarioResult> SemaphoreReleaseAsync(int reps)
    {
        const int Calls = 1000;
        const int Workers = 16;
        const int Permits = 4;
        const int FailEvery = 50; // 2 % of the calls throw after WaitAsync
        var limit = TimeSpan.FromSeconds(3);

        static async Task CallAsync(int i)
        {
            await Task.Yield();
            if (i % FailEvery == FailEvery - 1)
            {
                throw new InvalidOperationException($"call {i} failed");
            }
        }

        async Task Run(Sample s, bool useFinally)
        {
            using var gate = new SemaphoreSlim(Permits);
            using var stop = new CancellationTokenSource(limit);
            int next = -1, completed = 0, failed = 0, waiting = 0;
            async Task WorkerAsync()
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < Calls)
                {
                    try
                    {
                        await gate.WaitAsync(stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        Interlocked.Increment(ref waiting);
                        return;
                    }

                    try
                    {
                        if (useFinally)
                        {
                            try
                            {
                                await CallAsync(i).ConfigureAwait(false);
                            }
                            finally
                            {
                                gate.Release();
                            }
                        }
                        else
                        {
                            await CallAsync(i).ConfigureAwait(false); // AP1004 on purpose: Release is skipped when this throws
                            gate.Release();
                        }

                        Interlocked.Increment(ref completed);
                    }
                    catch (InvalidOperationException)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            }

            await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(WorkerAsync))).ConfigureAwait(false);
            s.Extra["Calls completed"] = completed;
            s.Extra["Calls failed (thrown)"] = failed;
            s.Extra["Calls still waiting at 3 s"] = waiting;
            s.Extra["Calls never started"] = Calls - completed - failed - waiting;
            s.Extra["Permits left (of 4)"] = gate.CurrentCount;
        }

        var variants = await RunVariantsAsync(reps,
            ("await WaitAsync(); call; Release() (before)", s => Run(s, useFinally: false)),
            ("await WaitAsync(); try { call } finally { Release() } (after)", s => Run(s, useFinally: true))).ConfigureAwait(false);
        var (b, a) = (variants[0].Median, variants[1].Median);
        return new ScenarioResult("AP1004", "SemaphoreSlim released without vs with finally",
            $"{Calls:N0} calls by {Workers} concurrent workers through a SemaphoreSlim({Permits}); every {FailEvery}th call (2 %) throws after WaitAsync. The workers give up waiting after {limit.TotalSeconds:F0} s (WaitAsync with a cancellation token); \"still waiting\" = workers blocked in WaitAsync at that moment.",
            variants, new[] { "Calls completed", "Calls failed (thrown)", "Calls still waiting at 3 s", "Calls never started", "Permits left (of 4)", "Wall time" },
            $"with 2 % of 1,000 calls throwing, a SemaphoreSlim(4) released without finally lost a permit per exception: after {b.Extra["Calls failed (thrown)"]:N0} exceptions no permit was left, {b.Extra["Calls still waiting at 3 s"]:N0} workers were still waiting after 3 s and only {b.Extra["Calls completed"]:N0} of 1,000 calls completed, vs {a.Extra["Calls completed"]:N0} completed ({a.Extra["Calls failed (thrown)"]:N0} failed), {a.Extra["Permits left (of 4)"]:N0} of 4 permits left and none waiting with try/finally (wall {Ms(b.WallMs)} vs {Ms(a.WallMs)}).");
    }

    // ------------------------------------------------------------------ AP1002

    private const int AsyncVoidItems = 100;

    /// <summary>The child process of the AP1002 scenario ("async-void-child before|after"): prints what the caller saw.</summary>
    public static async Task<int> AsyncVoidChildAsync(string[] args)
    {
        var before = args.Length > 0 && args[0] == "before";
        var items = Enumerable.Range(0, AsyncVoidItems).ToList();
        var done = 0;
        var caught = 0;
        if (before)
        {
            try
            {
                // AP1002 on purpose: the async lambda becomes an async void Action; ForEach returns at the first await.
                items.ForEach(async x =>
                {
                    await Task.Delay(20).ConfigureAwait(false);
                    Interlocked.Increment(ref done);
                    if (x % 50 == 49)
                    {
                        throw new InvalidOperationException($"item {x} failed");
                    }
                });
            }
            catch (InvalidOperationException)
            {
                caught++;
            }

            Console.WriteLine(FormattableString.Invariant($"RETURNED {Volatile.Read(ref done)}"));
            Console.Out.Flush();

            // The caller goes on; the exception reaches the thread pool meanwhile.
            await Task.Delay(2000).ConfigureAwait(false);
        }
        else
        {
            var all = Task.WhenAll(items.Select(async x =>
            {
                await Task.Delay(20).ConfigureAwait(false);
                Interlocked.Increment(ref done);
                if (x % 50 == 49)
                {
                    throw new InvalidOperationException($"item {x} failed");
                }
            }));
            try
            {
                await all.ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                caught = all.Exception?.InnerExceptions.Count ?? 1;
            }

            Console.WriteLine(FormattableString.Invariant($"RETURNED {Volatile.Read(ref done)}"));
        }

        Console.WriteLine(FormattableString.Invariant($"END caught {caught}"));
        Console.Out.Flush();
        return 0;
    }

    private static async Task<ScenarioResult> AsyncVoidLambdaAsync(int reps)
    {
        async Task Run(Sample s, string mode)
        {
            var info = LoopbackServer.ChildProcess("async-void-child", mode);
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
            using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start the child process");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                await process.WaitForExitAsync().ConfigureAwait(false);
            }

            var lines = (await stdout.ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var error = (await stderr.ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            if (error is not null)
            {
                Log($"    child stderr: {error.Trim()}");
            }

            double Value(string prefix) => lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => double.Parse(l.AsSpan(prefix.Length), CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).First();
            var ended = lines.Any(l => l.StartsWith("END ", StringComparison.Ordinal));
            s.Extra["Items done when the call returned (of 100)"] = Value("RETURNED ");
            s.Extra["Exceptions caught by the caller (of 2)"] = Math.Max(0, Value("END caught "));
            s.Extra["Process crashed (1 = yes)"] = ended && process.ExitCode == 0 ? 0 : 1;
            s.Extra["Exit code"] = process.ExitCode;
        }

        var variants = await RunVariantsAsync(reps,
            ("items.ForEach(async x => ...) (before)", s => Run(s, "before")),
            ("await Task.WhenAll(items.Select(async x => ...)) (after)", s => Run(s, "after"))).ConfigureAwait(false);
        var (b, a) = (variants[0].Median, variants[1].Median);
        return new ScenarioResult("AP1002", "async lambda as a void delegate vs an awaited Func<Task>",
            $"A child process (`async-void-child`, no SynchronizationContext) runs an async lambda over {AsyncVoidItems} items; each awaits Task.Delay(20) and 2 of them (items 49 and 99) throw. The caller wraps the call in try/catch, prints how many items were done when the call returned, then waits 2 s. Exit code 134 = SIGABRT (the runtime aborts on an unhandled exception).",
            variants, new[] { "Items done when the call returned (of 100)", "Exceptions caught by the caller (of 2)", "Process crashed (1 = yes)", "Exit code" },
            $"an async lambda passed to List.ForEach returned to the caller with {b.Extra["Items done when the call returned (of 100)"]:N0} of 100 items done, the caller caught {b.Extra["Exceptions caught by the caller (of 2)"]:N0} of the 2 exceptions and the first one crashed the process (exit code {b.Extra["Exit code"]:N0}), vs {a.Extra["Items done when the call returned (of 100)"]:N0} of 100 done, {a.Extra["Exceptions caught by the caller (of 2)"]:N0} of 2 exceptions caught and exit code {a.Extra["Exit code"]:N0} with await Task.WhenAll(items.Select(async x => ...)).");
    }

    // ------------------------------------------------------------------ AP3001 / AP3002

    private static async Task<ScenarioResult> TokenNotForwardedAsync(int reps)
    {
        const int Steps = 20;
        const int StepMs = 50;
        const int CancelMs = 100;

        async Task Run(Sample s, bool forward)
        {
            using var cts = new CancellationTokenSource();
            var clock = Stopwatch.StartNew();
            var cancelledAt = double.NaN;
            using var registration = cts.Token.Register(() => cancelledAt = clock.Elapsed.TotalMilliseconds);
            var stepsAfterCancel = 0;
            var stepsDone = 0;

            async Task OperationAsync(CancellationToken token)
            {
                for (var i = 0; i < Steps; i++)
                {
                    if (token.IsCancellationRequested)
                    {
                        stepsAfterCancel++;
                    }

                    // Before: AP3001 on purpose, the token in scope is not passed to the inner call.
                    await Task.Delay(StepMs, forward ? token : CancellationToken.None).ConfigureAwait(false);
                    stepsDone++;
                }
            }

            cts.CancelAfter(CancelMs);
            var cancelled = 0;
            try
            {
                await OperationAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                cancelled = 1;
            }

            var stoppedAt = clock.Elapsed.TotalMilliseconds;
            s.Extra["Steps started after the cancel (of 20)"] = stepsAfterCancel;
            s.Extra["Steps completed"] = stepsDone;
            s.Extra["Ran on after the cancel (ms)"] = Math.Round(stoppedAt - cancelledAt, 1);
            s.Extra["Caller saw the cancellation (1 = yes)"] = cancelled;
        }

        var variants = await RunVariantsAsync(reps,
            ("token not passed: await Task.Delay(50) (before)", s => Run(s, forward: false)),
            ("token passed: await Task.Delay(50, token) (after)", s => Run(s, forward: true))).ConfigureAwait(false);
        var (b, a) = (variants[0].Median, variants[1].Median);
        return new ScenarioResult("AP3001/AP3002", "cancellation token not forwarded vs forwarded",
            $"An operation of {Steps} sequential steps of `await Task.Delay({StepMs}, ...)` (1 s in all); the caller cancels its token after {CancelMs} ms. \"Ran on after the cancel\" = time from the cancellation until the operation's task completed. The numbers scale with the workload chosen: what is measured is that the rest of the work runs anyway.",
            variants, new[] { "Steps started after the cancel (of 20)", "Steps completed", "Ran on after the cancel (ms)", "Caller saw the cancellation (1 = yes)" },
            $"an operation of 20 sequential 50 ms steps cancelled after 100 ms started {b.Extra["Steps started after the cancel (of 20)"]:N0} more steps and ran on for {b.Extra["Ran on after the cancel (ms)"]:N0} ms after the cancellation (and completed normally, so the caller never saw it) when the token was not passed to the inner calls, vs {a.Extra["Steps started after the cancel (of 20)"]:N0} steps and {a.Extra["Ran on after the cancel (ms)"]:N1} ms (OperationCanceledException) when it was; the numbers scale with the remaining work.");
    }

    // ------------------------------------------------------------------ AP3004

    private static async Task<ScenarioResult> InfiniteTimeoutAsync(int reps)
    {
        const int Requests = 10;
        var wait = TimeSpan.FromSeconds(5);

        async Task Run(Sample s, bool infinite)
        {
            // A server that accepts connections, reads the requests and never answers; it counts the connections the
            // client has not closed yet (a read returns 0 when the client closes).
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var accepted = new List<Socket>();
            var open = 0;
            using var stopAccepting = new CancellationTokenSource();
            async Task DrainAsync(Socket socket)
            {
                var buffer = new byte[4096];
                try
                {
                    while (await socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false) > 0)
                    {
                    }
                }
                catch (SocketException)
                {
                }
                catch (ObjectDisposedException)
                {
                }

                Interlocked.Decrement(ref open);
            }

            var acceptLoop = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        var socket = await listener.AcceptSocketAsync(stopAccepting.Token).ConfigureAwait(false);
                        Interlocked.Increment(ref open);
                        lock (accepted)
                        {
                            accepted.Add(socket);
                        }

                        _ = DrainAsync(socket);
                    }
                }
                catch (OperationCanceledException)
                {
                }
                catch (SocketException)
                {
                }
            });
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue };
            var client = new HttpClient(handler, disposeHandler: true)
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
                Timeout = infinite ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(1), // before: AP3004 on purpose
            };
            var clock = Stopwatch.StartNew();
            var failedAt = new List<double>();
            var requests = Enumerable.Range(0, Requests).Select(async _ =>
            {
                try
                {
                    using var response = await client.GetAsync("silent").ConfigureAwait(false);
                }
                catch (TaskCanceledException)
                {
                    lock (failedAt)
                    {
                        failedAt.Add(clock.Elapsed.TotalMilliseconds);
                    }
                }
            }).ToList();
            var all = Task.WhenAll(requests);
            try
            {
                await all.WaitAsync(wait).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }

            var pending = requests.Count(r => !r.IsCompleted);
            double[] failures;
            lock (failedAt)
            {
                failures = failedAt.ToArray();
            }

            await Task.Delay(200).ConfigureAwait(false); // let the client's closes reach the server
            int total;
            lock (accepted)
            {
                total = accepted.Count;
            }

            s.Extra["Requests failed (timeout)"] = failures.Length;
            if (failures.Length > 0)
            {
                s.Extra["Time to failure (ms)"] = Math.Round(Median(failures));
            }

            s.Extra["Requests still pending at 5 s"] = pending;
            s.Extra["Connections opened"] = total;
            s.Extra["Connections still open"] = Volatile.Read(ref open);

            // Clean up: disposing the client cancels what is still pending.
            client.Dispose();
            try
            {
                await all.ConfigureAwait(false);
            }
            catch (TaskCanceledException)
            {
            }

            await stopAccepting.CancelAsync().ConfigureAwait(false);
            listener.Stop();
            await acceptLoop.ConfigureAwait(false);
            lock (accepted)
            {
                accepted.ForEach(socket => socket.Dispose());
            }
        }

        var variants = await RunVariantsAsync(reps,
            ("Timeout = Timeout.InfiniteTimeSpan (before)", s => Run(s, infinite: true)),
            ("Timeout = TimeSpan.FromSeconds(1) (after)", s => Run(s, infinite: false))).ConfigureAwait(false);
        var (b, a) = (variants[0].Median, variants[1].Median);
        var bFailed = b.Extra.TryGetValue("Time to failure (ms)", out var bf) ? $"failed after {bf:N0} ms" : "never failed";
        return new ScenarioResult("AP3004", "HttpClient with an infinite vs a 1 s timeout against a silent server",
            $"{Requests} concurrent GETs to a loopback TCP listener that accepts connections and never answers; the caller stops waiting after {wait.TotalSeconds:F0} s. Connections still open = accepted sockets the client had not closed 200 ms after that (a blank time to failure: no request failed).",
            variants, new[] { "Requests failed (timeout)", "Time to failure (ms)", "Requests still pending at 5 s", "Connections opened", "Connections still open" },
            $"against a server that never answers, {Requests} GETs with Timeout = InfiniteTimeSpan {bFailed}: {b.Extra["Requests still pending at 5 s"]:N0} of {Requests} were still pending after 5 s with {b.Extra["Connections still open"]:N0} connections held open (and would wait forever), vs all {a.Extra["Requests failed (timeout)"]:N0} failing with a timeout after {a.Extra.GetValueOrDefault("Time to failure (ms)"):N0} ms and {a.Extra["Connections still open"]:N0} connections left open with Timeout = 1 s.");
    }

    // ------------------------------------------------------------------ AP4002

    private static async Task<ScenarioResult> ConnectionLifetimeAsync(int reps)
    {
        var duration = TimeSpan.FromSeconds(3);
        const int IntervalMs = 50;
        using var server = LoopbackServer.Start();

        async Task Run(Sample s, TimeSpan? lifetime)
        {
            var connects = 0;
            var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (context, token) =>
                {
                    Interlocked.Increment(ref connects);
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        await socket.ConnectAsync(context.DnsEndPoint, token).ConfigureAwait(false);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            };
            if (lifetime is { } value)
            {
                handler.PooledConnectionLifetime = value;
            }

            using var client = new HttpClient(handler, disposeHandler: true) { BaseAddress = server.BaseAddress };
            var seen = new Dictionary<string, (double First, double Last)>(StringComparer.Ordinal);
            var clock = Stopwatch.StartNew();
            var requests = 0;
            while (clock.Elapsed < duration)
            {
                var id = await client.GetStringAsync("conn").ConfigureAwait(false);
                var t = clock.Elapsed.TotalMilliseconds;
                seen[id] = seen.TryGetValue(id, out var span) ? (span.First, t) : (t, t);
                requests++;
                await Task.Delay(IntervalMs).ConfigureAwait(false);
            }

            s.Extra["Requests"] = requests;
            s.Extra["Connections opened (ConnectCallback)"] = connects;
            s.Extra["Connections seen by the server"] = seen.Count;
            s.Extra["Longest use of one connection (ms)"] = Math.Round(seen.Values.Max(v => v.Last - v.First));
        }

        var variants = await RunVariantsAsync(reps,
            ("new SocketsHttpHandler() (infinite PooledConnectionLifetime, before)", s => Run(s, null)),
            ("PooledConnectionLifetime = TimeSpan.FromSeconds(1) (after)", s => Run(s, TimeSpan.FromSeconds(1)))).ConfigureAwait(false);
        var (b, a) = (variants[0].Median, variants[1].Median);
        return new ScenarioResult("AP4002", "SocketsHttpHandler without vs with PooledConnectionLifetime",
            $"One HttpClient sends a GET every {IntervalMs} ms for {duration.TotalSeconds:F0} s to a loopback Kestrel server that answers with its connection id. Only a new connection resolves the host name again, so the connections opened are the chances to see a DNS change (1 s stands in for the minutes a real setting would use).",
            variants, new[] { "Requests", "Connections opened (ConnectCallback)", "Connections seen by the server", "Longest use of one connection (ms)" },
            $"a client sending a request every 50 ms for 3 s opened {b.Extra["Connections opened (ConnectCallback)"]:N0} connection and used it for {b.Extra["Longest use of one connection (ms)"]:N0} ms (the whole run: a DNS change would never be seen) with the default SocketsHttpHandler, vs {a.Extra["Connections opened (ConnectCallback)"]:N0} connections, none used longer than {a.Extra["Longest use of one connection (ms)"]:N0} ms, with PooledConnectionLifetime = 1 s.");
    }
}
