using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Concurrency;

/// <summary>
/// AP1004: <c>await sem.WaitAsync(...)</c> / <c>sem.Wait(...)</c> on a SemaphoreSlim whose <c>sem.Release()</c> in the same
/// function is not in the finally block of a try that starts right after the acquire. Only pairs inside one function are
/// judged: an acquire with no release after it (a lease handed to another method) is not flagged.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SemaphoreReleaseNotInFinallyAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.SemaphoreReleaseNotInFinally);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var semaphoreSlim = KnownTypes.Get(start.Compilation).SemaphoreSlim;
            if (semaphoreSlim is null)
            {
                return;
            }

            var scope = CodeScope.For(start.Compilation, start.Options, DiagnosticIds.SemaphoreReleaseNotInFinally);
            start.RegisterOperationAction(
                c =>
                {
                    var invocation = (IInvocationOperation)c.Operation;
                    if (invocation.TargetMethod.Name is "WaitAsync" or "Wait"
                        && SemaphorePair.Match(invocation, semaphoreSlim) is { IsGuarded: false } pair
                        && scope.Reports(invocation, c.ContainingSymbol))
                    {
                        c.ReportDiagnostic(Diagnostic.Create(Descriptors.SemaphoreReleaseNotInFinally, pair.AcquireExpression.Syntax.GetLocation(), pair.Semaphore.Name));
                    }
                },
                OperationKind.Invocation);
        });
    }
}

/// <summary>How the acquire is written.</summary>
internal enum AcquireKind
{
    /// <summary><c>await sem.WaitAsync();</c>, <c>sem.Wait();</c>, or <c>if (!await sem.WaitAsync(t)) return;</c>: the permit is held after the statement.</summary>
    Statement,

    /// <summary><c>if (await sem.WaitAsync(t)) { ... }</c>: the permit is held inside the true branch only.</summary>
    TrueBranch,
}

/// <summary>An acquire of a SemaphoreSlim and the releases that follow it in the same function.</summary>
internal sealed class SemaphorePair
{
    private SemaphorePair(ISymbol semaphore, IOperation acquireExpression, AcquireKind kind, IOperation anchor, ImmutableArray<IInvocationOperation> releases, ITryOperation? guard)
    {
        Semaphore = semaphore;
        AcquireExpression = acquireExpression;
        Kind = kind;
        Anchor = anchor;
        Releases = releases;
        Guard = guard;
    }

    public ISymbol Semaphore { get; }

    /// <summary>The awaited (or plain) acquire expression; the diagnostic is reported on it.</summary>
    public IOperation AcquireExpression { get; }

    public AcquireKind Kind { get; }

    /// <summary>The expression statement or the if statement that holds the acquire.</summary>
    public IOperation Anchor { get; }

    /// <summary>The releases of the same semaphore after the acquire, up to the next acquire, in source order.</summary>
    public ImmutableArray<IInvocationOperation> Releases { get; }

    /// <summary>The try statement right after the acquire (first in the true branch), when it has a finally block.</summary>
    public ITryOperation? Guard { get; }

    /// <summary>Every release lives in the finally block of the try that starts right after the acquire.</summary>
    public bool IsGuarded => Releases.All(r => (Guard?.Finally is { } @finally && r.IsWithin(@finally)) || IsFlagGuarded(r));

