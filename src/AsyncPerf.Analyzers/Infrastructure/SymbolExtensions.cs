using Microsoft.CodeAnalysis;

namespace AsyncPerf.Infrastructure;

internal static class SymbolExtensions
{
    public static bool Is(this ISymbol? symbol, ISymbol? other) =>
        symbol is not null && other is not null && SymbolEqualityComparer.Default.Equals(symbol, other);

    /// <summary>The type itself or one of its base types is <paramref name="baseType"/> (compared on original definitions).</summary>
    public static bool InheritsFromOrIs(this ITypeSymbol? type, INamedTypeSymbol? baseType)
    {
        if (baseType is null)
        {
            return false;
        }

        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, baseType))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The type is, inherits from, or implements <paramref name="baseOrInterface"/> (compared on original definitions).</summary>
    public static bool IsOrImplements(this ITypeSymbol? type, INamedTypeSymbol? baseOrInterface)
    {
        if (type is null || baseOrInterface is null)
        {
            return false;
        }

        if (type.InheritsFromOrIs(baseOrInterface))
        {
            return true;
        }

        foreach (var @interface in type.AllInterfaces)
        {
            if (SymbolEqualityComparer.Default.Equals(@interface.OriginalDefinition, baseOrInterface))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Does <paramref name="type"/> have a method named <paramref name="name"/> whose parameter types match exactly?</summary>
    public static IMethodSymbol? FindMethod(this ITypeSymbol? type, string name, bool isStatic, params ITypeSymbol?[] parameterTypes)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers(name))
            {
                if (member is IMethodSymbol method && method.IsStatic == isStatic && method.Parameters.Length == parameterTypes.Length && ParametersMatch(method, parameterTypes))
                {
                    return method;
                }
            }
        }

        return null;
    }

    private static bool ParametersMatch(IMethodSymbol method, ITypeSymbol?[] parameterTypes)
    {
        for (var i = 0; i < parameterTypes.Length; i++)
        {
            if (parameterTypes[i] is null || !SymbolEqualityComparer.Default.Equals(method.Parameters[i].Type, parameterTypes[i]))
            {
                return false;
            }
        }

        return true;
    }
}
