using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Data;

/// <summary>
/// AP5001: a membership test by linear search (<c>List.Contains</c>, <c>IndexOf(x) &gt;= 0</c>, <c>Enumerable.Contains</c>,
/// <c>Array.IndexOf</c>, <c>Exists/Any(y =&gt; y == x)</c>) over a list or array that does not change, inside a loop or a
/// per-element LINQ lambda.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LinearLookupInLoopAnalyzer : DiagnosticAnalyzer
{
    internal static readonly RuleOption<int> MinItems = RuleOption.Int(DiagnosticIds.LinearLookupInLoop, "min_items", 8, minimum: 0);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.LinearLookupInLoop);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownTypes.Get(start.Compilation);
            if (known.ListOfT is not { } listType)
            {
                return;
            }

            var minItems = new PerTreeOptions<int>(start.Options, MinItems);
            var scope = CodeScope.For(start.Compilation, start.Options, DiagnosticIds.LinearLookupInLoop);
            start.RegisterOperationAction(
                c =>
                {
                    var call = (IInvocationOperation)c.Operation;
                    if (!LinearLookup.IsCandidateName(call.TargetMethod.Name)
                        || scope.IsQuiet(call.Syntax.SyntaxTree)
                        || LinearLookup.Match(call, listType) is not { } match
                        || LinearLookup.OutermostInvariantIteration(match) is null
                        || LinearLookup.IsSmallLiteral(match.CollectionSymbol, minItems.Get(call.Syntax.SyntaxTree), c.CancellationToken)
                        || !scope.Reports(call, c.ContainingSymbol))
                    {
                        return;
                    }

                    c.ReportDiagnostic(Diagnostic.Create(Descriptors.LinearLookupInLoop, match.Node.Syntax.GetLocation(), call.TargetMethod.Name, match.CollectionSymbol.Name));
                },
                OperationKind.Invocation);
        });
    }
}
