using System.Threading;
using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Data;

/// <summary>A membership test written as a linear search (AP5001), as the analyzer and the code fix both see it.</summary>
/// <param name="Node">The operation the fix replaces: the call, or the <c>IndexOf(x) &gt;= 0</c> comparison.</param>
/// <param name="Call">The searching call (Contains, IndexOf, Exists, Any).</param>
/// <param name="Collection">The searched list or array (conversions removed).</param>
/// <param name="CollectionSymbol">The local, parameter, field or property that <paramref name="Collection"/> names.</param>
/// <param name="Value">The sought value.</param>
/// <param name="Comparer">The equality comparer the call was given, if any.</param>
/// <param name="Negated">True for <c>IndexOf(x) &lt; 0</c> / <c>== -1</c>: the test means "not contained".</param>
/// <param name="ElementType">The element type the set is built with.</param>
internal sealed record LinearLookupMatch(
    IOperation Node,
    IInvocationOperation Call,
    IOperation Collection,
    ISymbol CollectionSymbol,
    IOperation Value,
    IOperation? Comparer,
    bool Negated,
    ITypeSymbol ElementType);

/// <summary>Recognises AP5001 lookups and decides in which enclosing loops the searched collection is invariant.</summary>
internal static class LinearLookup
{
    /// <summary>Instance methods of List&lt;T&gt; and arrays that do not change the collection.</summary>
    private static readonly HashSet<string> s_readOnlyInstanceMethods = new(StringComparer.Ordinal)
    {
        "Contains", "IndexOf", "LastIndexOf", "Exists", "Find", "FindLast", "FindIndex", "FindLastIndex", "FindAll", "TrueForAll",
        "BinarySearch", "GetRange", "ToArray", "CopyTo", "GetEnumerator", "ConvertAll", "AsReadOnly", "Equals", "GetHashCode",
        "ToString", "GetType", "GetLength", "GetLowerBound", "GetUpperBound", "Slice",
    };

    /// <summary>Static helpers on System.Array and MemoryExtensions that only read the collection.</summary>
    private static readonly HashSet<string> s_readOnlyStaticMethods = new(StringComparer.Ordinal)
    {
        "Contains", "IndexOf", "LastIndexOf", "Exists", "Find", "FindLast", "FindIndex", "FindLastIndex", "FindAll", "TrueForAll",
        "BinarySearch", "ConvertAll", "AsReadOnly", "IndexOfAny", "LastIndexOfAny", "ContainsAny", "SequenceEqual", "StartsWith",
        "EndsWith", "Count", "Join", "Concat",
    };

    /// <summary>Cheap pre-filter on the method name.</summary>
    public static bool IsCandidateName(string name) => name is "Contains" or "IndexOf" or "Exists" or "Any";

    public static LinearLookupMatch? Match(IInvocationOperation call, INamedTypeSymbol listType)
    {
        var method = call.TargetMethod;
        var containing = method.ContainingType;
        if (containing is null)
        {
            return null;
        }

        var isList = !method.IsStatic && SymbolEqualityComparer.Default.Equals(containing.OriginalDefinition, listType);
        var staticOwner = method.IsStatic ? StaticOwner(containing) : null;
        if (!isList && staticOwner is null)
        {
            return null;
        }

        IOperation? collection;
        IOperation? value;
        IOperation? comparer = null;
        ITypeSymbol elementType;
        var arguments = call.Arguments;
        if (isList)
        {
            collection = call.Instance;
            elementType = containing.TypeArguments[0];
            if (arguments.Length != 1)
            {
                return null;
            }

            value = method.Name == "Exists" ? SoughtValue(arguments[0].Value, elementType) : arguments[0].Value;
        }
        else
        {
            if (!method.IsGenericMethod || method.TypeArguments.Length != 1 || arguments.Length < 2)
            {
                return null;
            }

            elementType = method.TypeArguments[0];
            collection = ArgumentIn(arguments, 0);
            switch (staticOwner, method.Name, arguments.Length)
            {
                case ("Enumerable", "Contains", 2):
                case ("MemoryExtensions", "Contains", 2):
                case ("MemoryExtensions", "IndexOf", 2):
                case ("Array", "IndexOf", 2):
                    value = ArgumentIn(arguments, 1);
                    break;
                case ("Enumerable", "Contains", 3):
                    value = ArgumentIn(arguments, 1);
                    comparer = ArgumentIn(arguments, 2);
                    break;
                case ("Enumerable", "Any", 2):
                case ("Array", "Exists", 2):
                    value = ArgumentIn(arguments, 1) is { } predicate ? SoughtValue(predicate, elementType) : null;
                    break;
                default:
                    return null;
            }
        }

        collection = collection?.WalkDownConversions();
        if (collection is null || value is null || !IsListOrArray(collection.Type, listType) || Referenced(collection) is not { } symbol)
        {
            return null;
        }

        var node = (IOperation)call;
        var negated = false;
        if (method.Name == "IndexOf")
        {
            if (IndexComparison(call, out negated) is not { } comparison)
            {
                return null;
            }

            node = comparison;
        }

        return new LinearLookupMatch(node, call, collection, symbol, value, comparer, negated, elementType);
    }