    /// <summary>
    /// <c>try { await sem.WaitAsync(); acquired = true; ... } finally { if (acquired) sem.Release(); }</c>: a release under a
    /// condition in the finally of a try that holds the acquire is the flag pattern, which is correct.
    /// </summary>
    private bool IsFlagGuarded(IInvocationOperation release)
    {
        for (var current = release.Parent; current is not null; current = current.Parent)
        {
            if (current is IConditionalOperation or ICoalesceOperation or IConditionalAccessOperation
                && current.Parent is not null
                && FinallyOwner(current) is { Body: { } body } && AcquireExpression.IsWithin(body))
            {
                return true;
            }

            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>The try statement whose finally block contains the operation, if any.</summary>
    private static ITryOperation? FinallyOwner(IOperation operation)
    {
        for (IOperation? child = operation, current = operation.Parent; current is not null; child = current, current = current.Parent)
        {
            if (current is ITryOperation @try && @try.Finally == child)
            {
                return @try;
            }

            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>The pair for an acquire call, or null when the call is not an acquire this rule judges or has no release after it.</summary>
    public static SemaphorePair? Match(IInvocationOperation invocation, INamedTypeSymbol semaphoreSlim)
    {
        if (!IsAcquire(invocation, semaphoreSlim) || invocation.Instance.ReferencedSymbol() is not { } semaphore)
        {
            return null;
        }

        var expression = AcquireExpressionOf(invocation);
        var parent = LocalUses.ParentSkippingConversions(expression, out var child);
        AcquireKind kind;
        IOperation anchor;
        IOperation? region = null;
        switch (parent)
        {
            case IExpressionStatementOperation statement:
                kind = AcquireKind.Statement;
                anchor = statement;
                break;
            case IConditionalOperation { WhenTrue: { } whenTrue } conditional when conditional.Condition == child && IsStatement(conditional):
                kind = AcquireKind.TrueBranch;
                anchor = conditional;
                region = whenTrue;
                break;
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not
                when LocalUses.ParentSkippingConversions(not, out var notChild) is IConditionalOperation { WhenFalse: null } conditional
                && conditional.Condition == notChild && IsStatement(conditional) && AlwaysJumps(conditional.WhenTrue):
                kind = AcquireKind.Statement;
                anchor = conditional;
                break;
            default:
                return null;
        }

        var function = EnclosingFunction(invocation);
        var root = function is null ? LocalUses.Root(invocation) : function;
        var start = expression.Syntax.Span.End;
        var end = int.MaxValue;
        var releases = new List<IInvocationOperation>();
        foreach (var descendant in root.Descendants())
        {
            if (descendant is not IInvocationOperation call || call == invocation || call.Syntax.SpanStart < start
                || call.TargetMethod.Name is not ("Release" or "WaitAsync" or "Wait")
                || !call.TargetMethod.ContainingType.Is(semaphoreSlim)
                || !call.Instance.ReferencedSymbol().Is(semaphore)
                || EnclosingFunction(call) != function)
            {
                continue;
            }

            if (call.TargetMethod.Name == "Release")
            {
                if (region is null || call.IsWithin(region))
                {
                    releases.Add(call);
                }
            }
            else if (call.Syntax.SpanStart < end)
            {
                end = call.Syntax.SpanStart;
            }
        }

        releases.RemoveAll(r => r.Syntax.SpanStart >= end);
        if (releases.Count == 0)
        {
            return null;
        }

        releases.Sort((a, b) => a.Syntax.SpanStart.CompareTo(b.Syntax.SpanStart));
        return new SemaphorePair(semaphore, expression, kind, anchor, releases.ToImmutableArray(), FindGuard(kind, anchor));
    }

    private static bool IsAcquire(IInvocationOperation invocation, INamedTypeSymbol semaphoreSlim) =>
        invocation.TargetMethod is { Name: "WaitAsync" or "Wait", IsStatic: false } method && method.ContainingType.Is(semaphoreSlim);

    /// <summary>The invocation, or the await around it (through <c>.ConfigureAwait(...)</c>).</summary>
    private static IOperation AcquireExpressionOf(IInvocationOperation invocation)
    {
        IOperation current = invocation;
        while (LocalUses.ParentSkippingConversions(current, out var child) is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configure && configure.Instance == child)
        {
            current = configure;
        }

        return LocalUses.ParentSkippingConversions(current, out _) is IAwaitOperation await ? await : current;
    }

    private static bool IsStatement(IOperation operation) => operation.Parent is IBlockOperation;

    private static bool AlwaysJumps(IOperation operation) => operation switch
    {
        IBranchOperation or IReturnOperation or IThrowOperation => true,
        IExpressionStatementOperation { Operation: IThrowOperation } => true,
        IBlockOperation { Operations.Length: > 0 } block => AlwaysJumps(block.Operations[block.Operations.Length - 1]),
        _ => false,
    };

    private static ITryOperation? FindGuard(AcquireKind kind, IOperation anchor)
    {
        IOperation? next;
        if (kind == AcquireKind.TrueBranch)
        {
            next = ((IConditionalOperation)anchor).WhenTrue is IBlockOperation { Operations.Length: > 0 } block ? block.Operations[0] : ((IConditionalOperation)anchor).WhenTrue;
        }
        else
        {
            var block = (IBlockOperation)anchor.Parent!;
            var index = block.Operations.IndexOf(anchor);
            next = index + 1 < block.Operations.Length ? block.Operations[index + 1] : null;
        }

        return next is ITryOperation { Finally: not null } guard ? guard : null;
    }

    /// <summary>The innermost lambda or local function around the operation, or null for the member body.</summary>
    private static IOperation? EnclosingFunction(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return current;
            }
        }

        return null;
    }
}
