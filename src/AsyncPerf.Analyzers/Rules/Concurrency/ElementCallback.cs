using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Concurrency;

/// <summary>
/// AP1001: recognises the per-element call that only invokes a callback the element itself holds, the observer pattern
/// (<c>subscriptions.Select(s =&gt; s.NotifyAsync())</c> where <c>NotifyAsync() =&gt; callback()</c>, or <c>handlers.Select(h =&gt; h())</c>).
/// The tasks are one per registered subscriber, not one per item of data, and what each subscriber does is not known here.
/// </summary>
internal static class ElementCallback
{
    /// <summary>
    /// Is <paramref name="call"/> (a per-element call, possibly awaited) a callback of <paramref name="element"/>: a delegate the
    /// element is or holds (<c>h()</c>, <c>s.Callback()</c>, <c>s.OnChanged.InvokeAsync()</c>), or a non-overridable method of the
    /// element's own type, declared in this compilation, whose body is nothing but such an invocation of one of its own members?
    /// </summary>
    public static bool IsCallbackOf(IOperation call, ISymbol element)
    {
        if (StripAwait(call) is not IInvocationOperation invocation || invocation.Instance?.WalkDownConversions() is not { } receiver)
        {
            return false;
        }

        if (IsCallbackInvoke(invocation.TargetMethod))
        {
            // h(), h.Invoke(), s.Callback(), s.OnChanged.InvokeAsync()
            return Names(receiver, element) || (receiver is IMemberReferenceOperation { Instance: { } owner } && Names(owner, element));
        }

        return Names(receiver, element) && ForwardsToOwnCallback(invocation.TargetMethod);
    }

    /// <summary>Strips <c>await</c>, <c>ConfigureAwait</c> and conversions.</summary>
    private static IOperation StripAwait(IOperation operation)
    {
        var current = operation.WalkDownConfigureAwait();
        while (current is IAwaitOperation awaited)
        {
            current = awaited.Operation.WalkDownConfigureAwait();
        }

        return current;
    }

    private static bool Names(IOperation operation, ISymbol element) =>
        operation.WalkDownConversions().ReferencedSymbol() is { } symbol && SymbolEqualityComparer.Default.Equals(symbol, element);

    /// <summary>A delegate's Invoke, or InvokeAsync of Blazor's <c>EventCallback</c> / <c>EventCallback&lt;T&gt;</c> (a delegate wrapper).</summary>
    private static bool IsCallbackInvoke(IMethodSymbol method) =>
        method.MethodKind == MethodKind.DelegateInvoke
        || (method.Name == "InvokeAsync" && IsCallbackType(method.ContainingType));

    private static bool IsCallbackType(ITypeSymbol? type) =>
        type is { TypeKind: TypeKind.Delegate }
        || (type is INamedTypeSymbol { Name: "EventCallback", ContainingNamespace: { Name: "Components", ContainingNamespace: { Name: "AspNetCore", ContainingNamespace.Name: "Microsoft" } } });

    /// <summary>
    /// <c>Task NotifyAsync() =&gt; callback();</c> (also <c>{ return _callback.Invoke(); }</c>, <c>this.OnChanged.InvokeAsync()</c>): the
    /// method's whole body invokes a delegate-typed field, property or primary-constructor parameter of its own type. Looks at
    /// one method's syntax only; a virtual, abstract or overridable method could be replaced by one that does anything.
    /// </summary>
    private static bool ForwardsToOwnCallback(IMethodSymbol method)
    {
        if (method.MethodKind != MethodKind.Ordinary || method.IsStatic || method.IsAbstract || method.IsVirtual || method.IsExtern
            || (method.IsOverride && !method.IsSealed && !method.ContainingType.IsSealed)
            || method.DeclaringSyntaxReferences.Length != 1
            || method.DeclaringSyntaxReferences[0].GetSyntax() is not MethodDeclarationSyntax declaration
            || SingleExpression(declaration) is not InvocationExpressionSyntax body
            || CalledMemberName(body.Expression) is not { } name
            || method.Parameters.Any(p => p.Name == name))
        {
            return false;
        }

        foreach (var member in method.ContainingType.GetMembers(name))
        {
            var type = member switch
            {
                IFieldSymbol field => field.Type,
                IPropertySymbol { Parameters.Length: 0 } property => property.Type,
                _ => null,
            };
            return IsCallbackType(type);
        }

        return PrimaryConstructorParameter(method.ContainingType, name) is { } parameter && IsCallbackType(parameter.Type);
    }

    /// <summary>The expression of <c>=&gt; expr;</c>, <c>{ return expr; }</c> or <c>{ expr; }</c>, with <c>await</c> and parentheses removed.</summary>
    private static ExpressionSyntax? SingleExpression(MethodDeclarationSyntax declaration)
    {
        var expression = declaration.ExpressionBody?.Expression
            ?? (declaration.Body is { Statements.Count: 1 } block
                ? block.Statements[0] switch
                {
                    ReturnStatementSyntax returned => returned.Expression,
                    ExpressionStatementSyntax statement => statement.Expression,
                    _ => null,
                }
                : null);
        while (expression is AwaitExpressionSyntax or ParenthesizedExpressionSyntax)
        {
            expression = expression is AwaitExpressionSyntax awaited ? awaited.Expression : ((ParenthesizedExpressionSyntax)expression).Expression;
        }

        return expression;
    }

    /// <summary>The member that <c>x()</c>, <c>this.x()</c>, <c>x.Invoke()</c> or <c>x.InvokeAsync()</c> calls through; null otherwise.</summary>
    private static string? CalledMemberName(ExpressionSyntax expression)
    {
        if (expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Invoke" or "InvokeAsync" } invoke
            && OwnMemberName(invoke.Expression) is { } held)
        {
            return held;
        }

        return OwnMemberName(expression);
    }

    private static string? OwnMemberName(ExpressionSyntax expression) => expression switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax identifier } => identifier.Identifier.ValueText,
        _ => null,
    };

    private static IParameterSymbol? PrimaryConstructorParameter(INamedTypeSymbol type, string name)
    {
        foreach (var constructor in type.InstanceConstructors)
        {
            foreach (var reference in constructor.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax() is TypeDeclarationSyntax)
                {
                    return constructor.Parameters.FirstOrDefault(p => p.Name == name);
                }
            }
        }

        return null;
    }
}