    /// <summary>
    /// The outermost iteration around the lookup in which the collection is invariant, walking out from the innermost:
    /// null when it changes (or is declared) inside the innermost one, or when the lookup is not in an iteration.
    /// </summary>
    public static IOperation? OutermostInvariantIteration(LinearLookupMatch match)
    {
        IOperation? outermost = null;
        foreach (var iteration in LoopContext.EnclosingIterations(match.Node))
        {
            if (!IsInvariantIn(iteration, match.CollectionSymbol)
                || (iteration is IInvocationOperation && !IsInvariantWhereTheQueryRuns(iteration, match.CollectionSymbol)))
            {
                break;
            }

            outermost = iteration;
        }

        return outermost;
    }

    /// <summary>
    /// The foreach that enumerates a deferred query (<c>foreach (var x in items.Where(...))</c>), the member body when the
    /// query is deferred and escapes (stored, returned, passed on), or null when it is materialised in place (ToList, Count...).
    /// </summary>
    public static IOperation? DeferredConsumer(IOperation linq)
    {
        var current = linq;
        while (LocalUses.ParentSkippingConversions(current, out _) is IArgumentOperation { Parameter.Ordinal: 0, Parent: IInvocationOperation outer }
            && outer.TargetMethod.ContainingNamespace?.ToDisplayString() == "System.Linq")
        {
            current = outer;
        }

        if (current.Type is not INamedTypeSymbol { TypeKind: TypeKind.Interface })
        {
            return null;
        }

        return LocalUses.ParentSkippingConversions(current, out _) is IForEachLoopOperation loop ? loop : LocalUses.Root(linq);
    }

    /// <summary>A deferred query's lambdas run while it is enumerated: the collection must not change there either.</summary>
    private static bool IsInvariantWhereTheQueryRuns(IOperation linq, ISymbol symbol) => DeferredConsumer(linq) switch
    {
        null => true,
        IForEachLoopOperation loop => IsInvariantIn(loop, symbol),
        var root => IsUnchangedIn(root, symbol),
    };

