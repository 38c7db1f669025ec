using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Infrastructure;

/// <summary>Where a CancellationToken in scope comes from.</summary>
internal enum TokenSourceKind
{
    /// <summary>A CancellationToken parameter of the enclosing lambda or local function.</summary>
    LambdaParameter,

    /// <summary>A CancellationToken parameter of the enclosing method.</summary>
    MethodParameter,

    /// <summary>A CancellationToken? parameter: used as <c>ct.GetValueOrDefault()</c>.</summary>
    NullableParameter,

    /// <summary>A CancellationTokenSource local created in the method: used as <c>cts.Token</c>.</summary>
    TokenSourceLocal,

    /// <summary>ASP.NET Core's <c>HttpContext.RequestAborted</c>.</summary>
    RequestAborted,
}

/// <summary>A CancellationToken that code at some position can pass on.</summary>
/// <param name="Symbol">The parameter, local or property it is read from.</param>
/// <param name="Expression">The C# expression that yields the token, e.g. <c>cts.Token</c>.</param>
/// <param name="Kind">Where it comes from.</param>
internal sealed record TokenCandidate(ISymbol Symbol, string Expression, TokenSourceKind Kind);

/// <summary>Answers "which CancellationToken is in scope here?", innermost first.</summary>
internal static class TokenScope
{
    public static IReadOnlyList<TokenCandidate> Find(IOperation operation, ISymbol containingSymbol, KnownTypes known)
    {
        if (known.CancellationToken is null)
        {
            return Array.Empty<TokenCandidate>();
        }

        var result = new List<TokenCandidate>();
        var position = operation.Syntax.SpanStart;

        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation lambda:
                    AddParameters(lambda.Symbol, TokenSourceKind.LambdaParameter, known, result);
                    break;
                case ILocalFunctionOperation localFunction:
                    AddParameters(localFunction.Symbol, TokenSourceKind.LambdaParameter, known, result);
                    break;
                case IBlockOperation block:
                    AddTokenSourceLocals(block, position, known, result);
                    break;
            }
        }

        if (containingSymbol is IMethodSymbol method)
        {
            AddParameters(method, TokenSourceKind.MethodParameter, known, result);
            AddRequestAborted(method, known, result);
        }

        return result;
    }

    /// <summary>
    /// Does a token reach the method itself: a (nullable) token parameter, or HttpContext.RequestAborted through an
    /// HttpContext parameter or an instance HttpContext property of its type? What <see cref="Find"/> adds at method level,
    /// without building the list.
    /// </summary>
    public static bool ReachesMethod(IMethodSymbol method, KnownTypes known) =>
        known.CancellationToken is not null
        && (method.Parameters.Any(p => IsUsableTokenParameter(p, known)) || RequestAbortedSource(method, known) is not null);

    private static void AddParameters(IMethodSymbol function, TokenSourceKind kind, KnownTypes known, List<TokenCandidate> result)
    {
        foreach (var parameter in function.Parameters)
        {
            if (!IsUsableTokenParameter(parameter, known))
            {
                continue;
            }

            result.Add(known.IsCancellationToken(parameter.Type)
                ? new TokenCandidate(parameter, EscapeName(parameter.Name), kind)
                : new TokenCandidate(parameter, EscapeName(parameter.Name) + ".GetValueOrDefault()", TokenSourceKind.NullableParameter));
        }
    }

    /// <summary>A CancellationToken or CancellationToken? parameter that code can read (not a discard, not out).</summary>
    private static bool IsUsableTokenParameter(IParameterSymbol parameter, KnownTypes known) =>
        !parameter.IsDiscard() && parameter.RefKind != RefKind.Out
        && (known.IsCancellationToken(parameter.Type) || known.IsNullableCancellationToken(parameter.Type));

    private static void AddTokenSourceLocals(IBlockOperation block, int position, KnownTypes known, List<TokenCandidate> result)
    {
        if (known.CancellationTokenSource is null)
        {
            return;
        }

        foreach (var local in block.Locals)
        {
            if (local.Type.InheritsFromOrIs(known.CancellationTokenSource)
                && local.DeclaringSyntaxReferences.Length > 0
                && local.DeclaringSyntaxReferences[0].Span.End < position)
            {
                result.Add(new TokenCandidate(local, EscapeName(local.Name) + ".Token", TokenSourceKind.TokenSourceLocal));
            }
        }
    }

    private static void AddRequestAborted(IMethodSymbol method, KnownTypes known, List<TokenCandidate> result)
    {
        if (RequestAbortedSource(method, known) is { } source)
        {
            result.Add(source);
        }
    }

    /// <summary>
    /// HttpContext.RequestAborted as the method can read it: from an HttpContext parameter, or from an instance HttpContext
    /// property of its type or a base type (a controller's <c>ControllerBase.HttpContext</c>). Null when neither.
    /// </summary>
    private static TokenCandidate? RequestAbortedSource(IMethodSymbol method, KnownTypes known)
    {
        if (known.HttpContext is null)
        {
            return null;
        }

        foreach (var parameter in method.Parameters)
        {
            if (parameter.Type.Is(known.HttpContext))
            {
                return new TokenCandidate(parameter, EscapeName(parameter.Name) + ".RequestAborted", TokenSourceKind.RequestAborted);
            }
        }

        return !method.IsStatic && method.ContainingType is { } containingType && HttpContextProperty(containingType, known) is { } property
            ? new TokenCandidate(property, "HttpContext.RequestAborted", TokenSourceKind.RequestAborted)
            : null;
    }

    /// <summary>The instance HttpContext property of the type or a base type; looked up once per type (cached in KnownTypes).</summary>
    private static IPropertySymbol? HttpContextProperty(INamedTypeSymbol type, KnownTypes known)
    {
        if (!known.HttpContextProperties.TryGetValue(type, out var property))
        {
            property = FindHttpContextProperty(type, known.HttpContext!);
            known.HttpContextProperties.TryAdd(type, property);
        }

        return property;
    }

    private static IPropertySymbol? FindHttpContextProperty(INamedTypeSymbol type, INamedTypeSymbol httpContext)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers("HttpContext"))
            {
                if (member is IPropertySymbol { IsStatic: false } property && property.Type.Is(httpContext))
                {
                    return property;
                }
            }
        }

        return null;
    }

    private static bool IsDiscard(this IParameterSymbol parameter) => parameter.IsDiscard || parameter.Name == "_";

    private static string EscapeName(string name) =>
        Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + name : name;
}
