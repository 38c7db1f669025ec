using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Infrastructure;

/// <summary>Finds the references to a local inside the member body that declares it (lambdas and local functions included).</summary>
internal static class LocalUses
{
    /// <summary>The outermost operation of the member body that contains <paramref name="operation"/>.</summary>
    public static IOperation Root(IOperation operation)
    {
        var current = operation;
        while (current.Parent is not null)
        {
            current = current.Parent;
        }

        return current;
    }

    /// <summary>Every read or write of <paramref name="local"/> below <paramref name="root"/>.</summary>
    public static IEnumerable<ILocalReferenceOperation> References(IOperation root, ILocalSymbol local)
    {
        foreach (var descendant in root.Descendants())
        {
            if (descendant is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local))
            {
                yield return reference;
            }
        }
    }

    /// <summary>The local that <paramref name="value"/> initialises directly (<c>var x = value;</c>, <c>using var x = value;</c>, <c>using (var x = value)</c>).</summary>
    public static ILocalSymbol? InitializedLocal(IOperation value)
    {
        var current = value;
        while (current.Parent is IConversionOperation or IParenthesizedOperation)
        {
            current = current.Parent;
        }

        return current.Parent is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } ? declarator.Symbol : null;
    }

    /// <summary>The parent of <paramref name="operation"/> with conversions and parentheses skipped, and the child on that path.</summary>
    public static IOperation? ParentSkippingConversions(IOperation operation, out IOperation child)
    {
        child = operation;
        var parent = operation.Parent;
        while (parent is IConversionOperation or IParenthesizedOperation)
        {
            child = parent;
            parent = parent.Parent;
        }

        return parent;
    }
}
