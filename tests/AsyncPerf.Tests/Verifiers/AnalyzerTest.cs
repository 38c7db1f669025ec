using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit.Sdk;

namespace AsyncPerf.Tests.Verifiers;

/// <summary>
/// The in-repo stand-in for Microsoft.CodeAnalysis.Testing's CSharpCodeFixTest (which is not on the package mirror).
/// It fails the test when a source does not compile (unless told), when a diagnostic is missing, extra or on
/// another span, when an analyzer or fixer throws, when the fixed source differs from the expected text or does
/// not compile, when a diagnostic remains after the fix, and when FixAll at document, project or solution scope
/// gives a different result from fixing one diagnostic at a time.
/// </summary>
public class AnalyzerTest
{
    private const string ProjectDirectory = "/0/";

    public AnalyzerTest(DiagnosticAnalyzer analyzer, CodeFixProvider? codeFix = null)
    {
        Analyzer = analyzer;
        CodeFix = codeFix;
    }

    public DiagnosticAnalyzer Analyzer { get; }
    public CodeFixProvider? CodeFix { get; }

    /// <summary>Sources with markup; the first is Test0.cs, the next Test1.cs...</summary>
    public List<string> Sources { get; } = new();

    /// <summary>Expected sources after the fix, with markup for the diagnostics that remain. Null: no fix is tested.</summary>
    public List<string>? FixedSources { get; set; }

    public string TestCode { set => Sources.Add(value); }
    public string FixedCode { set => (FixedSources ??= new()).Add(value); }

    /// <summary>Expected diagnostics in addition to the markup (e.g. with a message).</summary>
    public List<DiagnosticResult> ExpectedDiagnostics { get; } = new();

    /// <summary>Text of an .editorconfig at the project root; a leading "[*.cs]" is added when it has no section.</summary>
    public string? EditorConfig { get; set; }

    /// <summary>Global analyzer config files (.globalconfig text, with is_global = true), e.g. the package's presets.</summary>
    public List<string> GlobalConfigs { get; } = new();

    public IReadOnlyList<MetadataReference> References { get; set; } = TestReferences.Net10;
    public List<MetadataReference> AdditionalReferences { get; } = new();
    public OutputKind OutputKind { get; set; } = OutputKind.DynamicallyLinkedLibrary;

    /// <summary>The compiled assembly's name (the context model reads it: <c>Orders.Tests</c> is test code, <c>Orders.Samples</c> sample code).</summary>
    public string AssemblyName { get; set; } = "TestProject";

    /// <summary>Third-party libraries the sources compile against (the real packages).</summary>
    public TestLibrary Libraries { get; set; }
    public LanguageVersion LanguageVersion { get; set; } = LanguageVersion.Latest;
    public string[] PreprocessorSymbols { get; set; } = Array.Empty<string>();

    /// <summary>Compiler errors in the source are not checked (robustness tests on broken code).</summary>
    public bool AllowCompilerErrors { get; set; }

    /// <summary>Which code action to apply: by equivalence key, or by index among those offered for a diagnostic.</summary>
    public string? CodeActionEquivalenceKey { get; set; }
    public int? CodeActionIndex { get; set; }

    /// <summary>The fix is applied until no diagnostic is left, at most this many times.</summary>
    public int MaxIterations { get; set; } = 20;

