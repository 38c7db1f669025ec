using System.Composition;
using System.Globalization;
using AsyncPerf.CodeFixes.Infrastructure;
using AsyncPerf.Infrastructure;
using AsyncPerf.Rules.Cancellation;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.CodeFixes.Rules.Cancellation;

/// <summary>
/// AP3001: passes a token in scope. One action per token, innermost first; the equivalence key is the token's rank
/// (<c>AP3001.PassToken.1</c> = innermost), so FixAll passes "the innermost token" (or the second...) everywhere.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CancellationTokenNotForwardedCodeFix)), Shared]
public sealed class CancellationTokenNotForwardedCodeFix : CodeFixProvider, IDocumentFixer
{
    internal const string EquivalenceKeyPrefix = "AP3001.PassToken.";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.CancellationTokenNotForwarded);

    public override FixAllProvider GetFixAllProvider() => DocumentFixAll.Create(this);

    public static string EquivalenceKey(int rank) => EquivalenceKeyPrefix + rank.ToString(CultureInfo.InvariantCulture);

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var semanticModel = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || semanticModel is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (Plan(root, semanticModel, diagnostic, context.CancellationToken) is not { } finding)
            {
                continue;
            }

            for (var i = 0; i < finding.Tokens.Count; i++)
            {
                var key = EquivalenceKey(i + 1);
                context.RegisterCodeFix(
                    CodeAction.Create($"Pass '{finding.Tokens[i].Expression}'", ct => FixDocumentAsync(context.Document, ImmutableArray.Create(diagnostic), key, ct), key),
                    diagnostic);
            }
        }
    }

    public async Task<Document> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? equivalenceKey, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var semanticModel = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || semanticModel is null)
        {
            return document;
        }

        var rank = ParseRank(equivalenceKey);
        var editor = new SyntaxEditor(root, document.Project.Solution.Services);
        var addImport = false;
        foreach (var diagnostic in diagnostics)
        {
            if (Plan(root, semanticModel, diagnostic, cancellationToken) is not { } finding || finding.Tokens.Count < rank)
            {
                continue;
            }

            var site = finding.Site;
            var token = SyntaxFactory.ParseExpression(finding.Tokens[rank - 1].Expression);
            addImport |= TokenForwarding.NeedsTasksImport(semanticModel, site);
            editor.ReplaceNode(site.Node, (current, _) => TokenForwarding.Rewrite(current, site, token));
        }

        var newRoot = editor.GetChangedRoot();
        return document.WithSyntaxRoot(addImport ? TokenForwarding.AddTasksImport(newRoot) : newRoot);
    }

    private static int ParseRank(string? equivalenceKey) =>
        equivalenceKey is not null && equivalenceKey.StartsWith(EquivalenceKeyPrefix, StringComparison.Ordinal)
        && int.TryParse(equivalenceKey.Substring(EquivalenceKeyPrefix.Length), NumberStyles.Integer, CultureInfo.InvariantCulture, out var rank) && rank >= 1
            ? rank
            : 1;

    private static CancellationTokenNotForwardedAnalyzer.Finding? Plan(SyntaxNode root, SemanticModel semanticModel, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (TokenForwarding.FindNode(root, diagnostic.Location.SourceSpan) is not { } node)
        {
            return null;
        }

        // The node is the call, the token argument, or the collection of an await foreach: find the operation that owns it.
        var owners = new List<SyntaxNode>(2);
        if (node.Parent is ForEachStatementSyntax loop && loop.Expression == node)
        {
            owners.Add(loop);
        }

        if (node is InvocationExpressionSyntax)
        {
            owners.Add(node);
        }

        if (node.Parent is ArgumentSyntax { Parent.Parent: InvocationExpressionSyntax call })
        {
            owners.Add(call);
        }

        var containing = semanticModel.GetEnclosingSymbol(node.SpanStart, cancellationToken);

        // Inside a lambda GetEnclosingSymbol is the lambda: TokenScope wants the member.
        while (containing is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction } && containing.ContainingSymbol is not null)
        {
            containing = containing.ContainingSymbol;
        }

        if (containing is null)
        {
            return null;
        }

        var known = KnownTypes.Get(semanticModel.Compilation);
        foreach (var owner in owners)
        {
            if (semanticModel.GetOperation(owner, cancellationToken) is { } operation
                && CancellationTokenNotForwardedAnalyzer.Evaluate(operation, containing, known) is { } finding
                && finding.Site.Node == node)
            {
                return TokenForwarding.Binds(semanticModel, finding.Site, cancellationToken) ? finding : null;
            }
        }

        return null;
    }
}
