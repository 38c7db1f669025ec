using System.Composition;
using AsyncPerf.Infrastructure;
using AsyncPerf.Rules.Data;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.CodeFixes.Rules.Data;

/// <summary>
/// AP5004: <c>File.ReadAllLines(p)</c> → <c>File.ReadLines(p)</c>; <c>foreach (... in await File.ReadAllLinesAsync(p, ct))</c> →
/// <c>await foreach (... in File.ReadLinesAsync(p, ct))</c>. Through a local, the local keeps its name (typed <c>var</c>) and must be
/// declared right before the loop, so the file is still opened where it was.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(WholeFileForOnePassCodeFix)), Shared]
public sealed class WholeFileForOnePassCodeFix : CodeFixProvider, IDocumentFixer
{
    internal const string EquivalenceKey = "AP5004.ReadLines";
    private const string Title = "Stream the lines with File.ReadLines";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.WholeFileForOnePass);

    public override FixAllProvider GetFixAllProvider() => DocumentFixAll.Create(this);

    public override Task RegisterCodeFixesAsync(CodeFixContext context) =>
        DocumentFixAll.RegisterEachAsync(context, this, Title, EquivalenceKey, static (root, semanticModel, diagnostic, ct) => CreatePlan(root, semanticModel, diagnostic, ct) is not null);

    public async Task<Document> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? equivalenceKey, CancellationToken cancellationToken)
    {
        if (await DocumentFixAll.OpenAsync(document, cancellationToken).ConfigureAwait(false) is not { } open)
        {
            return document;
        }

        var (root, semanticModel, editor) = open;
        foreach (var diagnostic in diagnostics)
        {
            if (CreatePlan(root, semanticModel, diagnostic, cancellationToken) is not { } plan)
            {
                continue;
            }

            var newName = plan.Found.IsAsync ? "ReadLinesAsync" : "ReadLines";
            editor.ReplaceNode(plan.MethodName, (current, _) => SyntaxFactory.IdentifierName(newName).WithTriviaFrom(current));
            if (plan.Found.IsAsync)
            {
                // await File.ReadAllLinesAsync(p, ct) → File.ReadLinesAsync(p, ct), and the loop becomes await foreach.
                editor.ReplaceNode(plan.ReadNode, (current, _) => current is AwaitExpressionSyntax awaitExpression
                    ? awaitExpression.Expression.WithTriviaFrom(current)
                    : current);
                editor.ReplaceNode(plan.Loop, (current, _) =>
                {
                    var loop = (CommonForEachStatementSyntax)current;
                    var awaitKeyword = SyntaxFactory.Token(loop.ForEachKeyword.LeadingTrivia, SyntaxKind.AwaitKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
                    return loop.WithForEachKeyword(loop.ForEachKeyword.WithLeadingTrivia()).WithAwaitKeyword(awaitKeyword);
                });
            }

            if (plan.DeclaredType is { IsVar: false } declaredType)
            {
                editor.ReplaceNode(declaredType, (current, _) => SyntaxFactory.IdentifierName("var").WithTriviaFrom(current));
            }
        }

        return document.WithSyntaxRoot(editor.GetChangedRoot());
    }

    private sealed record Plan(WholeFileRead Found, CommonForEachStatementSyntax Loop, ExpressionSyntax ReadNode, SimpleNameSyntax MethodName, TypeSyntax? DeclaredType);

    private static Plan? CreatePlan(SyntaxNode root, SemanticModel semanticModel, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var span = diagnostic.Location.SourceSpan;
        if (KnownTypes.Get(semanticModel.Compilation).File is not { } file
            || root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<ExpressionSyntax>(n => n.Span == span) is not { } node
            || semanticModel.GetOperation(node, cancellationToken) is not { } read
            || FindLoop(read) is not { Syntax: CommonForEachStatementSyntax loopSyntax } loop
            || WholeFileRead.Find(loop, file) is not { } found
            || found.Read.Syntax != node
            || found.Call.Syntax is not InvocationExpressionSyntax invocation
            || MethodName(invocation.Expression) is not { } name)
        {
            return null;
        }

        if (found.IsAsync && (found.Read is not IAwaitOperation { Operation: IInvocationOperation direct } || direct != found.Call || !SyntaxHelpers.CanAwaitAt(loopSyntax)))
        {
            // await File.ReadAllLinesAsync(p).ConfigureAwait(false): left alone.
            return null;
        }

        // The loop body writing back to the same path would now find the file still open.
        if (found.Call.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value.ReferencedSymbol() is { } path
            && loop.Body.DescendantsAndSelf().Any(d => d.ReferencedSymbol() is { } s && d is not IConversionOperation && SymbolEqualityComparer.Default.Equals(s, path)))
        {
            return null;
        }

        TypeSyntax? declaredType = null;
        if (found.Local is not null)
        {
            // The declaration must be the statement right before the loop: the file is then opened at the same point as before.
            if (node.FirstAncestorOrSelf<LocalDeclarationStatementSyntax>() is not { Declaration.Variables.Count: 1 } declaration
                || declaration.Parent is not BlockSyntax block
                || loopSyntax.Parent != block
                || block.Statements.IndexOf(loopSyntax) != block.Statements.IndexOf(declaration) + 1)
            {
                return null;
            }

            declaredType = declaration.Declaration.Type;
        }

        return new Plan(found, loopSyntax, (ExpressionSyntax)node, name, declaredType);
    }

    private static SimpleNameSyntax? MethodName(ExpressionSyntax expression) => expression switch
    {
        MemberAccessExpressionSyntax memberAccess => memberAccess.Name,
        SimpleNameSyntax simple => simple,
        _ => null,
    };

    private static IForEachLoopOperation? FindLoop(IOperation read)
    {
        var parent = LocalUses.ParentSkippingConversions(read, out _);
        if (parent is IForEachLoopOperation loop)
        {
            return loop;
        }

        if (LocalUses.InitializedLocal(read) is not { } local)
        {
            return null;
        }

        foreach (var reference in LocalUses.References(LocalUses.Root(read), local))
        {
            if (LocalUses.ParentSkippingConversions(reference, out _) is IForEachLoopOperation usingLoop)
            {
                return usingLoop;
            }
        }

        return null;
    }
}
