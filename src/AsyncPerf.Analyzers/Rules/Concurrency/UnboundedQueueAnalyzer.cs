using System.Globalization;
using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Concurrency;

/// <summary>
/// AP1003: <c>Channel.CreateUnbounded&lt;T&gt;(...)</c> and <c>new BlockingCollection&lt;T&gt;()</c> /
/// <c>new BlockingCollection&lt;T&gt;(collection)</c> without a bounded capacity. Not inside a <c>SynchronizationContext</c> or
/// <c>TaskScheduler</c> (their <c>Post</c> / <c>QueueTask</c> must never wait); production code only by default (<see cref="CodeScope"/>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnboundedQueueAnalyzer : DiagnosticAnalyzer
{
    internal static readonly RuleOption<int> Capacity = RuleOption.Int(DiagnosticIds.UnboundedQueue, "capacity", 1000);
    internal const string CapacityProperty = "Capacity";

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

            var capacities = new PerTreeOptions<int>(start.Options, Capacity);
            var scope = CodeScope.For(start.Compilation, start.Options, DiagnosticIds.UnboundedQueue);
            var schedulers = new[] { known.Resolve("System.Threading.SynchronizationContext"), known.Resolve("System.Threading.Tasks.TaskScheduler") };
            bool Skip(OperationAnalysisContext c) =>
                !scope.Reports(c.Operation, c.ContainingSymbol) || IsInsideScheduler(c.ContainingSymbol, schedulers);

            if (channel is not null)
            {
                start.RegisterOperationAction(
                    c =>
                    {
                        var invocation = (IInvocationOperation)c.Operation;
                        if (invocation.TargetMethod is { Name: "CreateUnbounded", IsStatic: true, TypeArguments.Length: 1 } method
                            && method.TypeArguments[0].TypeKind != TypeKind.Error
                            && method.ContainingType.Is(channel)
                            && !Skip(c))
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
                            && creation.Constructor is { } constructor && IsUnboundedConstructor(constructor)
                            && !Skip(c))
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

    /// <summary>
    /// Code of a type (or a type nested in one) deriving from SynchronizationContext or TaskScheduler: its queue takes work from
    /// <c>Post</c> / <c>QueueTask</c>, which must not block, and the consumer is the context's own thread.
    /// </summary>
    private static bool IsInsideScheduler(ISymbol? member, INamedTypeSymbol?[] schedulers)
    {
        for (var type = member as INamedTypeSymbol ?? member?.ContainingType; type is not null; type = type.ContainingType)
        {
            foreach (var scheduler in schedulers)
            {
                if (type.InheritsFromOrIs(scheduler))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static void Report(OperationAnalysisContext context, IOperation operation, string name, PerTreeOptions<int> capacities)
    {
        var capacity = capacities.Get(operation.Syntax.SyntaxTree);
        var properties = ImmutableDictionary<string, string?>.Empty.Add(CapacityProperty, capacity.ToString(CultureInfo.InvariantCulture));
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.UnboundedQueue, operation.Syntax.GetLocation(), properties, name, capacity));
    }
}
