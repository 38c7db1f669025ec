using System.Collections.Immutable;
using System.Text;
using AsyncPerf.Tests.Meta;
using AsyncPerf.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AsyncPerf.Tests.Reliability;

/// <summary>
/// Runs every shipped analyzer (found by reflection in <see cref="RuleCatalog"/>) and every shipped fixer over arbitrary,
/// possibly broken, code and collects what went wrong instead of stopping at the first failure.
/// </summary>
internal static class ReliabilityHarness
{
    /// <summary>The implicit usings of an SDK web project, so that test snippets without usings still bind.</summary>
    public const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;

        """;

    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = RuleCatalog.Analyzers.ToImmutableArray();

    public static CSharpParseOptions ParseOptions(params string[] symbols) =>
        new(LanguageVersion.Preview, DocumentationMode.Diagnose, SourceCodeKind.Regular, symbols);

    /// <summary>A project of the given documents plus the global usings; solution scope fixes see every project of <paramref name="workspace"/>.</summary>
    public static Project CreateProject(IReadOnlyList<(string Name, string Text)> sources, OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary,
        string[]? symbols = null, IReadOnlyList<MetadataReference>? references = null, Solution? solution = null, string projectName = "FuzzProject")
    {
        solution ??= new AdhocWorkspace().CurrentSolution;
        var projectId = ProjectId.CreateNewId(projectName);
        var directory = "/" + projectName + "/";
        var compilationOptions = new CSharpCompilationOptions(outputKind, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true);
        solution = solution.AddProject(ProjectInfo.Create(projectId, VersionStamp.Default, projectName, projectName, LanguageNames.CSharp,
            filePath: directory + projectName + ".csproj", compilationOptions: compilationOptions, parseOptions: ParseOptions(symbols ?? Array.Empty<string>()),
            metadataReferences: references ?? TestReferences.Net10));
        solution = solution.AddDocument(DocumentId.CreateNewId(projectId, "GlobalUsings.g.cs"), "GlobalUsings.g.cs", SourceText.From(GlobalUsings, Encoding.UTF8), filePath: directory + "GlobalUsings.g.cs");
        foreach (var (name, text) in sources)
        {
            solution = solution.AddDocument(DocumentId.CreateNewId(projectId, name), name, SourceText.From(text, Encoding.UTF8), filePath: directory + name);
        }

        return solution.GetProject(projectId)!;
    }

    private static readonly Dictionary<OutputKind, Lazy<Project>> s_singleDocumentProjects = new()
    {
        [OutputKind.DynamicallyLinkedLibrary] = new(() => WarmedUp(OutputKind.DynamicallyLinkedLibrary)),
        [OutputKind.ConsoleApplication] = new(() => WarmedUp(OutputKind.ConsoleApplication)),
    };

    private static Project WarmedUp(OutputKind outputKind)
    {
        var project = CreateProject(new[] { ("Mutant.cs", "class C { }") }, outputKind, projectName: "Mutant" + outputKind);
        _ = project.GetCompilationAsync().GetAwaiter().GetResult()!.GetDiagnostics();
        return project;
    }

    /// <summary>
    /// A project whose only document (Mutant.cs, next to the global usings) has this text. It is derived from one shared,
    /// already bound project, so the compiler reuses the symbols of the ~250 reference assemblies: a case costs tens of
    /// milliseconds instead of hundreds.
    /// </summary>
    public static Project WithSingleDocument(string text, OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary)
    {
        var project = s_singleDocumentProjects[outputKind].Value;
        var document = project.Documents.Single(d => d.Name == "Mutant.cs");
        return project.Solution.WithDocumentText(document.Id, SourceText.From(text, Encoding.UTF8)).GetProject(project.Id)!;
    }

    public sealed record AnalysisResult(ImmutableArray<Diagnostic> Diagnostics, IReadOnlyList<string> Failures);

    /// <summary>Runs the analyzers; analyzer exceptions (callback and AD0001/AD0002 diagnostics) come back as failures.</summary>
    public static async Task<AnalysisResult> AnalyzeAsync(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, AnalyzerOptions? analyzerOptions = null, CancellationToken cancellationToken = default)
    {
        var failures = new List<string>();
        var options = new CompilationWithAnalyzersOptions(
            analyzerOptions ?? new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (exception, analyzer, diagnostic) =>
            {
                lock (failures)
                {
                    failures.Add($"analyzer {analyzer.GetType().Name} threw {exception}");
                }
            },
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false,
            reportSuppressedDiagnostics: false);
        var withAnalyzers = compilation.WithAnalyzers(analyzers, options);
        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var crash in diagnostics.Where(d => d.Id is "AD0001" or "AD0002"))
        {
            failures.Add($"{crash.Id}: {crash.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");
        }

        var ordered = diagnostics.Where(d => d.Id is not ("AD0001" or "AD0002"))
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToImmutableArray();
        return new AnalysisResult(ordered, failures);
    }

    public static async Task<AnalysisResult> AnalyzeAsync(Project project, ImmutableArray<DiagnosticAnalyzer>? analyzers = null, CancellationToken cancellationToken = default)
    {
        var compilation = (await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false))!;
        return await AnalyzeAsync(compilation, analyzers ?? Analyzers, project.AnalyzerOptions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// For each diagnostic (at most <paramref name="maxPerFixer"/> per fixer), asks every fixer of its ID for code actions,
    /// computes each action's operations and the changed documents' text and tree; also the document-scope FixAll once
    /// per fixer. Anything thrown is returned as a failure. Returns the number of actions applied.
    /// </summary>
    public static async Task<int> ExerciseFixesAsync(Project project, IReadOnlyList<Diagnostic> diagnostics, List<string> failures, int maxPerFixer = 6, bool fixAll = true, CancellationToken cancellationToken = default)
    {
        var applied = 0;
        foreach (var fixer in RuleCatalog.CodeFixes)
        {
            var fixable = diagnostics.Where(d => fixer.FixableDiagnosticIds.Contains(d.Id) && d.Location.IsInSource).Take(maxPerFixer).ToList();
            CodeAction? firstAction = null;
            Diagnostic? firstDiagnostic = null;
            foreach (var diagnostic in fixable)
            {
                var document = project.GetDocument(diagnostic.Location.SourceTree);
                if (document is null)
                {
                    continue;
                }

                var actions = new List<CodeAction>();
                try
                {
                    var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), cancellationToken);
                    await fixer.RegisterCodeFixesAsync(context).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    failures.Add($"fixer {fixer.GetType().Name} threw in RegisterCodeFixesAsync for {Describe(diagnostic)}: {exception}");
                    continue;
                }

                foreach (var action in actions)
                {
                    firstAction ??= action;
                    firstDiagnostic ??= diagnostic;
                    if (await ApplyAsync(action, project.Solution, failures, $"fixer {fixer.GetType().Name}, action '{action.Title}' for {Describe(diagnostic)}", cancellationToken).ConfigureAwait(false))
                    {
                        applied++;
                    }
                }
            }

            if (!fixAll || firstAction is null || firstDiagnostic is null)
            {
                continue;
            }

            try
            {
                var provider = fixer.GetFixAllProvider();
                if (provider is null)
                {
                    continue;
                }

                var document = project.GetDocument(firstDiagnostic.Location.SourceTree)!;
                var context = new FixAllContext(document, fixer, FixAllScope.Document, firstAction.EquivalenceKey, fixer.FixableDiagnosticIds, new FixedDiagnosticProvider(diagnostics), cancellationToken);
                var fixAllAction = await provider.GetFixAsync(context).ConfigureAwait(false);
                if (fixAllAction is not null && await ApplyAsync(fixAllAction, project.Solution, failures, $"FixAll (document) of {fixer.GetType().Name}", cancellationToken).ConfigureAwait(false))
                {
                    applied++;
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures.Add($"FixAll of {fixer.GetType().Name} threw: {exception}");
            }
        }

        return applied;
    }

    private static async Task<bool> ApplyAsync(CodeAction action, Solution original, List<string> failures, string what, CancellationToken cancellationToken)
    {
        try
        {
            var operations = await action.GetOperationsAsync(cancellationToken).ConfigureAwait(false);
            foreach (var apply in operations.OfType<ApplyChangesOperation>())
            {
                foreach (var projectChanges in apply.ChangedSolution.GetChanges(original).GetProjectChanges())
                {
                    foreach (var documentId in projectChanges.GetChangedDocuments().Concat(projectChanges.GetAddedDocuments()))
                    {
                        var changed = apply.ChangedSolution.GetDocument(documentId)!;
                        _ = await changed.GetTextAsync(cancellationToken).ConfigureAwait(false);
                        _ = await changed.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failures.Add($"{what} threw while computing its changes: {exception}");
            return false;
        }
    }

    public static string Describe(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetLineSpan();
        var text = diagnostic.Location.SourceTree?.GetText().ToString(diagnostic.Location.SourceSpan) ?? string.Empty;
        if (text.Length > 80)
        {
            text = text[..80] + "...";
        }

        return $"{diagnostic.Id} at {Path.GetFileName(span.Path)}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}) on `{text}`";
    }

    /// <summary>A stable, comparable rendering of a diagnostic: ID, file, span, severity, message, additional locations and properties.</summary>
    public static string Render(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetLineSpan();
        var builder = new StringBuilder();
        builder.Append(diagnostic.Id).Append(' ').Append(Path.GetFileName(span.Path)).Append(' ').Append(span.Span).Append(' ')
            .Append(diagnostic.Severity).Append(' ').Append(diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var location in diagnostic.AdditionalLocations)
        {
            builder.Append(" +").Append(location.GetLineSpan().Span);
        }

        foreach (var property in diagnostic.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            builder.Append(' ').Append(property.Key).Append('=').Append(property.Value);
        }

        return builder.ToString();
    }

    /// <summary>Hands FixAll the diagnostics computed beforehand, filtered by document or project.</summary>
    public sealed class FixedDiagnosticProvider : FixAllContext.DiagnosticProvider
    {
        private readonly IReadOnlyList<Diagnostic> _diagnostics;

        public FixedDiagnosticProvider(IReadOnlyList<Diagnostic> diagnostics) => _diagnostics = diagnostics;

        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            var tree = await document.GetSyntaxTreeAsync(cancellationToken).ConfigureAwait(false);
            return _diagnostics.Where(d => d.Location.SourceTree == tree);
        }

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult(_diagnostics.Where(d => !d.Location.IsInSource));

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(_diagnostics);
    }
}
