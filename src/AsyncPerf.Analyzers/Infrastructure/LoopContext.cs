using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Infrastructure;

/// <summary>Answers "does this operation run once per element / iteration?"</summary>
internal static class LoopContext
{
    /// <summary>LINQ operators whose lambda runs once per element.</summary>
    private static readonly HashSet<string> s_perElementOperators = new(StringComparer.Ordinal)
    {
        "Where", "Select", "SelectMany", "Count", "LongCount", "Any", "All", "First", "FirstOrDefault", "Last", "LastOrDefault",
        "Single", "SingleOrDefault", "TakeWhile", "SkipWhile", "OrderBy", "OrderByDescending", "ThenBy", "ThenByDescending",
        "GroupBy", "ToDictionary", "ToLookup", "Sum", "Min", "Max", "Average", "Aggregate", "DistinctBy", "MinBy", "MaxBy",
    };

    /// <summary>
    /// The innermost iteration that contains <paramref name="operation"/>: a for/foreach/while/do loop
    /// (returned as the <see cref="ILoopOperation"/>) or a LINQ call whose lambda runs per element
    /// (returned as the <see cref="IInvocationOperation"/>). Null when the operation runs once.
    /// Does not look past a lambda or local function that is not such a LINQ lambda.
    /// </summary>
    public static IOperation? EnclosingIteration(IOperation operation)
    {
        IOperation? previous = operation;
        for (var current = operation.Parent; current is not null; previous = current, current = current.Parent)
        {
            switch (current)
            {
                case ILoopOperation loop when IsInLoopBody(loop, previous):
                    return loop;
                case IAnonymousFunctionOperation lambda:
                    return PerElementInvocation(lambda);
                case ILocalFunctionOperation:
                    return null;
            }
        }

        return null;
    }

    /// <summary>Every iteration around the operation, innermost first (loops and per-element LINQ calls).</summary>
    public static IEnumerable<IOperation> EnclosingIterations(IOperation operation)
    {
        for (var iteration = EnclosingIteration(operation); iteration is not null; iteration = EnclosingIteration(iteration))
        {
            yield return iteration;
        }
    }

    /// <summary>When the lambda is an argument of a per-element LINQ operator, that invocation.</summary>
    public static IInvocationOperation? PerElementInvocation(IAnonymousFunctionOperation lambda)
    {
        var parent = lambda.Parent;
        while (parent is IDelegateCreationOperation or IConversionOperation)
        {
            parent = parent.Parent;
        }

        return parent is IArgumentOperation { Parent: IInvocationOperation invocation }
            && s_perElementOperators.Contains(invocation.TargetMethod.Name)
            && invocation.TargetMethod.ContainingNamespace?.ToDisplayString() == "System.Linq"
            ? invocation
            : null;
    }

    /// <summary>Is <paramref name="child"/> the part of the loop that repeats (body, condition, increment), not the collection evaluated once?</summary>
    private static bool IsInLoopBody(ILoopOperation loop, IOperation? child) => loop switch
    {
        IForEachLoopOperation forEach => child != forEach.Collection,
        IForLoopOperation forLoop => !forLoop.Before.Contains(child!),
        _ => true,
    };
}
