using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Pooling;

/// <summary>
/// AP4001: <c>new HttpClient(...)</c> created in a method body and used only there: a local whose every use is a
/// member access on it, or the receiver of a call (<c>new HttpClient().GetStringAsync(url)</c>).
/// A client that escapes (returned, stored, passed on) has a longer-lived owner and is not reported.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HttpClientPerCallAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: <see cref="LocalShape"/> or <see cref="ReceiverShape"/> (the code fix reads it).</summary>
    internal const string ShapeProperty = "Shape";
    internal const string LocalShape = "Local";
    internal const string ReceiverShape = "Receiver";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.HttpClientPerCall);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownTypes.Get(start.Compilation);
            if (known.HttpClient is null)
            {
                return;
            }

            var scope = CodeScope.For(start.Compilation, start.Options, DiagnosticIds.HttpClientPerCall);
            start.RegisterOperationAction(
                c =>
                {
                    if (!scope.IsQuiet(c.Operation.Syntax.SyntaxTree))
                    {
                        Analyze(c, known, scope);
                    }
                },
                OperationKind.ObjectCreation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes known, CodeScope scope)
    {
        var creation = (IObjectCreationOperation)context.Operation;
        if (!SymbolEqualityComparer.Default.Equals(creation.Type, known.HttpClient)
            || creation.Syntax.ContainsDiagnostics
            || context.ContainingSymbol is not IMethodSymbol member
            || member.MethodKind is MethodKind.Constructor or MethodKind.StaticConstructor)
        {
            return;
        }

        var iteration = LoopContext.EnclosingIteration(creation);
        if (iteration is null && IsEntryPoint(member) && AsyncContext.EnclosingFunction(creation, member) is { } function && function.Equals(member, SymbolEqualityComparer.Default))
        {
            return;
        }

        string shape;
        var parent = LocalUses.ParentSkippingConversions(creation, out var child);
        if (LocalUses.InitializedLocal(creation) is { } local)
        {
            if (!IsUsedOnlyAsReceiver(LocalUses.Root(creation), local))
            {
                return;
            }

            shape = LocalShape;
        }
        else if (IsReceiver(parent, child))
        {
            shape = ReceiverShape;
        }
        else
        {
            return;
        }

        if (IsInDependencyInjectionRegistration(creation) || !scope.Reports(creation, member))
        {
            return;
        }

        var properties = ImmutableDictionary<string, string?>.Empty.Add(ShapeProperty, shape);
        var where = iteration is null ? string.Empty : " inside a loop (a new client and connection on every iteration)";
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.HttpClientPerCall, creation.Syntax.GetLocation(), properties, where));
    }

    /// <summary>Main and top-level statements run once per process: one client there is a shared client (not in their lambdas, e.g. minimal API handlers).</summary>
    private static bool IsEntryPoint(IMethodSymbol member) =>
        member.IsStatic && member.Name is "Main" or "<Main>$" && member.MethodKind == MethodKind.Ordinary;

    /// <summary>Every reference is a member access on the local (<c>http.GetAsync(...)</c>, <c>http.Timeout = ...</c>); anything else lets it escape.</summary>
    private static bool IsUsedOnlyAsReceiver(IOperation root, ILocalSymbol local)
    {
        var any = false;
        foreach (var reference in LocalUses.References(root, local))
        {
            any = true;
            if (!IsReceiver(reference.Parent, reference))
            {
                return false;
            }
        }

        return any;
    }

    private static bool IsReceiver(IOperation? parent, IOperation child) => parent switch
    {
        IInvocationOperation invocation => invocation.Instance == child,
        IPropertyReferenceOperation property => property.Instance == child,
        IConditionalAccessOperation conditional => conditional.Operation == child,
        _ => false,
    };

    /// <summary>Inside a lambda passed to <c>services.AddSingleton/AddScoped/AddTransient/AddHttpClient(...)</c>.</summary>
    private static bool IsInDependencyInjectionRegistration(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is not IAnonymousFunctionOperation lambda)
            {
                continue;
            }

            var parent = lambda.Parent;
            while (parent is IDelegateCreationOperation or IConversionOperation)
            {
                parent = parent.Parent;
            }

            if (parent is IArgumentOperation { Parent: IInvocationOperation invocation }
                && (invocation.TargetMethod.Name.StartsWith("Add", StringComparison.Ordinal) || invocation.TargetMethod.Name.StartsWith("TryAdd", StringComparison.Ordinal))
                && invocation.TargetMethod.ContainingNamespace?.ToDisplayString() is { } ns
                && ns.StartsWith("Microsoft.Extensions.DependencyInjection", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
