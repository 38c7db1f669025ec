using System.Composition;
using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace AsyncPerf.CodeFixes.Rules.Concurrency;

[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnboundedFanOutCodeFix)), Shared]
public sealed class UnboundedFanOutCodeFix : CodeFixProvider, IDocumentFixer
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnboundedFanOut);

    public override FixAllProvider GetFixAllProvider() => DocumentFixAll.Create(this);

    public override Task RegisterCodeFixesAsync(CodeFixContext context) => Task.CompletedTask;

    public Task<Document> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? equivalenceKey, CancellationToken cancellationToken) => Task.FromResult(document);
}
