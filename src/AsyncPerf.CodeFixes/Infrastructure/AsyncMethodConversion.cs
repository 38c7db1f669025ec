using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.FindSymbols;
using Microsoft.CodeAnalysis.Simplification;

namespace AsyncPerf.Infrastructure;

/// <summary>
/// Turns a private or internal synchronous method into an async one together with all its callers:
/// <c>string Load()</c> → <c>async Task&lt;string&gt; LoadAsync()</c>, <c>Load()</c> → <c>await LoadAsync()</c>.
/// Planned only where everything still compiles: every reference is a plain call in this document, from a place
/// that can already await, and the method has no shape that async forbids (ref/out parameters, iterators,
/// ref-like or task-like return types, overrides, interface implementations, partial methods, unsafe code).
/// </summary>
internal sealed class AsyncMethodConversion
{
    private AsyncMethodConversion(MethodDeclarationSyntax declaration, string newName, ImmutableArray<SimpleNameSyntax> callNames, ImmutableArray<SimpleNameSyntax> otherNames)
    {
        Declaration = declaration;
        NewName = newName;
        CallNames = callNames;
        OtherNames = otherNames;
    }

    public MethodDeclarationSyntax Declaration { get; }

    public string NewName { get; }

    /// <summary>The method's name at each call site (<c>Load</c> in <c>Load()</c> or <c>this.Load()</c>).</summary>
    private ImmutableArray<SimpleNameSyntax> CallNames { get; }

    /// <summary>Other references that only need the new name (<c>nameof(Load)</c>).</summary>
    private ImmutableArray<SimpleNameSyntax> OtherNames { get; }

    public static async Task<AsyncMethodConversion?> TryPlanAsync(Document document, SemanticModel semanticModel, SyntaxNode site, CancellationToken cancellationToken)
    {
        if (SyntaxHelpers.EnclosingFunction(site) is not MethodDeclarationSyntax declaration
            || declaration.Modifiers.Any(m => m.IsKind(SyntaxKind.AsyncKeyword) || m.IsKind(SyntaxKind.UnsafeKeyword) || m.IsKind(SyntaxKind.PartialKeyword) || m.IsKind(SyntaxKind.ExternKeyword))
            || (declaration.Body is null && declaration.ExpressionBody is null)
            || declaration.Identifier.ValueText == "Main"
            || declaration.ParameterList.Parameters.Any(p => p.Modifiers.Any(m => m.IsKind(SyntaxKind.RefKeyword) || m.IsKind(SyntaxKind.OutKeyword) || m.IsKind(SyntaxKind.InKeyword)))
            || declaration.Ancestors().OfType<TypeDeclarationSyntax>().Any(t => t.Modifiers.Any(SyntaxKind.UnsafeKeyword))
            || ContainsYield(declaration)
            || semanticModel.GetDeclaredSymbol(declaration, cancellationToken) is not { } method
            || !IsConvertible(method, semanticModel.Compilation))
        {
            return null;
        }

        var newName = method.Name.EndsWith("Async", StringComparison.Ordinal) ? method.Name : method.Name + "Async";
        if (newName != method.Name && method.ContainingType.GetMembers(newName).Length > 0)
        {
            newName = method.Name;
        }

        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return null;
        }

        var references = await SymbolFinder.FindReferencesAsync(method, document.Project.Solution, cancellationToken).ConfigureAwait(false);
        var calls = ImmutableArray.CreateBuilder<SimpleNameSyntax>();
        var others = ImmutableArray.CreateBuilder<SimpleNameSyntax>();
        foreach (var location in references.SelectMany(r => r.Locations))
        {
            if (location.Document.Id != document.Id || location.IsImplicit
                || root.FindNode(location.Location.SourceSpan, getInnermostNodeForTie: true) is not SimpleNameSyntax name
                || (location.IsCandidateLocation && !IsInsideNameOf(name)))
            {
                return null;
            }

            if (InvocationOf(name) is { } invocation)
            {
                // The caller must already be able to await: an async function, not inside lock/query/unsafe.
                if (!SyntaxHelpers.CanAwaitAt(invocation) || declaration.Contains(invocation))
                {
                    return null;
                }

                calls.Add(name);
            }
            else if (IsInsideNameOf(name))
            {
                others.Add(name);
            }
            else
            {
                return null; // a method group (delegate, event handler): its signature must not change
            }
        }

