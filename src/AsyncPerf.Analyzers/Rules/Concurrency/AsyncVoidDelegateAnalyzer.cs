using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Concurrency;

/// <summary>
/// AP1002: an async lambda or anonymous method passed as an argument whose delegate type returns void (<c>Parallel.ForEach</c>,
/// <c>Parallel.For</c>, <c>List&lt;T&gt;.ForEach</c>, <c>Array.ForEach</c>, any <c>Action</c>/<c>Action&lt;T&gt;</c> parameter): it
/// becomes async void. Also <c>Task.Factory.StartNew(async () =&gt; ...)</c> without <c>Unwrap()</c>. Event handlers
/// (<c>x.Event += async (s, e) =&gt; ...</c>, and delegates shaped <c>(object sender, TEventArgs e)</c>) are not flagged.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AsyncVoidDelegateAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: which call received the lambda (the code fix reads it).</summary>
    internal const string KindProperty = "Kind";

    internal const string ParallelForEachKind = "ParallelForEach";
    internal const string ParallelForKind = "ParallelFor";
    internal const string ForEachKind = "ForEach";
    internal const string StartNewKind = "StartNew";
    internal const string OtherKind = "Other";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.AsyncVoidDelegate);

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

            var eventArgs = known.EventArgs;
            var array = start.Compilation.GetSpecialType(SpecialType.System_Array);
            var scope = CodeScope.For(start.Compilation, start.Options, DiagnosticIds.AsyncVoidDelegate);
            start.RegisterOperationAction(c => Analyze(c, known, eventArgs, array, scope), OperationKind.DelegateCreation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes known, INamedTypeSymbol? eventArgs, INamedTypeSymbol array, CodeScope scope)
    {
        var creation = (IDelegateCreationOperation)context.Operation;
        if (creation.Target is not IAnonymousFunctionOperation { Symbol.IsAsync: true } lambda
            || creation.Type is not INamedTypeSymbol { DelegateInvokeMethod: { } invoke }
            || LocalUses.ParentSkippingConversions(creation, out _) is not IArgumentOperation argument)
        {
            return;
        }

        var (kind, target) = argument.Parent switch
        {
            IInvocationOperation invocation => (Classify(invocation.TargetMethod, known, array), invocation.TargetMethod.ContainingType.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "." + invocation.TargetMethod.Name),
            IObjectCreationOperation objectCreation when objectCreation.Type is { } type => (OtherKind, "new " + type.Name),
            _ => (null, string.Empty),
        };
        if (kind is null)
        {
            return;
        }

        string advice;
        if (invoke.ReturnsVoid)
        {
            if (IsEventHandlerShaped(invoke, eventArgs))
            {
                return;
            }

            kind = kind == StartNewKind ? OtherKind : kind;
            advice = kind switch
            {
                ParallelForEachKind => "it becomes async void, so Parallel.ForEach returns before the bodies finish and their exceptions crash the process; use 'await Parallel.ForEachAsync'",
                ParallelForKind => "it becomes async void, so Parallel.For returns before the bodies finish and their exceptions crash the process; use 'await Parallel.ForAsync'",
                ForEachKind => "it becomes async void, so ForEach returns before the items are processed and their exceptions crash the process; use a foreach loop that awaits each item",
                _ => "it becomes async void, so the call returns before it finishes and its exceptions crash the process; pass it where a Func<Task> is accepted, or make it synchronous",
            };
        }
        else if (kind == StartNewKind && known.IsTaskLike(invoke.ReturnType) && !IsUnwrapped((IInvocationOperation)argument.Parent!))
        {
            advice = "StartNew returns a Task<Task> that completes at the lambda's first await and drops its exceptions; use 'Task.Run', which unwraps it, or call 'Unwrap()'";
        }
        else
        {
            return;
        }

        if (!scope.Reports(creation, context.ContainingSymbol))
        {
            return;
        }

        var properties = ImmutableDictionary<string, string?>.Empty.Add(KindProperty, kind);
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.AsyncVoidDelegate, HeaderLocation(lambda), properties, target, advice));
    }

    private static string Classify(IMethodSymbol method, KnownTypes known, INamedTypeSymbol array)
    {
        var owner = method.ContainingType?.OriginalDefinition;
        if (owner.Is(known.Parallel))
        {
            return method.Name switch
            {
                "ForEach" => ParallelForEachKind,
                "For" => ParallelForKind,
                _ => OtherKind,
            };
        }

        if (method.Name == "ForEach" && (owner.Is(known.ListOfT) || owner.Is(array)))
        {
            return ForEachKind;
        }

        if (method.Name == "StartNew" && owner is not null
            && (owner.Is(known.TaskFactory) || owner.Is(known.Resolve("System.Threading.Tasks.TaskFactory`1"))))
        {
            return StartNewKind;
        }

        return OtherKind;
    }

    /// <summary><c>(object sender, SomeEventArgs e)</c>: the accepted async-void case of event handlers.</summary>
    private static bool IsEventHandlerShaped(IMethodSymbol invoke, INamedTypeSymbol? eventArgs) =>
        invoke.Parameters.Length == 2
        && invoke.Parameters[0].Type.SpecialType == SpecialType.System_Object
        && (invoke.Parameters[1].Type.InheritsFromOrIs(eventArgs) || invoke.Parameters[1].Type.Name.EndsWith("EventArgs", StringComparison.Ordinal));

    /// <summary><c>Task.Factory.StartNew(...).Unwrap()</c> (through conversions and parentheses).</summary>
    private static bool IsUnwrapped(IInvocationOperation startNew) => LocalUses.ParentSkippingConversions(startNew, out var child) switch
    {
        IInvocationOperation { TargetMethod.Name: "Unwrap" } unwrap => unwrap.Instance == child,
        IArgumentOperation { Parent: IInvocationOperation { TargetMethod.Name: "Unwrap" } } => true,
        _ => false,
    };

    /// <summary>From <c>async</c> to the arrow (or to the parameter list of an anonymous method): short, and on the lambda.</summary>
    private static Location HeaderLocation(IAnonymousFunctionOperation lambda)
    {
        var syntax = lambda.Syntax;
        var end = syntax switch
        {
            LambdaExpressionSyntax expression => expression.ArrowToken.Span.End,
            AnonymousMethodExpressionSyntax method => method.ParameterList?.Span.End ?? method.DelegateKeyword.Span.End,
            _ => syntax.Span.End,
        };
        return Location.Create(syntax.SyntaxTree, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(syntax.SpanStart, end));
    }
}
