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
    internal const string ExcludedMethodsOption = "excluded_methods";

    private static readonly string[] s_testFrameworkNamespaces = ["Xunit", "NUnit.Framework", "Microsoft.VisualStudio.TestTools.UnitTesting"];

    /// <summary>Test attributes recognised by name when their framework does not resolve (packages not restored).</summary>
    private static readonly string[] s_testAttributeNames =
    [
        "Fact", "Theory", "Test", "TestCase", "TestCaseSource", "SetUp", "TearDown", "OneTimeSetUp", "OneTimeTearDown",
        "TestMethod", "DataTestMethod", "TestInitialize", "TestCleanup", "ClassInitialize", "ClassCleanup",
    ];

    /// <summary>BenchmarkDotNet's method attributes: the harness calls these methods, no caller could pass a token.</summary>
    private static readonly string[] s_benchmarkAttributeNames = ["Benchmark", "GlobalSetup", "GlobalCleanup", "IterationSetup", "IterationCleanup"];

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

            // Public methods of test and benchmark projects are called by their harness, which has no token to pass.
            if (known.IsTestProject || known.Resolve("BenchmarkDotNet.Attributes.BenchmarkAttribute") is not null)
            {
                return;
            }

            var excluded = new PerTreeOptions<ImmutableArray<string>>(start.Options, (options, tree) => RuleOptions.GetList(options, tree, DiagnosticIds.AsyncApiWithoutCancellationToken, ExcludedMethodsOption));
            start.RegisterOperationBlockAction(c => Analyze(c, known, excluded));
        });
    }

    private static void Analyze(OperationBlockAnalysisContext context, KnownTypes known, PerTreeOptions<ImmutableArray<string>> excluded)
    {
        if (context.OwningSymbol is not IMethodSymbol method
            || context.OperationBlocks.IsEmpty
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

        return !IsEventHandler(method, known) && !IsTestOrBenchmarkMethod(method) && !ImplementsInterface(method);
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
    private static bool IsTestOrBenchmarkMethod(IMethodSymbol method)
    {
        foreach (var attribute in method.GetAttributes())
        {
            if (attribute.AttributeClass is not { } attributeClass)
            {
                continue;
            }

            var name = WithoutAttributeSuffix(attributeClass.Name);
            if (s_benchmarkAttributeNames.Contains(name)
                || (attributeClass.TypeKind == TypeKind.Error && s_testAttributeNames.Contains(name)))
            {
                return true;
            }

            for (var type = attributeClass; type is not null; type = type.BaseType)
            {
                var ns = type.ContainingNamespace?.ToDisplayString();
                if (ns is not null && s_testFrameworkNamespaces.Contains(ns))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string WithoutAttributeSuffix(string name) =>
        name.Length > "Attribute".Length && name.EndsWith("Attribute", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;

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