        return new AsyncMethodConversion(declaration, newName, calls.ToImmutable(), others.ToImmutable());
    }

    /// <summary>Records the edits: callers awaited and renamed, the declaration made async (call after the body edits).</summary>
    public void Apply(SyntaxEditor editor)
    {
        foreach (var name in CallNames)
        {
            var invocation = InvocationOf(name)!;
            editor.ReplaceNode(invocation, (current, _) =>
            {
                var call = (InvocationExpressionSyntax)current;
                var renamed = call.WithExpression(RenameCallee(call.Expression, NewName));
                return SyntaxHelpers.Await(renamed).WithTriviaFrom(call);
            });
        }

        foreach (var name in OtherNames)
        {
            editor.ReplaceNode(name, (current, _) => Rename((SimpleNameSyntax)current, NewName));
        }

        editor.ReplaceNode(Declaration, (current, _) => MakeAsync((MethodDeclarationSyntax)current, NewName));
    }

    private static bool IsConvertible(IMethodSymbol method, Compilation compilation)
    {
        if (method.MethodKind != MethodKind.Ordinary || method.IsOverride || method.IsVirtual || method.IsAbstract || method.IsExtern
            || method.IsAsync || method.ReturnsByRef || method.ReturnsByRefReadonly || method.IsPartialDefinition || method.PartialImplementationPart is not null
            || !method.ExplicitInterfaceImplementations.IsEmpty || method.IsGenericMethod && method.TypeParameters.Any(t => t.AllowsRefLikeType)
            || compilation.GetTypeByMetadataName("System.Threading.Tasks.Task") is null)
        {
            return false;
        }

        if (method.DeclaredAccessibility == Accessibility.Internal)
        {
            // Another assembly may call it.
            if (compilation.Assembly.GetAttributes().Any(a => a.AttributeClass?.Name == "InternalsVisibleToAttribute"))
            {
                return false;
            }
        }
        else if (method.DeclaredAccessibility != Accessibility.Private)
        {
            return false;
        }

        if (method.ContainingType.AllInterfaces.SelectMany(i => i.GetMembers(method.Name))
            .Any(member => SymbolEqualityComparer.Default.Equals(method.ContainingType.FindImplementationForInterfaceMember(member), method)))
        {
            return false;
        }

        var returnType = method.ReturnType;
        if (method.ReturnsVoid)
        {
            return true;
        }

        return returnType is not IErrorTypeSymbol && !returnType.IsRefLikeType && returnType.TypeKind is not (TypeKind.Pointer or TypeKind.FunctionPointer)
            && !IsAwaitable(returnType);
    }

    /// <summary>A method that already returns a task would need its return statements rewritten: not converted.</summary>
    private static bool IsAwaitable(ITypeSymbol type) =>
        type.GetMembers("GetAwaiter").OfType<IMethodSymbol>().Any(m => m.Parameters.IsEmpty && !m.IsStatic)
        || type.Name is "Task" or "ValueTask" or "IAsyncEnumerable" or "IAsyncEnumerator";

    private static bool ContainsYield(MethodDeclarationSyntax declaration) =>
        declaration.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)).OfType<YieldStatementSyntax>().Any();

    /// <summary>The invocation whose callee is exactly this name: <c>Load()</c>, <c>this.Load()</c>, <c>other.Load()</c>.</summary>
    private static InvocationExpressionSyntax? InvocationOf(SimpleNameSyntax name) => name.Parent switch
    {
        InvocationExpressionSyntax invocation when invocation.Expression == name => invocation,
        MemberAccessExpressionSyntax access when access.Name == name && access.Parent is InvocationExpressionSyntax invocation && invocation.Expression == access => invocation,
        _ => null,
    };

    private static bool IsInsideNameOf(SyntaxNode node) =>
        node.Ancestors().OfType<InvocationExpressionSyntax>().Any(i => i.Expression is IdentifierNameSyntax { Identifier.ValueText: "nameof" });

    private static ExpressionSyntax RenameCallee(ExpressionSyntax callee, string newName) => callee switch
    {
        SimpleNameSyntax name => Rename(name, newName),
        MemberAccessExpressionSyntax access => access.WithName(Rename(access.Name, newName)),
        _ => callee,
    };

    private static SimpleNameSyntax Rename(SimpleNameSyntax name, string newName)
    {
        var identifier = SyntaxFactory.Identifier(newName).WithTriviaFrom(name.Identifier);
        return name is GenericNameSyntax generic ? generic.WithIdentifier(identifier) : SyntaxFactory.IdentifierName(identifier);
    }

    private static MethodDeclarationSyntax MakeAsync(MethodDeclarationSyntax method, string newName)
    {
        var returnType = method.ReturnType;
        TypeSyntax taskType = returnType is PredefinedTypeSyntax predefined && predefined.Keyword.IsKind(SyntaxKind.VoidKeyword)
            ? SyntaxHelpers.QualifiedType("System.Threading.Tasks.Task")
            : SyntaxFactory.QualifiedName(
                    SyntaxFactory.ParseName("System.Threading.Tasks"),
                    SyntaxFactory.GenericName(SyntaxFactory.Identifier("Task"), SyntaxFactory.TypeArgumentList(SyntaxFactory.SingletonSeparatedList(returnType.WithoutTrivia()))))
                .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);
        var renamed = method
            .WithReturnType(taskType.WithTriviaFrom(returnType))
            .WithIdentifier(SyntaxFactory.Identifier(newName).WithTriviaFrom(method.Identifier));
        return SyntaxHelpers.AddAsyncModifier(renamed);
    }
}
