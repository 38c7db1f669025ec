using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Infrastructure;

/// <summary>Answers "which function am I in, and can it await here?" for an operation.</summary>
internal static class AsyncContext
{
    /// <summary>
    /// The innermost lambda, anonymous method or local function that contains <paramref name="operation"/>,
    /// or the member itself (<paramref name="containingSymbol"/>) when there is none.
    /// </summary>
    public static IMethodSymbol? EnclosingFunction(IOperation operation, ISymbol containingSymbol, out IOperation? functionOperation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation lambda:
                    functionOperation = lambda;
                    return lambda.Symbol;
                case ILocalFunctionOperation localFunction:
                    functionOperation = localFunction;
                    return localFunction.Symbol;
            }
        }

        functionOperation = null;
        return containingSymbol as IMethodSymbol;
    }

    public static IMethodSymbol? EnclosingFunction(IOperation operation, ISymbol containingSymbol) =>
        EnclosingFunction(operation, containingSymbol, out _);

    /// <summary>Is the operation directly inside an async method, async lambda or async local function?</summary>
    public static bool IsInAsyncFunction(IOperation operation, ISymbol containingSymbol) =>
        EnclosingFunction(operation, containingSymbol)?.IsAsync == true;

    /// <summary>Could an <c>await</c> be written at this operation: async function, and not inside a lock statement.</summary>
    public static bool CanAwaitHere(IOperation operation, ISymbol containingSymbol) =>
        IsInAsyncFunction(operation, containingSymbol) && !IsInsideLock(operation);

    /// <summary>Is the operation inside a <c>lock</c> statement of its own function (await is illegal there)?</summary>
    public static bool IsInsideLock(IOperation operation) => operation.FirstAncestorInFunction<ILockOperation>() is not null;

    /// <summary>Does the method return Task, Task&lt;T&gt;, ValueTask, ValueTask&lt;T&gt; or IAsyncEnumerable&lt;T&gt;?</summary>
    public static bool ReturnsAwaitable(IMethodSymbol method, KnownTypes known) => IsAwaitableOrAsyncSequence(method.ReturnType, known);

    /// <summary>
    /// Task, Task&lt;T&gt;, ValueTask, ValueTask&lt;T&gt; (or a type derived from Task) or IAsyncEnumerable&lt;T&gt;. void, bool,
    /// string, int... are answered by their special type. Pass an operation's stored <c>Type</c> where there is one: a
    /// constructed generic method's <c>ReturnType</c> is substituted on first touch.
    /// </summary>
    public static bool IsAwaitableOrAsyncSequence(ITypeSymbol? type, KnownTypes known) =>
        type is INamedTypeSymbol { SpecialType: SpecialType.None } named
        && (named.TypeKind == TypeKind.Interface
            ? named.Name == "IAsyncEnumerable" && named.OriginalDefinition.Is(known.IAsyncEnumerableOfT)
            : known.IsTaskLike(named));
}
