using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Infrastructure;

/// <summary>How a cancellable operation receives its CancellationToken.</summary>
internal enum TokenUse
{
    /// <summary>Not at all: an optional CancellationToken parameter is left out, or an overload with one is not used.</summary>
    Missing,

    /// <summary><c>default</c>, <c>default(CancellationToken)</c>, <c>CancellationToken.None</c>, <c>new CancellationToken()</c>.</summary>
    ExplicitNone,

    /// <summary>Any other token.</summary>
    Token,
}

/// <summary>What a token would be forwarded into.</summary>
internal enum ForwardingKind
{
    /// <summary>Add an argument to the call (the overload or the optional parameter that takes the token).</summary>
    AddArgument,

    /// <summary>Replace the token argument that is there.</summary>
    ReplaceArgument,

    /// <summary>Append <c>.WithCancellation(token)</c> to the collection of an <c>await foreach</c>.</summary>
    WithCancellation,
}

/// <summary>
/// A call (or <c>await foreach</c>) that can take a CancellationToken.
/// </summary>
/// <param name="Operation">The invocation or the asynchronous foreach loop.</param>
/// <param name="Use">How it receives a token today.</param>
/// <param name="Kind">Where a token would go.</param>
/// <param name="Node">The node a fix rewrites and the diagnostic is reported on: the invocation, the token argument's expression, or the foreach collection.</param>
/// <param name="CalleeName">For messages: <c>Type.Method</c>, or <c>WithCancellation</c>.</param>
/// <param name="TokenParameterIndex">For <see cref="ForwardingKind.AddArgument"/>: the index of the token in the argument list as written (a reduced extension call's receiver does not count).</param>
/// <param name="TokenParameterName">The name of the token parameter, used when the call has named arguments.</param>
/// <param name="Argument">The token argument when there is one.</param>
internal sealed record CancellableOperation(
    IOperation Operation,
    TokenUse Use,
    ForwardingKind Kind,
    SyntaxNode Node,
    string CalleeName,
    int TokenParameterIndex,
    string? TokenParameterName,
    IArgumentOperation? Argument);

/// <summary>
/// Shared by AP3001 and AP3002: which calls can take a CancellationToken (their own optional parameter, or an overload that
/// exists in the compilation's references, i.e. on the target framework, including extension-method overloads), which
/// tokens code can actually reach at a position, and where forwarding one would be wrong (clean-up code).
/// </summary>
internal static class CancellableCalls
{
    /// <summary>
    /// The invocation or <c>await foreach</c> as a cancellable operation, or null when it cannot take a token.
    /// </summary>
    public static CancellableOperation? Inspect(IOperation operation, KnownTypes known) => operation switch
    {
        IInvocationOperation invocation => InspectInvocation(invocation, known),
        IForEachLoopOperation loop => InspectForEach(loop, known),
        _ => null,
    };

