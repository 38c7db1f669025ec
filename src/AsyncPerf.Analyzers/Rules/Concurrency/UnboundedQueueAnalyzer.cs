using System.Globalization;
using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Concurrency;

/// <summary>
/// AP1003: <c>Channel.CreateUnbounded&lt;T&gt;(...)</c> and <c>new BlockingCollection&lt;T&gt;()</c> /
/// <c>new BlockingCollection&lt;T&gt;(collection)</c> without a bounded capacity.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnboundedQueueAnalyzer : DiagnosticAnalyzer
{
    internal const string CapacityOption = "capacity";
    internal const string CapacityProperty = "Capacity";
    internal const int DefaultCapacity = 1000;

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.UnboundedQueue);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownTypes.Get(start.Compilation);
            var channel = known.Resolve("System.Threading.Channels.Channel");
            var blockingCollection = known.Resolve("System.Collections.Concurrent.BlockingCollection`1");
            if (channel is null && blockingCollection is null)
            {
                return;
            }

            var capacities = new PerTreeOptions<int>(start.Options, static (options, tree) =>
                RuleOptions.GetInt(options, tree, DiagnosticIds.UnboundedQueue, CapacityOption, DefaultCapacity));

            if (channel is not null)
            {
                start.RegisterOperationAction(
                    c =>
                    {
                        var invocation = (IInvocationOperation)c.Operation;
                        if (invocation.TargetMethod is { Name: "CreateUnbounded", IsStatic: true, TypeArguments.Length: 1 } method
                            && method.TypeArguments[0].TypeKind != TypeKind.Error
                            && method.ContainingType.Is(channel))
                        {
                            Report(c, invocation, "Channel.CreateUnbounded<" + method.TypeArguments[0].ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + ">", capacities);
                        }
                    },
                    OperationKind.Invocation);
            }

            if (blockingCollection is not null)
            {
                start.RegisterOperationAction(
                    c =>
                    {
                        var creation = (IObjectCreationOperation)c.Operation;
                        if (creation.Type is INamedTypeSymbol { TypeArguments.Length: 1 } type && type.TypeArguments[0].TypeKind != TypeKind.Error
                            && type.OriginalDefinition.Is(blockingCollection)
                            && creation.Constructor is { } constructor && IsUnboundedConstructor(constructor))
                        {
                            Report(c, creation, "BlockingCollection<" + type.TypeArguments[0].ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + ">", capacities);
                        }
                    },
                    OperationKind.ObjectCreation);
            }
        });
    }

    /// <summary><c>BlockingCollection()</c> and <c>BlockingCollection(IProducerConsumerCollection&lt;T&gt;)</c>: no <c>boundedCapacity</c>.</summary>
    internal static bool IsUnboundedConstructor(IMethodSymbol constructor) =>
        constructor.Parameters.All(p => p.Name != "boundedCapacity");

    private static void Report(OperationAnalysisContext context, IOperation operation, string name, PerTreeOptions<int> capacities)
    {
        var capacity = capacities.Get(operation.Syntax.SyntaxTree);
        var properties = ImmutableDictionary<string, string?>.Empty.Add(CapacityProperty, capacity.ToString(CultureInfo.InvariantCulture));
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.UnboundedQueue, operation.Syntax.GetLocation(), properties, name, capacity));
    }
}
