using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPerf.Benchmarks.Cost;

/// <summary>
/// The analyzer cost benchmark: a plain timed harness (not BenchmarkDotNet: the measure is Roslyn's own per-analyzer
/// telemetry, and one iteration takes seconds). Per iteration: a fresh compilation of the generated corpus is bound
/// (<c>GetDiagnostics</c>, timed), then for each package a fresh compilation is analysed by
/// <c>CompilationWithAnalyzers</c> with <c>logAnalyzerExecutionTime</c> and each analyzer's
/// <c>ExecutionTime</c> is read from <c>GetAnalyzerTelemetryInfoAsync</c>. Warm-up iterations are discarded; the
/// report shows medians.
/// </summary>
internal static class CostRunner
{
    /// <summary>Our rule -> the peer rules that look for the same thing.</summary>
    public static readonly (string Ours, string Peer, string Package)[] Overlaps =
    {
        ("AP2001", "VSTHRD002", "Microsoft.VisualStudio.Threading.Analyzers"),
        ("AP2002", "VSTHRD103", "Microsoft.VisualStudio.Threading.Analyzers"),
        ("AP2002", "MA0042", "Meziantou.Analyzer"),
        ("AP2002", "AsyncFixer02", "AsyncFixer"),
        ("AP3001", "MA0040", "Meziantou.Analyzer"),
        ("AP1002", "VSTHRD101", "Microsoft.VisualStudio.Threading.Analyzers"),
        ("AP1002", "AsyncFixer03", "AsyncFixer"),
    };

