using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Cancellation;

/// <summary>
/// AP3002: a public or protected method returning Task, ValueTask or IAsyncEnumerable that makes cancellable calls
/// (calls AP3001 would ask to pass a token to) but has no CancellationToken for its callers to pass.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AsyncApiWithoutCancellationTokenAnalyzer : DiagnosticAnalyzer
{
    internal static readonly RuleOption<ImmutableArray<string>> ExcludedMethods = RuleOption.List(DiagnosticIds.AsyncApiWithoutCancellationToken, "excluded_methods");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.AsyncApiWithoutCancellationToken);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownTypes.Get(start.Compilation);
            if (known.CancellationToken is null || known.Task is null)
            {
                return;
            }

            // Public methods of test and benchmark code are called by their harness, which has no token to pass (the code-kind gate).
            var scope = CodeScope.For(start.Compilation, start.Options, DiagnosticIds.AsyncApiWithoutCancellationToken);
            var excluded = new PerTreeOptions<ImmutableArray<string>>(start.Options, ExcludedMethods);
            start.RegisterOperationBlockAction(c => Analyze(c, known, excluded, scope));
        });
    }

    private static void Analyze(OperationBlockAnalysisContext context, KnownTypes known, PerTreeOptions<ImmutableArray<string>> excluded, CodeScope scope)
    {
        if (context.OwningSymbol is not IMethodSymbol method
            || context.OperationBlocks.IsEmpty
            || !scope.Reports(context.OperationBlocks[0].Syntax, method)
            || !IsPublicAsyncApi(method, known)
            || IsExcluded(method, excluded.Get(context.OperationBlocks[0].Syntax.SyntaxTree)))
        {
            return;
        }

        if (Forwardable(context.OperationBlocks, method, known).Any())
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.AsyncApiWithoutCancellationToken, method.Locations[0], method.Name));
        }
    }

    /// <summary>
    /// The operations in the method that would take its new token: what AP3001 would report once the method has one
    /// (calls inside lambdas included, except static ones), leaving out those that already have a token in scope
    /// (AP3001 reports them today). Shared with the fix, which passes the token to each.
    /// </summary>
    internal static IEnumerable<CancellableOperation> Forwardable(IEnumerable<IOperation> blocks, IMethodSymbol method, KnownTypes known)
    {
        foreach (var block in blocks)
        {
            foreach (var operation in block.DescendantsAndSelf())
            {
                if (operation is not (IInvocationOperation or IForEachLoopOperation { IsAsynchronous: true })
                    || (operation is IInvocationOperation invocation && !CancellableCalls.IsCancellableWork(invocation, known)))
                {
                    continue;
                }

                if (CancellableCalls.WantsToken(operation, method, known) is { } site
                    && CancellableCalls.CanCaptureMemberParameters(operation)
                    && CancellableCalls.UsableTokens(operation, method, known).Count == 0)
                {
                    yield return site;
                }
            }
        }
    }

    private static bool IsPublicAsyncApi(IMethodSymbol method, KnownTypes known)
    {
        if (method.MethodKind != MethodKind.Ordinary
            || method.IsImplicitlyDeclared
            || !IsVisibleOutsideAssembly(method)
            || method.IsOverride
            || !method.ExplicitInterfaceImplementations.IsEmpty
            || method.PartialDefinitionPart is not null
            || method.PartialImplementationPart is not null
            || (method.IsStatic && method.Name == "Main")
            || !AsyncContext.ReturnsAwaitable(method, known))
        {
            return false;
        }

        // A token already reaches the method: a (nullable) token parameter, or HttpContext.RequestAborted (AP3001's business).
        if (TokenScope.ReachesMethod(method, known))
        {
            return false;
        }

        return !IsEventHandler(method, known) && !CodeContext.IsTestMember(method) && !ImplementsInterface(method);
    }

    /// <summary>Public, protected or protected internal, in types that are all so too: a public method of an internal class is internal.</summary>
    private static bool IsVisibleOutsideAssembly(ISymbol symbol)
    {
        for (var current = symbol; current is not null and not INamespaceSymbol; current = current.ContainingSymbol)
        {
            if (current.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsEventHandler(IMethodSymbol method, KnownTypes known) =>
        method.Parameters.Length == 2
        && method.Parameters[0].Type.SpecialType == SpecialType.System_Object
        && method.Parameters[1].Type.InheritsFromOrIs(known.EventArgs);

    /// <summary>
    /// Any attribute from xunit, NUnit or MSTest (Fact, Theory, Test, TestCase, TestMethod, SetUp...), an unresolved
    /// attribute with one of their names, or a BenchmarkDotNet attribute (by name: the package may not resolve).
    /// </summary>
    private static bool ImplementsInterface(IMethodSymbol method)
    {
        var type = method.ContainingType;
        foreach (var @interface in type.AllInterfaces)
        {
            foreach (var member in @interface.GetMembers(method.Name))
            {
                if (member is IMethodSymbol && type.FindImplementationForInterfaceMember(member).Is(method))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Entries name a method as <c>Name</c>, <c>Type.Name</c> or <c>Namespace.Type.Name</c>; a trailing <c>*</c> matches a prefix.</summary>
    private static bool IsExcluded(IMethodSymbol method, ImmutableArray<string> excluded)
    {
        if (excluded.IsEmpty)
        {
            return false;
        }

        var type = method.ContainingType;
        var names = new[]
        {
            method.Name,
            type.Name + "." + method.Name,
            type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat.WithGenericsOptions(SymbolDisplayGenericsOptions.None)) + "." + method.Name,
        };
        foreach (var entry in excluded)
        {
            var prefix = entry.EndsWith("*", StringComparison.Ordinal) ? entry.Substring(0, entry.Length - 1) : null;
            if (names.Any(n => prefix is null ? string.Equals(n, entry, StringComparison.Ordinal) : n.StartsWith(prefix, StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }
}