    /// <summary>Is <paramref name="symbol"/> declared outside <paramref name="iteration"/> and neither assigned nor changed inside it?</summary>
    public static bool IsInvariantIn(IOperation iteration, ISymbol symbol)
    {
        var span = iteration.Syntax.Span;
        return !(symbol is ILocalSymbol or IParameterSymbol
                && symbol.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == iteration.Syntax.SyntaxTree && span.Contains(r.Span)))
            && IsUnchangedIn(iteration, symbol);
    }

    /// <summary>Is <paramref name="symbol"/> neither assigned nor changed anywhere below <paramref name="region"/>?</summary>
    private static bool IsUnchangedIn(IOperation region, ISymbol symbol)
    {
        var iteration = region;
        var isMember = symbol is IFieldSymbol or IPropertySymbol;
        foreach (var descendant in iteration.Descendants())
        {
            if (IsReferenceTo(descendant, symbol))
            {
                if (!IsReadOnlyUse(descendant))
                {
                    return false;
                }
            }
            else if (descendant is IInvocationOperation invocation
                && (invocation.TargetMethod.MethodKind == MethodKind.LocalFunction
                    || (isMember && symbol.ContainingType is { } type && invocation.TargetMethod.ContainingType is { SpecialType: not SpecialType.System_Object } callee
                        && (SymbolEqualityComparer.Default.Equals(callee, type) || type.InheritsFromOrIs(callee.OriginalDefinition)))))
            {
                // A local function or a method of the member's own type may change it behind our back.
                return false;
            }
        }

        if (symbol is ILocalSymbol or IParameterSymbol)
        {
            // A lambda or local function declared elsewhere in the member may change a captured local when the loop calls it.
            foreach (var descendant in LocalUses.Root(iteration).Descendants())
            {
                if (IsReferenceTo(descendant, symbol) && !IsReadOnlyUse(descendant) && IsInsideFunction(descendant))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// When the collection is a local, field or property initialised with a literal (array, collection expression or
    /// collection initializer) of at most <paramref name="maxItems"/> elements.
    /// </summary>
    public static bool IsSmallLiteral(ISymbol symbol, int maxItems, CancellationToken cancellationToken)
    {
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            var initializer = reference.GetSyntax(cancellationToken) switch
            {
                VariableDeclaratorSyntax declarator => declarator.Initializer?.Value,
                PropertyDeclarationSyntax property => property.Initializer?.Value ?? property.ExpressionBody?.Expression,
                _ => null,
            };
            if (initializer is not null && LiteralCount(initializer) is { } count && count <= maxItems)
            {
                return true;
            }
        }

        return false;
    }

    private static int? LiteralCount(ExpressionSyntax expression) => expression switch
    {
        ArrayCreationExpressionSyntax { Initializer: { } initializer } => initializer.Expressions.Count,
        ImplicitArrayCreationExpressionSyntax creation => creation.Initializer.Expressions.Count,
        InitializerExpressionSyntax initializer => initializer.Expressions.Count,
        CollectionExpressionSyntax collection => collection.Elements.Any(e => e is not ExpressionElementSyntax) ? null : collection.Elements.Count,
        BaseObjectCreationExpressionSyntax { Initializer: { } initializer } creation
            when initializer.IsKind(SyntaxKind.CollectionInitializerExpression) && (creation.ArgumentList is null || creation.ArgumentList.Arguments.Count == 0)
            => initializer.Expressions.Count,
        _ => null,
    };

    private static string? StaticOwner(INamedTypeSymbol type)
    {
        var ns = type.ContainingNamespace?.ToDisplayString();
        return (type.Name, ns) switch
        {
            ("Enumerable", "System.Linq") => "Enumerable",
            ("Array", "System") => "Array",
            ("MemoryExtensions", "System") => "MemoryExtensions",
            _ => null,
        };
    }

    private static IOperation? ArgumentIn(ImmutableArray<IArgumentOperation> arguments, int ordinal)
    {
        foreach (var argument in arguments)
        {
            if (argument.Parameter?.Ordinal == ordinal)
            {
                return argument.ArgumentKind == ArgumentKind.DefaultValue ? null : argument.Value;
            }
        }

        return null;
    }

    private static bool IsListOrArray(ITypeSymbol? type, INamedTypeSymbol listType) =>
        type is IArrayTypeSymbol { IsSZArray: true }
        || (type is INamedTypeSymbol named && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, listType));

    /// <summary>A local, parameter, static or <c>this.</c> field or property: something whose identity a loop can keep.</summary>
    private static ISymbol? Referenced(IOperation collection) => collection switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => field.Field,
        IPropertyReferenceOperation { Instance: null or IInstanceReferenceOperation, Arguments.Length: 0 } property => property.Property,
        _ => null,
    };

    private static bool IsReferenceTo(IOperation operation, ISymbol symbol) => operation switch
    {
        ILocalReferenceOperation local => SymbolEqualityComparer.Default.Equals(local.Local, symbol),
        IParameterReferenceOperation parameter => SymbolEqualityComparer.Default.Equals(parameter.Parameter, symbol),
        IFieldReferenceOperation field => SymbolEqualityComparer.Default.Equals(field.Field.OriginalDefinition, symbol.OriginalDefinition),
        IPropertyReferenceOperation property => SymbolEqualityComparer.Default.Equals(property.Property.OriginalDefinition, symbol.OriginalDefinition),
        _ => false,
    };

    private static bool IsInsideFunction(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads that cannot change the collection: lookups, Count/Length, element reads, foreach, LINQ, null checks.</summary>
    private static bool IsReadOnlyUse(IOperation reference)
    {
        var parent = LocalUses.ParentSkippingConversions(reference, out var child);
        switch (parent)
        {
            case IInvocationOperation invocation when invocation.Instance == child:
                return s_readOnlyInstanceMethods.Contains(invocation.TargetMethod.Name);
            case IArgumentOperation { Parameter.RefKind: RefKind.None or RefKind.In, Parent: IInvocationOperation invocation }:
                var owner = invocation.TargetMethod.ContainingType;
                if (owner?.ContainingNamespace?.ToDisplayString() == "System.Linq")
                {
                    return true;
                }

                return owner is not null && (StaticOwner(owner) is "Array" or "MemoryExtensions" || owner.SpecialType == SpecialType.System_String)
                    && s_readOnlyStaticMethods.Contains(invocation.TargetMethod.Name);
            case IArgumentOperation { Parameter.RefKind: RefKind.None or RefKind.In, Parent: IObjectCreationOperation creation }:
                // Copied into a new collection (new HashSet<T>(list), new List<T>(list)): what AP5001's own fix writes.
                return creation.Type?.ContainingNamespace?.ToDisplayString() is "System.Collections.Generic" or "System.Collections.Immutable" or "System.Collections.Frozen";
            case IPropertyReferenceOperation property when property.Instance == child:
                return !IsWritten(property);
            case IArrayElementReferenceOperation element when element.ArrayReference == child:
                return !IsWritten(element);
            case IForEachLoopOperation loop when loop.Collection == child || loop.Collection.WalkDownConversions() == reference:
                return true;
            case IBinaryOperation or IIsPatternOperation or IIsTypeOperation:
                return true;
            default:
                return false;
        }
    }

    private static bool IsWritten(IOperation operation)
    {
        var parent = LocalUses.ParentSkippingConversions(operation, out var child);
        return parent switch
        {
            IAssignmentOperation assignment => assignment.Target == child,
            IIncrementOrDecrementOperation => true,
            IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } => true,
            ITupleOperation => true,
            IInvocationOperation { Instance: { } instance } when instance == child && operation.Type?.IsValueType == true => true,
            _ => false,
        };
    }

    /// <summary>From <c>y =&gt; y == x</c> (either side, built-in equality on a type where it matches Equals), <c>x</c>.</summary>
    private static IOperation? SoughtValue(IOperation predicate, ITypeSymbol elementType)
    {
        var current = predicate.WalkDownConversions();
        if (current is IDelegateCreationOperation creation)
        {
            current = creation.Target;
        }

        if (current is not IAnonymousFunctionOperation { Symbol.Parameters.Length: 1 } lambda
            || lambda.Body.Operations.Length != 1
            || lambda.Body.Operations[0] is not IReturnOperation { ReturnedValue: IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals } equality }
            || !HasValueEquality(elementType))
        {
            return null;
        }

        var parameter = lambda.Symbol.Parameters[0];

        var left = equality.LeftOperand.WalkDownConversions();
        var right = equality.RightOperand.WalkDownConversions();
        var value = IsParameter(left, parameter) ? right : IsParameter(right, parameter) ? left : null;
        if (value is null || !SymbolEqualityComparer.Default.Equals(value.Type, elementType)
            || value.DescendantsAndSelf().Any(d => IsParameter(d, parameter)))
        {
            return null;
        }

        return value;
    }

    private static bool IsParameter(IOperation operation, IParameterSymbol parameter) =>
        operation is IParameterReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Parameter, parameter);

    /// <summary>Types whose <c>==</c> agrees with <c>EqualityComparer&lt;T&gt;.Default</c> (not double/float: NaN).</summary>
    private static bool HasValueEquality(ITypeSymbol type) =>
        type.TypeKind == TypeKind.Enum
        || type.SpecialType is SpecialType.System_Boolean or SpecialType.System_Char or SpecialType.System_SByte or SpecialType.System_Byte
            or SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Int32 or SpecialType.System_UInt32
            or SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_String or SpecialType.System_Decimal;

    /// <summary><c>IndexOf(x) &gt;= 0</c>, <c>&gt; -1</c>, <c>!= -1</c> (contained) or <c>&lt; 0</c>, <c>== -1</c>, <c>&lt;= -1</c> (not), either side.</summary>
    private static IBinaryOperation? IndexComparison(IInvocationOperation call, out bool negated)
    {
        negated = false;
        if (LocalUses.ParentSkippingConversions(call, out var child) is not IBinaryOperation binary)
        {
            return null;
        }

        var callOnLeft = binary.LeftOperand == child;
        var other = callOnLeft ? binary.RightOperand : binary.LeftOperand;
        if (other.ConstantValue is not { HasValue: true, Value: int constant })
        {
            return null;
        }

        var kind = binary.OperatorKind;
        if (!callOnLeft)
        {
            kind = kind switch
            {
                BinaryOperatorKind.LessThan => BinaryOperatorKind.GreaterThan,
                BinaryOperatorKind.GreaterThan => BinaryOperatorKind.LessThan,
                BinaryOperatorKind.LessThanOrEqual => BinaryOperatorKind.GreaterThanOrEqual,
                BinaryOperatorKind.GreaterThanOrEqual => BinaryOperatorKind.LessThanOrEqual,
                _ => kind,
            };
        }

        switch (kind, constant)
        {
            case (BinaryOperatorKind.GreaterThanOrEqual, 0):
            case (BinaryOperatorKind.GreaterThan, -1):
            case (BinaryOperatorKind.NotEquals, -1):
                return binary;
            case (BinaryOperatorKind.LessThan, 0):
            case (BinaryOperatorKind.LessThanOrEqual, -1):
            case (BinaryOperatorKind.Equals, -1):
                negated = true;
                return binary;
            default:
                return null;
        }
    }
}
