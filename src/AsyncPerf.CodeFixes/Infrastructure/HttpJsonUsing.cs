using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPerf.Infrastructure;

/// <summary>Adds <c>using System.Net.Http.Json;</c> (for its extension methods) where a fix starts calling them.</summary>
internal static class HttpJsonUsing
{
    private const string Namespace = "System.Net.Http.Json";

    public static SyntaxNode Add(SyntaxNode root) => root is CompilationUnitSyntax unit ? AddTo(unit) : root;

    private static CompilationUnitSyntax AddTo(CompilationUnitSyntax unit)
    {
        if (unit.Usings.Any(u => u.Alias is null && u.StaticKeyword.IsKind(SyntaxKind.None) && u.Name?.ToString() == Namespace)
            || unit.DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax).OfType<UsingDirectiveSyntax>().Any(u => u.Alias is null && u.Name?.ToString() == Namespace))
        {
            return unit;
        }

        var directive = SyntaxFactory.UsingDirective(SyntaxFactory.ParseName(Namespace))
            .WithUsingKeyword(SyntaxFactory.Token(default, SyntaxKind.UsingKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space)))
            .WithSemicolonToken(SyntaxFactory.Token(default, SyntaxKind.SemicolonToken, SyntaxFactory.TriviaList(SyntaxFactory.LineFeed)));

        // Keep the usings sorted: System.* directives stay in order.
        var usings = unit.Usings;
        var index = 0;
        while (index < usings.Count && usings[index].Alias is null && usings[index].StaticKeyword.IsKind(SyntaxKind.None)
            && string.CompareOrdinal(usings[index].Name?.ToString(), Namespace) < 0)
        {
            index++;
        }

        if (usings.Count == 0)
        {
            var leading = unit.GetLeadingTrivia();
            return unit.WithoutLeadingTrivia().WithUsings(SyntaxFactory.SingletonList(directive.WithLeadingTrivia(leading).WithTrailingTrivia(SyntaxFactory.LineFeed, SyntaxFactory.LineFeed)));
        }

        if (index == 0)
        {
            // Move the file's leading trivia (a header comment) in front of the new first directive.
            var first = usings[0];
            directive = directive.WithLeadingTrivia(first.GetLeadingTrivia());
            usings = usings.Replace(first, first.WithLeadingTrivia());
        }

        return unit.WithUsings(usings.Insert(index, directive));
    }
}
