using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Cancellation;

/// <summary>
/// AP3003: a timeout built as <c>await Task.WhenAny(work, Task.Delay(t))</c> followed by a comparison of the winner with the
/// work (or the delay). The delay's timer keeps running when the work wins, and the work keeps running after the timeout.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WhenAnyDelayTimeoutAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.WhenAnyDelayTimeout);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownTypes.Get(start.Compilation).Task is not { } task)
            {
                return;
            }

            var scope = CodeScope.For(start.Compilation, start.Options, DiagnosticIds.WhenAnyDelayTimeout);
            start.RegisterOperationAction(
                c =>
                {
                    var invocation = (IInvocationOperation)c.Operation;
                    if (WhenAnyTimeoutShape.IsWhenAny(invocation, task)
                        && !scope.IsQuiet(invocation.Syntax.SyntaxTree)
                        && WhenAnyTimeoutShape.Find(invocation, task) is { } shape
                        && scope.Reports(invocation, c.ContainingSymbol))
                    {
                        c.ReportDiagnostic(Diagnostic.Create(Descriptors.WhenAnyDelayTimeout, invocation.Syntax.GetLocation(), shape.Work.Syntax.ToString()));
                    }
                },
                OperationKind.Invocation);
        });
    }
}
