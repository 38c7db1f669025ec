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

            var callbacks = new CompletionCallbacks(known);
            var scope = CodeScope.For(start.Compilation, start.Options, DiagnosticIds.SyncOverAsync);
            start.RegisterOperationAction(c => AnalyzeResult(c, known, callbacks, scope), OperationKind.PropertyReference);
            start.RegisterOperationAction(c => AnalyzeInvocation(c, known, callbacks, scope), OperationKind.Invocation);
        });
    }

    private static void AnalyzeResult(OperationAnalysisContext context, KnownTypes known, CompletionCallbacks callbacks, CodeScope scope)
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

        Report(context, known, callbacks, scope, reference, task, ResultKind, Describe(task) + ".Result");
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, KnownTypes known, CompletionCallbacks callbacks, CodeScope scope)
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
                if (IsBoundedProbe(invocation))
                {
                    return;
                }

                Report(context, known, callbacks, scope, invocation, task, WaitKind, Describe(task) + ".Wait()");
                break;

            case "GetResult" when !method.IsStatic && invocation.Instance?.WalkDownConversions() is IInvocationOperation { TargetMethod.Name: "GetAwaiter", Instance: { } awaitable }
                                  && known.IsTaskLike(awaitable.WalkDownConfigureAwait().Type):
                Report(context, known, callbacks, scope, invocation, awaitable, GetResultKind, Describe(awaitable.WalkDownConfigureAwait()) + ".GetAwaiter().GetResult()");
                break;

            case "WaitAll" or "WaitAny" when method.IsStatic && method.ContainingType.Is(known.Task):
                if (IsBoundedProbe(invocation))
                {
                    return;
                }

                if (invocation.FlattenedArgumentValues().Where(v => known.IsTaskLike(v.WalkDownConversions().Type)).ToList() is { Count: > 0 } tasks
                    && tasks.All(t => IsKnownComplete(t, known, callbacks)))
                {
                    return;
                }

                if (DualSyncAsyncPattern.IsInSynchronousBranch(invocation) || !scope.Reports(invocation, context.ContainingSymbol))
                {
                    return;
                }

                var properties = ImmutableDictionary<string, string?>.Empty.Add(KindProperty, method.Name);
                var replacement = method.Name == "WaitAll" ? "await Task.WhenAll(...) instead" : "await Task.WhenAny(...) instead";
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.SyncOverAsync, invocation.Syntax.GetLocation(), properties, "Task." + method.Name + "(...)", replacement));
                break;
        }
    }

    private static void Report(OperationAnalysisContext context, KnownTypes known, CompletionCallbacks callbacks, CodeScope scope, IOperation blockingOperation, IOperation task, string kind, string display)
    {
        if (IsKnownComplete(task, known, callbacks) || DualSyncAsyncPattern.IsInSynchronousBranch(blockingOperation) || !scope.Reports(blockingOperation, context.ContainingSymbol))
        {
            return;
        }

        var properties = ImmutableDictionary<string, string?>.Empty.Add(KindProperty, kind);
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.SyncOverAsync, blockingOperation.Syntax.GetLocation(), properties, display, "await it instead"));
    }

    private static bool IsKnownComplete(IOperation task, KnownTypes known, CompletionCallbacks callbacks) =>
        TaskCompletion.IsKnownComplete(task, known) || callbacks.IsAntecedent(task);

    /// <summary>
    /// <c>if (!t.Wait(100))</c>, <c>Assert.False(t.Wait(20, ct))</c>, <c>var done = Task.WaitAll(tasks, timeout)</c>: a timed wait
    /// whose <c>bool</c> answer is used asks "finished yet?" and goes on either way. A discarded answer
    /// (<c>t.Wait(1000);</c>, <c>_ = t.Wait(1000);</c>) or an infinite timeout still blocks until the task finishes.
    /// </summary>
    private static bool IsBoundedProbe(IInvocationOperation wait)
    {
        if (wait.TargetMethod.ReturnType.SpecialType != SpecialType.System_Boolean
            || wait.Arguments.Any(a => a.Value.ConstantValue is { HasValue: true, Value: -1 } || a.Value.WalkDownConversions() is IFieldReferenceOperation { Field.Name: "InfiniteTimeSpan" }))
        {
            return false;
        }

        var parent = LocalUses.ParentSkippingConversions(wait, out _);
        return parent switch
        {
            null or IExpressionStatementOperation => false,
            ISimpleAssignmentOperation { Target: IDiscardOperation } => false,
            _ => true,
        };
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
