using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Infrastructure;

/// <summary>
/// Answers "is this task the antecedent handed to a completion callback?": the first parameter of a lambda, local
/// function or private method that runs only once the task has finished.
/// <code>
/// t.ContinueWith(previous => previous.Result);
/// OnCompletedWithSource(task, source, new(this, &amp;UnboxAndComplete));   // delegate*&lt;Task, ...&gt; continuation
/// static void UnboxAndComplete(Task task, ...) => ... new ValueTask&lt;T&gt;(Unsafe.As&lt;Task&lt;T&gt;&gt;(task)).Result ...
/// </code>
/// A callback role is an argument of <c>ContinueWith</c>/<c>OnCompleted</c>/<c>UnsafeOnCompleted</c>, or of a
/// parameter whose name says completion (<c>continuation</c>, <c>onCompleted</c>, <c>completionCallback</c>), whose
/// delegate or function-pointer type takes the task first. A named function counts only when every reference to it
/// is such an argument (a local function: within its member; a private method: within its type, declared in one file).
/// One instance per compilation: the per-function answer is cached.
/// </summary>
internal sealed class CompletionCallbacks
{
    private static readonly string[] s_completionWords = { "continuation", "completion", "completed" };

    private readonly KnownTypes _known;
    private readonly ConcurrentDictionary<IMethodSymbol, bool> _onlyUsedAsCallback = new(SymbolEqualityComparer.Default);

    public CompletionCallbacks(KnownTypes known) => _known = known;

    public bool IsAntecedent(IOperation taskExpression)
    {
        if (AntecedentCandidate(taskExpression) is not { } reference
            || reference.Parameter is not { Ordinal: 0, RefKind: RefKind.None, ContainingSymbol: IMethodSymbol function } parameter
            || !_known.IsTaskLike(parameter.Type))
        {
            return false;
        }

        return function.MethodKind switch
        {
            MethodKind.AnonymousFunction => IsCallbackLambda(reference, function) && !IsWritten(parameter, reference.SemanticModel),
            MethodKind.LocalFunction or MethodKind.Ordinary => reference.SemanticModel is { } model
                && _onlyUsedAsCallback.GetOrAdd(function.OriginalDefinition, f => IsOnlyUsedAsCallback(f, model)),
            _ => false,
        };
    }

    /// <summary>
    /// The parameter behind <c>p</c>, <c>(Task&lt;T&gt;)p</c>, <c>p.ConfigureAwait(false)</c>,
    /// <c>new ValueTask&lt;T&gt;(p)</c> and <c>Unsafe.As&lt;Task&lt;T&gt;&gt;(p)</c>.
    /// </summary>
    private IParameterReferenceOperation? AntecedentCandidate(IOperation taskExpression)
    {
        var current = taskExpression.WalkDownConfigureAwait();
        while (true)
        {
            switch (current)
            {
                case IParameterReferenceOperation parameter:
                    return parameter;
                case IObjectCreationOperation { Arguments.Length: 1, Type: { } type } creation
                    when (type.Is(_known.ValueTask) || type.OriginalDefinition.Is(_known.ValueTaskOfT)) && _known.IsTaskLike(creation.Arguments[0].Value.Type):
                    current = creation.Arguments[0].Value.WalkDownConversions();
                    break;
                case IInvocationOperation { TargetMethod: { IsStatic: true, Name: "As", ContainingType.Name: "Unsafe" }, Arguments.Length: 1 } cast:
                    current = cast.Arguments[0].Value.WalkDownConversions();
                    break;
                default:
                    return null;
            }
        }
    }

    private bool IsCallbackLambda(IOperation use, IMethodSymbol lambdaSymbol)
    {
        for (var current = use.Parent; current is not null; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation lambda && lambda.Symbol.Is(lambdaSymbol))
            {
                var parent = lambda.Parent;
                while (parent is IDelegateCreationOperation or IConversionOperation or IParenthesizedOperation)
                {
                    parent = parent.Parent;
                }

                return parent is IArgumentOperation argument && IsCallbackArgument(argument);
            }
        }