    private sealed class Options
    {
        public int Lines = 100_000;
        public int Warmup = 2;
        public int Runs = 5;
        public readonly List<string> OursDlls = new();
        public bool AllPeers;
        public bool NoPeers;
        public readonly List<string> Only = new();
        public readonly List<string> PeerRules = new();
        public readonly List<(string Label, string Dll)> Variants = new();
        public bool Concurrent;
        public bool Combined;
        public bool Baseline;
        public bool Alone;
        public string? Out;
        public string? WriteCorpus;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var o = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--lines": o.Lines = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": o.Warmup = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--runs": o.Runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--ours": o.OursDlls.Add(args[++i]); break;
                case "--all-peers": o.AllPeers = true; break;
                case "--no-peers": o.NoPeers = true; break;
                case "--only": o.Only.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
                case "--peers": o.PeerRules.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
                case "--variant":
                    var spec = args[++i];
                    var eq = spec.IndexOf('=', StringComparison.Ordinal);
                    o.Variants.Add(eq > 0 ? (spec[..eq], spec[(eq + 1)..]) : (Path.GetFileNameWithoutExtension(spec), spec));
                    break;
                case "--concurrent": o.Concurrent = true; break;
                case "--combined": o.Combined = true; break;
                case "--baseline": o.Baseline = true; break;
                case "--alone": o.Alone = true; break;
                case "--out": o.Out = args[++i]; break;
                case "--write-corpus": o.WriteCorpus = args[++i]; break;
                default:
                    Console.Error.WriteLine($"unknown option {args[i]}");
                    Console.Error.WriteLine("cost [--lines 100000] [--warmup 2] [--runs 5] [--ours AsyncPerf.Analyzers.dll]... [--all-peers | --no-peers] [--only AP3001,AP3002] [--peers MA0040,VSTHRD002] [--variant label=AsyncPerf.Analyzers.dll]... [--concurrent] [--combined] [--baseline] [--alone] [--out file.md] [--write-corpus dir]");
                    return 2;
            }
        }

        // Corpus.
        var files = CorpusGenerator.Generate(o.Lines);
        var lineCount = files.Sum(f => CorpusGenerator.CountLines(f.Text));
        Log($"corpus: {files.Count} files, {lineCount:N0} lines");
        if (o.WriteCorpus is not null)
        {
            foreach (var (path, text) in files)
            {
                var target = Path.Combine(o.WriteCorpus, path);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.WriteAllText(target, text);
            }
        }

        var parseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest)
            .WithPreprocessorSymbols("RELEASE", "NET", "NET10_0", "NETCOREAPP", "NET10_0_OR_GREATER");
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(f.Text, parseOptions, f.Path, Encoding.UTF8)).ToImmutableArray();
        var (references, referenceSource) = References();
        Log($"references: {references.Length} from {referenceSource}");

        // Analyzers.
        // --only: keep the analyzers that report one of the given rules. --variant: another build of our analyzers (an
        // experiment), measured as its own package in the same iterations, so A/B comparisons share the machine's state.
        AnalyzerPackage Filter(AnalyzerPackage package) => o.Only.Count == 0
            ? package
            : package with { Analyzers = package.Analyzers.Where(a => a.SupportedDiagnostics.Any(d => o.Only.Contains(d.Id))).ToList() };
        var ours = Filter(AnalyzerLoader.Ours(o.OursDlls));
        var packages = new List<AnalyzerPackage> { ours };
        var variants = o.Variants.Select(v => Filter(AnalyzerLoader.Ours(new[] { v.Dll }) with { Name = v.Label })).ToList();
        packages.AddRange(variants);
        foreach (var (name, folder) in o.NoPeers ? Enumerable.Empty<(string, string)>() : AnalyzerLoader.PeerPackageFolders())
        {
            var peer = AnalyzerLoader.Peer(name, folder);
            if (!o.AllPeers)
            {
                // --peers: only the peer analyzers of these rules (a rule-against-rule run: --only AP3001 --peers MA0040).
                var wanted = Overlaps.Where(x => x.Package == name && (o.PeerRules.Count == 0 || o.PeerRules.Contains(x.Peer))).Select(x => x.Peer).ToHashSet(StringComparer.Ordinal);
                peer = peer with { Analyzers = peer.Analyzers.Where(a => a.SupportedDiagnostics.Any(d => wanted.Contains(d.Id))).ToList() };
            }

            packages.Add(peer);
        }

        foreach (var package in packages)
        {
            Log($"{package.Name}: {package.Analyzers.Count} analyzers; {string.Join("; ", package.Notes)}");
        }

        // Every rule of every measured analyzer on (including rules disabled by default): an upper bound.
        var specific = packages.SelectMany(p => p.Analyzers).SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Distinct()
            .ToImmutableDictionary(id => id, _ => ReportDiagnostic.Warn);
        var compilationOptions = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable, concurrentBuild: o.Concurrent)
            .WithSpecificDiagnosticOptions(specific);
        CSharpCompilation Create() => CSharpCompilation.Create("Corpus", trees, references, compilationOptions);

        // Two analysis groups per iteration: our package alone (so its whole overhead over binding can be measured
        // too, in wall and CPU time), then all peer analyzers together. Each on a fresh compilation.
        // --combined: one CompilationWithAnalyzers for everything (one binding less per iteration, no cross-check).
        var groups = new List<(string Name, ImmutableArray<DiagnosticAnalyzer> Analyzers)>();
        if (o.Combined)
        {
            groups.Add(("all", packages.SelectMany(p => p.Analyzers).ToImmutableArray()));
        }
        else
        {
            groups.Add(("AsyncPerf", ours.Analyzers.ToImmutableArray()));
        }

        foreach (var variant in variants)
        {
            groups.Add((variant.Name, variant.Analyzers.ToImmutableArray()));
        }

        if (o.Baseline)
        {
            groups.Add(("baseline", ImmutableArray.Create<DiagnosticAnalyzer>(new BaselineAnalyzer())));
        }

        if (!o.Combined && packages.Skip(1 + variants.Count).Any(p => p.Analyzers.Count > 0))
        {
            groups.Add(("peers", packages.Skip(1 + variants.Count).SelectMany(p => p.Analyzers).ToImmutableArray()));
        }

        // --alone: every analyzer of an overlapping pair (ours and the peer's) also in a CompilationWithAnalyzers of its own,
        // as in a build that enables only that rule: each pays its own one-off costs (type lookups, the driver's per-file
        // generated-code check on its first diagnostic in a file) instead of sharing them with the analyzers of its group.
        var alone = new HashSet<DiagnosticAnalyzer>();
        if (o.Alone)
        {
            foreach (var (oursId, peerId, _) in Overlaps)
            {
                foreach (var analyzer in ours.Analyzers.Where(a => a.SupportedDiagnostics.Any(d => d.Id == oursId))
                    .Concat(packages.Skip(1 + variants.Count).SelectMany(p => p.Analyzers).Where(a => a.SupportedDiagnostics.Any(d => d.Id == peerId))))
                {
                    if (alone.Add(analyzer))
                    {
                        groups.Add(("alone " + analyzer.GetType().Name, ImmutableArray.Create(analyzer)));
                    }
                }
            }
        }

        var m = new Measurements();
        foreach (var g in groups)
        {
            m.AnalysisWall[g.Name] = new List<double>();
            m.AnalysisCpu[g.Name] = new List<double>();
        }

        var iterations = o.Warmup + o.Runs;
        var errorCount = -1;
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            var measured = iteration >= o.Warmup;
            ForceGc();
            var (bindWall, bindCpu, bound) = Time(() => Create().GetDiagnostics());
            if (errorCount < 0)
            {
                // Sanity: the corpus must compile, or analyzers see error types and the timings mean little.
                var errors = bound.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                errorCount = errors.Count;
                Log($"compiler errors: {errors.Count}");
                foreach (var error in errors.Take(10))
                {
                    Log("  " + error);
                }
            }

            if (measured)
            {
                m.BindWall.Add(bindWall);
                m.BindCpu.Add(bindCpu);
            }

            var line = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"iteration {iteration + 1}/{iterations}{(measured ? "" : " (warm-up)")}: bind {bindWall:F0} ms (cpu {bindCpu:F0})"));
            foreach (var group in groups)
            {
                if (group.Analyzers.IsEmpty)
                {
                    continue;
                }

                ForceGc();
                var analysisOptions = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                    (ex, analyzer, _) => { lock (m.Exceptions) { m.Exceptions.Add($"{analyzer.GetType().Name}: {ex.GetType().Name}: {ex.Message}"); } },
                    concurrentAnalysis: o.Concurrent, logAnalyzerExecutionTime: true, reportSuppressedDiagnostics: false);
                // The compiler binds the references (the source assembly symbol, the merged global namespace) before any
                // analyzer runs; on a fresh compilation the first analyzer to resolve a type would pay for it instead.
                var fresh = Create();
                _ = fresh.Assembly;
                _ = fresh.GlobalNamespace;
                var withAnalyzers = fresh.WithAnalyzers(group.Analyzers, analysisOptions);
                var (wall, cpu, diagnostics) = Time(() => withAnalyzers.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult());
                double total = 0;
                foreach (var analyzer in group.Analyzers)
                {
                    var telemetry = await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None).ConfigureAwait(false);
                    var ms = telemetry.ExecutionTime.TotalMilliseconds;
                    total += ms;
                    if (measured)
                    {
                        var perAnalyzer = group.Name.StartsWith("alone ", StringComparison.Ordinal) ? m.Alone : m.PerAnalyzer;
                        (perAnalyzer.TryGetValue(analyzer, out var list) ? list : perAnalyzer[analyzer] = new List<double>()).Add(ms);
                    }
                }

                if (measured)
                {
                    m.AnalysisWall[group.Name].Add(wall);
                    m.AnalysisCpu[group.Name].Add(cpu);
                }

                if (iteration == iterations - 1 && !group.Name.StartsWith("alone ", StringComparison.Ordinal))
                {
                    foreach (var d in diagnostics)
                    {
                        m.DiagnosticCounts[d.Id] = m.DiagnosticCounts.GetValueOrDefault(d.Id) + 1;
                    }
                }

                line.Append(CultureInfo.InvariantCulture, $"; {group.Name}: analyzer exec {total:F0} ms, analysis wall {wall:F0} ms (cpu {cpu:F0})");
            }

            Log(line.ToString());
        }

        var report = Report(o, files.Count, lineCount, referenceSource, errorCount, packages, m);
        Console.WriteLine();
        Console.WriteLine(report);
        if (o.Out is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(o.Out))!);
            await File.WriteAllTextAsync(o.Out, report).ConfigureAwait(false);
            Log($"written to {o.Out}");
        }

        return 0;
    }

    private sealed class Measurements
    {
        public readonly List<double> BindWall = new();
        public readonly List<double> BindCpu = new();
        public readonly Dictionary<string, List<double>> AnalysisWall = new(StringComparer.Ordinal);
        public readonly Dictionary<string, List<double>> AnalysisCpu = new(StringComparer.Ordinal);
        public readonly Dictionary<DiagnosticAnalyzer, List<double>> PerAnalyzer = new();
        public readonly Dictionary<DiagnosticAnalyzer, List<double>> Alone = new();
        public readonly Dictionary<string, int> DiagnosticCounts = new(StringComparer.Ordinal);
        public readonly List<string> Exceptions = new();
    }

    /// <summary>Wall and process CPU time (ms) of an action.</summary>
    private static (double Wall, double Cpu, T Result) Time<T>(Func<T> action)
    {
        using var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var result = action();
        var wall = sw.Elapsed.TotalMilliseconds;
        process.Refresh();
        return (wall, (process.TotalProcessorTime - cpu0).TotalMilliseconds, result);
    }

    private static string Report(Options o, int fileCount, int lineCount, string referenceSource, int errorCount,
        List<AnalyzerPackage> packages, Measurements m)
    {
        var perAnalyzer = m.PerAnalyzer;
        var diagnosticCounts = m.DiagnosticCounts;
        var exceptions = m.Exceptions;
        var bind = Median(m.BindWall);
        string Pct(double ms) => (100 * ms / bind).ToString("F2", CultureInfo.InvariantCulture) + " %";
        string Ms(double ms) => ms.ToString("F0", CultureInfo.InvariantCulture);
        double PackageTotal(AnalyzerPackage p) => p.Analyzers.Sum(a => perAnalyzer.TryGetValue(a, out var l) ? Median(l) : 0);
        var sb = new StringBuilder();
        sb.AppendLine("# Analyzer cost on the generated corpus");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Environment: {Environment()}");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Corpus: {fileCount} generated files, {lineCount:N0} lines (seed 20261123, {CorpusGenerator.AntiPatternRate:P0} of method slots are anti-patterns), {errorCount} compiler errors; references: {referenceSource}.");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Method: plain timed harness (not BenchmarkDotNet: the measure is Roslyn's telemetry), {o.Warmup} warm-up + {o.Runs} measured iterations, medians. concurrentBuild/concurrentAnalysis = {o.Concurrent.ToString().ToLowerInvariant()} (single-threaded, so times add up). Every rule of every measured analyzer is enabled (upper bound). Per-analyzer time = `AnalyzerTelemetryInfo.ExecutionTime` (logAnalyzerExecutionTime: true), a wall-clock sum over the analyzer's callbacks. Peers: {(o.AllPeers ? "whole packages" : "only the analyzers that implement the overlapping rules")}, {(o.Combined ? "analysed in the same CompilationWithAnalyzers as ours" : "analysed together in one CompilationWithAnalyzers; ours alone in another")}.");
        sb.AppendLine();
        var cpuShare = m.BindWall.Sum() > 0 ? m.BindCpu.Sum() / m.BindWall.Sum() : 0;
        sb.AppendLine(CultureInfo.InvariantCulture, $"**Binding (`Compilation.GetDiagnostics()`, fresh compilation): median {Ms(bind)} ms wall** (min {Ms(m.BindWall.Min())}, max {Ms(m.BindWall.Max())}; CPU median {Ms(Median(m.BindCpu))} ms; this process got {cpuShare:P0} of a core while binding, i.e. the machine was {(cpuShare < 0.8 ? "contended: absolute times are inflated, ratios are what to read" : "mostly free")}).");
        sb.AppendLine();
        sb.AppendLine("## Packages");
        sb.AppendLine();
        sb.AppendLine("| Package | Analyzers | Sum of analyzer execution time (ms, median) | % of binding |");
        sb.AppendLine("|---|---:|---:|---:|");
        foreach (var package in packages)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {package.Name}{(package == packages[0] || o.AllPeers ? "" : " (overlapping analyzers only)")} | {package.Analyzers.Count} | {Ms(PackageTotal(package))} | {Pct(PackageTotal(package))} |");
        }

        sb.AppendLine();
        if (m.AnalysisWall.TryGetValue("AsyncPerf", out var oursWall) && oursWall.Count > 0)
        {
            var overheadWall = Median(oursWall) - bind;
            var overheadCpu = Median(m.AnalysisCpu["AsyncPerf"]) - Median(m.BindCpu);
            if (m.AnalysisWall.TryGetValue("baseline", out var baseWall) && baseWall.Count > 0)
            {
                var marginalWall = Median(oursWall) - Median(baseWall);
                var marginalCpu = Median(m.AnalysisCpu["AsyncPerf"]) - Median(m.AnalysisCpu["baseline"]);
                sb.AppendLine(CultureInfo.InvariantCulture, $"Marginal cost over a no-op operation analyzer (BaselineAnalyzer: same driver and IOperation trees, no work): AsyncPerf-alone analysis minus baseline analysis = wall {Ms(Median(oursWall))} − {Ms(Median(baseWall))} = {Ms(marginalWall)} ms ({Pct(marginalWall)}); CPU {Ms(Median(m.AnalysisCpu["AsyncPerf"]))} − {Ms(Median(m.AnalysisCpu["baseline"]))} = {Ms(marginalCpu)} ms ({(100 * marginalCpu / Median(m.BindCpu)).ToString("F1", CultureInfo.InvariantCulture)} % of binding CPU).");
                sb.AppendLine();
            }

            sb.AppendLine(CultureInfo.InvariantCulture, $"Cross-check, whole-analysis overhead of AsyncPerf alone (CompilationWithAnalyzers.GetAnalyzerDiagnosticsAsync minus binding, includes the analyzer driver): wall {Ms(Median(oursWall))} − {Ms(bind)} = {Ms(overheadWall)} ms ({Pct(overheadWall)}); CPU {Ms(Median(m.AnalysisCpu["AsyncPerf"]))} − {Ms(Median(m.BindCpu))} = {Ms(overheadCpu)} ms ({(100 * overheadCpu / Median(m.BindCpu)).ToString("F1", CultureInfo.InvariantCulture)} % of binding CPU). Noisy: a difference of two large numbers.");
            sb.AppendLine();
        }

        sb.AppendLine("## Per analyzer");
        sb.AppendLine();
        sb.AppendLine("| Package | Analyzer | Rules | Execution time (ms, median) | % of binding | Diagnostics on corpus |");
        sb.AppendLine("|---|---|---|---:|---:|---:|");
        foreach (var package in packages)
        {
            foreach (var analyzer in package.Analyzers.OrderByDescending(a => perAnalyzer.TryGetValue(a, out var l) ? Median(l) : 0))
            {
                var ms = perAnalyzer.TryGetValue(analyzer, out var list) ? Median(list) : 0;
                var ids = analyzer.SupportedDiagnostics.Select(d => d.Id).Distinct().ToList();
                var count = ids.Sum(id => diagnosticCounts.GetValueOrDefault(id));
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {package.Name} | {analyzer.GetType().Name} | {string.Join(", ", ids)} | {Ms(ms)} | {Pct(ms)} | {count} |");
            }
        }

        sb.AppendLine();
        sb.AppendLine("## Overlapping rules: ours vs peer");
        sb.AppendLine();
        sb.AppendLine("A peer analyzer type may implement several rules; its whole execution time is counted (Roslyn reports time per analyzer, not per rule).");
        sb.AppendLine();
        sb.AppendLine("| Our rule | Our cost (% of binding) | Peer rule | Peer analyzer | Peer cost (% of binding) | Peer / ours | ≥ 10× cheaper |");
        sb.AppendLine("|---|---:|---|---|---:|---:|---|");
        foreach (var (oursId, peerId, _) in Overlaps)
        {
            var ourAnalyzers = packages[0].Analyzers.Where(a => a.SupportedDiagnostics.Any(d => d.Id == oursId)).ToList();
            var peerAnalyzers = packages.Skip(1).SelectMany(p => p.Analyzers).Where(a => a.SupportedDiagnostics.Any(d => d.Id == peerId)).ToList();
            if (ourAnalyzers.Count == 0 || peerAnalyzers.Count == 0)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {oursId} | {(ourAnalyzers.Count == 0 ? "not on this branch" : "")} | {peerId} | {(peerAnalyzers.Count == 0 ? "not found" : "")} | | | |");
                continue;
            }

            var ourMs = ourAnalyzers.Sum(a => perAnalyzer.TryGetValue(a, out var l) ? Median(l) : 0);
            var peerMs = peerAnalyzers.Sum(a => perAnalyzer.TryGetValue(a, out var l) ? Median(l) : 0);
            var ratio = ourMs <= 0 ? double.PositiveInfinity : peerMs / ourMs;
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {oursId} | {Pct(ourMs)} | {peerId} | {string.Join(", ", peerAnalyzers.Select(a => a.GetType().Name))} | {Pct(peerMs)} | {ratio:F1}× | {(ratio >= 10 ? "yes" : "**no**")} |");
        }

        if (m.Alone.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Each overlapping rule alone vs its peer alone");
            sb.AppendLine();
            sb.AppendLine("Each analyzer analysed in a CompilationWithAnalyzers of its own (same iterations), as in a build that enables only that rule: it pays its own one-off costs (type lookups, the analyzer driver's per-file generated-code check on its first diagnostic in a file) instead of sharing them with the other analyzers of its package. Medians, and the minimum over the iterations (the least disturbed run).");
            sb.AppendLine();
            sb.AppendLine("| Our rule | Ours alone (ms, median / min) | % of binding | Peer rule | Peer analyzer | Peer alone (ms, median / min) | % of binding | Peer / ours (medians) | Peer / ours (minimums) | ≥ 10× cheaper |");
            sb.AppendLine("|---|---:|---:|---|---|---:|---:|---:|---:|---|");
            foreach (var (oursId, peerId, _) in Overlaps)
            {
                var ourAnalyzers = packages[0].Analyzers.Where(a => a.SupportedDiagnostics.Any(d => d.Id == oursId) && m.Alone.ContainsKey(a)).ToList();
                var peerAnalyzers = packages.Skip(1).SelectMany(p => p.Analyzers).Where(a => a.SupportedDiagnostics.Any(d => d.Id == peerId) && m.Alone.ContainsKey(a)).ToList();
                if (ourAnalyzers.Count == 0 || peerAnalyzers.Count == 0)
                {
                    continue;
                }

                var ourMedian = ourAnalyzers.Sum(a => Median(m.Alone[a]));
                var ourMin = ourAnalyzers.Sum(a => m.Alone[a].Min());
                var peerMedian = peerAnalyzers.Sum(a => Median(m.Alone[a]));
                var peerMin = peerAnalyzers.Sum(a => m.Alone[a].Min());
                var ratio = ourMedian <= 0 ? double.PositiveInfinity : peerMedian / ourMedian;
                var ratioMin = ourMin <= 0 ? double.PositiveInfinity : peerMin / ourMin;
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {oursId} | {Ms(ourMedian)} / {Ms(ourMin)} | {Pct(ourMedian)} | {peerId} | {string.Join(", ", peerAnalyzers.Select(a => a.GetType().Name))} | {Ms(peerMedian)} / {Ms(peerMin)} | {Pct(peerMedian)} | {ratio:F1}× | {ratioMin:F1}× | {(ratio >= 10 && ratioMin >= 10 ? "yes" : ratio >= 10 || ratioMin >= 10 ? "**borderline**" : "**no**")} |");
            }
        }

        sb.AppendLine();
        sb.AppendLine("## Diagnostics reported on the corpus (last iteration)");
        sb.AppendLine();
        sb.AppendLine(string.Join(", ", diagnosticCounts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}")));
        if (exceptions.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Analyzer exceptions");
            sb.AppendLine();
            foreach (var ex in exceptions.Distinct().Take(20))
            {
                sb.AppendLine("- " + ex);
            }
        }

        foreach (var note in packages.SelectMany(p => p.Notes).Where(n => n.Contains("FAIL", StringComparison.Ordinal) || n.Contains("cannot", StringComparison.Ordinal)))
        {
            sb.AppendLine("- " + note);
        }

        return sb.ToString();
    }

    public static string Environment()
    {
        var cpu = "unknown CPU";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException)
        {
        }

        return $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {RuntimeInformation.OSDescription}, {cpu}, {System.Environment.ProcessorCount} logical cores (shared with other jobs: noisy), " +
               $"{RuntimeInformation.FrameworkDescription}, Roslyn {typeof(Compilation).Assembly.GetName().Version}";
    }

    private static (ImmutableArray<MetadataReference>, string) References()
    {
        var runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!; // .../shared/Microsoft.NETCore.App/<ver>
        var version = Path.GetFileName(runtimeDir);
        var dotnetRoot = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", ".."));
        var folders = new List<string>();
        foreach (var pack in new[] { "Microsoft.NETCore.App.Ref", "Microsoft.AspNetCore.App.Ref" })
        {
            var packRoot = Path.Combine(dotnetRoot, "packs", pack);
            var dir = Directory.Exists(packRoot)
                ? Directory.EnumerateDirectories(packRoot).OrderByDescending(d => Path.GetFileName(d) == version).ThenByDescending(d => d, StringComparer.Ordinal)
                    .Select(d => Path.Combine(d, "ref", "net10.0")).FirstOrDefault(Directory.Exists)
                : null;
            if (dir is not null)
            {
                folders.Add(dir);
            }
        }

        string source;
        if (folders.Count == 2)
        {
            source = "reference packs " + string.Join(" + ", folders);
        }
        else
        {
            // The running framework's implementation assemblies (trusted platform assemblies) + ASP.NET Core's.
            folders.Clear();
            folders.Add(runtimeDir);
            var asp = Path.Combine(dotnetRoot, "shared", "Microsoft.AspNetCore.App", version);
            if (Directory.Exists(asp))
            {
                folders.Add(asp);
            }

            source = "shared framework folders " + string.Join(" + ", folders);
        }

        var refs = folders.SelectMany(f => Directory.EnumerateFiles(f, "*.dll"))
            .Where(IsManaged)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase).Select(g => g.First())
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
        return (refs, source);
    }

    private static bool IsManaged(string path)
    {
        try
        {
            System.Reflection.AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    private static void ForceGc()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static void Log(string message) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {message}");
}
