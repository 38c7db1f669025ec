using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using static AsyncPerf.Benchmarks.Fix.Measure;

namespace AsyncPerf.Benchmarks.Fix;

/// <summary>One variant's medians.</summary>
internal sealed record VariantResult(string Name, Sample Median, int Runs);

/// <summary>One scenario: a table and the one-line measured effect for summary.md.</summary>
internal sealed record ScenarioResult(string Rule, string Title, string Setup, IReadOnlyList<VariantResult> Variants, IReadOnlyList<string> Columns, string Summary);

/// <summary>
/// The fix-effect scenarios that are not plain micro-benchmarks (throughput under concurrency, peak connections, peak
/// heap, sockets in TIME_WAIT, timers, thread-pool work items). Each variant runs once as warm-up, then
/// <c>reps</c> times; the tables show medians. Loopback servers run in a child process.
/// </summary>
internal static partial class Scenarios
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>What <c>scenarios</c> runs without names (docs/benchmarks/fix-effect-scenarios.md).</summary>
    public static readonly string[] All = { "ap1001", "ap2001", "ap4001", "ap5002", "ap5003", "ap5004", "ap1003", "ap3003", "ap4003" };

    /// <summary>The correctness rules' scenarios, run by name (docs/benchmarks/fix-effect-scenarios-correctness.md).</summary>
    public static readonly string[] Correctness = { "ap1002", "ap1004", "ap3001", "ap3004", "ap4002" };

    public static async Task<int> RunAsync(string[] args)
    {
        var reps = 3;
        var seconds = 5;
        string? output = null;
        var names = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--reps": reps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--out": output = args[++i]; break;
                case "--seconds": seconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: names.Add(args[i].ToLowerInvariant()); break;
            }
        }

        if (names.Count == 0)
        {
            names.AddRange(All);
        }

        var results = new List<ScenarioResult>();
        foreach (var name in names)
        {
            Log($"scenario {name}");
            var result = name switch
            {
                "ap1001" => await FanOutAsync(reps).ConfigureAwait(false),
                "ap2001" or "ap2002" => await BlockingServerAsync(Math.Max(1, reps / 2), seconds).ConfigureAwait(false),
                "ap4001" => await HttpClientPerCallAsync(reps).ConfigureAwait(false),
                "ap5002" => await BufferedResponseAsync(reps).ConfigureAwait(false),
                "ap5003" => await JsonViaStringAsync(reps).ConfigureAwait(false),
                "ap5004" => await WholeFileAsync(reps).ConfigureAwait(false),
                "ap1003" => await UnboundedChannelAsync(reps).ConfigureAwait(false),
                "ap3003" => await WhenAnyDelayAsync(reps).ConfigureAwait(false),
                "ap4003" => await FileStreamAsyncModeAsync(reps).ConfigureAwait(false),
                "ap1002" => await AsyncVoidLambdaAsync(reps).ConfigureAwait(false),
                "ap1004" => await SemaphoreReleaseAsync(reps).ConfigureAwait(false),
                "ap3001" or "ap3002" => await TokenNotForwardedAsync(reps).ConfigureAwait(false),
                "ap3004" => await InfiniteTimeoutAsync(reps).ConfigureAwait(false),
                "ap4002" => await ConnectionLifetimeAsync(reps).ConfigureAwait(false),
                _ => throw new ArgumentException($"unknown scenario {name}; known: {string.Join(", ", All.Concat(Correctness))} (ap3002 = ap3001, ap2002 = ap2001)"),
            };
            results.Add(result);
            Console.WriteLine(Format(result));
            Console.WriteLine(result.Summary);
        }

        if (output is not null)
        {
            var sb = new StringBuilder();
            sb.AppendLine("# Fix-effect scenarios (custom runner)");
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"Environment: {Cost.CostRunner.Environment()}");
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"Method: `dotnet run -c Release --project tests/AsyncPerf.Benchmarks -- scenarios`; each variant 1 warm-up run + {reps} measured runs (AP2001/AP2002: {Math.Max(1, reps / 2)}), medians. Allocated = GC.GetTotalAllocatedBytes(precise) of the client process; peak heap = highest GC.GetTotalMemory sampled every 1 ms above the start; loopback servers are Kestrel in a child process on 127.0.0.1. The machine is shared and noisy: compare variants within a table, not across runs.");
            foreach (var result in results)
            {
                sb.AppendLine();
                sb.Append(Format(result));
                sb.AppendLine();
                sb.AppendLine("Measured effect: " + result.Summary);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            await File.WriteAllTextAsync(output, sb.ToString()).ConfigureAwait(false);
        }

        return 0;
    }

    private static string Format(ScenarioResult result)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"## {result.Rule}: {result.Title}");
        sb.AppendLine();
        sb.AppendLine(result.Setup);
        sb.AppendLine();
        sb.AppendLine("| Variant | " + string.Join(" | ", result.Columns) + " |");
        sb.AppendLine("|---|" + string.Concat(result.Columns.Select(_ => "---:|")));
        foreach (var v in result.Variants)
        {
            sb.AppendLine("| " + v.Name + " | " + string.Join(" | ", result.Columns.Select(c => Cell(v.Median, c))) + " |");
        }

        return sb.ToString();
    }

    private static string Cell(Sample s, string column) => column switch
    {
        "Wall time" => Ms(s.WallMs),
        "Allocated" => Mb(s.AllocatedBytes),
        "Peak heap" => Mb(s.PeakHeapBytes),
        "Thread-pool work items" => s.ThreadPoolWorkItems.ToString("N0", CultureInfo.InvariantCulture),
        _ => s.Extra.TryGetValue(column, out var v) ? v.ToString(v == Math.Floor(v) ? "N0" : "N1", CultureInfo.InvariantCulture) : "",
    };

    private static async Task<List<VariantResult>> RunVariantsAsync(int reps, params (string Name, Func<Sample, Task> Run)[] variants)
    {
        var results = new List<VariantResult>();
        foreach (var (name, run) in variants)
        {
            Log($"  {name}: warm-up");
            await Measure.RunAsync(run).ConfigureAwait(false);
            var samples = new List<Sample>();
            for (var r = 0; r < reps; r++)
            {
                var s = await Measure.RunAsync(run).ConfigureAwait(false);
                Log($"  {name}: run {r + 1}: {Ms(s.WallMs)}, allocated {Mb(s.AllocatedBytes)}, peak heap {Mb(s.PeakHeapBytes)}, {string.Join(", ", s.Extra.Select(e => e.Key + " " + e.Value.ToString("F1", CultureInfo.InvariantCulture)))}");
                samples.Add(s);
            }

            var median = new Sample
            {
                WallMs = Median(samples.Select(s => s.WallMs)),
                AllocatedBytes = (long)Median(samples.Select(s => (double)s.AllocatedBytes)),
                PeakHeapBytes = (long)Median(samples.Select(s => (double)s.PeakHeapBytes)),
                ThreadPoolWorkItems = (long)Median(samples.Select(s => (double)s.ThreadPoolWorkItems)),
            };
            foreach (var key in samples[0].Extra.Keys)
            {
                median.Extra[key] = Median(samples.Select(s => s.Extra.GetValueOrDefault(key)));
            }

            results.Add(new VariantResult(name, median, reps));
        }

        return results;
    }

    private static HttpClient NewClient(LoopbackServer server, out SocketsHttpHandler handler)
    {
        handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        return new HttpClient(handler, disposeHandler: true) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
    }

    private static string X(double before, double after) =>
        after <= 0 ? "∞×" : (before / after).ToString(before / after >= 10 ? "F0" : "F1", CultureInfo.InvariantCulture) + "×";

    // ------------------------------------------------------------------ AP1001

    private static async Task<ScenarioResult> FanOutAsync(int reps)
    {
        const int Items = 2000;
        const int Limit = 16;
        using var server = LoopbackServer.Start();
        async Task Run(Sample s, bool bounded)
        {
            using var client = NewClient(server, out _);
            await client.GetStringAsync("tiny").ConfigureAwait(false);
            await server.ResetAsync().ConfigureAwait(false);
            s.StartClock();
            if (bounded)
            {
                using var gate = new SemaphoreSlim(Limit);
                await Task.WhenAll(Enumerable.Range(0, Items).Select(async _ =>
                {
                    await gate.WaitAsync().ConfigureAwait(false);
                    try
                    {
                        return await client.GetStringAsync("async?ms=20").ConfigureAwait(false);
                    }
                    finally
                    {
                        gate.Release();
                    }
                })).ConfigureAwait(false);
            }
            else
            {
                await Task.WhenAll(Enumerable.Range(0, Items).Select(_ => client.GetStringAsync("async?ms=20"))).ConfigureAwait(false);
            }

            var stats = await server.StatsAsync().ConfigureAwait(false);
            s.Extra["Peak connections (server)"] = stats.Peak;
        }

        var variants = await RunVariantsAsync(reps,
            ("Task.WhenAll over all 2,000 items (before)", s => Run(s, bounded: false)),
            ("SemaphoreSlim(16) around each call (after)", s => Run(s, bounded: true))).ConfigureAwait(false);
        var (b, a) = (variants[0].Median, variants[1].Median);
        return new ScenarioResult("AP1001", "unbounded fan-out vs SemaphoreSlim(16)",
            $"{Items:N0} GETs to a loopback Kestrel server whose handler awaits 20 ms; one HttpClient (SocketsHttpHandler, no connection limit) per run. Peak connections are counted by the server (connection middleware; includes 1 control connection).",
            variants, new[] { "Wall time", "Peak connections (server)", "Allocated", "Peak heap" },
            $"fanning 2,000 HTTP calls out at once opened {b.Extra["Peak connections (server)"]:N0} concurrent connections vs {a.Extra["Peak connections (server)"]:N0} with SemaphoreSlim(16) and allocated {Mb(b.AllocatedBytes)} vs {Mb(a.AllocatedBytes)} (peak heap {Mb(b.PeakHeapBytes)} vs {Mb(a.PeakHeapBytes)}); wall time {Ms(b.WallMs)} vs {Ms(a.WallMs)} against a 20 ms loopback server (the bound costs latency only when the server could really take the whole burst).");
    }

    // ------------------------------------------------------------------ AP2001 / AP2002

    private static async Task<ScenarioResult> BlockingServerAsync(int reps, int seconds)
    {
        const int Concurrency = 200;
        var duration = TimeSpan.FromSeconds(seconds);
        async Task Run(Sample s, string path)
        {
            // A fresh server per run: the thread pool it grew in an earlier run would hide the starvation.
            using var server = LoopbackServer.Start();
            using var client = NewClient(server, out _);
            await client.GetStringAsync("tiny").ConfigureAwait(false);
            s.StartClock();
            using var cts = new CancellationTokenSource(duration);
            var completed = 0;
            var latencies = new List<double>();
            var start = System.Diagnostics.Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
            {
                while (!cts.IsCancellationRequested)
                {
                    var t0 = start.Elapsed.TotalMilliseconds;
                    try
                    {
                        using var response = await client.GetAsync(path, cts.Token).ConfigureAwait(false);
                        response.EnsureSuccessStatusCode();
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    Interlocked.Increment(ref completed);
                    lock (latencies)
                    {
                        latencies.Add(start.Elapsed.TotalMilliseconds - t0);
                    }
                }
            })).ConfigureAwait(false);
            latencies.Sort();
            s.Extra["Requests/s"] = completed / duration.TotalSeconds;
            s.Extra["p50 latency (ms)"] = latencies.Count == 0 ? 0 : Math.Round(latencies[latencies.Count / 2]);
            s.Extra["p99 latency (ms)"] = latencies.Count == 0 ? 0 : Math.Round(latencies[(int)(latencies.Count * 0.99)]);
        }

        var variants = await RunVariantsAsync(reps,
            ("handler blocks: Task.Delay(20).Wait() (AP2001, before)", s => Run(s, "block-result?ms=20")),
            ("handler blocks: Thread.Sleep(20) (AP2002, before)", s => Run(s, "block-sleep?ms=20")),
            ("handler awaits Task.Delay(20) (after)", s => Run(s, "async?ms=20"))).ConfigureAwait(false);
        var (r, sl, a) = (variants[0].Median.Extra["Requests/s"], variants[1].Median.Extra["Requests/s"], variants[2].Median.Extra["Requests/s"]);
        return new ScenarioResult("AP2001/AP2002", "blocking vs awaiting in a server handler under 200 concurrent requests",
            $"A fresh loopback Kestrel server per run (default thread pool: min threads = {Environment.ProcessorCount} cores); {Concurrency} concurrent clients for {duration.TotalSeconds:F0} s from a cold start; the handler waits 20 ms. Ideal: {Concurrency} / 20 ms = 10,000 requests/s.",
            variants, new[] { "Requests/s", "p50 latency (ms)", "p99 latency (ms)" },
            $"AP2001: a server handler that blocks on a task (.Wait()/.Result) served {r:N0} requests/s vs {a:N0} when it awaits ({X(a, r)} more) under 200 concurrent requests ({seconds} s from a cold start, 20 ms of waiting per request). | AP2002: Thread.Sleep in the handler served {sl:N0} requests/s vs {a:N0} awaiting Task.Delay ({X(a, sl)} more), same setup.");
    }

    // ------------------------------------------------------------------ AP4001

    private static int CountTimeWait(int port)
    {
        var count = 0;
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(file))
            {
                continue;
            }

            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 4 || parts[3] != "06")
                {
                    continue;
                }

                int Port(string address) => int.Parse(address.AsSpan(address.LastIndexOf(':') + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (Port(parts[1]) == port || Port(parts[2]) == port)
                {
                    count++;
                }
            }
        }

        return count;
    }

    private static async Task<ScenarioResult> HttpClientPerCallAsync(int reps)
    {
        const int Calls = 2000;
        async Task Run(Sample s, bool perCall)
        {
            // A fresh server (fresh port) per run, so TIME_WAIT sockets of earlier runs are not counted.
            using var server = LoopbackServer.Start();
            var before = CountTimeWait(server.Port);
            s.StartClock();
            if (perCall)
            {
                for (var i = 0; i < Calls; i++)
                {
                    using var client = new HttpClient { BaseAddress = server.BaseAddress };
                    await client.GetStringAsync("tiny").ConfigureAwait(false);
                }
            }
            else
            {
                using var client = new HttpClient { BaseAddress = server.BaseAddress };
                for (var i = 0; i < Calls; i++)
                {
                    await client.GetStringAsync("tiny").ConfigureAwait(false);
                }
            }

            s.Extra["Sockets in TIME_WAIT"] = CountTimeWait(server.Port) - before;
            var stats = await server.StatsAsync().ConfigureAwait(false);
            s.Extra["Connections opened"] = stats.Total - 1; // minus the control connection
        }

        var variants = await RunVariantsAsync(reps,
            ("new HttpClient per call, disposed (before)", s => Run(s, perCall: true)),
            ("one shared HttpClient (after)", s => Run(s, perCall: false))).ConfigureAwait(false);
        var (b, a) = (variants[0].Median, variants[1].Median);
        return new ScenarioResult("AP4001", "HttpClient per call vs shared",
            $"{Calls:N0} sequential GETs of a 2-byte body from a loopback Kestrel server. TIME_WAIT = entries in state 06 for the server's port in /proc/net/tcp right after the run (wall time excludes starting the server process).",
            variants, new[] { "Wall time", "Connections opened", "Sockets in TIME_WAIT", "Allocated" },
            $"2,000 sequential GETs with a new HttpClient per call took {Ms(b.WallMs)} vs {Ms(a.WallMs)} with a shared one ({X(b.WallMs, a.WallMs)}), opened {b.Extra["Connections opened"]:N0} connections vs {a.Extra["Connections opened"]:N0} and left {b.Extra["Sockets in TIME_WAIT"]:N0} sockets in TIME_WAIT vs {a.Extra["Sockets in TIME_WAIT"]:N0}.");
    }

    // ------------------------------------------------------------------ AP5002

    private static async Task<ScenarioResult> BufferedResponseAsync(int reps)
    {
        using var server = LoopbackServer.Start();
        using var client = NewClient(server, out _);
        await client.GetStringAsync("tiny").ConfigureAwait(false);
        async Task Run(Sample s, HttpCompletionOption option)
        {
            using var response = await client.GetAsync("bytes?mb=50", option).ConfigureAwait(false);
            await using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            var buffer = new byte[81920];
            long total = 0;
            int n;
            while ((n = await body.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                total += n;
            }

            s.Extra["Body MB"] = total / (1024.0 * 1024.0);
        }

        var variants = await RunVariantsAsync(reps,
            ("GetAsync (buffers the body) + ReadAsStreamAsync (before)", s => Run(s, HttpCompletionOption.ResponseContentRead)),
            ("GetAsync(ResponseHeadersRead) + ReadAsStreamAsync (after)", s => Run(s, HttpCompletionOption.ResponseHeadersRead))).ConfigureAwait(false);
        var (b, a) = (variants[0].Median, variants[1].Median);
        return new ScenarioResult("AP5002", "buffered response vs ResponseHeadersRead",
            "A 50 MB body from a loopback Kestrel server, read to the end through an 80 KB buffer.",
            variants, new[] { "Wall time", "Allocated", "Peak heap" },
            $"reading a 50 MB response as a stream after the default GetAsync allocated {Mb(b.AllocatedBytes)} with a peak heap of {Mb(b.PeakHeapBytes)} vs {Mb(a.AllocatedBytes)} / {Mb(a.PeakHeapBytes)} with HttpCompletionOption.ResponseHeadersRead (wall {Ms(b.WallMs)} vs {Ms(a.WallMs)}).");
    }

    // ------------------------------------------------------------------ AP5003

    private static async Task<ScenarioResult> JsonViaStringAsync(int reps)
    {
        using var server = LoopbackServer.Start();
        using var client = NewClient(server, out _);
        await client.GetStringAsync("tiny").ConfigureAwait(false);
        var count = 0;
        var variants = await RunVariantsAsync(reps,
            ("GetAsync + ReadAsStringAsync + JsonSerializer.Deserialize (before)", async s =>
            {
                using var response = await client.GetAsync("json?mb=50").ConfigureAwait(false);
                var json = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                count = JsonSerializer.Deserialize<List<Item>>(json, Web)!.Count;
                s.Extra["Items"] = count;
            }),
            ("GetAsync + ReadFromJsonAsync (fix of AP5003 alone)", async s =>
            {
                using var response = await client.GetAsync("json?mb=50").ConfigureAwait(false);
                count = (await response.Content.ReadFromJsonAsync<List<Item>>(Web).ConfigureAwait(false))!.Count;
                s.Extra["Items"] = count;
            }),
            ("GetAsync(ResponseHeadersRead) + DeserializeAsync(stream) (after, with AP5002)", async s =>
            {
                using var response = await client.GetAsync("json?mb=50", HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                await using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                count = (await JsonSerializer.DeserializeAsync<List<Item>>(stream, Web).ConfigureAwait(false))!.Count;
                s.Extra["Items"] = count;
            })).ConfigureAwait(false);
        var (b, m, a) = (variants[0].Median, variants[1].Median, variants[2].Median);
        return new ScenarioResult("AP5003", "JSON through a string vs from the stream",
            $"A 50 MB JSON array ({count:N0} items) from a loopback Kestrel server, deserialized to List<Item> with the web defaults in every variant.",
            variants, new[] { "Wall time", "Allocated", "Peak heap" },
            $"deserializing a 50 MB JSON response via ReadAsStringAsync + JsonSerializer.Deserialize allocated {Mb(b.AllocatedBytes)} (peak heap {Mb(b.PeakHeapBytes)}) vs {Mb(m.AllocatedBytes)} (peak {Mb(m.PeakHeapBytes)}) with ReadFromJsonAsync and {Mb(a.AllocatedBytes)} (peak {Mb(a.PeakHeapBytes)}) with ResponseHeadersRead + DeserializeAsync(stream); wall {Ms(b.WallMs)} vs {Ms(m.WallMs)} vs {Ms(a.WallMs)}.");
    }

    // ------------------------------------------------------------------ AP5004

    private static async Task<ScenarioResult> WholeFileAsync(int reps)
    {
        var path = WholeFileData.Ensure();
        var variants = await RunVariantsAsync(reps,
            ("foreach over File.ReadAllLines (before)", s =>
            {
                var n = 0;
                foreach (var line in File.ReadAllLines(path))
                {
                    n += line.Length > 80 ? 1 : 0;
                }

                s.Extra["Long lines"] = n;
                return Task.CompletedTask;
            }),
            ("foreach over File.ReadLines (after)", s =>
            {
                var n = 0;
                foreach (var line in File.ReadLines(path))
                {
                    n += line.Length > 80 ? 1 : 0;
                }

                s.Extra["Long lines"] = n;
                return Task.CompletedTask;
            })).ConfigureAwait(false);
        var (b, a) = (variants[0].Median, variants[1].Median);
        return new ScenarioResult("AP5004", "File.ReadAllLines vs File.ReadLines in one foreach",
            $"A {new FileInfo(path).Length / (1024 * 1024)} MB text file ({WholeFileData.Lines:N0} lines), read once in a foreach.",
            variants, new[] { "Wall time", "Allocated", "Peak heap" },
            $"one foreach over File.ReadAllLines of a 50 MB file allocated {Mb(b.AllocatedBytes)} with a peak heap of {Mb(b.PeakHeapBytes)} vs {Mb(a.AllocatedBytes)} / {Mb(a.PeakHeapBytes)} with File.ReadLines (wall {Ms(b.WallMs)} vs {Ms(a.WallMs)}).");
    }

    // ------------------------------------------------------------------ AP1003

    private static async Task<ScenarioResult> UnboundedChannelAsync(int reps)
    {
        const int Messages = 200_000;
        async Task Run(Sample s, Channel<byte[]> channel)
        {
            var consumer = Task.Run(async () =>
            {
                long sum = 0;
                await foreach (var message in channel.Reader.ReadAllAsync().ConfigureAwait(false))
                {
                    // A consumer slower than the producer: a little work per message.
                    for (var i = 0; i < message.Length; i += 4)
                    {
                        sum += message[i] * 31 + i;
                    }

                    Thread.SpinWait(20);
                }

                return sum;
            });
            for (var i = 0; i < Messages; i++)
            {
                await channel.Writer.WriteAsync(new byte[256]).ConfigureAwait(false);
            }

            channel.Writer.Complete();
            await consumer.ConfigureAwait(false);
        }

        var variants = await RunVariantsAsync(reps,
            ("Channel.CreateUnbounded (before)", s => Run(s, Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true }))),
            ("Channel.CreateBounded(1000, Wait) (after)", s => Run(s, Channel.CreateBounded<byte[]>(new BoundedChannelOptions(1000) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait })))).ConfigureAwait(false);
        var (b, a) = (variants[0].Median, variants[1].Median);
        return new ScenarioResult("AP1003", "unbounded vs bounded channel with a fast producer",
            $"A producer writes {Messages:N0} messages of 256 bytes as fast as it can; one consumer does a little work per message.",
            variants, new[] { "Wall time", "Peak heap", "Allocated" },
            $"with a producer faster than its consumer, an unbounded channel reached a peak heap of {Mb(b.PeakHeapBytes)} vs {Mb(a.PeakHeapBytes)} with a bounded channel of 1,000 (200,000 messages of 256 B; wall {Ms(b.WallMs)} vs {Ms(a.WallMs)}).");
    }

    // ------------------------------------------------------------------ AP3003

    private static async Task<ScenarioResult> WhenAnyDelayAsync(int reps)
    {
        const int Operations = 10_000;
        var timeout = TimeSpan.FromSeconds(30);
        static async Task<int> Operation()
        {
            await Task.Yield();
            return 1;
        }

        async Task Run(Sample s, bool waitAsync)
        {
            var timers0 = Timer.ActiveCount;
            var sum = 0;
            for (var i = 0; i < Operations; i++)
            {
                if (waitAsync)
                {
                    sum += await Operation().WaitAsync(timeout).ConfigureAwait(false);
                }
                else
                {
                    var operation = Operation();
                    var winner = await Task.WhenAny(operation, Task.Delay(timeout)).ConfigureAwait(false);
                    if (winner == operation)
                    {
                        sum += await operation.ConfigureAwait(false);
                    }
                }
            }

            s.Extra["Timers still active after"] = Timer.ActiveCount - timers0;
            s.Extra["Completed"] = sum;
        }

        var variants = await RunVariantsAsync(reps,
            ("await Task.WhenAny(op, Task.Delay(30 s)) (before)", s => Run(s, waitAsync: false)),
            ("await op.WaitAsync(30 s) (after)", s => Run(s, waitAsync: true))).ConfigureAwait(false);
        var (b, a) = (variants[0].Median, variants[1].Median);
        return new ScenarioResult("AP3003", "Task.WhenAny + Task.Delay vs WaitAsync as a timeout",
            $"{Operations:N0} sequential operations that finish at once, each with a 30 s timeout. Timers = System.Threading.Timer.ActiveCount after the loop minus before (earlier runs' timers may still be pending).",
            variants, new[] { "Wall time", "Timers still active after", "Allocated" },
            $"10,000 operations with a 30 s timeout left {b.Extra["Timers still active after"]:N0} timers pending with Task.WhenAny + Task.Delay vs {a.Extra["Timers still active after"]:N0} with WaitAsync, and allocated {Mb(b.AllocatedBytes)} vs {Mb(a.AllocatedBytes)} (wall {Ms(b.WallMs)} vs {Ms(a.WallMs)}).");
    }

    // ------------------------------------------------------------------ AP4003

    private static async Task<ScenarioResult> FileStreamAsyncModeAsync(int reps)
    {
        var path = Path.Combine(Path.GetTempPath(), "asyncperf-bench-64mb.bin");
        if (!File.Exists(path) || new FileInfo(path).Length != 64L * 1024 * 1024)
        {
            await using var f = File.Create(path);
            var chunk = new byte[1024 * 1024];
            for (var i = 0; i < 64; i++)
            {
                await f.WriteAsync(chunk).ConfigureAwait(false);
            }
        }

        async Task Run(Sample s, bool useAsync)
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096, useAsync: useAsync);
            var buffer = new byte[16 * 1024];
            long total = 0;
            int n;
            while ((n = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                total += n;
            }

            s.Extra["Reads"] = total / buffer.Length;
        }

        var variants = await RunVariantsAsync(reps,
            ("new FileStream(..., useAsync: false) + ReadAsync (before)", s => Run(s, useAsync: false)),
            ("new FileStream(..., useAsync: true) + ReadAsync (after)", s => Run(s, useAsync: true))).ConfigureAwait(false);
        var (b, a) = (variants[0].Median, variants[1].Median);
        return new ScenarioResult("AP4003", "FileStream without vs with async mode, read with ReadAsync",
            "A 64 MB file (in the page cache) read with 16 KB ReadAsync calls.",
            variants, new[] { "Wall time", "Thread-pool work items", "Allocated" },
            $"reading a 64 MB file with 16 KB ReadAsync calls ran {b.ThreadPoolWorkItems:N0} thread-pool work items without async mode vs {a.ThreadPoolWorkItems:N0} with useAsync: true, allocated {Mb(b.AllocatedBytes)} vs {Mb(a.AllocatedBytes)} (wall {Ms(b.WallMs)} vs {Ms(a.WallMs)}; on Linux both modes end up on the thread pool).");
    }

    private static void Log(string message) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {message}");
}

/// <summary>The 50 MB text file for AP5004 (written once to the temp folder).</summary>
internal static class WholeFileData
{
    public const int Lines = 620_000;

    public static string Ensure()
    {
        var path = Path.Combine(Path.GetTempPath(), "asyncperf-bench-50mb.log");
        if (File.Exists(path) && new FileInfo(path).Length > 50L * 1000 * 1000)
        {
            return path;
        }

        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        var random = new Random(7);
        for (var i = 0; i < Lines; i++)
        {
            var level = random.Next(20) == 0 ? "ERROR" : "INFO ";
            writer.Write(FormattableString.Invariant($"2026-11-23T09:{i / 60000 % 60:D2}:{i / 1000 % 60:D2}.{i % 1000:D3}Z {level} request {i:D8} handled by worker {random.Next(64):D2} in {random.Next(1000):D4} ms "));
            writer.WriteLine(new string('x', random.Next(0, 10)));
        }

        return path;
    }
}