        return false;
    }

    private bool IsCallbackArgument(IArgumentOperation argument)
    {
        if (argument.Parameter is not { } parameter || !_known.IsTaskLike(FirstParameterType(parameter.Type)))
        {
            return false;
        }

        return argument.Parent is IInvocationOperation { TargetMethod.Name: "ContinueWith" or "OnCompleted" or "UnsafeOnCompleted" }
            || s_completionWords.Any(word => parameter.Name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0);
    }

    private static ITypeSymbol? FirstParameterType(ITypeSymbol type) => type switch
    {
        INamedTypeSymbol { TypeKind: TypeKind.Delegate, DelegateInvokeMethod.Parameters: { Length: > 0 } parameters } => parameters[0].Type,
        IFunctionPointerTypeSymbol { Signature.Parameters: { Length: > 0 } parameters } => parameters[0].Type,
        _ => null,
    };

    /// <summary>Every reference to the function is a callback argument (there is at least one), and it never writes its task parameter.</summary>
    private bool IsOnlyUsedAsCallback(IMethodSymbol function, SemanticModel model)
    {
        if (function.DeclaringSyntaxReferences.Length != 1 || function.Parameters.IsEmpty || !_known.IsTaskLike(function.Parameters[0].Type)
            || IsWritten(function.Parameters[0], model) || SearchScopes(function, model.SyntaxTree) is not { } scopes)
        {
            return false;
        }

        var callbackUses = 0;
        foreach (var scope in scopes)
        {
            foreach (var name in scope.DescendantNodes().OfType<SimpleNameSyntax>())
            {
                if (name.Identifier.ValueText != function.Name || !Refers(model.GetSymbolInfo(name), function))
                {
                    continue;
                }

                if (!IsCallbackUse(name, model))
                {
                    return false;
                }

                callbackUses++;
            }
        }

        return callbackUses > 0;
    }

    /// <summary>Where the function can be referenced: a local function's member; a private method's type (one file only).</summary>
    private static IEnumerable<SyntaxNode>? SearchScopes(IMethodSymbol function, SyntaxTree tree)
    {
        var declaration = function.DeclaringSyntaxReferences[0].GetSyntax();
        if (declaration.SyntaxTree != tree)
        {
            return null;
        }

        if (function.MethodKind == MethodKind.LocalFunction)
        {
            var member = declaration.FirstAncestorOrSelf<MemberDeclarationSyntax>();
            return member switch
            {
                null => null,
                GlobalStatementSyntax => new[] { member.Parent! },
                _ => new SyntaxNode[] { member },
            };
        }

        if (function.DeclaredAccessibility != Accessibility.Private || !function.ExplicitInterfaceImplementations.IsEmpty
            || function.IsExtern || function.IsPartialDefinition || function.PartialImplementationPart is not null
            || function.ContainingType is not { } type || type.DeclaringSyntaxReferences.Any(r => r.SyntaxTree != tree))
        {
            return null;
        }

        return type.DeclaringSyntaxReferences.Select(r => r.GetSyntax());
    }

    private static bool Refers(SymbolInfo info, IMethodSymbol function) =>
        info.Symbol is IMethodSymbol method
            ? method.OriginalDefinition.Is(function)
            : info.CandidateSymbols.Any(c => c.OriginalDefinition.Is(function));

    /// <summary><c>F</c>, <c>this.F</c> or <c>&amp;F</c> as an argument whose parameter is a completion callback.</summary>
    private bool IsCallbackUse(SimpleNameSyntax name, SemanticModel model)
    {
        // A reduced extension method group would shift the parameters by one.
        if (model.GetSymbolInfo(name).Symbol is not IMethodSymbol { ReducedFrom: null })
        {
            return false;
        }

        SyntaxNode expression = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access : name;
        while (expression.Parent is ParenthesizedExpressionSyntax or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.AddressOfExpression })
        {
            expression = expression.Parent;
        }

        return expression.Parent is ArgumentSyntax argumentSyntax
            && model.GetOperation(argumentSyntax) is IArgumentOperation argument
            && IsCallbackArgument(argument);
    }

    /// <summary>An assignment to the parameter, or a ref/out use of it, in the function's own syntax.</summary>
    private static bool IsWritten(IParameterSymbol parameter, SemanticModel? model)
    {
        if (model is null || parameter.ContainingSymbol.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is not { } body)
        {
            return true;
        }

        foreach (var name in body.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (name.Identifier.ValueText != parameter.Name)
            {
                continue;
            }

            var written = name.Parent switch
            {
                AssignmentExpressionSyntax assignment => assignment.Left == name,
                ArgumentSyntax argument => argument.RefKindKeyword.IsKind(SyntaxKind.RefKeyword) || argument.RefKindKeyword.IsKind(SyntaxKind.OutKeyword),
                PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.AddressOfExpression } => true,
                _ => false,
            };
            if (written && model.GetSymbolInfo(name).Symbol.Is(parameter))
            {
                return true;
            }
        }

        return false;
    }
}
