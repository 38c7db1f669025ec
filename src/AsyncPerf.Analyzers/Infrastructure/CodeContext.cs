using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Infrastructure;

/// <summary>
/// The kinds of code the context model tells apart. Rules about throughput and resource use report in
/// <see cref="Production"/> code only by default; rules about correctness report everywhere (see <see cref="RulePolicies"/>).
/// </summary>
[Flags]
internal enum CodeKinds
{
    None = 0,

    /// <summary>Servers, hosted services, libraries, applications: everything not classified otherwise.</summary>
    Production = 1,

    /// <summary>Test and benchmark code: a test project, a project that references a test framework or BenchmarkDotNet, or a test/benchmark method.</summary>
    Test = 2,

    /// <summary>Run-once program code: the statements of <c>Main</c> or of top-level statements (not the lambdas and local functions there), or a project marked as a tool.</summary>
    Tool = 4,

    /// <summary>Samples, examples, demos and documentation snippets (by assembly name, or marked).</summary>
    Sample = 8,

    All = Production | Test | Tool | Sample,
}

/// <summary>
/// The shared context model: what kind of code a piece of source is. Decided once per compilation from what the build
/// tells analyzers (MSBuild properties, references, output kind, assembly name), refined per file by
/// <c>asyncperf.code_kind</c> in .editorconfig, and per member (entry points, test methods).
/// </summary>
/// <remarks>
/// Sources, in order of precedence:
/// <list type="number">
/// <item>per file: <c>asyncperf.code_kind = production | test | tool | sample</c> in an .editorconfig section;</item>
/// <item>per project: the same key in a .globalconfig, or the MSBuild property <c>AsyncPerfCodeKind</c> (the package makes it visible to analyzers);</item>
/// <item>test: <c>IsTestProject=true</c> (set by Microsoft.NET.Test.Sdk), a reference to xunit, NUnit, MSTest, TUnit or BenchmarkDotNet, or an assembly name ending in
/// <c>Tests</c>, <c>Test</c>, <c>Specs</c>, <c>TestUtils</c>, <c>TestUtilities</c>, <c>Testing</c>, <c>Benchmarks</c> or <c>Benchmark</c>;</item>
/// <item>sample: an assembly name with a segment <c>Sample(s)</c>, <c>Example(s)</c>, <c>Demo(s)</c>, <c>Snippets</c> or <c>Playground</c>;</item>
/// <item>otherwise production; inside production code, the body of an executable's <c>Main</c> (or its top-level statements) is tool code,
/// and a method carrying a test or benchmark attribute is test code.</item>
/// </list>
/// </remarks>
internal sealed class CodeContext
{
    public const string CodeKindKey = "asyncperf.code_kind";
    public const string CodeKindProperty = "build_property.AsyncPerfCodeKind";
    public const string IsTestProjectProperty = "build_property.IsTestProject";

    private static readonly ConditionalWeakTable<Compilation, CodeContext> s_cache = new();

    private static readonly string[] s_testFrameworkAttributes =
    [
        "Xunit.FactAttribute", "NUnit.Framework.TestAttribute", "Microsoft.VisualStudio.TestTools.UnitTesting.TestMethodAttribute",
        "TUnit.Core.TestAttribute", "BenchmarkDotNet.Attributes.BenchmarkAttribute",
    ];

    private static readonly string[] s_testAssemblySuffixes = ["Tests", "Test", "Specs", "TestUtils", "TestUtilities", "Testing", "Benchmarks", "Benchmark"];

    private static readonly string[] s_sampleSegments = ["Sample", "Samples", "Example", "Examples", "Demo", "Demos", "Snippets", "Playground"];

    /// <summary>Test and benchmark method attributes, by name, so that they count even when their framework does not resolve.</summary>
    private static readonly HashSet<string> s_testMethodAttributes = new(StringComparer.Ordinal)
    {
        "Fact", "Theory", "Test", "TestCase", "TestCaseSource", "SetUp", "TearDown", "OneTimeSetUp", "OneTimeTearDown",
        "TestMethod", "DataTestMethod", "TestInitialize", "TestCleanup", "ClassInitialize", "ClassCleanup",
        "Benchmark", "GlobalSetup", "GlobalCleanup", "IterationSetup", "IterationCleanup",
    };

    private readonly Compilation _compilation;
    private readonly AnalyzerConfigOptionsProvider _options;
    private readonly CodeKinds _projectKind;
    private readonly PerTreeOptions<CodeKinds> _treeKinds;

