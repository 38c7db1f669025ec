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
    internal static readonly RuleOption<ImmutableArray<string>> ExtraPairs = RuleOption.List(DiagnosticIds.BlockingCallInAsyncCode, "extra_pairs");
    internal static readonly RuleOption<ImmutableArray<string>> Excluded = RuleOption.List(DiagnosticIds.BlockingCallInAsyncCode, "excluded");

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
            var scope = CodeScope.For(start.Compilation, start.Options, DiagnosticIds.BlockingCallInAsyncCode);
            var builtIn = new BlockingCallMatcher(compilation, BlockingCallTable.BuiltIn);
            var options = new PerTreeOptions<TreeSettings>(start.Options, treeOptions => TreeSettings.Read(treeOptions, compilation));
            start.RegisterOperationAction(c => Analyze(c, builtIn, options, scope), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, BlockingCallMatcher builtIn, PerTreeOptions<TreeSettings> options, CodeScope scope)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var name = invocation.TargetMethod.Name;
        if (scope.IsQuiet(invocation.Syntax.SyntaxTree))
        {
            return;
        }

        var settings = options.Get(invocation.Syntax.SyntaxTree);
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
        if (match is null || settings.Excluded.Contains(match.Pair.TypeName + "." + match.Pair.Method) || !scope.Reports(invocation, context.ContainingSymbol))
        {
            return;
        }

        var method = invocation.TargetMethod;
        var display = method.ContainingType.Name + "." + method.Name;
        var replacement = match.Pair.AsyncTypeName is null ? match.Pair.AsyncMethod : "Task." + match.Pair.AsyncMethod;
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.BlockingCallInAsyncCode, invocation.Syntax.GetLocation(), display, replacement));
    }

    /// <summary>The options of one syntax tree: extra pairs (already resolved) and excluded methods.</summary>
    internal sealed class TreeSettings
    {
        private TreeSettings(BlockingCallMatcher? extraPairs, ImmutableHashSet<string> excluded)
        {
            ExtraPairs = extraPairs;
            Excluded = excluded;
        }

        public BlockingCallMatcher? ExtraPairs { get; }

        public ImmutableHashSet<string> Excluded { get; }

        public static TreeSettings Read(AnalyzerConfigOptions options, Compilation compilation)
        {
            var pairs = BlockingCallTable.ParseExtraPairs(BlockingCallInAsyncCodeAnalyzer.ExtraPairs.Read(options));
            var matcher = pairs.IsEmpty ? null : new BlockingCallMatcher(compilation, pairs);
            var excluded = BlockingCallInAsyncCodeAnalyzer.Excluded.Read(options).ToImmutableHashSet(StringComparer.Ordinal);
            return new TreeSettings(matcher is { IsEmpty: false } ? matcher : null, excluded);
        }
    }
}
