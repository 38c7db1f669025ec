using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;
using Xunit.Sdk;
using Verify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Blocking.SyncOverAsyncAnalyzer, AsyncPerf.CodeFixes.Rules.Blocking.SyncOverAsyncCodeFix>;

namespace AsyncPerf.Tests.Verifiers;

/// <summary>The verifier must fail a test for every kind of mistake it claims to catch.</summary>
public class VerifierSelfTests
{
    private const string Blocking = "using System.Threading.Tasks; class Jobs { async Task<int> Run(Task<int> t) => {|AP2001:t.Result|}; }";
    private const string Awaited = "using System.Threading.Tasks; class Jobs { async Task<int> Run(Task<int> t) => await t; }";

    [Fact]
    public Task Passes_a_correct_test() => Verify.VerifyCodeFixAsync(Blocking, Awaited);

    [Fact]
    public Task Fails_when_a_diagnostic_is_missing() =>
        Assert.ThrowsAsync<XunitException>(() => Verify.VerifyAnalyzerAsync("using System.Threading.Tasks; class Jobs { int Run(Task<int> t) => t.Result; }"));

    [Fact]
    public Task Fails_when_a_diagnostic_is_extra() =>
        Assert.ThrowsAsync<XunitException>(() => Verify.VerifyAnalyzerAsync("using System.Threading.Tasks; class Jobs { async Task<int> Run(Task<int> t) => {|AP2001:await t|}; }"));

    [Fact]
    public Task Fails_when_a_diagnostic_is_on_another_span() =>
        Assert.ThrowsAsync<XunitException>(() => Verify.VerifyAnalyzerAsync("using System.Threading.Tasks; class Jobs { int Run(Task<int> t) => t.{|AP2001:Result|}; }"));

    [Fact]
    public Task Fails_when_the_message_differs() =>
        Assert.ThrowsAsync<XunitException>(() => Verify.VerifyAnalyzerAsync(
            "using System.Threading.Tasks; class Jobs { int Run(Task<int> t) => t.Result; }",
            Verify.Diagnostic("AP2001").WithSpan(1, 67, 1, 75).WithMessage("something else")));

    [Fact]
    public Task Fails_when_the_source_does_not_compile() =>
        Assert.ThrowsAsync<XunitException>(() => Verify.VerifyAnalyzerAsync("class Jobs { int Run() => missing; }"));

    [Fact]
    public Task Accepts_an_expected_compiler_error_in_markup() =>
        Verify.VerifyAnalyzerAsync("class Jobs { int Run() => {|CS0103:missing|}; }");

    [Fact]
    public Task Fails_when_the_fixed_code_differs() =>
        Assert.ThrowsAsync<XunitException>(() => Verify.VerifyCodeFixAsync(Blocking, Awaited.Replace("await t", "await (t)")));

    [Fact]
    public Task Fails_when_a_fix_was_expected_to_be_absent_but_is_offered() =>
        Assert.ThrowsAsync<XunitException>(() => Verify.VerifyCodeFixAsync(Blocking, Blocking.Replace("{|AP2001:", string.Empty).Replace("|}", string.Empty)));

    [Fact]
    public Task Fails_when_the_fixed_code_does_not_compile() =>
        Assert.ThrowsAsync<XunitException>(() => new CSharpCodeFixVerifier<AsyncPerf.Rules.Blocking.SyncOverAsyncAnalyzer, BreakingFix>.Test
        {
            TestCode = Blocking,
            FixedCode = "using System.Threading.Tasks; class Jobs { async Task<int> Run(Task<int> t) => await t; }; }",
        }.RunAsync());

    [Fact]
    public Task Fails_when_a_diagnostic_remains_after_the_fix() =>
        Assert.ThrowsAsync<XunitException>(() => new CSharpCodeFixVerifier<AsyncPerf.Rules.Blocking.SyncOverAsyncAnalyzer, CommentOnlyFix>.Test
        {
            TestCode = Blocking,
            FixedCode = "using System.Threading.Tasks; class Jobs { async Task<int> Run(Task<int> t) => /* looked at */ t.Result; }",
        }.RunAsync());

    [Fact]
    public async Task Fails_when_FixAll_differs_from_fixing_one_by_one()
    {
        var exception = await Assert.ThrowsAsync<XunitException>(() => new CSharpCodeFixVerifier<AsyncPerf.Rules.Blocking.SyncOverAsyncAnalyzer, DriftingFixAll>.Test
        {
            TestCode = Blocking,
            FixedCode = Awaited,
        }.RunAsync());
        Assert.Contains("FixAll", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public Task Fails_when_the_analyzer_throws() =>
        Assert.ThrowsAsync<XunitException>(() => CSharpAnalyzerVerifier<ThrowingAnalyzer>.VerifyAnalyzerAsync("class Jobs { }"));

    [Fact]
    public void Markup_parses_nested_and_identified_spans()
    {
        var (text, spans) = Markup.Parse("a{|AP1:b[|c|]|}d");
        Assert.Equal("abcd", text);
        Assert.Equal(new[] { new MarkupSpan("AP1", new TextSpan(1, 2)), new MarkupSpan(null, new TextSpan(2, 1)) }, spans);
    }

    /// <summary>Replaces the wait with code that does not compile.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp), Shared]
    public sealed class BreakingFix : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds => ["AP2001"];

        public override FixAllProvider? GetFixAllProvider() => null;

        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            context.RegisterCodeFix(CodeAction.Create("break", async ct =>
            {
                var text = await context.Document.GetTextAsync(ct);
                return context.Document.WithText(text.Replace(context.Span, "await t; }"));
            }, "break"), context.Diagnostics);
            return Task.CompletedTask;
        }
    }

    /// <summary>Adds a comment and leaves the problem in place.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp), Shared]
    public sealed class CommentOnlyFix : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds => ["AP2001"];

        public override FixAllProvider? GetFixAllProvider() => null;

        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            if (context.Document.GetTextAsync().Result.ToString().Contains("looked at", StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            context.RegisterCodeFix(CodeAction.Create("comment", async ct =>
            {
                var text = await context.Document.GetTextAsync(ct);
                return context.Document.WithText(text.Replace(new TextSpan(context.Span.Start, 0), "/* looked at */ "));
            }, "comment"), context.Diagnostics);
            return Task.CompletedTask;
        }
    }

    /// <summary>Fixes correctly one at a time, but its FixAll writes something else.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp), Shared]
    public sealed class DriftingFixAll : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds => ["AP2001"];

        public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(async (context, document, diagnostics) =>
        {
            var text = await document.GetTextAsync(context.CancellationToken);
            return document.WithText(text.Replace(diagnostics[0].Location.SourceSpan, "await (t)"));
        });

        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            context.RegisterCodeFix(CodeAction.Create("await", async ct =>
            {
                var text = await context.Document.GetTextAsync(ct);
                return context.Document.WithText(text.Replace(context.Span, "await t"));
            }, "await"), context.Diagnostics);
            return Task.CompletedTask;
        }
    }

    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ThrowingAnalyzer : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Rule = new("TEST001", "t", "t", "t", DiagnosticSeverity.Warning, true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterSyntaxNodeAction(_ => throw new InvalidOperationException("boom"), Microsoft.CodeAnalysis.CSharp.SyntaxKind.ClassDeclaration);
        }
    }
}
