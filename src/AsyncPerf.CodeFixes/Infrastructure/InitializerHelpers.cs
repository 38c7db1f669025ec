using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace AsyncPerf.Infrastructure;

/// <summary>Object-initializer and clean-up helpers for fixes that add settings to a <c>new T { ... }</c>.</summary>
internal static class InitializerHelpers
{
    /// <summary>An expression parsed from text that uses fully qualified names, reduced by the clean-up, its usings added.</summary>
    public static ExpressionSyntax Qualified(string text) =>
        SyntaxFactory.ParseExpression(text).WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);

    /// <summary><c>Name = value</c>.</summary>
    public static AssignmentExpressionSyntax Assignment(string name, ExpressionSyntax value) =>
        SyntaxFactory.AssignmentExpression(
            SyntaxKind.SimpleAssignmentExpression,
            SyntaxFactory.IdentifierName(SyntaxFactory.Identifier(default, name, default)),
            SyntaxFactory.Token(SyntaxFactory.TriviaList(SyntaxFactory.Space), SyntaxKind.EqualsToken, SyntaxFactory.TriviaList(SyntaxFactory.Space)),
            value);

    /// <summary>An argument list written with plain separators (no elastic trivia, so the clean-up leaves the layout alone).</summary>
    public static ArgumentListSyntax ArgumentList(IReadOnlyList<ArgumentSyntax> arguments)
    {
        var nodesAndTokens = new List<SyntaxNodeOrToken>();
        for (var i = 0; i < arguments.Count; i++)
        {
            if (i > 0)
            {
                nodesAndTokens.Add(SyntaxFactory.Token(default, SyntaxKind.CommaToken, SyntaxFactory.TriviaList(SyntaxFactory.Space)));
            }

            nodesAndTokens.Add(arguments[i]);
        }

        return SyntaxFactory.ArgumentList(
            SyntaxFactory.Token(default, SyntaxKind.OpenParenToken, default),
            SyntaxFactory.SeparatedList<ArgumentSyntax>(nodesAndTokens),
            SyntaxFactory.Token(default, SyntaxKind.CloseParenToken, default));
    }

    /// <summary>
    /// Appends <paramref name="expression"/> to the object initializer of <paramref name="creation"/> (creating <c>{ ... }</c> when
    /// there is none), following the layout of the existing entries: one line, or one entry per line.
    /// </summary>
    public static BaseObjectCreationExpressionSyntax AddToInitializer(BaseObjectCreationExpressionSyntax creation, ExpressionSyntax expression)
    {
        if (creation.Initializer is not { } initializer)
        {
            var trailing = creation.GetTrailingTrivia();
            var withArguments = creation is ObjectCreationExpressionSyntax { ArgumentList: null } explicitCreation
                ? explicitCreation.WithType(explicitCreation.Type.WithoutTrailingTrivia())
                : creation.WithoutTrailingTrivia();
            var created = SyntaxFactory.InitializerExpression(
                SyntaxKind.ObjectInitializerExpression,
                SyntaxFactory.Token(SyntaxFactory.TriviaList(SyntaxFactory.Space), SyntaxKind.OpenBraceToken, SyntaxFactory.TriviaList(SyntaxFactory.Space)),
                SyntaxFactory.SingletonSeparatedList(expression),
                SyntaxFactory.Token(SyntaxFactory.TriviaList(SyntaxFactory.Space), SyntaxKind.CloseBraceToken, default));
            return withArguments.WithInitializer(created).WithTrailingTrivia(trailing);
        }

        return creation.WithInitializer(Append(initializer, expression));
    }

    private static InitializerExpressionSyntax Append(InitializerExpressionSyntax initializer, ExpressionSyntax expression)
    {
        var expressions = initializer.Expressions;
        if (expressions.Count == 0)
        {
            return initializer
                .WithOpenBraceToken(initializer.OpenBraceToken.WithTrailingTrivia(SyntaxFactory.Space))
                .WithExpressions(SyntaxFactory.SingletonSeparatedList(expression))
                .WithCloseBraceToken(initializer.CloseBraceToken.WithLeadingTrivia(SyntaxFactory.Space));
        }

        var last = expressions[expressions.Count - 1];
        var separatorTrailing = expressions.SeparatorCount > 0 ? expressions.GetSeparator(0).TrailingTrivia : initializer.OpenBraceToken.TrailingTrivia;
        var newEntry = expression.WithLeadingTrivia(last.GetLeadingTrivia());
        var nodesAndTokens = new List<SyntaxNodeOrToken>();
        for (var i = 0; i < expressions.Count; i++)
        {
            var isLast = i == expressions.Count - 1;
            nodesAndTokens.Add(isLast && expressions.SeparatorCount < expressions.Count ? last.WithoutTrailingTrivia() : expressions[i]);
            if (i < expressions.SeparatorCount)
            {
                nodesAndTokens.Add(expressions.GetSeparator(i));
            }
            else
            {
                nodesAndTokens.Add(SyntaxFactory.Token(default, SyntaxKind.CommaToken, separatorTrailing));
            }
        }

        if (expressions.SeparatorCount < expressions.Count)
        {
            nodesAndTokens.Add(newEntry.WithTrailingTrivia(last.GetTrailingTrivia()));
        }
        else
        {
            // A trailing comma: keep one after the new entry too.
            var trailingComma = expressions.GetSeparator(expressions.SeparatorCount - 1);
            nodesAndTokens.Add(newEntry);
            nodesAndTokens.Add(SyntaxFactory.Token(default, SyntaxKind.CommaToken, trailingComma.TrailingTrivia));
        }

        return initializer.WithExpressions(SyntaxFactory.SeparatedList<ExpressionSyntax>(nodesAndTokens));
    }

    /// <summary>Adds the usings, reduces qualified names and formats what carries the formatter annotation.</summary>
    /// <remarks>
    /// When a namespace is imported already by a global using, the import adder still adds a using that the simplifier
    /// then removes, leaving a blank line after a header comment: one per fix, so fixing one at a time and FixAll
    /// disagreed. When no using was added in the end, the file's first token keeps its original leading trivia.
    /// </remarks>
    public static async Task<Document> CleanUpAsync(Document document, CancellationToken cancellationToken)
    {
        var before = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        document = await ImportAdder.AddImportsAsync(document, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        document = await Simplifier.ReduceAsync(document, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        document = await Formatter.FormatAsync(document, Formatter.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        var after = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (before is null || after is null || CountUsings(after) != CountUsings(before))
        {
            return document;
        }

        var first = before.GetFirstToken(includeZeroWidth: true);
        var now = after.GetFirstToken(includeZeroWidth: true);
        return now.RawKind == first.RawKind && now.Text == first.Text && now.LeadingTrivia.ToFullString() != first.LeadingTrivia.ToFullString()
            ? document.WithSyntaxRoot(after.ReplaceToken(now, now.WithLeadingTrivia(first.LeadingTrivia)))
            : document;
    }

    /// <summary>The using directives of the file and of its namespaces (where an import adder puts them).</summary>
    private static int CountUsings(SyntaxNode root) =>
        root.DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax).OfType<UsingDirectiveSyntax>().Count();
}
