using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Blocking;

/// <summary>
/// AP2001: <c>.Result</c>, <c>.Wait()</c>, <c>.GetAwaiter().GetResult()</c>, <c>Task.WaitAll</c> and <c>Task.WaitAny</c>
/// on a task that is not provably finished.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SyncOverAsyncAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: which blocking form was found (the code fix reads it).</summary>
    internal const string KindProperty = "Kind";

    internal const string ResultKind = "Result";
    internal const string WaitKind = "Wait";
    internal const string GetResultKind = "GetResult";
    internal const string WaitAllKind = "WaitAll";
    internal const string WaitAnyKind = "WaitAny";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.SyncOverAsync);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownTypes.Get(start.Compilation);
            if (known.Task is null)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeResult(c, known), OperationKind.PropertyReference);
            start.RegisterOperationAction(c => AnalyzeInvocation(c, known), OperationKind.Invocation);
        });
    }

    private static void AnalyzeResult(OperationAnalysisContext context, KnownTypes known)
    {
        var reference = (IPropertyReferenceOperation)context.Operation;
        if (reference.Property.Name != "Result" || reference.Instance is not { } task || reference.Parent is INameOfOperation)
        {
            return;
        }

        var owner = reference.Property.ContainingType.OriginalDefinition;
        if (!owner.Is(known.TaskOfT) && !owner.Is(known.ValueTaskOfT))
        {
            return;
        }

        Report(context, known, reference, task, ResultKind, Describe(task) + ".Result");
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, KnownTypes known)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (invocation.Syntax.ContainsDiagnostics)
        {
            // A call still being typed: report it once it parses.
            return;
        }

        var method = invocation.TargetMethod;
        switch (method.Name)
        {
            case "Wait" when !method.IsStatic && method.ContainingType.Is(known.Task) && invocation.Instance is { } task:
                Report(context, known, invocation, task, WaitKind, Describe(task) + ".Wait()");
                break;

            case "GetResult" when !method.IsStatic && invocation.Instance?.WalkDownConversions() is IInvocationOperation { TargetMethod.Name: "GetAwaiter", Instance: { } awaitable }
                                  && known.IsTaskLike(awaitable.WalkDownConfigureAwait().Type):
                Report(context, known, invocation, awaitable, GetResultKind, Describe(awaitable.WalkDownConfigureAwait()) + ".GetAwaiter().GetResult()");
                break;

            case "WaitAll" or "WaitAny" when method.IsStatic && method.ContainingType.Is(known.Task):
                if (invocation.FlattenedArgumentValues().Where(v => known.IsTaskLike(v.WalkDownConversions().Type)).ToList() is { Count: > 0 } tasks
                    && tasks.All(t => TaskCompletion.IsKnownComplete(t, known)))
                {
                    return;
                }

                if (DualSyncAsyncPattern.IsInSynchronousBranch(invocation))
                {
                    return;
                }

                var properties = ImmutableDictionary<string, string?>.Empty.Add(KindProperty, method.Name);
                var replacement = method.Name == "WaitAll" ? "await Task.WhenAll(...) instead" : "await Task.WhenAny(...) instead";
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.SyncOverAsync, invocation.Syntax.GetLocation(), properties, "Task." + method.Name + "(...)", replacement));
                break;
        }
    }

    private static void Report(OperationAnalysisContext context, KnownTypes known, IOperation blockingOperation, IOperation task, string kind, string display)
    {
        if (TaskCompletion.IsKnownComplete(task, known) || DualSyncAsyncPattern.IsInSynchronousBranch(blockingOperation))
        {
            return;
        }

        var properties = ImmutableDictionary<string, string?>.Empty.Add(KindProperty, kind);
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.SyncOverAsync, blockingOperation.Syntax.GetLocation(), properties, display, "await it instead"));
    }

    /// <summary>A short name for the task expression: <c>t</c>, <c>client.GetStringAsync(...)</c> as <c>GetStringAsync(...)</c>.</summary>
    private static string Describe(IOperation task)
    {
        var unwrapped = task.WalkDownConversions();
        return unwrapped switch
        {
            IInvocationOperation invocation => invocation.TargetMethod.Name + (invocation.Arguments.Length == 0 ? "()" : "(...)"),
            _ when unwrapped.ReferencedSymbol() is { } symbol => symbol.Name,
            _ => Truncate(unwrapped.Syntax.ToString()),
        };
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text.Substring(0, 37) + "...";
}
