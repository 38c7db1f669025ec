using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
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

    /// <summary>
    /// The start of every FixDocumentAsync: the document's root, its semantic model and an editor over the root; null
    /// when either is unavailable (the fixer then returns the document unchanged).
    /// </summary>
    public static async Task<OpenDocument?> OpenAsync(Document document, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var semanticModel = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        return root is null || semanticModel is null
            ? null
            : new OpenDocument(root, semanticModel, new Microsoft.CodeAnalysis.Editing.SyntaxEditor(root, document.Project.Solution.Services));
    }

    /// <summary>
    /// The usual RegisterCodeFixesAsync: one code action per diagnostic that <paramref name="canFix"/> accepts, fixing it
    /// through <see cref="IDocumentFixer.FixDocumentAsync"/> (the same path as FixAll).
    /// </summary>
    public static async Task RegisterEachAsync(
        CodeFixContext context, IDocumentFixer fixer, string title, string equivalenceKey,
        Func<SyntaxNode, SemanticModel, Diagnostic, CancellationToken, bool> canFix)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var semanticModel = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || semanticModel is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (canFix(root, semanticModel, diagnostic, context.CancellationToken))
            {
                context.RegisterCodeFix(
                    CodeAction.Create(title, ct => fixer.FixDocumentAsync(context.Document, ImmutableArray.Create(diagnostic), equivalenceKey, ct), equivalenceKey),
                    diagnostic);
            }
        }
    }

    /// <summary>
    /// The usual FixDocumentAsync for fixers that replace one node per diagnostic: each plan's node is rewritten (trivia
    /// kept), then the document is cleaned up (imports, simplification, formatting of the annotated nodes).
    /// </summary>
    public static async Task<Document> RewriteEachAsync(
        Document document, ImmutableArray<Diagnostic> diagnostics,
        Func<SyntaxNode, SemanticModel, Diagnostic, CancellationToken, NodeRewrite?> plan, CancellationToken cancellationToken)
    {
        if (await DocumentFixAll.OpenAsync(document, cancellationToken).ConfigureAwait(false) is not { } open)
        {
            return document;
        }

        var (root, semanticModel, editor) = open;
        foreach (var diagnostic in diagnostics)
        {
            if (plan(root, semanticModel, diagnostic, cancellationToken) is { } rewrite)
            {
                editor.ReplaceNode(rewrite.Node, (current, _) => rewrite.Rewrite(current).WithTriviaFrom(current));
            }
        }

        return await InitializerHelpers.CleanUpAsync(document.WithSyntaxRoot(editor.GetChangedRoot()), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>A node to replace and how to rewrite its current version.</summary>
internal sealed record NodeRewrite(SyntaxNode Node, Func<SyntaxNode, SyntaxNode> Rewrite);

/// <summary>A document opened for fixing: <see cref="DocumentFixAll.OpenAsync"/>.</summary>
internal sealed record OpenDocument(SyntaxNode Root, SemanticModel SemanticModel, Microsoft.CodeAnalysis.Editing.SyntaxEditor Editor);
