using System.Collections.Immutable;
using AsyncPerf.Tests.Meta;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace AsyncPerf.Tests.Reliability;

/// <summary>
/// Issue 9 item 4: every analyzer, run 20 times concurrently over one compilation (same analyzer instances, so any
/// shared mutable state shows), gives the same diagnostics every time; analyzers and fixers honour cancellation.
/// </summary>
public class DeterminismTests
{
    private const int ConcurrentRuns = 20;

    private static readonly Lazy<Project> s_project = new(() =>
        ReliabilityHarness.CreateProject(SourceCorpus.Showcase.Concat(SourceCorpus.Generated).Select(s => (s.Name, s.Text)).ToList(), OutputKind.ConsoleApplication, projectName: "Determinism"));

    public static TheoryData<string> AnalyzerNames()
    {
        var data = new TheoryData<string>();
        foreach (var analyzer in RuleCatalog.Analyzers)
        {
            data.Add(analyzer.GetType().Name);
        }

        return data;
    }

    private static DiagnosticAnalyzer AnalyzerNamed(string name) => RuleCatalog.Analyzers.Single(a => a.GetType().Name == name);

    private static async Task<Compilation> CompilationAsync() => (await s_project.Value.GetCompilationAsync())!;

    [Fact]
    public async Task Twenty_concurrent_runs_of_all_analyzers_report_identical_diagnostics()
    {
        var compilation = await CompilationAsync();
        var baseline = await ReliabilityHarness.AnalyzeAsync(compilation, ReliabilityHarness.Analyzers);
        Assert.Empty(baseline.Failures);
        Assert.NotEmpty(baseline.Diagnostics);
        var expected = baseline.Diagnostics.Select(ReliabilityHarness.Render).ToList();

        var runs = await Task.WhenAll(Enumerable.Range(0, ConcurrentRuns).Select(_ => Task.Run(() => ReliabilityHarness.AnalyzeAsync(compilation, ReliabilityHarness.Analyzers))));

        for (var i = 0; i < runs.Length; i++)
        {
            Assert.Empty(runs[i].Failures);
            var actual = runs[i].Diagnostics.Select(ReliabilityHarness.Render).ToList();
            Assert.True(expected.SequenceEqual(actual),
                $"Run {i} differs from the baseline.\nonly in baseline:\n  {string.Join("\n  ", expected.Except(actual))}\nonly in run {i}:\n  {string.Join("\n  ", actual.Except(expected))}");
        }
    }

    [Fact]
    public async Task The_determinism_corpus_produces_diagnostics_of_the_shipped_rules()
    {
        // Without diagnostics the comparisons in this class would prove little.
        var compilation = await CompilationAsync();
        var result = await ReliabilityHarness.AnalyzeAsync(compilation, ReliabilityHarness.Analyzers);
        var fired = result.Diagnostics.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(fired, id => RuleCatalog.ReportedIds.Contains(id));
    }

    [Fact]
    public async Task Concurrent_analysis_and_sequential_analysis_agree()
    {
        var compilation = await CompilationAsync();
        var concurrent = await ReliabilityHarness.AnalyzeAsync(compilation, ReliabilityHarness.Analyzers);
        var sequential = await compilation.WithAnalyzers(ReliabilityHarness.Analyzers,
            new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: false, logAnalyzerExecutionTime: false))
            .GetAnalyzerDiagnosticsAsync();
        var sequentialRendered = sequential.OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal)
            .Select(ReliabilityHarness.Render).ToList();
        Assert.Equal(concurrent.Diagnostics.Select(ReliabilityHarness.Render).ToList(), sequentialRendered);
    }

    [Theory]
    [MemberData(nameof(AnalyzerNames))]
    public async Task Each_analyzer_alone_reports_the_same_as_within_the_whole_set(string analyzerName)
    {
        var analyzer = AnalyzerNamed(analyzerName);
        var compilation = await CompilationAsync();
        var all = await ReliabilityHarness.AnalyzeAsync(compilation, ReliabilityHarness.Analyzers);
        var ids = analyzer.SupportedDiagnostics.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var alone = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => ReliabilityHarness.AnalyzeAsync(compilation, ImmutableArray.Create(analyzer)))));
        var expected = all.Diagnostics.Where(d => ids.Contains(d.Id)).Select(ReliabilityHarness.Render).ToList();
        foreach (var run in alone)
        {
            Assert.Empty(run.Failures);
            Assert.Equal(expected, run.Diagnostics.Select(ReliabilityHarness.Render).ToList());
        }
    }

    [Fact]
    public async Task A_pre_cancelled_token_throws_OperationCanceledException_for_all_analyzers()
    {
        var compilation = (await CompilationAsync()).Clone();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReliabilityHarness.AnalyzeAsync(compilation, ReliabilityHarness.Analyzers, cancellationToken: cancelled.Token));
    }

    [Theory]
    [MemberData(nameof(AnalyzerNames))]
    public async Task A_pre_cancelled_token_throws_OperationCanceledException(string analyzerName)
    {
        var compilation = (await CompilationAsync()).Clone();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReliabilityHarness.AnalyzeAsync(compilation, ImmutableArray.Create(AnalyzerNamed(analyzerName)), cancellationToken: cancelled.Token));
    }

    [Fact]
    public async Task Cancelling_mid_run_gives_the_full_result_or_OperationCanceledException_and_nothing_else()
    {
        var compilation = await CompilationAsync();
        var expected = (await ReliabilityHarness.AnalyzeAsync(compilation, ReliabilityHarness.Analyzers)).Diagnostics.Select(ReliabilityHarness.Render).ToList();
        var cancelledRuns = 0;
        foreach (var delay in new[] { 1, 5, 20, 50, 100, 200, 400 })
        {
            // A fresh clone each time, so the cancellation lands while the compiler and the analyzers are still working.
            var fresh = compilation.Clone();
            using var source = new CancellationTokenSource(TimeSpan.FromMilliseconds(delay));
            try
            {
                var result = await ReliabilityHarness.AnalyzeAsync(fresh, ReliabilityHarness.Analyzers, cancellationToken: source.Token);
                Assert.Empty(result.Failures);
                Assert.Equal(expected, result.Diagnostics.Select(ReliabilityHarness.Render).ToList());
            }
            catch (OperationCanceledException)
            {
                cancelledRuns++;
            }
        }

        Assert.True(cancelledRuns > 0, "no run was cancelled: the cancellation was never observed");
    }

    [Fact]
    public async Task Fixers_given_a_cancelled_token_throw_OperationCanceledException_or_finish_and_nothing_else()
    {
        var project = s_project.Value;
        var diagnostics = (await ReliabilityHarness.AnalyzeAsync(project)).Diagnostics;
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var exercised = 0;
        foreach (var fixer in RuleCatalog.CodeFixes)
        {
            foreach (var diagnostic in diagnostics.Where(d => fixer.FixableDiagnosticIds.Contains(d.Id)).Take(3))
            {
                var document = project.GetDocument(diagnostic.Location.SourceTree)!;

                // Registration with a cancelled token: OperationCanceledException or a normal return.
                try
                {
                    await fixer.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (_, _) => { }, cancelled.Token));
                }
                catch (OperationCanceledException)
                {
                }

                // The actions registered with a live token, computed with a cancelled one.
                var actions = new List<CodeAction>();
                await fixer.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
                foreach (var action in actions)
                {
                    exercised++;
                    try
                    {
                        await action.GetOperationsAsync(cancelled.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            }
        }

        Assert.True(exercised > 0 || RuleCatalog.CodeFixes.Count == 0, "no code action was offered on the corpus");
    }
}
