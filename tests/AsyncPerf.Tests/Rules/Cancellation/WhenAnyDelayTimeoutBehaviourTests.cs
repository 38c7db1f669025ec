using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using AsyncPerf.CodeFixes.Rules.Cancellation;
using AsyncPerf.Rules.Cancellation;
using AsyncPerf.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace AsyncPerf.Tests.Rules.Cancellation;

/// <summary>
/// AP3003's fix must not change what the code does. Each subject is compiled twice, as written and as the fixer rewrites it,
/// and both are run against the same work tasks: finished, finishing later, faulted (also with a TimeoutException of its
/// own), cancelled, and too slow. The outcomes (the returned text, or the exception's type and message) must be equal.
/// </summary>
public class WhenAnyDelayTimeoutBehaviourTests
{
    private const int Generous = 10_000;

    public static TheoryData<string, string> Subjects => new()
    {
        {
            "if == work, both branches fall through",
            """
            string outcome;
            if (await Task.WhenAny(work, Task.Delay(ms)) == work)
            {
                outcome = "value " + await work;
            }
            else
            {
                outcome = "timeout";
            }

            return outcome;
            """
        },
        {
            "if != work throws, the rest follows",
            """
            if (await Task.WhenAny(work, Task.Delay(TimeSpan.FromMilliseconds(ms))) != work)
            {
                throw new TimeoutException("too slow");
            }

            return "value " + await work;
            """
        },
        {
            "delay and winner in locals, token, ConfigureAwait",
            """
            var delay = Task.Delay(ms, ct);
            var winner = await Task.WhenAny(work, delay).ConfigureAwait(false);
            if (winner == delay)
            {
                return "timeout";
            }
            else
            {
                var value = await work;
                return "value " + value;
            }
            """
        },
        {
            "timeout branch falls through into code that awaits the work",
            """
            var log = "";
            if (await Task.WhenAny(work, Task.Delay(ms)) != work)
            {
                log = "slow;";
            }

            return log + await work;
            """
        },
    };

    private static IEnumerable<(string Name, Func<Task<int>> Work, int Milliseconds)> Scenarios()
    {
        yield return ("finished", () => Task.FromResult(7), Generous);
        yield return ("finishes later", async () => { await Task.Delay(20); return 8; }, Generous);
        yield return ("faulted", () => Task.FromException<int>(new InvalidOperationException("boom")), Generous);
        yield return ("faults later", async () => { await Task.Delay(20); throw new InvalidOperationException("late boom"); }, Generous);
        yield return ("own TimeoutException", () => Task.FromException<int>(new TimeoutException("own timeout")), Generous);
        yield return ("own TimeoutException later", async () => { await Task.Delay(20); throw new TimeoutException("own late timeout"); }, Generous);
        yield return ("cancelled", () => Task.FromCanceled<int>(new CancellationToken(canceled: true)), Generous);
        yield return ("too slow", async () => { await Task.Delay(400); return 9; }, 20);
    }

    [Theory]
    [MemberData(nameof(Subjects))]
    public async Task The_fixed_code_behaves_like_the_original(string name, string body)
    {
        var source = Wrap(body);
        var fixedSource = await FixAsync(source);
        Assert.DoesNotContain("WhenAny", fixedSource, StringComparison.Ordinal);
        Assert.Contains(".WaitAsync(", fixedSource, StringComparison.Ordinal);

        var context = new AssemblyLoadContext(name, isCollectible: true);
        try
        {
            var original = Load(context, source, "Original");
            var rewritten = Load(context, fixedSource, "Fixed");
            foreach (var scenario in Scenarios())
            {
                var expected = await OutcomeAsync(original, scenario.Work(), scenario.Milliseconds, CancellationToken.None);
                var actual = await OutcomeAsync(rewritten, scenario.Work(), scenario.Milliseconds, CancellationToken.None);
                Assert.True(expected == actual, $"{name} / {scenario.Name}: before the fix '{expected}', after '{actual}'\n{fixedSource}");
            }
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public async Task Cancelling_the_forwarded_token_throws_where_WhenAny_ran_the_timeout_branch()
    {
        var source = Wrap(Subjects.Select(row => (string)row[1]).First(b => b.Contains("Task.Delay(ms, ct)", StringComparison.Ordinal)));
        var fixedSource = await FixAsync(source);
        var context = new AssemblyLoadContext("cancel", isCollectible: true);
        try
        {
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            var never = new TaskCompletionSource<int>().Task;
            Assert.Equal("returned timeout", await OutcomeAsync(Load(context, source, "Original"), never, Generous, cts.Token));
            Assert.StartsWith("TaskCanceledException", await OutcomeAsync(Load(context, fixedSource, "Fixed"), never, Generous, cts.Token), StringComparison.Ordinal);
        }
        finally
        {
            context.Unload();
        }
    }

    private static string Wrap(string body)
    {
        var builder = new StringBuilder();
        builder.Append("using System;\nusing System.Threading;\nusing System.Threading.Tasks;\n\npublic static class Subject\n{\n");
        builder.Append("    public static async Task<string> Run(Task<int> work, int ms, CancellationToken ct)\n    {\n");
        foreach (var line in body.Split('\n'))
        {
            builder.Append("        ").Append(line.TrimEnd('\r')).Append('\n');
        }

        builder.Append("    }\n}\n");
        return builder.ToString();
    }

    /// <summary>Runs the analyzer and applies the fixer to every AP3003 diagnostic, as FixAll does.</summary>
    private static async Task<string> FixAsync(string source)
    {
        using var workspace = new AdhocWorkspace();
        var projectId = ProjectId.CreateNewId();
        var documentId = DocumentId.CreateNewId(projectId);
        var solution = workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(projectId, VersionStamp.Default, "Subject", "Subject", LanguageNames.CSharp,
                compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
                metadataReferences: TestReferences.Net10))
            .AddDocument(documentId, "Subject.cs", SourceText.From(source, Encoding.UTF8));
        var document = solution.GetDocument(documentId)!;
        var compilation = (await document.Project.GetCompilationAsync())!;
        var diagnostics = await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new WhenAnyDelayTimeoutAnalyzer())).GetAnalyzerDiagnosticsAsync();
        Assert.Single(diagnostics);
        var fixedDocument = await new WhenAnyDelayTimeoutCodeFix().FixDocumentAsync(document, diagnostics, WhenAnyDelayTimeoutCodeFix.EquivalenceKey, CancellationToken.None);
        return (await fixedDocument.GetTextAsync()).ToString();
    }

    private static MethodInfo Load(AssemblyLoadContext context, string source, string name)
    {
        var compilation = CSharpCompilation.Create(
            name + Guid.NewGuid().ToString("N"),
            [CSharpSyntaxTree.ParseText(source)],
            TestReferences.Net10,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)) + "\n" + source);
        stream.Position = 0;
        return context.LoadFromStream(stream).GetType("Subject")!.GetMethod("Run")!;
    }

    private static async Task<string> OutcomeAsync(MethodInfo run, Task<int> work, int milliseconds, CancellationToken cancellationToken)
    {
        try
        {
            var result = await (Task<string>)run.Invoke(null, [work, milliseconds, cancellationToken])!;
            return "returned " + result;
        }
        catch (Exception exception)
        {
            return exception.GetType().Name + ": " + exception.Message;
        }
    }
}
