using System.Net.Http.Json;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace AsyncPerf.Benchmarks.Fix;

/// <summary>
/// The BenchmarkDotNet fix-effect benchmarks: short job (1 launch, 3 warm-up, 3 measured iterations), in-process
/// toolchain (no generated project to build on a shared 2-core machine), MemoryDiagnoser. Loopback servers run in a
/// child process so MemoryDiagnoser sees the client only.
/// </summary>
internal static class MicroBenchmarks
{
    public static int Run(string[] args)
    {
        var job = Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("ShortRun-InProcess");
        var config = DefaultConfig.Instance
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "asyncperf-bdn"))
            .WithOptions(ConfigOptions.DisableLogFile);
        var types = new[]
        {
            typeof(LinearLookupBenchmarks), typeof(WholeFileBenchmarks), typeof(BufferedResponseBenchmarks),
            typeof(JsonViaStringBenchmarks), typeof(HttpClientPerCallBenchmarks),
        };
        var summaries = BenchmarkSwitcher.FromTypes(types).Run(args.Length == 0 ? new[] { "--filter", "*" } : args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}

/// <summary>AP5001: List.Contains inside a loop vs a HashSet built once before it (n = m = 10,000 strings).</summary>
[MemoryDiagnoser]
public class LinearLookupBenchmarks
{
    private List<string> _known = new();
    private List<string> _incoming = new();

    [GlobalSetup]
    public void Setup()
    {
        _known = Enumerable.Range(0, 10_000).Select(i => "customer-" + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        // Half of the incoming names are known.
        _incoming = Enumerable.Range(5_000, 10_000).Select(i => "customer-" + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }

    [Benchmark(Baseline = true, Description = "AP5001 before: List.Contains in the loop")]
    public int ListContainsInLoop()
    {
        var hits = 0;
        foreach (var name in _incoming)
        {
            if (_known.Contains(name))
            {
                hits++;
            }
        }

        return hits;
    }

    [Benchmark(Description = "AP5001 after: HashSet hoisted before the loop")]
    public int HashSetHoisted()
    {
        var known = new HashSet<string>(_known, StringComparer.Ordinal);
        var hits = 0;
        foreach (var name in _incoming)
        {
            if (known.Contains(name))
            {
                hits++;
            }
        }

        return hits;
    }
}

/// <summary>AP5004: one foreach over File.ReadAllLines vs File.ReadLines of a 50 MB file.</summary>
[MemoryDiagnoser]
public class WholeFileBenchmarks
{
    private string _path = "";

    [GlobalSetup]
    public void Setup() => _path = WholeFileData.Ensure();

    [Benchmark(Baseline = true, Description = "AP5004 before: foreach File.ReadAllLines")]
    public int ReadAllLines()
    {
        var n = 0;
        foreach (var line in File.ReadAllLines(_path))
        {
            n += line.Length;
        }

        return n;
    }

    [Benchmark(Description = "AP5004 after: foreach File.ReadLines")]
    public int ReadLines()
    {
        var n = 0;
        foreach (var line in File.ReadLines(_path))
        {
            n += line.Length;
        }

        return n;
    }
}

/// <summary>Shared loopback server + client for the HTTP benchmarks.</summary>
public abstract class LoopbackBenchmark
{
    private LoopbackServer? _server;

    internal HttpClient Client { get; private set; } = null!;

    internal Uri BaseAddress => _server!.BaseAddress;

    [GlobalSetup]
    public void StartServer()
    {
        _server = LoopbackServer.Start();
        Client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { BaseAddress = _server.BaseAddress };
        Client.GetStringAsync("tiny").GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void StopServer()
    {
        Client.Dispose();
        _server?.Dispose();
    }
}

/// <summary>AP5002: a 50 MB body read as a stream after a buffered GetAsync vs ResponseHeadersRead.</summary>
[MemoryDiagnoser]
public class BufferedResponseBenchmarks : LoopbackBenchmark
{
    private readonly byte[] _buffer = new byte[81920];

    private async Task<long> ReadAsync(HttpCompletionOption option)
    {
        using var response = await Client.GetAsync("bytes?mb=50", option).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(_buffer).ConfigureAwait(false)) > 0)
        {
            total += n;
        }

        return total;
    }

    [Benchmark(Baseline = true, Description = "AP5002 before: GetAsync + ReadAsStreamAsync (50 MB)")]
    public Task<long> Buffered() => ReadAsync(HttpCompletionOption.ResponseContentRead);

    [Benchmark(Description = "AP5002 after: GetAsync(ResponseHeadersRead) + ReadAsStreamAsync (50 MB)")]
    public Task<long> HeadersRead() => ReadAsync(HttpCompletionOption.ResponseHeadersRead);
}

/// <summary>AP5003: a 50 MB JSON response deserialized through a string vs from the stream.</summary>
[MemoryDiagnoser]
public class JsonViaStringBenchmarks : LoopbackBenchmark
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Benchmark(Baseline = true, Description = "AP5003 before: ReadAsStringAsync + JsonSerializer.Deserialize (50 MB)")]
    public async Task<int> ViaString()
    {
        using var response = await Client.GetAsync("json?mb=50").ConfigureAwait(false);
        var json = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        return JsonSerializer.Deserialize<List<Item>>(json, Web)!.Count;
    }

    [Benchmark(Description = "AP5003 after: ReadFromJsonAsync (50 MB)")]
    public async Task<int> ReadFromJson()
    {
        using var response = await Client.GetAsync("json?mb=50").ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<List<Item>>(Web).ConfigureAwait(false))!.Count;
    }

    [Benchmark(Description = "AP5003+AP5002 after: ResponseHeadersRead + DeserializeAsync(stream) (50 MB)")]
    public async Task<int> FromStream()
    {
        using var response = await Client.GetAsync("json?mb=50", HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        return (await JsonSerializer.DeserializeAsync<List<Item>>(stream, Web).ConfigureAwait(false))!.Count;
    }
}

/// <summary>AP4001: 200 sequential GETs with a new HttpClient per call vs a shared one (time per 200 calls).</summary>
[MemoryDiagnoser]
public class HttpClientPerCallBenchmarks : LoopbackBenchmark
{
    private const int Calls = 200;

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls, Description = "AP4001 before: new HttpClient per call (per GET)")]
    public async Task<int> PerCall()
    {
        var n = 0;
        for (var i = 0; i < Calls; i++)
        {
            using var client = new HttpClient { BaseAddress = BaseAddress };
            n += (await client.GetStringAsync("tiny").ConfigureAwait(false)).Length;
        }

        return n;
    }

    [Benchmark(OperationsPerInvoke = Calls, Description = "AP4001 after: shared HttpClient (per GET)")]
    public async Task<int> Shared()
    {
        var n = 0;
        for (var i = 0; i < Calls; i++)
        {
            n += (await Client.GetStringAsync("tiny").ConfigureAwait(false)).Length;
        }

        return n;
    }
}
