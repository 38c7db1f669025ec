using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Blocking;

/// <summary>
/// AP2002: a call from the curated sync → async table (<see cref="BlockingCallTable"/>) inside an async method,
/// async lambda or async local function, where the awaitable overload exists on the target framework.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BlockingCallInAsyncCodeAnalyzer : DiagnosticAnalyzer
{
    internal const string ExtraPairsOption = "extra_pairs";
    internal const string ExcludedOption = "excluded";
    internal const string IncludeTestsOption = "include_tests";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.BlockingCallInAsyncCode);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownTypes.Get(start.Compilation).Task is null)
            {
                return;
            }

            var compilation = start.Compilation;
            var isTestProject = KnownTypes.Get(compilation).IsTestProject;
            var builtIn = new BlockingCallMatcher(compilation, BlockingCallTable.BuiltIn);
            var options = new PerTreeOptions<TreeSettings>(start.Options, (options, tree) => TreeSettings.Read(options, tree, compilation, isTestProject));
            start.RegisterOperationAction(c => Analyze(c, builtIn, options), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, BlockingCallMatcher builtIn, PerTreeOptions<TreeSettings> options)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var name = invocation.TargetMethod.Name;
        var settings = options.Get(invocation.Syntax.SyntaxTree);
        if (settings.Skip)
        {
            return;
        }

        var extra = settings.ExtraPairs;
        if ((!builtIn.MightMatch(name) && (extra is null || !extra.MightMatch(name))) || invocation.Syntax.ContainsDiagnostics)
        {
            return;
        }

        if (!AsyncContext.CanAwaitHere(invocation, context.ContainingSymbol) || DualSyncAsyncPattern.IsInSynchronousBranch(invocation))
        {
            return;
        }

        var match = builtIn.Match(invocation) ?? extra?.Match(invocation);
        if (match is null || settings.Excluded.Contains(match.Pair.TypeName + "." + match.Pair.Method))
        {
            return;
        }

        var method = invocation.TargetMethod;
        var display = method.ContainingType.Name + "." + method.Name;
        var replacement = match.Pair.AsyncTypeName is null ? match.Pair.AsyncMethod : "Task." + match.Pair.AsyncMethod;
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.BlockingCallInAsyncCode, invocation.Syntax.GetLocation(), display, replacement));
    }

    /// <summary>The options of one syntax tree: extra pairs (already resolved), excluded methods, whether to skip it (tests).</summary>
    internal sealed class TreeSettings
    {
        private TreeSettings(BlockingCallMatcher? extraPairs, ImmutableHashSet<string> excluded, bool skip)
        {
            ExtraPairs = extraPairs;
            Excluded = excluded;
            Skip = skip;
        }

        /// <summary>A test project without <c>include_tests = true</c>: tests call sync APIs on purpose and nothing starves there.</summary>
        public bool Skip { get; }

        public BlockingCallMatcher? ExtraPairs { get; }

        public ImmutableHashSet<string> Excluded { get; }

        public static TreeSettings Read(AnalyzerOptions options, SyntaxTree tree, Compilation compilation, bool isTestProject)
        {
            if (isTestProject && !RuleOptions.GetBool(options, tree, DiagnosticIds.BlockingCallInAsyncCode, IncludeTestsOption, defaultValue: false))
            {
                return new TreeSettings(null, ImmutableHashSet<string>.Empty, skip: true);
            }

            var pairs = BlockingCallTable.ParseExtraPairs(RuleOptions.GetList(options, tree, DiagnosticIds.BlockingCallInAsyncCode, ExtraPairsOption));
            var matcher = pairs.IsEmpty ? null : new BlockingCallMatcher(compilation, pairs);
            var excluded = RuleOptions.GetList(options, tree, DiagnosticIds.BlockingCallInAsyncCode, ExcludedOption).ToImmutableHashSet(StringComparer.Ordinal);
            return new TreeSettings(matcher is { IsEmpty: false } ? matcher : null, excluded, skip: false);
        }
    }
}