    /// <summary>
    /// Cheap pre-check, answered from a per-compilation cache keyed by (method, receiver type): can this call take a token at
    /// all? True when the method has a CancellationToken parameter, when the receiver type (or the extension method's class)
    /// has a same-named method with one more parameter that is a CancellationToken, and for every awaitable call (whose
    /// extension overloads need the full, position-dependent lookup). False means <see cref="Inspect"/> would return null.
    /// </summary>
    public static bool MightTakeToken(IInvocationOperation invocation, KnownTypes known)
    {
        var target = invocation.TargetMethod;
        foreach (var parameter in target.Parameters)
        {
            if (known.IsCancellationToken(parameter.Type))
            {
                return true;
            }

            if (parameter.IsParams)
            {
                return false;
            }
        }

        if (AsyncContext.ReturnsAwaitable(target, known))
        {
            return true;
        }

        var reduced = target.ReducedFrom is not null;
        var lookIn = reduced || target.IsStatic ? target.ContainingType : invocation.Instance?.Type as INamedTypeSymbol ?? target.ContainingType;
        if (lookIn is null)
        {
            return false;
        }

        var definition = (target.ReducedFrom ?? target).OriginalDefinition;
        return known.TokenOverloadCandidates.GetOrAdd(new OverloadKey(definition, lookIn, null, reduced), _ =>
        {
            var expected = definition.Parameters.Length + 1;
            foreach (var member in MembersNamed(lookIn, definition.Name))
            {
                if (member is IMethodSymbol candidate && !SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, definition)
                    && candidate.Parameters.Length == expected && candidate.Parameters.Any(p => known.IsCancellationToken(p.Type)))
                {
                    return true;
                }
            }

            return false;
        });
    }

    /// <summary>
    /// The operation AP3001 would report if a token were in scope: the token is missing or explicitly None/default,
    /// except where forwarding would be wrong. Explicit None/default is accepted inside <c>DisposeAsync</c>,
    /// <c>finally</c> and <c>catch (OperationCanceledException)</c>; nothing is reported inside the latter, where the
    /// token is already cancelled.
    /// </summary>
    public static CancellableOperation? WantsToken(IOperation operation, ISymbol containingSymbol, KnownTypes known)
    {
        if (operation.Syntax.ContainsDiagnostics || Inspect(operation, known) is not { } found || found.Use == TokenUse.Token)
        {
            return null;
        }

        var cleanup = CleanupContext(operation, containingSymbol, known);
        if (cleanup == Cleanup.CancellationHandler || (cleanup == Cleanup.MustFinish && found.Use == TokenUse.ExplicitNone))
        {
            return null;
        }

        return found;
    }

    /// <summary>
    /// The tokens code at <paramref name="operation"/> can pass on, innermost first (see <see cref="TokenScope"/>), without
    /// those a static lambda or static local function cannot capture. Empty inside expression-tree lambdas.
    /// </summary>
    public static IReadOnlyList<TokenCandidate> UsableTokens(IOperation operation, ISymbol containingSymbol, KnownTypes known)
    {
        if (!CanUseCapturedValues(operation, out var staticBoundary))
        {
            return Array.Empty<TokenCandidate>();
        }

        var tokens = TokenScope.Find(operation, containingSymbol, known);
        if (staticBoundary is null || tokens.Count == 0)
        {
            return tokens;
        }

        return tokens.Where(t => IsDeclaredWithin(t.Symbol, staticBoundary)).ToList();
    }

    /// <summary>
    /// Could a parameter of the enclosing member be used at <paramref name="operation"/>? False inside static lambdas and
    /// static local functions and inside expression-tree lambdas.
    /// </summary>
    public static bool CanCaptureMemberParameters(IOperation operation) =>
        CanUseCapturedValues(operation, out var staticBoundary) && staticBoundary is null;

    /// <summary>The parameter or local a token argument is read from: <c>ct</c>, <c>cts.Token</c>, <c>ct.GetValueOrDefault()</c>, <c>HttpContext.RequestAborted</c>.</summary>
    public static ISymbol? TokenSymbol(IOperation value)
    {
        var current = value.WalkDownConversions();
        switch (current)
        {
            case IPropertyReferenceOperation { Property.Name: "Token" or "RequestAborted" or "Value", Instance: { } instance }:
                return instance.ReferencedSymbol();
            case IInvocationOperation { TargetMethod.Name: "GetValueOrDefault", Instance: { } instance }:
                return instance.ReferencedSymbol();
            case IPropertyReferenceOperation { Property.Name: "HttpContext" } property:
                return property.Property;
            default:
                return current.ReferencedSymbol();
        }
    }

    /// <summary><c>default</c>, <c>default(CancellationToken)</c>, <c>CancellationToken.None</c>, <c>new CancellationToken()</c> or <c>new CancellationToken(false)</c>.</summary>
    public static bool IsExplicitNone(IOperation value, KnownTypes known) => value.WalkDownConversions() switch
    {
        IDefaultValueOperation => true,
        IPropertyReferenceOperation { Property: { Name: "None", IsStatic: true } property } => known.IsCancellationToken(property.ContainingType),
        IObjectCreationOperation { Arguments.Length: 0 } creation => known.IsCancellationToken(creation.Type),
        IObjectCreationOperation { Arguments.Length: 1 } creation => known.IsCancellationToken(creation.Type)
            && creation.Arguments[0].Value.ConstantValue is { HasValue: true, Value: false },
        _ => false,
    };

    private enum Cleanup
    {
        None,

        /// <summary>finally, DisposeAsync: work that must finish; an explicit None/default is deliberate.</summary>
        MustFinish,

        /// <summary>catch (OperationCanceledException): the token is already cancelled.</summary>
        CancellationHandler,
    }

    private static Cleanup CleanupContext(IOperation operation, ISymbol containingSymbol, KnownTypes known)
    {
        var exception = known.Resolve("System.OperationCanceledException");
        var child = operation;
        for (var current = operation.Parent; current is not null; child = current, current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    // A lambda runs later, not as part of the clean-up around it.
                    return Cleanup.None;
                case ICatchClauseOperation catchClause when child == catchClause.Handler && catchClause.ExceptionType.InheritsFromOrIs(exception):
                    return Cleanup.CancellationHandler;
                case ITryOperation tryOperation when child == tryOperation.Finally:
                    return Cleanup.MustFinish;
            }
        }

        return containingSymbol is IMethodSymbol { Name: "DisposeAsync" or "DisposeAsyncCore" } ? Cleanup.MustFinish : Cleanup.None;
    }

    private static bool CanUseCapturedValues(IOperation operation, out IOperation? staticBoundary)
    {
        staticBoundary = null;
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation lambda:
                    if (IsExpressionTree(lambda))
                    {
                        return false;
                    }

                    if (lambda.Symbol.IsStatic)
                    {
                        staticBoundary = lambda;
                    }

                    break;
                case ILocalFunctionOperation { Symbol.IsStatic: true } localFunction:
                    staticBoundary = localFunction;
                    break;
            }
        }

        return true;
    }

    private static bool IsExpressionTree(IAnonymousFunctionOperation lambda)
    {
        var parent = lambda.Parent;
        return parent is IConversionOperation { Type: INamedTypeSymbol { TypeKind: not TypeKind.Delegate } }
            || (parent is IDelegateCreationOperation { Type: INamedTypeSymbol { TypeKind: not TypeKind.Delegate } });
    }

    private static bool IsDeclaredWithin(ISymbol symbol, IOperation boundary)
    {
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree == boundary.Syntax.SyntaxTree && boundary.Syntax.Span.Contains(reference.Span))
            {
                return true;
            }
        }

        return false;
    }

    private static CancellableOperation? InspectInvocation(IInvocationOperation invocation, KnownTypes known)
    {
        var target = invocation.TargetMethod;
        if (target is null || invocation.Syntax is not InvocationExpressionSyntax syntax)
        {
            return null;
        }

        var reduced = IsReducedCall(invocation);
        var display = (target.ContainingType?.Name is { } typeName ? typeName + "." : string.Empty) + target.Name;

        // The method itself takes a token (optional, or passed).
        foreach (var parameter in target.Parameters)
        {
            if (!known.IsCancellationToken(parameter.Type))
            {
                continue;
            }

            var argument = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == parameter.Ordinal);
            if (argument is null)
            {
                return null;
            }

            if (argument.ArgumentKind == ArgumentKind.DefaultValue || argument.IsImplicit)
            {
                return invocation.Arguments.Any(a => a.ArgumentKind is ArgumentKind.ParamArray or ArgumentKind.ParamCollection)
                    ? null
                    : new CancellableOperation(invocation, TokenUse.Missing, ForwardingKind.AddArgument, syntax, display, parameter.Ordinal - (reduced ? 1 : 0), parameter.Name, null);
            }

            if (argument.Syntax is not ArgumentSyntax argumentSyntax)
            {
                return null;
            }

            return IsExplicitNone(argument.Value, known)
                ? new CancellableOperation(invocation, TokenUse.ExplicitNone, ForwardingKind.ReplaceArgument, argumentSyntax.Expression, display, parameter.Ordinal, parameter.Name, argument)
                : new CancellableOperation(invocation, TokenUse.Token, ForwardingKind.ReplaceArgument, argumentSyntax.Expression, display, parameter.Ordinal, parameter.Name, argument);
        }

        if (target.Parameters.Any(p => p.IsParams))
        {
            return null;
        }

        return FindTokenOverload(invocation, target, reduced, known) is { } overloadToken
            ? new CancellableOperation(invocation, TokenUse.Missing, ForwardingKind.AddArgument, syntax, display, overloadToken.Index, overloadToken.Name, null)
            : null;
    }

    private static CancellableOperation? InspectForEach(IForEachLoopOperation loop, KnownTypes known)
    {
        if (!loop.IsAsynchronous || known.IAsyncEnumerableOfT is null || loop.Syntax is not ForEachStatementSyntax { Expression: { } expression })
        {
            return null;
        }

        // x.WithCancellation(t), x.ConfigureAwait(false).WithCancellation(t)...: the invocation itself is inspected.
        var collection = loop.Collection.WalkDownConversions();
        while (collection is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" or "WithCancellation" } configured)
        {
            if (configured.TargetMethod.Name == "WithCancellation")
            {
                return null;
            }

            collection = (configured.Instance ?? configured.Arguments.FirstOrDefault()?.Value)?.WalkDownConversions();
            if (collection is null)
            {
                return null;
            }
        }

        if (collection.Type is not INamedTypeSymbol type || !type.IsOrImplements(known.IAsyncEnumerableOfT))
        {
            return null;
        }

        // An iterator called with (or able to take) a token gets it through [EnumeratorCancellation]: that call is the one to fix.
        if (collection is IInvocationOperation source && InspectInvocation(source, known) is not null)
        {
            return null;
        }

        return new CancellableOperation(loop, TokenUse.Missing, ForwardingKind.WithCancellation, expression, "WithCancellation", 0, null, null);
    }

    /// <summary>Reduced form of an extension method call: <c>source.Method(...)</c>, whose receiver is the first argument.</summary>
    private static bool IsReducedCall(IInvocationOperation invocation) =>
        invocation.TargetMethod.IsExtensionMethod
        && invocation.Arguments.Any(a => a.Parameter?.Ordinal == 0 && a.Syntax is not ArgumentSyntax);

    private static (int Index, string Name)? FindTokenOverload(IInvocationOperation invocation, IMethodSymbol target, bool reduced, KnownTypes known)
    {
        var semanticModel = invocation.SemanticModel;
        if (semanticModel is null)
        {
            return null;
        }

        var targetDefinition = (target.ReducedFrom ?? target).OriginalDefinition;
        var targetParameters = reduced ? targetDefinition.Parameters.RemoveAt(0) : targetDefinition.Parameters;

        // Cheap first: the members of the receiver's type and its bases, and the extension method's own static class.
        var receiverType = reduced
            ? invocation.Arguments.First(a => a.Parameter?.Ordinal == 0).Value.WalkDownConversions().Type
            : target.IsStatic ? target.ContainingType : invocation.Instance?.Type ?? target.ContainingType;
        if (receiverType is null || receiverType.TypeKind == TypeKind.Error)
        {
            return null;
        }

        var lookIn = reduced ? target.ContainingType : receiverType as INamedTypeSymbol ?? target.ContainingType;
        var position = invocation.Syntax.SpanStart;
        if (Match(MembersNamed(lookIn, target.Name), targetDefinition, targetParameters, target.IsStatic && !reduced, reduced, known, m => semanticModel.IsAccessible(position, m)) is { } found)
        {
            return found;
        }

        // Then extension methods of any imported static class, for awaitable calls only (synchronous calls with an
        // extension overload taking a token elsewhere are rare, and the lookup is the expensive part).
        // The answer depends on the receiver type, the method and the usings in scope: cached per (method, receiver, file),
        // since the same awaitable call on the same type recurs all over a code base and the lookup dominated AP3001's cost.
        if ((reduced || !target.IsStatic) && AsyncContext.ReturnsAwaitable(target, known) && receiverType is INamespaceOrTypeSymbol container)
        {
            var key = new OverloadKey(targetDefinition, receiverType, invocation.Syntax.SyntaxTree, reduced);
            return known.ExtensionTokenOverloads.GetOrAdd(key, _ =>
                Match(semanticModel.LookupSymbols(position, container, target.Name, includeReducedExtensionMethods: true), targetDefinition, targetParameters, isStaticCall: false, reduced, known, static _ => true));
        }

        return null;
    }

    private static (int Index, string Name)? Match(IEnumerable<ISymbol> candidates, IMethodSymbol targetDefinition, ImmutableArray<IParameterSymbol> targetParameters, bool isStaticCall, bool reduced, KnownTypes known, Func<ISymbol, bool> isAccessible)
    {
        foreach (var symbol in candidates)
        {
            if (symbol is not IMethodSymbol candidate)
            {
                continue;
            }

            // Cheapest test first: one parameter more than the target (the receiver of an extension aside).
            var extra = candidate.ReducedFrom is null && candidate.IsExtensionMethod ? 2 : 1;
            if (candidate.Parameters.Length != targetParameters.Length + extra)
            {
                continue;
            }

            var definition = (candidate.ReducedFrom ?? candidate).OriginalDefinition;
            if (SymbolEqualityComparer.Default.Equals(definition, targetDefinition)
                || definition.TypeParameters.Length != targetDefinition.TypeParameters.Length)
            {
                continue;
            }

            bool dropsReceiver;
            if (candidate.ReducedFrom is not null)
            {
                // Found by lookup on the receiver: applicable to it.
                dropsReceiver = true;
            }
            else if (definition.IsExtensionMethod)
            {
                // Next to the target in its static class: called the same way, on the same receiver type.
                if (!reduced || !SameType(definition.Parameters[0].Type, targetDefinition.Parameters[0].Type))
                {
                    continue;
                }

                dropsReceiver = true;
            }
            else if (definition.IsStatic != isStaticCall)
            {
                continue;
            }
            else
            {
                dropsReceiver = false;
            }

            var parameters = dropsReceiver ? definition.Parameters.RemoveAt(0) : definition.Parameters;
            if (parameters.Length != targetParameters.Length + 1 || !SameType(definition.ReturnType, targetDefinition.ReturnType))
            {
                continue;
            }

            var tokenIndex = -1;
            var matches = true;
            for (int i = 0, j = 0; i < parameters.Length; i++)
            {
                if (tokenIndex < 0 && known.IsCancellationToken(parameters[i].Type))
                {
                    tokenIndex = i;
                    continue;
                }

                if (j >= targetParameters.Length || parameters[i].RefKind != targetParameters[j].RefKind || !SameType(parameters[i].Type, targetParameters[j].Type))
                {
                    matches = false;
                    break;
                }

                j++;
            }

            if (matches && tokenIndex >= 0 && isAccessible(candidate)
                && !definition.GetAttributes().Any(a => a.AttributeClass?.Name == "ObsoleteAttribute"))
            {
                return (tokenIndex, parameters[tokenIndex].Name);
            }
        }

        return null;
    }

    private static IEnumerable<ISymbol> MembersNamed(INamedTypeSymbol? type, string name)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers(name))
            {
                yield return member;
            }
        }
    }

    /// <summary>Type equality across two methods: their method type parameters match by position.</summary>
    private static bool SameType(ITypeSymbol left, ITypeSymbol right)
    {
        switch (left, right)
        {
            case (ITypeParameterSymbol l, ITypeParameterSymbol r):
                return l.TypeParameterKind == r.TypeParameterKind && l.Ordinal == r.Ordinal
                    && (l.TypeParameterKind == TypeParameterKind.Method || SymbolEqualityComparer.Default.Equals(l, r) || l.Name == r.Name);
            case (IArrayTypeSymbol l, IArrayTypeSymbol r):
                return l.Rank == r.Rank && SameType(l.ElementType, r.ElementType);
            case (IPointerTypeSymbol l, IPointerTypeSymbol r):
                return SameType(l.PointedAtType, r.PointedAtType);
            case (INamedTypeSymbol l, INamedTypeSymbol r) when l.IsGenericType || r.IsGenericType:
                if (!SymbolEqualityComparer.Default.Equals(l.OriginalDefinition, r.OriginalDefinition) || l.TypeArguments.Length != r.TypeArguments.Length)
                {
                    return false;
                }

                for (var i = 0; i < l.TypeArguments.Length; i++)
                {
                    if (!SameType(l.TypeArguments[i], r.TypeArguments[i]))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return SymbolEqualityComparer.Default.Equals(left, right);
        }
    }
}

/// <summary>Key of the per-compilation cache of extension-method token overloads (<see cref="KnownTypes.ExtensionTokenOverloads"/>).</summary>
internal readonly struct OverloadKey : IEquatable<OverloadKey>
{
    private readonly IMethodSymbol _target;
    private readonly ITypeSymbol _receiver;
    private readonly SyntaxTree? _tree;
    private readonly bool _reduced;

    public OverloadKey(IMethodSymbol target, ITypeSymbol receiver, SyntaxTree? tree, bool reduced)
    {
        _target = target;
        _receiver = receiver;
        _tree = tree;
        _reduced = reduced;
    }

    public bool Equals(OverloadKey other) =>
        _reduced == other._reduced && _tree == other._tree
        && SymbolEqualityComparer.Default.Equals(_target, other._target) && SymbolEqualityComparer.Default.Equals(_receiver, other._receiver);

    public override bool Equals(object? obj) => obj is OverloadKey other && Equals(other);

    public override int GetHashCode() =>
        (((SymbolEqualityComparer.Default.GetHashCode(_target) * 31) + SymbolEqualityComparer.Default.GetHashCode(_receiver)) * 31 + (_tree?.GetHashCode() ?? 0)) * 2 + (_reduced ? 1 : 0);
}
