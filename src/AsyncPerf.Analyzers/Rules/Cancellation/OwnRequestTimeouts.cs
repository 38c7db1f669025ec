using System.Collections.Concurrent;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPerf.Rules.Cancellation;

/// <summary>
/// Whether a type enforces its own per-request timeout: its code (every partial part, nested types left out) creates a
/// <c>CancellationTokenSource</c> with a delay (<c>new CancellationTokenSource(delay)</c>) or gives one a delay
/// (<c>cts.CancelAfter(delay)</c>, also after <c>CreateLinkedTokenSource</c>). HTTP client libraries (Flurl, RestSharp)
/// set <c>HttpClient.Timeout</c> to infinite because of this. Decided once per type, from syntax alone (no semantic
/// model for the other parts), and only asked for a type that sets an infinite timeout.
/// </summary>
internal sealed class OwnRequestTimeouts
{
    private readonly ConcurrentDictionary<INamedTypeSymbol, bool> _answers = new(SymbolEqualityComparer.Default);

    public bool Enforces(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        _answers.GetOrAdd(type, t => CreatesTimedTokenSource(t, cancellationToken));

    private static bool CreatesTimedTokenSource(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            var root = reference.GetSyntax(cancellationToken);
            foreach (var node in root.DescendantNodes(n => n == root || n is not BaseTypeDeclarationSyntax))
            {
                switch (node)
                {
                    case ObjectCreationExpressionSyntax { ArgumentList.Arguments.Count: > 0 } creation
                        when RightmostName(creation.Type) == "CancellationTokenSource" && !IsInfinite(creation.ArgumentList.Arguments[0].Expression):
                    case InvocationExpressionSyntax { ArgumentList.Arguments.Count: 1 } invocation
                        when RightmostName(invocation.Expression) == "CancelAfter" && !IsInfinite(invocation.ArgumentList.Arguments[0].Expression):
                        return true;
                }
            }
        }

        return false;
    }

    private static string? RightmostName(SyntaxNode? name) => name switch
    {
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        _ => null,
    };

    /// <summary><c>-1</c>, <c>Timeout.Infinite</c>, <c>Timeout.InfiniteTimeSpan</c>: a delay that never fires.</summary>
    private static bool IsInfinite(ExpressionSyntax delay) =>
        delay is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression, Operand: LiteralExpressionSyntax { Token.ValueText: "1" } }
        || RightmostName(delay) is "Infinite" or "InfiniteTimeSpan";
}
