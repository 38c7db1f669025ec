using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Cancellation;

/// <summary>
/// AP3001: a call that can take a CancellationToken (optional parameter or an overload on the target framework), made
/// where a token is in scope, without one or with <c>default</c> / <c>CancellationToken.None</c>; an <c>await foreach</c>
/// without <c>WithCancellation</c>; an outer token used inside a lambda that receives its own.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CancellationTokenNotForwardedAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.CancellationTokenNotForwarded);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownTypes.Get(start.Compilation);
            if (known.CancellationToken is null)
            {
                return;
            }

            var scope = CodeScope.For(start.Compilation, start.Options, DiagnosticIds.CancellationTokenNotForwarded);
            start.RegisterOperationAction(c => Analyze(c, known, scope), OperationKind.Invocation, OperationKind.Loop);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes known, CodeScope scope)
    {
        if (context.Operation is IForEachLoopOperation { IsAsynchronous: false } || context.Operation is ILoopOperation and not IForEachLoopOperation)
        {
            return;
        }

        if (scope.IsQuiet(context.Operation.Syntax.SyntaxTree))
        {
            return;
        }

        // Most calls are synchronous: ruled out from the call's type before any argument, overload or scope work.
        if (context.Operation is IInvocationOperation invocation && !CancellableCalls.IsCancellableWork(invocation, known))
        {
            return;
        }

        if (Evaluate(context.Operation, context.ContainingSymbol, known) is { } finding && scope.Reports(context.Operation, context.ContainingSymbol))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.CancellationTokenNotForwarded, finding.Site.Node.GetLocation(), finding.Tokens[0].Expression, finding.Site.CalleeName));
        }
    }

    /// <summary>What AP3001 reports at <paramref name="operation"/> and the tokens a fix may pass, innermost first. Shared with the fix.</summary>
    internal static Finding? Evaluate(IOperation operation, ISymbol containingSymbol, KnownTypes known)
    {
        // Cheapest first: how the call takes a token today (its own parameters, or an overload from a per-compilation
        // cache). Most calls that get here pass a token already; only the outer-token-in-a-lambda case is left for them,
        // and only inside a lambda or local function that receives its own token.
        if (CancellableCalls.Inspect(operation, known) is not { } found
            || (found.Use == TokenUse.Token && !CancellableCalls.IsInsideFunctionWithOwnToken(operation, known)))
        {
            return null;
        }

        var tokens = CancellableCalls.UsableTokens(operation, containingSymbol, known);
        if (tokens.Count == 0)
        {
            return null;
        }

        // Inside a lambda that receives its own token, only that token (or one made inside the lambda) is right:
        // the outer one does not stop the lambda's work when the lambda's caller cancels it.
        var ownToken = tokens.FirstOrDefault(t => t.Kind == TokenSourceKind.LambdaParameter);
        var function = ownToken?.Symbol.ContainingSymbol.DeclaringSyntaxReferences.FirstOrDefault();
        var all = tokens;
        if (function is not null)
        {
            tokens = tokens.Where(t => IsDeclaredIn(t.Symbol, function)).ToList();
        }

        if (found.Use != TokenUse.Token)
        {
            return CancellableCalls.WantsToken(found, containingSymbol, known) is { } site ? new Finding(site, tokens) : null;
        }

        return function is not null ? OuterTokenInLambda(found, function, all, tokens, known) : null;
    }

    /// <summary>A token from outside passed inside a lambda (or local function) that receives its own token.</summary>
    private static Finding? OuterTokenInLambda(CancellableOperation site, SyntaxReference function, IReadOnlyList<TokenCandidate> all, IReadOnlyList<TokenCandidate> inner, KnownTypes known)
    {
        // Calls taking several tokens (CreateLinkedTokenSource(outer, token)) combine them on purpose.
        if (site.Operation is not IInvocationOperation invocation
            || invocation.TargetMethod.Parameters.Count(p => known.IsCancellationToken(p.Type)) != 1
            || site is not { Use: TokenUse.Token, Argument: { } argument }
            || CancellableCalls.TokenSymbol(argument.Value) is not { } used
            || IsDeclaredIn(used, function)
            || !all.Any(t => t.Symbol.Is(used)))
        {
            return null;
        }

        return new Finding(site, inner);
    }

    private static bool IsDeclaredIn(ISymbol symbol, SyntaxReference function) =>
        symbol.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == function.SyntaxTree && function.Span.Contains(r.Span));

    /// <summary>A reported operation and the tokens to offer, innermost first (never empty).</summary>
    internal sealed record Finding(CancellableOperation Site, IReadOnlyList<TokenCandidate> Tokens);
}
