using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace AsyncPerf.Infrastructure;

/// <summary>Syntax helpers shared by the code fixes.</summary>
internal static class SyntaxHelpers
{
    /// <summary>
    /// <c>await expression</c>, parenthesised; the parentheses carry the simplifier annotation, so the
    /// code action's clean-up removes them where they are not needed (<c>(await t).Length</c> keeps them).
    /// </summary>
    public static ExpressionSyntax Await(ExpressionSyntax expression) =>
        SyntaxFactory.ParenthesizedExpression(
                SyntaxFactory.AwaitExpression(expression.WithoutTrivia().WithAdditionalAnnotations(Simplifier.Annotation)))
            .WithAdditionalAnnotations(Simplifier.Annotation);

    /// <summary>The innermost lambda, anonymous method, local function, method, accessor, constructor or operator.</summary>
    public static SyntaxNode? EnclosingFunction(SyntaxNode node) =>
        node.FirstAncestorOrSelf<SyntaxNode>(n => n is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or BaseMethodDeclarationSyntax or AccessorDeclarationSyntax);

    public static bool IsAsync(SyntaxNode? function) => function switch
    {
        AnonymousFunctionExpressionSyntax lambda => lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword),
        LocalFunctionStatementSyntax local => local.Modifiers.Any(SyntaxKind.AsyncKeyword),
        BaseMethodDeclarationSyntax method => method.Modifiers.Any(SyntaxKind.AsyncKeyword),
        _ => false,
    };

    /// <summary>
    /// Can an <c>await</c> replace <paramref name="node"/>: the enclosing function is async and the node is
    /// not inside a lock statement, a query clause, or an unsafe block of that function.
    /// </summary>
    public static bool CanAwaitAt(SyntaxNode node)
    {
        var function = EnclosingFunction(node);
        if (function is null && node.FirstAncestorOrSelf<GlobalStatementSyntax>() is { } globalStatement)
        {
            // Top-level statements may await: the compiler makes the synthesized Main async.
            function = globalStatement;
        }
        else if (!IsAsync(function))
        {
            return false;
        }

        for (var current = node.Parent; current is not null && current != function; current = current.Parent)
        {
            if (current is LockStatementSyntax or QueryClauseSyntax or SelectOrGroupClauseSyntax or UnsafeStatementSyntax)
            {
                return false;
            }

            if (current is CatchFilterClauseSyntax)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A type name written fully qualified, reduced by the clean-up and with its using added if needed.</summary>
    public static TypeSyntax QualifiedType(string fullyQualifiedName) =>
        SyntaxFactory.ParseTypeName(fullyQualifiedName).WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);

    /// <summary>Adds the async modifier to a method, keeping the leading trivia on the first token.</summary>
    public static MethodDeclarationSyntax AddAsyncModifier(MethodDeclarationSyntax method)
    {
        var asyncToken = SyntaxFactory.Token(SyntaxKind.AsyncKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (method.Modifiers.Count == 0)
        {
            var leading = method.ReturnType.GetLeadingTrivia();
            return method
                .WithReturnType(method.ReturnType.WithLeadingTrivia())
                .WithModifiers(SyntaxFactory.TokenList(asyncToken.WithLeadingTrivia(leading)));
        }

        return method.WithModifiers(method.Modifiers.Add(asyncToken));
    }
}