    public async Task RunAsync()
    {
        if (Sources.Count == 0)
        {
            throw new InvalidOperationException("A test needs at least one source.");
        }

        var parsed = Sources.Select(Markup.Parse).ToList();
        var solution = CreateSolution(parsed.Select(p => p.Text).ToList(), out var projectId);
        var expected = ExpectedFromMarkup(parsed).Concat(ExpectedDiagnostics).ToList();

        var project = solution.GetProject(projectId)!;
        await CheckCompilerDiagnosticsAsync(project, expected, "test source");
        var actual = await GetAnalyzerDiagnosticsAsync(project);
        AssertDiagnostics(expected.Where(e => !e.Id.StartsWith("CS", StringComparison.Ordinal)).ToList(), actual, "source");

        if (FixedSources is null)
        {
            return;
        }

        if (CodeFix is null)
        {
            throw new InvalidOperationException("FixedCode was given but the test has no code fix provider.");
        }

        var fixedParsed = FixedSources.Select(Markup.Parse).ToList();
        var expectedAfterFix = ExpectedFromMarkup(fixedParsed).ToList();
        var unchanged = fixedParsed.Select(p => p.Text).SequenceEqual(parsed.Select(p => p.Text));

        if (unchanged)
        {
            await AssertNoFixOfferedAsync(project, actual);
            return;
        }

        var oneByOne = await FixOneByOneAsync(solution, projectId);
        await AssertFixedAsync(oneByOne, projectId, fixedParsed, expectedAfterFix, "Fixing one diagnostic at a time");

        var fixAll = CodeFix.GetFixAllProvider();
        if (fixAll is null)
        {
            return;
        }

        foreach (var scope in new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution })
        {
            if (!fixAll.GetSupportedFixAllScopes().Contains(scope))
            {
                continue;
            }

            var fixedByFixAll = await FixAllAsync(solution, projectId, fixAll, scope);
            await AssertFixedAsync(fixedByFixAll, projectId, fixedParsed, expectedAfterFix, $"FixAll in {scope} scope (compared with fixing one at a time)");
        }
    }

    private Solution CreateSolution(IReadOnlyList<string> sources, out ProjectId projectId)
    {
        var workspace = new AdhocWorkspace();
        projectId = ProjectId.CreateNewId("TestProject");
        var parseOptions = new CSharpParseOptions(LanguageVersion, DocumentationMode.Diagnose, SourceCodeKind.Regular, PreprocessorSymbols);
        var compilationOptions = new CSharpCompilationOptions(OutputKind, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true);
        var solution = workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(projectId, VersionStamp.Default, "TestProject", AssemblyName, LanguageNames.CSharp,
                filePath: ProjectDirectory + "TestProject.csproj", compilationOptions: compilationOptions, parseOptions: parseOptions,
                metadataReferences: References.Concat(AdditionalReferences).Concat(TestReferences.Libraries(Libraries))));

        for (var i = 0; i < sources.Count; i++)
        {
            var documentId = DocumentId.CreateNewId(projectId, $"Test{i}.cs");
            solution = solution.AddDocument(documentId, $"Test{i}.cs", SourceText.From(sources[i], Encoding.UTF8), filePath: ProjectDirectory + $"Test{i}.cs");
        }

        if (EditorConfig is not null)
        {
            var text = EditorConfig.TrimStart().StartsWith('[') ? EditorConfig : "[*.cs]\n" + EditorConfig;
            text = "root = true\n" + text;
            solution = solution.AddAnalyzerConfigDocument(DocumentId.CreateNewId(projectId, ".editorconfig"), ".editorconfig", SourceText.From(text), filePath: ProjectDirectory + ".editorconfig");
        }

        for (var i = 0; i < GlobalConfigs.Count; i++)
        {
            solution = solution.AddAnalyzerConfigDocument(DocumentId.CreateNewId(projectId, $"preset{i}.globalconfig"), $"preset{i}.globalconfig", SourceText.From(GlobalConfigs[i]), filePath: $"/presets/preset{i}.globalconfig");
        }

        return solution;
    }

    private static IEnumerable<DiagnosticResult> ExpectedFromMarkup(IReadOnlyList<(string Text, IReadOnlyList<MarkupSpan> Spans)> parsed)
    {
        for (var i = 0; i < parsed.Count; i++)
        {
            var text = SourceText.From(parsed[i].Text);
            foreach (var span in parsed[i].Spans)
            {
                var lines = text.Lines.GetLinePositionSpan(span.Span);
                yield return new DiagnosticResult(span.Id ?? string.Empty) { Span = lines, Path = $"Test{i}.cs" };
            }
        }
    }

    private async Task CheckCompilerDiagnosticsAsync(Project project, IReadOnlyList<DiagnosticResult> expected, string what)
    {
        if (AllowCompilerErrors)
        {
            return;
        }

        var compilation = (await project.GetCompilationAsync())!;
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var expectedErrors = expected.Where(e => e.Id.StartsWith("CS", StringComparison.Ordinal)).ToList();
        var unexpected = errors.Where(error => !expectedErrors.Any(e => Matches(e, error))).ToList();
        var missing = expectedErrors.Where(e => !errors.Any(error => Matches(e, error))).ToList();
        if (unexpected.Count > 0 || missing.Count > 0)
        {
            throw new XunitException(
                $"The {what} must compile.\n"
                + string.Concat(unexpected.Select(d => $"  unexpected: {Format(d)}\n"))
                + string.Concat(missing.Select(d => $"  missing expected compiler diagnostic: {d}\n"))
                + "\n" + await DumpAsync(project));
        }
    }

    private async Task<ImmutableArray<Diagnostic>> GetAnalyzerDiagnosticsAsync(Project project)
    {
        var compilation = (await project.GetCompilationAsync())!;
        var exceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            project.AnalyzerOptions,
            onAnalyzerException: (exception, _, _) => { lock (exceptions) { exceptions.Add(exception); } },
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false,
            reportSuppressedDiagnostics: false);
        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create(Analyzer), options);
        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();

        var crashes = diagnostics.Where(d => d.Id is "AD0001" or "AD0002").ToList();
        if (exceptions.Count > 0 || crashes.Count > 0)
        {
            throw new XunitException($"The analyzer threw:\n{string.Join("\n", exceptions.Select(e => e.ToString()).Concat(crashes.Select(Format)))}");
        }

        return diagnostics.OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start).ToImmutableArray();
    }

    private void AssertDiagnostics(IReadOnlyList<DiagnosticResult> expected, ImmutableArray<Diagnostic> actual, string what)
    {
        var defaultId = Analyzer.SupportedDiagnostics.Length == 1 ? Analyzer.SupportedDiagnostics[0].Id : null;
        var resolved = expected.Select(e => e.Id.Length == 0
            ? e with { Id = defaultId ?? throw new InvalidOperationException("[|...|] is ambiguous: the analyzer reports several IDs; use {|ID:...|}.") }
            : e).ToList();

        var unmatched = actual.ToList();
        var missing = new List<DiagnosticResult>();
        foreach (var e in resolved)
        {
            var match = unmatched.FirstOrDefault(d => Matches(e, d));
            if (match is null)
            {
                missing.Add(e);
            }
            else
            {
                unmatched.Remove(match);
            }
        }

        if (missing.Count > 0 || unmatched.Count > 0)
        {
            throw new XunitException(
                $"Diagnostics in the {what} differ from the expected ones.\n"
                + string.Concat(missing.Select(d => $"  missing: {d}\n"))
                + string.Concat(unmatched.Select(d => $"  unexpected: {Format(d)}\n"))
                + "Actual:\n" + string.Concat(actual.Select(d => $"  {Format(d)}\n")));
        }
    }

    private static bool Matches(DiagnosticResult expected, Diagnostic actual)
    {
        if (expected.Id != actual.Id)
        {
            return false;
        }

        if (expected.Span is { } span)
        {
            var lineSpan = actual.Location.GetLineSpan();
            if (lineSpan.Span != span || (expected.Path ?? "Test0.cs") != Path.GetFileName(lineSpan.Path))
            {
                return false;
            }
        }

        if (expected.Severity is { } severity && actual.Severity != severity)
        {
            return false;
        }

        if (expected.Message is { } message && actual.GetMessage() != message)
        {
            return false;
        }

        if (expected.MessageArguments is { } arguments
            && actual.GetMessage() != string.Format(System.Globalization.CultureInfo.InvariantCulture, actual.Descriptor.MessageFormat.ToString(), arguments))
        {
            return false;
        }

        return true;
    }

    private async Task AssertNoFixOfferedAsync(Project project, ImmutableArray<Diagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics.Where(d => CodeFix!.FixableDiagnosticIds.Contains(d.Id)))
        {
            var document = project.GetDocument(diagnostic.Location.SourceTree)!;
            var actions = await GetActionsAsync(document, diagnostic);
            if (actions.Count > 0)
            {
                throw new XunitException($"No code fix was expected for {Format(diagnostic)}, but the fixer offered: {string.Join(", ", actions.Select(a => $"'{a.Title}' ({a.EquivalenceKey})"))}");
            }
        }
    }

    private async Task<List<CodeAction>> GetActionsAsync(Document document, Diagnostic diagnostic)
    {
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await CodeFix!.RegisterCodeFixesAsync(context);
        return actions;
    }

    private CodeAction? Choose(List<CodeAction> actions)
    {
        if (CodeActionEquivalenceKey is not null)
        {
            return actions.FirstOrDefault(a => a.EquivalenceKey == CodeActionEquivalenceKey);
        }

        var index = CodeActionIndex ?? 0;
        return index < actions.Count ? actions[index] : null;
    }

    private async Task<List<Diagnostic>> FixableDiagnosticsAsync(Project project)
    {
        var diagnostics = await GetAnalyzerDiagnosticsAsync(project);
        return diagnostics.Where(d => CodeFix!.FixableDiagnosticIds.Contains(d.Id)).ToList();
    }

    private async Task<Solution> FixOneByOneAsync(Solution solution, ProjectId projectId)
    {
        var skipped = new HashSet<(string, int, string)>();
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            var project = solution.GetProject(projectId)!;
            var applied = false;
            foreach (var diagnostic in await FixableDiagnosticsAsync(project))
            {
                var key = (diagnostic.Location.SourceTree!.FilePath, diagnostic.Location.SourceSpan.Start, diagnostic.Id);
                if (skipped.Contains(key))
                {
                    continue;
                }

                var document = project.GetDocument(diagnostic.Location.SourceTree)!;
                var action = Choose(await GetActionsAsync(document, diagnostic));
                if (action is null)
                {
                    skipped.Add(key);
                    continue;
                }

                solution = await ApplyAsync(action, solution);
                applied = true;
                break;
            }

            if (!applied)
            {
                return solution;
            }
        }

        throw new XunitException($"The fix did not converge: diagnostics remained after {MaxIterations} fixes.");
    }

    private async Task<Solution> FixAllAsync(Solution solution, ProjectId projectId, FixAllProvider provider, FixAllScope scope)
    {
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            var project = solution.GetProject(projectId)!;
            var diagnostics = await FixableDiagnosticsAsync(project);
            CodeAction? firstAction = null;
            Diagnostic? first = null;
            foreach (var diagnostic in diagnostics)
            {
                firstAction = Choose(await GetActionsAsync(project.GetDocument(diagnostic.Location.SourceTree)!, diagnostic));
                if (firstAction is not null)
                {
                    first = diagnostic;
                    break;
                }
            }

            if (first is null || firstAction is null)
            {
                return solution;
            }

            var document = project.GetDocument(first.Location.SourceTree)!;
            var context = new FixAllContext(document, CodeFix!, scope, firstAction.EquivalenceKey, CodeFix!.FixableDiagnosticIds, new Provider(this), CancellationToken.None);
            var fixAllAction = await provider.GetFixAsync(context);
            if (fixAllAction is null)
            {
                throw new XunitException($"FixAll in {scope} scope returned no action although '{firstAction.Title}' was offered.");
            }

            var next = await ApplyAsync(fixAllAction, solution);
            if (next == solution)
            {
                return solution;
            }

            solution = next;
        }

        throw new XunitException($"FixAll in {scope} scope did not converge after {MaxIterations} rounds.");
    }

    private static async Task<Solution> ApplyAsync(CodeAction action, Solution solution)
    {
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var apply = operations.OfType<ApplyChangesOperation>().SingleOrDefault()
            ?? throw new XunitException($"The code action '{action.Title}' produced no ApplyChangesOperation.");
        return apply.ChangedSolution;
    }

    private async Task AssertFixedAsync(Solution solution, ProjectId projectId, IReadOnlyList<(string Text, IReadOnlyList<MarkupSpan> Spans)> expectedSources, IReadOnlyList<DiagnosticResult> expectedAfterFix, string how)
    {
        var project = solution.GetProject(projectId)!;
        var documents = project.Documents.OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
        for (var i = 0; i < expectedSources.Count; i++)
        {
            var actualText = (await documents[i].GetTextAsync()).ToString();
            if (NormalizeNewlines(actualText) != NormalizeNewlines(expectedSources[i].Text))
            {
                throw new XunitException($"{how}: {documents[i].Name} differs from the expected fixed code.\n{Diff(expectedSources[i].Text, actualText)}\n--- actual ---\n{actualText}");
            }
        }

        await CheckCompilerDiagnosticsAsync(project, expectedAfterFix, "fixed source (" + how + ")");
        var remaining = await GetAnalyzerDiagnosticsAsync(project);
        AssertDiagnostics(expectedAfterFix.Where(e => !e.Id.StartsWith("CS", StringComparison.Ordinal)).ToList(), remaining, "fixed source (" + how + ")");
    }

    private static string NormalizeNewlines(string text) => text.Replace("\r\n", "\n");

    private static string Diff(string expected, string actual)
    {
        var e = NormalizeNewlines(expected).Split('\n');
        var a = NormalizeNewlines(actual).Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : "<end of file>";
            var al = i < a.Length ? a[i] : "<end of file>";
            if (el != al)
            {
                return $"first difference at line {i + 1}:\n  expected: {el}\n  actual:   {al}";
            }
        }

        return "(they differ only in line endings)";
    }

    private static string Format(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetLineSpan();
        var text = diagnostic.Location.SourceTree?.GetText().ToString(diagnostic.Location.SourceSpan);
        return $"{diagnostic.Id} at {Path.GetFileName(span.Path)}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})-({span.EndLinePosition.Line + 1},{span.EndLinePosition.Character + 1}) on `{text}`: {diagnostic.GetMessage()}";
    }

    private static async Task<string> DumpAsync(Project project)
    {
        var builder = new StringBuilder();
        foreach (var document in project.Documents)
        {
            builder.Append("--- ").Append(document.Name).Append(" ---\n").Append((await document.GetTextAsync()).ToString()).Append('\n');
        }

        return builder.ToString();
    }

    private sealed class Provider : FixAllContext.DiagnosticProvider
    {
        private readonly AnalyzerTest _test;

        public Provider(AnalyzerTest test) => _test = test;

        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) =>
            (await _test.FixableDiagnosticsAsync(document.Project)).Where(d => d.Location.SourceTree == document.GetSyntaxTreeAsync(cancellationToken).Result);

        public override async Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            (await _test.FixableDiagnosticsAsync(project)).Where(d => !d.Location.IsInSource);

        public override async Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            await _test.FixableDiagnosticsAsync(project);
    }
}
