using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPerf.CodeFixes.Infrastructure;

/// <summary>
/// Writes a CancellationToken into a <see cref="CancellableOperation"/> (AP3001 and AP3002 fixes): adds the argument
/// (named when the call uses named arguments or skips optional ones), replaces <c>default</c> / <c>CancellationToken.None</c>,
/// or appends <c>.WithCancellation(token)</c> to an <c>await foreach</c> collection.
/// </summary>
internal static class TokenForwarding
{
    private const string ProbeToken = "default(global::System.Threading.CancellationToken)";

    /// <summary>Finds the operation's node again in the document: the node the diagnostic or the plan points at.</summary>
    public static SyntaxNode? FindNode(SyntaxNode root, Microsoft.CodeAnalysis.Text.TextSpan span) =>
        root.FindNode(span, getInnermostNodeForTie: true)?.FirstAncestorOrSelf<SyntaxNode>(n => n.Span == span && n is ExpressionSyntax);

    /// <summary>
    /// Does the rewritten call still compile and bind to a method taking the token? Checked by binding the call
    /// speculatively with <c>default(CancellationToken)</c>. <c>WithCancellation</c> is always possible (an import may be added).
    /// </summary>
    public static bool Binds(SemanticModel semanticModel, CancellableOperation site, CancellationToken cancellationToken)
    {
        if (site.Kind != ForwardingKind.AddArgument)
        {
            return true;
        }

        var probe = (ExpressionSyntax)Rewrite(site.Node, site, SyntaxFactory.ParseExpression(ProbeToken));
        var info = semanticModel.GetSpeculativeSymbolInfo(site.Node.SpanStart, probe, SpeculativeBindingOption.BindAsExpression);
        cancellationToken.ThrowIfCancellationRequested();
        return info.Symbol is IMethodSymbol method
            && (method.ReducedFrom ?? method).Parameters.Any(p => p.Type is INamedTypeSymbol { Name: "CancellationToken", ContainingNamespace.Name: "Threading" });
    }

    /// <summary>Must <c>using System.Threading.Tasks;</c> be added for <c>WithCancellation</c> to bind?</summary>
    public static bool NeedsTasksImport(SemanticModel semanticModel, CancellableOperation site)
    {
        if (site.Kind != ForwardingKind.WithCancellation || site.Operation is not Microsoft.CodeAnalysis.Operations.IForEachLoopOperation loop)
        {
            return false;
        }

        var type = loop.Collection is Microsoft.CodeAnalysis.Operations.IConversionOperation conversion ? conversion.Operand.Type : loop.Collection.Type;
        return type is not null
            && semanticModel.LookupSymbols(site.Node.SpanStart, type, "WithCancellation", includeReducedExtensionMethods: true).IsEmpty;
    }

    /// <summary>The node with the token written in. <paramref name="current"/> is the site's node, possibly already edited inside.</summary>
    public static SyntaxNode Rewrite(SyntaxNode current, CancellableOperation site, ExpressionSyntax token)
    {
        switch (site.Kind)
        {
            case ForwardingKind.AddArgument when current is InvocationExpressionSyntax invocation:
                return invocation.WithArgumentList(AddArgument(invocation.ArgumentList, site, token));
            case ForwardingKind.ReplaceArgument when current is ExpressionSyntax expression:
                return token.WithTriviaFrom(expression);
            case ForwardingKind.WithCancellation when current is ExpressionSyntax collection:
                var receiver = collection.WithoutTrivia();
                if (receiver is not (SimpleNameSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax or ElementAccessExpressionSyntax
                    or ParenthesizedExpressionSyntax or ThisExpressionSyntax or BaseExpressionSyntax))
                {
                    receiver = SyntaxFactory.ParenthesizedExpression(receiver);
                }

                return SyntaxFactory.InvocationExpression(
                        SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, receiver, SyntaxFactory.IdentifierName("WithCancellation")),
                        SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(token))))
                    .WithTriviaFrom(collection);
            default:
                return current;
        }
    }

    /// <summary>Adds <c>using System.Threading.Tasks;</c> to the compilation unit when it is not there.</summary>
    public static SyntaxNode AddTasksImport(SyntaxNode root)
    {
        if (root is not CompilationUnitSyntax unit || unit.Usings.Any(u => u.Name?.ToString() == "System.Threading.Tasks" && u.Alias is null && u.StaticKeyword.IsKind(SyntaxKind.None)))
        {
            return root;
        }

        var directive = SyntaxFactory.UsingDirective(SyntaxFactory.ParseName("System.Threading.Tasks"))
            .WithUsingKeyword(SyntaxFactory.Token(SyntaxKind.UsingKeyword).WithTrailingTrivia(SyntaxFactory.Space))
            .WithSemicolonToken(SyntaxFactory.Token(SyntaxKind.SemicolonToken).WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed));
        return unit.AddUsings(directive);
    }

    private static ArgumentListSyntax AddArgument(ArgumentListSyntax list, CancellableOperation site, ExpressionSyntax token)
    {
        var arguments = list.Arguments;
        var named = arguments.Any(a => a.NameColon is not null) || site.TokenParameterIndex > arguments.Count;
        var argument = SyntaxFactory.Argument(token);
        if (named && site.TokenParameterName is { } name)
        {
            argument = argument.WithNameColon(SyntaxFactory.NameColon(SyntaxFactory.IdentifierName(name)).WithTrailingTrivia(SyntaxFactory.Space));
        }

        var nodes = arguments.ToList();
        var separators = arguments.GetSeparators().ToList();
        var comma = SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space);
        var index = named ? nodes.Count : Math.Min(site.TokenParameterIndex, nodes.Count);
        if (index >= nodes.Count)
        {
            if (nodes.Count > 0)
            {
                var last = nodes[nodes.Count - 1];
                nodes[nodes.Count - 1] = last.WithTrailingTrivia(last.GetTrailingTrivia().Where(t => !t.IsKind(SyntaxKind.EndOfLineTrivia) && !t.IsKind(SyntaxKind.WhitespaceTrivia)));
                separators.Add(comma);
                argument = argument.WithTrailingTrivia(last.GetTrailingTrivia().Where(t => t.IsKind(SyntaxKind.EndOfLineTrivia) || t.IsKind(SyntaxKind.WhitespaceTrivia)));
            }

            nodes.Add(argument);
        }
        else
        {
            nodes.Insert(index, argument);
            separators.Insert(index, comma);
        }

        return list.WithArguments(SyntaxFactory.SeparatedList(nodes, separators));
    }
}
