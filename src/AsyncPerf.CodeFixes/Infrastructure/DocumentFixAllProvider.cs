using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace AsyncPerf.Infrastructure;

/// <summary>
/// Fixers that rewrite every diagnostic of a document in one pass implement this; the single fix is the same
/// method called with one diagnostic, so FixAll and one-by-one fixing cannot drift apart.
/// </summary>
internal interface IDocumentFixer
{
    Task<Document> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? equivalenceKey, CancellationToken cancellationToken);
}

internal static class DocumentFixAll
{
    /// <summary>A FixAll provider (document, project, solution scopes) that calls the fixer once per document.</summary>
    public static FixAllProvider Create(IDocumentFixer fixer) =>
        FixAllProvider.Create(
            async (context, document, diagnostics) =>
                diagnostics.IsDefaultOrEmpty ? document : await fixer.FixDocumentAsync(document, diagnostics, context.CodeActionEquivalenceKey, context.CancellationToken).ConfigureAwait(false),
            ImmutableArray.Create(FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution));
}
