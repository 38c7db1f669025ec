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
/// <param name="TokenParameterIndex">For <see cref="ForwardingKind.AddArgument"/>: the index of the token in the argument list as written (a reduced extension call's receiver does not count).</param>
/// <param name="TokenParameterName">The name of the token parameter, used when the call has named arguments.</param>
/// <param name="Argument">The token argument when there is one.</param>
internal sealed record CancellableOperation(
    IOperation Operation,
    TokenUse Use,
    ForwardingKind Kind,
    SyntaxNode Node,
    int TokenParameterIndex,
    string? TokenParameterName,
    IArgumentOperation? Argument)
{
    /// <summary>For messages: <c>Type.Method</c>, or <c>WithCancellation</c>. Computed on demand: most inspected calls are never reported.</summary>
    public string CalleeName => Operation is IInvocationOperation { TargetMethod: { } target }
        ? (target.ContainingType?.Name is { } typeName ? typeName + "." : string.Empty) + target.Name
        : "WithCancellation";
}

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
    /// Work a token can stop: a call that returns an awaitable (Task, ValueTask, IAsyncEnumerable), or a known synchronous
    /// wait or blocking call of the framework (<see cref="IsKnownCancellableCall"/>). Any other synchronous method that takes a
    /// token stores or records it (<c>TaskCompletionSource.TrySetCanceled</c>, a pool's <c>Get(token)</c>, a reload
    /// registration, an assertion helper): passing the caller's token there changes data, not cancellation.
    /// The first test on every invocation (AP3001, AP3002): it reads the type of the call expression, stored on the
    /// operation, before the method's signature.
    /// </summary>
    public static bool IsCancellableWork(IInvocationOperation invocation, KnownTypes known) =>
        AsyncContext.IsAwaitableOrAsyncSequence(invocation.Type, known) || IsKnownCancellableCall(invocation.TargetMethod);

    /// <summary>
    /// SemaphoreSlim/ManualResetEventSlim/CountdownEvent/Barrier/Task waits (System.Threading[.Tasks]),
    /// BlockingCollection's Take/Add/GetConsumingEnumerable family (System.Collections.Concurrent),
    /// HttpClient.Send and HttpContent.ReadAsStream (System.Net.Http), and <c>WithCancellation</c> on an async sequence.
    /// Name first, namespace second.
    /// </summary>
    private static bool IsKnownCancellableCall(IMethodSymbol method)
    {
        switch (method.Name)
        {
            case "Wait" or "WaitAll" or "WaitAny" or "SignalAndWait":
                return IsNamespace(method.ContainingNamespace, "Threading", "System") || IsNamespace(method.ContainingNamespace, "Tasks", "Threading", "System");
            case "Take" or "TryTake" or "Add" or "TryAdd" or "GetConsumingEnumerable" or "TakeFromAny" or "TryTakeFromAny" or "AddToAny" or "TryAddToAny":
                return IsNamespace(method.ContainingNamespace, "Concurrent", "Collections", "System");
            case "Send" or "ReadAsStream":
                return IsNamespace(method.ContainingNamespace, "Http", "Net", "System");
            case "WithCancellation":
                // source.WithCancellation(token): the token's only purpose (ConfiguredCancelableAsyncEnumerable, not awaitable itself).
                return true;
            default:
                return false;
        }
    }

    /// <summary>Is <paramref name="ns"/> the namespace <c>outer.inner</c> (directly under the global namespace)?</summary>
    private static bool IsNamespace(INamespaceSymbol? ns, string inner, string outer) =>
        ns is not null && ns.Name == inner && ns.ContainingNamespace is { } parent && parent.Name == outer && parent.ContainingNamespace is { IsGlobalNamespace: true };

    /// <summary>Is <paramref name="ns"/> the namespace <c>outer.middle.inner</c> (directly under the global namespace)?</summary>
    private static bool IsNamespace(INamespaceSymbol? ns, string inner, string middle, string outer) =>
        ns is not null && ns.Name == inner && IsNamespace(ns.ContainingNamespace, middle, outer);

    /// <summary>
    /// The operation AP3001 would report if a token were in scope: the token is missing or explicitly None/default,
    /// except where forwarding would be wrong. Explicit None/default is accepted inside <c>DisposeAsync</c>,
    /// <c>finally</c> and <c>catch (OperationCanceledException)</c>; nothing is reported inside the latter, where the
    /// token is already cancelled.
    /// </summary>
    public static CancellableOperation? WantsToken(IOperation operation, ISymbol containingSymbol, KnownTypes known) =>
        Inspect(operation, known) is { } found ? WantsToken(found, containingSymbol, known) : null;

    /// <summary><see cref="WantsToken(IOperation, ISymbol, KnownTypes)"/> for an operation <see cref="Inspect"/> has already seen.</summary>
    public static CancellableOperation? WantsToken(CancellableOperation found, ISymbol containingSymbol, KnownTypes known)
    {
        var operation = found.Operation;
        if (found.Use == TokenUse.Token || operation.Syntax.ContainsDiagnostics)
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
    /// Is <paramref name="operation"/> inside a lambda, anonymous method or local function that has a CancellationToken
    /// parameter? A quick walk to the member, no allocation: the outer-token check of AP3001 is needed only there.
    /// </summary>
    public static bool IsInsideFunctionWithOwnToken(IOperation operation, KnownTypes known)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            var function = current switch
            {
                IAnonymousFunctionOperation lambda => lambda.Symbol,
                ILocalFunctionOperation localFunction => localFunction.Symbol,
                _ => null,
            };

            if (function is not null)
            {
                foreach (var parameter in function.Parameters)
                {
                    if (known.IsCancellationToken(parameter.Type))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
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
        var exception = known.OperationCanceledException;
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
        if (target is null || invocation.Syntax is not InvocationExpressionSyntax syntax || !IsCancellableWork(invocation, known))
        {
            return null;
        }

        var reduced = IsReducedCall(invocation);

        // The method itself takes a token (optional, or passed): read from the arguments, which the operation stores (an
        // omitted optional parameter has an argument of kind DefaultValue), not from the method's parameters, which a
        // constructed generic method would build on first touch. The token parameter with the lowest ordinal wins.
        IArgumentOperation? tokenArgument = null;
        var hasParamsArgument = false;
        foreach (var argument in invocation.Arguments)
        {
            hasParamsArgument |= argument.ArgumentKind is ArgumentKind.ParamArray or ArgumentKind.ParamCollection;
            if (argument.Parameter is { } candidate && known.IsCancellationToken(argument.Value.Type)
                && (tokenArgument is null || candidate.Ordinal < tokenArgument.Parameter!.Ordinal))
            {
                tokenArgument = argument;
            }
        }

        if (tokenArgument is { Parameter: { } parameter } && parameter.OriginalDefinition.Type is not ITypeParameterSymbol)
        {
            // token.AsTask(): a token that is the receiver of an extension method is passed already.
            if (reduced && parameter.Ordinal == 0)
            {
                return null;
            }

            if (tokenArgument.ArgumentKind == ArgumentKind.DefaultValue || tokenArgument.IsImplicit)
            {
                return hasParamsArgument
                    ? null
                    : new CancellableOperation(invocation, TokenUse.Missing, ForwardingKind.AddArgument, syntax, parameter.Ordinal - (reduced ? 1 : 0), parameter.Name, null);
            }

            if (tokenArgument.Syntax is not ArgumentSyntax argumentSyntax)
            {
                return null;
            }

            return IsExplicitNone(tokenArgument.Value, known)
                ? new CancellableOperation(invocation, TokenUse.ExplicitNone, ForwardingKind.ReplaceArgument, argumentSyntax.Expression, parameter.Ordinal, parameter.Name, tokenArgument)
                : new CancellableOperation(invocation, TokenUse.Token, ForwardingKind.ReplaceArgument, argumentSyntax.Expression, parameter.Ordinal, parameter.Name, tokenArgument);
        }

        if (tokenArgument is not null || hasParamsArgument)
        {
            return null;
        }

        return FindTokenOverload(invocation, target, reduced, known) is { } overloadToken
            ? new CancellableOperation(invocation, TokenUse.Missing, ForwardingKind.AddArgument, syntax, overloadToken.Index, overloadToken.Name, null)
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

        return new CancellableOperation(loop, TokenUse.Missing, ForwardingKind.WithCancellation, expression, 0, null, null);
    }

    /// <summary>Reduced form of an extension method call: <c>source.Method(...)</c>, whose receiver is the first argument.</summary>
    private static bool IsReducedCall(IInvocationOperation invocation) =>
        invocation.TargetMethod.IsExtensionMethod && ArgumentFor(invocation, 0) is { Syntax: not ArgumentSyntax };

    private static IArgumentOperation? ArgumentFor(IInvocationOperation invocation, int ordinal)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Ordinal == ordinal)
            {
                return argument;
            }
        }

        return null;
    }

    private static (int Index, string Name)? FindTokenOverload(IInvocationOperation invocation, IMethodSymbol target, bool reduced, KnownTypes known)
    {
        var semanticModel = invocation.SemanticModel;
        if (semanticModel is null)
        {
            return null;
        }

        var targetDefinition = (target.ReducedFrom ?? target).OriginalDefinition;

        // Cheap first: the members of the receiver's type and its bases, and the extension method's own static class.
        var receiverType = reduced
            ? ArgumentFor(invocation, 0)?.Value.WalkDownConversions().Type
            : target.IsStatic ? target.ContainingType : invocation.Instance?.Type ?? target.ContainingType;
        if (receiverType is null || receiverType.TypeKind == TypeKind.Error)
        {
            return null;
        }

        var lookIn = reduced ? target.ContainingType : receiverType as INamedTypeSymbol ?? target.ContainingType;
        var position = invocation.Syntax.SpanStart;
        if (lookIn is not null)
        {
            foreach (var overload in TypeOverloads(targetDefinition, lookIn, reduced, known))
            {
                if (IsPublicEverywhere(overload.Method) || semanticModel.IsAccessible(position, overload.Method))
                {
                    return (overload.Index, overload.Name);
                }
            }
        }

        // Then extension methods of any imported static class, for awaitable calls only (synchronous calls with an
        // extension overload taking a token elsewhere are rare, and the lookup is the expensive part).
        // The answer depends on the receiver type, the method and the usings in scope: cached per (method, receiver, file),
        // since the same awaitable call on the same type recurs all over a code base and the lookup dominated AP3001's cost.
        if ((reduced || !target.IsStatic) && AsyncContext.ReturnsAwaitable(target, known) && receiverType is INamespaceOrTypeSymbol container)
        {
            var key = new OverloadKey(targetDefinition, receiverType, invocation.Syntax.SyntaxTree, reduced);
            return known.ExtensionTokenOverloads.GetOrAdd(key, _ =>
                Matches(semanticModel.LookupSymbols(position, container, target.Name, includeReducedExtensionMethods: true), targetDefinition, isStaticCall: false, reduced, known)
                    .Select(static m => ((int Index, string Name)?)(m.Index, m.Name)).FirstOrDefault());
        }

        return null;
    }

    /// <summary>
    /// A public member of public types is accessible from any position: answered without the semantic model, which
    /// builds the binder chain at the position to answer <c>IsAccessible</c>.
    /// </summary>
    private static bool IsPublicEverywhere(ISymbol symbol)
    {
        for (var current = symbol; current is not null and not INamespaceSymbol; current = current.ContainingSymbol)
        {
            if (current.DeclaredAccessibility != Accessibility.Public)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The token-taking overloads of <paramref name="targetDefinition"/> among the members of <paramref name="lookIn"/> and
    /// its base types (the extension method's own class for a reduced call), accessible or not: per compilation, per
    /// (method, type), computed once. Callers check accessibility at their position.
    /// </summary>
    private static ImmutableArray<TokenOverload> TypeOverloads(IMethodSymbol targetDefinition, INamedTypeSymbol lookIn, bool reduced, KnownTypes known) =>
        known.TypeTokenOverloads.GetOrAdd(new OverloadKey(targetDefinition, lookIn, null, reduced), _ =>
            Matches(MembersNamed(lookIn, targetDefinition.Name), targetDefinition, targetDefinition.IsStatic && !reduced, reduced, known).ToImmutableArray());

    private static IEnumerable<TokenOverload> Matches(IEnumerable<ISymbol> candidates, IMethodSymbol targetDefinition, bool isStaticCall, bool reduced, KnownTypes known)
    {
        var targetParameters = reduced ? targetDefinition.Parameters.RemoveAt(0) : targetDefinition.Parameters;
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

            if (matches && tokenIndex >= 0 && !definition.GetAttributes().Any(a => a.AttributeClass?.Name == "ObsoleteAttribute"))
            {
                yield return new TokenOverload(candidate, tokenIndex, parameters[tokenIndex].Name);
            }
        }
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

/// <summary>A token-taking overload: the method, and the index and name of its token parameter as the call would write it.</summary>
internal readonly record struct TokenOverload(IMethodSymbol Method, int Index, string Name);

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
