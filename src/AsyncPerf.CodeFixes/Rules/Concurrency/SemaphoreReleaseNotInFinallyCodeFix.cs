using System.Composition;
using AsyncPerf.Infrastructure;
using AsyncPerf.Rules.Concurrency;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.CodeFixes.Rules.Concurrency;

/// <summary>
/// AP1004: keeps the acquire where it is and wraps the statements between it and the release in
/// <c>try { ... } finally { sem.Release(); }</c>; moves statements written between the acquire and an existing guarding
/// try into it; and moves an acquire written as the first statement of the guarding try out in front of it
/// (a cancelled WaitAsync must not release).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SemaphoreReleaseNotInFinallyCodeFix)), Shared]
public sealed class SemaphoreReleaseNotInFinallyCodeFix : CodeFixProvider, IDocumentFixer
{
    internal const string EquivalenceKey = "AP1004.TryFinally";
    private const string Title = "Release the semaphore in a finally block";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.SemaphoreReleaseNotInFinally);

    public override FixAllProvider GetFixAllProvider() => DocumentFixAll.Create(this);

    public override Task RegisterCodeFixesAsync(CodeFixContext context) =>
        DocumentFixAll.RegisterEachAsync(context, this, Title, EquivalenceKey, static (root, semanticModel, diagnostic, ct) => Plan(root, semanticModel, diagnostic, ct) is not null);

    public async Task<Document> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? equivalenceKey, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var semanticModel = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || semanticModel is null)
        {
            return document;
        }

        var plans = diagnostics.Select(d => Plan(root, semanticModel, d, cancellationToken)).OfType<BlockEdit>().ToList();
        var editor = new SyntaxEditor(root, document.Project.Solution.Services);
        foreach (var group in plans.GroupBy(p => p.Block))
        {
            // Non-overlapping ranges only (the first one wins), applied from the end so the indices stay valid.
            var chosen = new List<BlockEdit>();
            foreach (var plan in group.OrderBy(p => p.Start))
            {
                if (chosen.Count == 0 || chosen[chosen.Count - 1].End < plan.Start)
                {
                    chosen.Add(plan);
                }
            }

            editor.ReplaceNode(group.Key, (current, _) =>
            {
                var block = (BlockSyntax)current;
                var statements = block.Statements.ToList();
                foreach (var plan in Enumerable.Reverse(chosen))
                {
                    var replaced = statements.GetRange(plan.Start, plan.End - plan.Start + 1);
                    statements.RemoveRange(plan.Start, replaced.Count);
                    statements.InsertRange(plan.Start, plan.Build(replaced));
                }

                return block.WithStatements(SyntaxFactory.List(statements));
            });
        }

        return await InitializerHelpers.CleanUpAsync(document.WithSyntaxRoot(editor.GetChangedRoot()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replace the statements <see cref="Start"/>..<see cref="End"/> of <see cref="Block"/> by what <see cref="Build"/> makes of them.</summary>
    private sealed record BlockEdit(BlockSyntax Block, int Start, int End, Func<List<StatementSyntax>, IEnumerable<StatementSyntax>> Build);

    private static BlockEdit? Plan(SyntaxNode root, SemanticModel semanticModel, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var semaphoreSlim = semanticModel.Compilation.GetTypeByMetadataName("System.Threading.SemaphoreSlim");
        var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        if (semaphoreSlim is null)
        {
            return null;
        }

        foreach (var invocation in node.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>())
        {
            if (semanticModel.GetOperation(invocation, cancellationToken) is IInvocationOperation operation
                && SemaphorePair.Match(operation, semaphoreSlim) is { } pair
                && pair.AcquireExpression.Syntax.Span == diagnostic.Location.SourceSpan)
            {
                return Plan(pair);
            }
        }

        return null;
    }

    private static BlockEdit? Plan(SemaphorePair pair)
    {
        var releases = pair.Releases.Select(r => r.Syntax.Parent as ExpressionStatementSyntax).ToList();
        if (releases.Any(r => r is null))
        {
            return null;
        }

        var anchor = (StatementSyntax)pair.Anchor.Syntax;
        if (pair.Kind == AcquireKind.Statement && anchor.Parent is BlockSyntax { Parent: TryStatementSyntax outerTry } tryBlock
            && tryBlock.Statements.IndexOf(anchor) == 0 && PlanMoveAcquireOut(outerTry, releases) is { } moveOut)
        {
            return moveOut;
        }

        var (block, index) = pair.Kind == AcquireKind.TrueBranch
            ? (((IfStatementSyntax)anchor).Statement as BlockSyntax, -1)
            : (anchor.Parent as BlockSyntax, (anchor.Parent as BlockSyntax)?.Statements.IndexOf(anchor) ?? -1);
        if (block is null)
        {
            return null;
        }

        // Releases already in the finally of a later try: move the statements in between into that try.
        if (releases[0]!.FirstAncestorOrSelf<FinallyClauseSyntax>() is { Parent: TryStatementSyntax { Catches.Count: 0 } laterTry } @finally
            && laterTry.Parent == block && releases.All(r => r!.Ancestors().Contains(@finally)))
        {
            var tryIndex = block.Statements.IndexOf(laterTry);
            if (tryIndex <= index + 1 || UsedAfter(block, index + 1, tryIndex - 1, tryIndex))
            {
                return null;
            }

            return new BlockEdit(block, index + 1, tryIndex, statements =>
            {
                var existing = (TryStatementSyntax)statements[statements.Count - 1];
                var moved = statements.Take(statements.Count - 1);
                return new[] { existing.WithBlock(existing.Block.WithStatements(SyntaxFactory.List(moved.Concat(existing.Block.Statements)))).WithAdditionalAnnotations(Formatter.Annotation) };
            });
        }

        // One release, a statement of the same block: wrap what lies between in try/finally.
        if (releases.Count != 1 || releases[0]!.Parent != block)
        {
            return null;
        }

        var releaseIndex = block.Statements.IndexOf(releases[0]!);
        if (releaseIndex <= index || UsedAfter(block, index + 1, releaseIndex - 1, releaseIndex))
        {
            return null;
        }

        return new BlockEdit(block, index + 1, releaseIndex, statements =>
        {
            var release = statements[statements.Count - 1];
            var moved = statements.Take(statements.Count - 1);
            var tryStatement = SyntaxFactory.TryStatement(
                SyntaxFactory.Block(moved),
                default,
                SyntaxFactory.FinallyClause(SyntaxFactory.Block(release)));
            return new StatementSyntax[] { tryStatement.WithAdditionalAnnotations(Formatter.Annotation) };
        });
    }

    /// <summary><c>try { await sem.WaitAsync(); ... } finally { sem.Release(); }</c>: the acquire moves in front of the try.</summary>
    private static BlockEdit? PlanMoveAcquireOut(TryStatementSyntax tryStatement, List<ExpressionStatementSyntax?> releases)
    {
        if (tryStatement.Catches.Count != 0 || tryStatement.Finally is not { } @finally || tryStatement.Parent is not BlockSyntax block
            || !releases.All(r => r!.Ancestors().Contains(@finally)))
        {
            return null;
        }

        var index = block.Statements.IndexOf(tryStatement);
        return new BlockEdit(block, index, index, statements =>
        {
            var current = (TryStatementSyntax)statements[0];
            var acquire = current.Block.Statements[0];
            var rest = current.WithBlock(current.Block.WithStatements(current.Block.Statements.RemoveAt(0)));
            return new StatementSyntax[]
            {
                acquire.WithLeadingTrivia(current.GetLeadingTrivia().AddRange(acquire.GetLeadingTrivia().SkipWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia))))
                    .WithAdditionalAnnotations(Formatter.Annotation),
                rest.WithLeadingTrivia(current.GetLeadingTrivia().Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia))).WithAdditionalAnnotations(Formatter.Annotation),
            };
        });
    }

    /// <summary>Does a statement after <paramref name="after"/> name a local or local function declared in statements first..last (which would leave its scope)?</summary>
    private static bool UsedAfter(BlockSyntax block, int first, int last, int after)
    {
        var declared = new HashSet<string>(StringComparer.Ordinal);
        for (var i = first; i <= last; i++)
        {
            foreach (var node in block.Statements[i].DescendantNodesAndSelf())
            {
                switch (node)
                {
                    case VariableDeclaratorSyntax declarator:
                        declared.Add(declarator.Identifier.ValueText);
                        break;
                    case SingleVariableDesignationSyntax designation:
                        declared.Add(designation.Identifier.ValueText);
                        break;
                    case LocalFunctionStatementSyntax localFunction:
                        declared.Add(localFunction.Identifier.ValueText);
                        break;
                }
            }
        }

        if (declared.Count == 0)
        {
            return false;
        }

        for (var i = after + 1; i < block.Statements.Count; i++)
        {
            if (block.Statements[i].DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => declared.Contains(n.Identifier.ValueText)))
            {
                return true;
            }
        }

        return false;
    }
}
