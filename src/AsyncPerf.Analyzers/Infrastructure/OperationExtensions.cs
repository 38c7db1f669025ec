using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Infrastructure;

internal static class OperationExtensions
{
    /// <summary>Strips implicit and explicit conversions and parentheses.</summary>
    public static IOperation WalkDownConversions(this IOperation operation)
    {
        var current = operation;
        while (true)
        {
            switch (current)
            {
                case IConversionOperation conversion:
                    current = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    current = parenthesized.Operand;
                    break;
                default:
                    return current;
            }
        }
    }

    /// <summary>Strips a trailing <c>.ConfigureAwait(...)</c> call, then conversions.</summary>
    public static IOperation WalkDownConfigureAwait(this IOperation operation)
    {
        var current = operation.WalkDownConversions();
        while (current is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } instance })
        {
            current = instance.WalkDownConversions();
        }

        return current;
    }

    /// <summary>The local, parameter, field or property that a plain reference names; null for anything else.</summary>
    public static ISymbol? ReferencedSymbol(this IOperation? operation) => operation?.WalkDownConversions() switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        IFieldReferenceOperation field => field.Field,
        IPropertyReferenceOperation { Arguments.Length: 0 } property => property.Property,
        _ => null,
    };

    /// <summary>The arguments in source order, with a params array flattened into its elements.</summary>
    public static IEnumerable<IOperation> FlattenedArgumentValues(this IInvocationOperation invocation)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.ArgumentKind == ArgumentKind.ParamArray && argument.Value is IArrayCreationOperation { Initializer: { } initializer })
            {
                foreach (var element in initializer.ElementValues)
                {
                    yield return element;
                }
            }
            else if (argument.ArgumentKind == ArgumentKind.ParamCollection && argument.Value.WalkDownConversions() is ICollectionExpressionOperation collection)
            {
                foreach (var element in collection.Elements)
                {
                    yield return element;
                }
            }
            else
            {
                yield return argument.Value;
            }
        }
    }

    /// <summary>The argument bound to the parameter named <paramref name="name"/>, if any.</summary>
    public static IArgumentOperation? ArgumentFor(this IInvocationOperation invocation, string name)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Name == name)
            {
                return argument;
            }
        }

        return null;
    }

    /// <summary>The closest ancestor (or self) of type <typeparamref name="T"/>, not crossing a lambda or local function.</summary>
    public static T? FirstAncestorInFunction<T>(this IOperation operation)
        where T : class, IOperation
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is T match)
            {
                return match;
            }

            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>Is the operation (transitively) a descendant of <paramref name="ancestor"/>?</summary>
    public static bool IsWithin(this IOperation operation, IOperation ancestor)
    {
        for (var current = operation; current is not null; current = current.Parent)
        {
            if (current == ancestor)
            {
                return true;
            }
        }

        return false;
    }
}
