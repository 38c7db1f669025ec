using System.Diagnostics;
using System.Globalization;
using System.Text;
using AsyncPerf.Tests.Meta;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace AsyncPerf.Tests.Reliability;

/// <summary>
/// Issue 9 item 1: seeded mutants of every source we have (showcase, the rule tests' snippets, a generated corpus), run
/// through every analyzer and every code fix. Zero exceptions allowed.
/// <para>
/// The CI run is fixed (seed <see cref="DefaultSeed"/>, <see cref="DefaultCases"/> cases). The long run:
/// <c>ASYNCPERF_FUZZ_CASES=10000 ASYNCPERF_FUZZ_SEED=1 dotnet test tests/AsyncPerf.Tests --filter "FullyQualifiedName~MutationFuzzTests"</c>
/// (optionally <c>ASYNCPERF_FUZZ_REPORT=/tmp/fuzz.txt</c> for a summary file). A failure prints the seed, the case
/// number and the mutant; <c>ASYNCPERF_FUZZ_CASE=n</c> replays case n of that seed alone; <c>ASYNCPERF_FUZZ_FIRST=n</c>
/// starts at case n (to split a long run into shards). The report file is rewritten every 250 cases while it runs.
/// </para>
/// </summary>
public class MutationFuzzTests
{
    public const int DefaultSeed = 20261123;
    public const int DefaultCases = 80;
    private const int MaxReportedFailures = 5;

    private readonly ITestOutputHelper _output;

    public MutationFuzzTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void The_corpus_has_sources_from_every_origin()
    {
        Assert.NotEmpty(SourceCorpus.Showcase);
        Assert.NotEmpty(SourceCorpus.TestSnippets);
        Assert.NotEmpty(SourceCorpus.Generated);
        Assert.NotEmpty(RuleCatalog.Analyzers);
        Assert.NotEmpty(RuleCatalog.CodeFixes);
    }

    [Fact]
    public async Task Every_analyzer_and_fixer_runs_on_every_unmutated_source()
    {
        var failures = new List<string>();
        foreach (var source in SourceCorpus.All)
        {
            var caseFailures = await RunCaseAsync(source, source.Text, CancellationToken.None);
            failures.AddRange(caseFailures.Failures.Select(f => $"{source.Name}: {f}"));
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(10)));
    }

    [Fact]
    public async Task Every_analyzer_and_fixer_survives_seeded_mutants()
    {
        var seed = ReadInt("ASYNCPERF_FUZZ_SEED") ?? DefaultSeed;
        var cases = ReadInt("ASYNCPERF_FUZZ_CASES") ?? DefaultCases;
        var only = ReadInt("ASYNCPERF_FUZZ_CASE");
        var sources = SourceCorpus.All;

        var stopwatch = Stopwatch.StartNew();
        var failedCases = new List<string>();
        var failedCount = 0;
        var diagnosticsPerId = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var actions = 0;
        var ran = 0;
        var mutantsWithDiagnostics = 0;
        var first = only ?? ReadInt("ASYNCPERF_FUZZ_FIRST") ?? 0;
        var end = only is null ? first + cases : only.Value + 1;
        var reportPath = Environment.GetEnvironmentVariable("ASYNCPERF_FUZZ_REPORT");
        for (var i = first; i < end; i++)
        {
            if (reportPath is { Length: > 0 } && ran > 0 && ran % 250 == 0)
            {
                await File.WriteAllTextAsync(reportPath, $"in progress: seed {seed}, cases {first}..{i - 1} done ({ran}), {failedCount} failing, {stopwatch.Elapsed.TotalMinutes:F1} min\n" + string.Join("\n\n", failedCases) + "\n");
            }

            var random = new Random(CaseSeed(seed, i));
            var source = sources[random.Next(sources.Count)];
            var mutant = Mutator.Mutate(source.Text, random, out var mutations);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            CaseResult result;
            try
            {
                result = await RunCaseAsync(source, mutant, timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                result = new CaseResult(0, 0, new Dictionary<string, int>(), new List<string> { "timed out after 60 s (hang?)" });
            }

            ran++;
            actions += result.Actions;
            if (result.Diagnostics > 0)
            {
                mutantsWithDiagnostics++;
            }

            foreach (var (id, n) in result.PerId)
            {
                diagnosticsPerId[id] = diagnosticsPerId.GetValueOrDefault(id) + n;
            }

            if (result.Failures.Count > 0)
            {
                failedCount++;
                if (failedCases.Count < MaxReportedFailures)
                {
                    failedCases.Add(
                        $"=== FUZZ FAILURE: seed {seed}, case {i} (replay: ASYNCPERF_FUZZ_SEED={seed} ASYNCPERF_FUZZ_CASE={i}), source {source.Name}, mutations: {mutations}\n"
                        + string.Join("\n", result.Failures) + "\n--- mutant ---\n" + mutant + "\n--- end of mutant ---");
                }
            }
        }

        var summary = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"fuzz: seed {seed}, {ran} cases (from case {first}), {sources.Count} sources ({SourceCorpus.Showcase.Count} showcase, {SourceCorpus.TestSnippets.Count} test snippets, {SourceCorpus.Generated.Count} generated), ")
            .Append(CultureInfo.InvariantCulture, $"{RuleCatalog.Analyzers.Count} analyzers, {RuleCatalog.CodeFixes.Count} fixers, {failedCount} failing cases, ")
            .Append(CultureInfo.InvariantCulture, $"{mutantsWithDiagnostics} mutants with diagnostics, {actions} code actions applied, {stopwatch.Elapsed.TotalSeconds:F1} s\n")
            .Append("diagnostics per ID: ").Append(string.Join(", ", diagnosticsPerId.Select(p => $"{p.Key}={p.Value}")))
            .ToString();
        _output.WriteLine(summary);
        if (reportPath is { Length: > 0 })
        {
            await File.WriteAllTextAsync(reportPath, summary + "\n" + string.Join("\n\n", failedCases) + "\n");
        }

        Assert.True(failedCount == 0, summary + "\n\n" + string.Join("\n\n", failedCases));
    }

    internal sealed record CaseResult(int Diagnostics, int Actions, Dictionary<string, int> PerId, List<string> Failures);

    internal static async Task<CaseResult> RunCaseAsync(SourceCorpus.Source source, string text, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var outputKind = source.Name.EndsWith("Program.cs", StringComparison.Ordinal) ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary;
        var project = ReliabilityHarness.WithSingleDocument(text, outputKind);
        ReliabilityHarness.AnalysisResult analysis;
        try
        {
            analysis = await ReliabilityHarness.AnalyzeAsync(project, cancellationToken: cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            failures.Add("analysis threw: " + exception);
            return new CaseResult(0, 0, new Dictionary<string, int>(), failures);
        }

        failures.AddRange(analysis.Failures);
        var actions = await ReliabilityHarness.ExerciseFixesAsync(project, analysis.Diagnostics, failures, cancellationToken: cancellationToken);
        var perId = analysis.Diagnostics.GroupBy(d => d.Id).ToDictionary(g => g.Key, g => g.Count());
        return new CaseResult(analysis.Diagnostics.Length, actions, perId, failures);
    }

    /// <summary>Each case has its own seed, so any case can be replayed alone.</summary>
    internal static int CaseSeed(int seed, int index) => unchecked((seed * 1_000_003) ^ (index * 7_919) ^ index);

    private static int? ReadInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