    private CodeContext(Compilation compilation, AnalyzerConfigOptionsProvider options)
    {
        _compilation = compilation;
        _options = options;
        _projectKind = ProjectKind(compilation, options.GlobalOptions);
        IsExecutable = compilation.Options.OutputKind is OutputKind.ConsoleApplication or OutputKind.WindowsApplication or OutputKind.WindowsRuntimeApplication;
        _treeKinds = new PerTreeOptions<CodeKinds>(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty, options), TreeKind);
    }

    /// <summary>The model for a compilation, built once (the options of a compilation do not change between its analyzers).</summary>
    public static CodeContext Get(Compilation compilation, AnalyzerOptions options) =>
        s_cache.GetValue(compilation, c => new CodeContext(c, options.AnalyzerConfigOptionsProvider));

    /// <summary>The kind of the whole project before per-file and per-member refinement.</summary>
    public CodeKinds ProjectCodeKind => _projectKind;

    public bool IsExecutable { get; }

    /// <summary>The kind of a file: its .editorconfig override, else the project's kind.</summary>
    public CodeKinds KindOf(SyntaxTree tree) => _treeKinds.Get(tree);

    /// <summary>
    /// The kind of the code at <paramref name="node"/> inside <paramref name="member"/>: the file's kind, refined in production
    /// code to <see cref="CodeKinds.Tool"/> for the statements of an entry point and to <see cref="CodeKinds.Test"/> for test methods.
    /// </summary>
    public CodeKinds KindOf(SyntaxNode node, ISymbol? member, IOperation? operation = null)
    {
        var kind = KindOf(node.SyntaxTree);
        if (kind != CodeKinds.Production || member is null)
        {
            return kind;
        }

        if (IsTestMember(member))
        {
            return CodeKinds.Test;
        }

        return IsEntryPoint(member) && !InsideNestedFunction(node, operation) ? CodeKinds.Tool : kind;
    }

    /// <summary><c>Main</c> of an executable, or its top-level statements (<c>&lt;Main&gt;$</c>).</summary>
    public bool IsEntryPoint(ISymbol member) =>
        IsExecutable && member is IMethodSymbol { IsStatic: true, Name: "Main" or "<Main>$", MethodKind: MethodKind.Ordinary };

    /// <summary>
    /// A method carrying a test or benchmark attribute: one of a test framework (or derived from one, <c>[SkippableFact]</c>),
    /// or, when the framework does not resolve (packages not restored), an unresolved attribute with a test attribute's name.
    /// A resolved attribute of the program's own named <c>Test</c> is not one.
    /// </summary>
    public static bool IsTestMember(ISymbol member)
    {
        if (member is not IMethodSymbol method)
        {
            return false;
        }

        foreach (var attribute in method.GetAttributes())
        {
            if (attribute.AttributeClass is not { } attributeClass)
            {
                continue;
            }

            if (attributeClass.TypeKind == TypeKind.Error)
            {
                if (s_testMethodAttributes.Contains(StripAttributeSuffix(attributeClass.Name)))
                {
                    return true;
                }

                continue;
            }

            for (var type = attributeClass; type is not null && type.SpecialType == SpecialType.None; type = type.BaseType)
            {
                if (IsInTestFrameworkNamespace(type.ContainingNamespace))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Xunit, NUnit.Framework, Microsoft.VisualStudio.TestTools.UnitTesting, TUnit.Core or BenchmarkDotNet.Attributes (or below).</summary>
    private static bool IsInTestFrameworkNamespace(INamespaceSymbol? ns)
    {
        for (; ns is not null && !ns.IsGlobalNamespace; ns = ns.ContainingNamespace)
        {
            var parent = ns.ContainingNamespace;
            var isRoot = parent is null || parent.IsGlobalNamespace;
            switch (ns.Name)
            {
                case "Xunit" when isRoot:
                    return true;
                case "Framework" when parent is { Name: "NUnit" } && (parent.ContainingNamespace?.IsGlobalNamespace ?? true):
                case "Core" when parent is { Name: "TUnit" } && (parent.ContainingNamespace?.IsGlobalNamespace ?? true):
                case "Attributes" when parent is { Name: "BenchmarkDotNet" } && (parent.ContainingNamespace?.IsGlobalNamespace ?? true):
                case "UnitTesting" when parent is { Name: "TestTools", ContainingNamespace: { Name: "VisualStudio", ContainingNamespace.Name: "Microsoft" } }:
                    return true;
            }
        }

        return false;
    }

    private static string StripAttributeSuffix(string name) =>
        name.Length > "Attribute".Length && name.EndsWith("Attribute", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;

    /// <summary>The node lies in a lambda or local function of the member (a request handler in top-level statements runs per request).</summary>
    private static bool InsideNestedFunction(SyntaxNode node, IOperation? operation)
    {
        if (operation is not null)
        {
            for (var current = operation.Parent; current is not null; current = current.Parent)
            {
                if (current.Kind is OperationKind.AnonymousFunction or OperationKind.LocalFunction)
                {
                    return true;
                }
            }

            return false;
        }

        for (var current = node.Parent; current is not null; current = current.Parent)
        {
            switch (current.RawKind)
            {
                case (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.SimpleLambdaExpression:
                case (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.ParenthesizedLambdaExpression:
                case (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.AnonymousMethodExpression:
                case (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.LocalFunctionStatement:
                    return true;
            }
        }

        return false;
    }

    private CodeKinds TreeKind(AnalyzerConfigOptions options) =>
        options.TryGetValue(CodeKindKey, out var text) && Parse(text) is var kind && kind != CodeKinds.None ? kind : _projectKind;

    private static CodeKinds ProjectKind(Compilation compilation, AnalyzerConfigOptions global)
    {
        foreach (var key in new[] { CodeKindKey, CodeKindProperty })
        {
            if (global.TryGetValue(key, out var text) && Parse(text) is var declared && declared != CodeKinds.None)
            {
                return declared;
            }
        }

        if (global.TryGetValue(IsTestProjectProperty, out var isTest) && string.Equals(isTest?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            return CodeKinds.Test;
        }

        foreach (var attribute in s_testFrameworkAttributes)
        {
            if (compilation.GetTypeByMetadataName(attribute) is not null)
            {
                return CodeKinds.Test;
            }
        }

        var name = compilation.AssemblyName ?? string.Empty;
        var last = name.Substring(name.LastIndexOf('.') + 1);
        foreach (var suffix in s_testAssemblySuffixes)
        {
            if (last.EndsWith(suffix, StringComparison.Ordinal))
            {
                return CodeKinds.Test;
            }
        }

        foreach (var segment in name.Split('.', '_', '-'))
        {
            if (Array.IndexOf(s_sampleSegments, segment) >= 0)
            {
                return CodeKinds.Sample;
            }
        }

        return CodeKinds.Production;
    }

    /// <summary>One kind name (production, test, tool, sample), case-insensitive; anything else is <see cref="CodeKinds.None"/>.</summary>
    public static CodeKinds Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "production" => CodeKinds.Production,
        "test" => CodeKinds.Test,
        "tool" => CodeKinds.Tool,
        "sample" => CodeKinds.Sample,
        _ => CodeKinds.None,
    };
}

/// <summary>
/// A rule's gate on the context model: in which kinds of code it reports. Built once per compilation in the rule's
/// compilation-start action (<c>CodeScope.For(start.Compilation, start.Options, id)</c>); ask <see cref="IsQuiet(SyntaxTree)"/> first (a cached lookup per file) and
/// <see cref="Reports(SyntaxNode, ISymbol?, IOperation?)"/> before reporting.
/// </summary>
/// <remarks>
/// Options per rule (.editorconfig, per file): <c>asyncperf.&lt;ID&gt;.include_tests</c>, <c>include_tools</c> and
/// <c>include_samples</c> (true/false) turn reporting in that kind of code on or off; their defaults come from <see cref="RulePolicies"/>.
/// </remarks>
internal sealed class CodeScope
{
    private readonly CodeContext _context;
    private readonly PerTreeOptions<CodeKinds> _reportedKinds;

    private CodeScope(CodeContext context, AnalyzerOptions options, string ruleId)
    {
        _context = context;
        var defaults = RulePolicies.DefaultCodeKinds(ruleId);
        var includeTests = RuleOption.Bool(ruleId, RulePolicies.IncludeTestsOption, (defaults & CodeKinds.Test) != 0);
        var includeTools = RuleOption.Bool(ruleId, RulePolicies.IncludeToolsOption, (defaults & CodeKinds.Tool) != 0);
        var includeSamples = RuleOption.Bool(ruleId, RulePolicies.IncludeSamplesOption, (defaults & CodeKinds.Sample) != 0);
        _reportedKinds = new PerTreeOptions<CodeKinds>(options, treeOptions =>
            CodeKinds.Production
            | (includeTests.Read(treeOptions) ? CodeKinds.Test : CodeKinds.None)
            | (includeTools.Read(treeOptions) ? CodeKinds.Tool : CodeKinds.None)
            | (includeSamples.Read(treeOptions) ? CodeKinds.Sample : CodeKinds.None));
    }

    public static CodeScope For(Compilation compilation, AnalyzerOptions options, string ruleId) =>
        new(CodeContext.Get(compilation, options), options, ruleId);

    public CodeContext Context => _context;

    /// <summary>The rule reports nowhere in this file (its kind is one the rule leaves out): do no work there.</summary>
    public bool IsQuiet(SyntaxTree tree) => (_reportedKinds.Get(tree) & _context.KindOf(tree)) == 0;

    /// <summary>The rule reports at this node of this member.</summary>
    public bool Reports(SyntaxNode node, ISymbol? member, IOperation? operation = null)
    {
        var reported = _reportedKinds.Get(node.SyntaxTree);
        if (reported == CodeKinds.All)
        {
            return true;
        }

        return (reported & _context.KindOf(node, member, operation)) != 0;
    }

    /// <summary><see cref="Reports(SyntaxNode, ISymbol?, IOperation?)"/> for an operation action.</summary>
    public bool Reports(IOperation operation, ISymbol? member) => Reports(operation.Syntax, member, operation);
}
