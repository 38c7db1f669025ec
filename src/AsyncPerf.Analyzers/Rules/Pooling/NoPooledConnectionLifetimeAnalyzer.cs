using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Pooling;

/// <summary>
/// AP4002: a long-lived <c>new HttpClient(...)</c> (static field or property, or a singleton registration) whose handler is the
/// default one, an <c>HttpClientHandler</c>, or a <c>SocketsHttpHandler</c> without <c>PooledConnectionLifetime</c>.
/// Only where SocketsHttpHandler exists (.NET Core 2.1 and later).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NoPooledConnectionLifetimeAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: which handler the client gets (<see cref="DefaultHandler"/>, <see cref="SocketsHandler"/>, <see cref="HttpClientHandler"/>).</summary>
    internal const string HandlerProperty = "Handler";
    internal const string DefaultHandler = "Default";
    internal const string SocketsHandler = "SocketsHttpHandler";
    internal const string HttpClientHandler = "HttpClientHandler";

    /// <summary>Diagnostic property: the lifetime in minutes the fix writes.</summary>
    internal const string LifetimeMinutesProperty = "LifetimeMinutes";

    internal static readonly RuleOption<int> LifetimeMinutes = RuleOption.Int(DiagnosticIds.NoPooledConnectionLifetime, "lifetime_minutes", 2);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.NoPooledConnectionLifetime);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownTypes.Get(start.Compilation);
            var socketsHandler = known.Resolve("System.Net.Http.SocketsHttpHandler");
            var httpClientHandler = known.Resolve("System.Net.Http.HttpClientHandler");
            if (known.HttpClient is null || socketsHandler is null || socketsHandler.GetMembers("PooledConnectionLifetime").IsEmpty)
            {
                return;
            }

            var lifetime = new PerTreeOptions<int>(start.Options, LifetimeMinutes);
            var scope = CodeScope.For(start.Compilation, start.Options, DiagnosticIds.NoPooledConnectionLifetime);
            start.RegisterOperationAction(c => Analyze(c, known.HttpClient, socketsHandler, httpClientHandler, lifetime, scope), OperationKind.ObjectCreation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, INamedTypeSymbol httpClient, INamedTypeSymbol socketsHandler, INamedTypeSymbol? httpClientHandler, PerTreeOptions<int> lifetime, CodeScope scope)
    {
        var creation = (IObjectCreationOperation)context.Operation;
        if (!SymbolEqualityComparer.Default.Equals(creation.Type, httpClient)
            || creation.Syntax.ContainsDiagnostics
            || HandlerKind(creation, socketsHandler, httpClientHandler) is not { } handler
            || !IsLongLived(creation)
            || !scope.Reports(creation, context.ContainingSymbol))
        {
            return;
        }

        var properties = ImmutableDictionary<string, string?>.Empty
            .Add(HandlerProperty, handler)
            .Add(LifetimeMinutesProperty, lifetime.Get(creation.Syntax.SyntaxTree).ToString(System.Globalization.CultureInfo.InvariantCulture));
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.NoPooledConnectionLifetime, creation.Syntax.GetLocation(), properties));
    }

    /// <summary>Null when the handler is unknown (a variable, a custom handler) or already sets PooledConnectionLifetime.</summary>
    private static string? HandlerKind(IObjectCreationOperation creation, INamedTypeSymbol socketsHandler, INamedTypeSymbol? httpClientHandler)
    {
        if (creation.Constructor is null)
        {
            return null;
        }

        if (creation.Arguments.Length == 0)
        {
            return DefaultHandler;
        }

        if (creation.Arguments[0].Value.WalkDownConversions() is not IObjectCreationOperation handler)
        {
            return null;
        }

        if (SymbolEqualityComparer.Default.Equals(handler.Type, socketsHandler))
        {
            return SetsProperty(handler, "PooledConnectionLifetime") ? null : SocketsHandler;
        }

        return SymbolEqualityComparer.Default.Equals(handler.Type, httpClientHandler) ? HttpClientHandler : null;
    }

    internal static bool SetsProperty(IObjectCreationOperation creation, string name) =>
        creation.Initializer is { } initializer
        && initializer.Initializers.Any(i => i is IAssignmentOperation { Target: IPropertyReferenceOperation property } && property.Property.Name == name);

    /// <summary>Stored in a static field or property, or handed to a singleton registration.</summary>
    private static bool IsLongLived(IObjectCreationOperation creation)
    {
        var parent = LocalUses.ParentSkippingConversions(creation, out var child);
        switch (parent)
        {
            case IFieldInitializerOperation fieldInitializer:
                return fieldInitializer.InitializedFields.All(f => f.IsStatic);
            case IPropertyInitializerOperation propertyInitializer:
                return propertyInitializer.InitializedProperties.All(p => p.IsStatic);
            case IAssignmentOperation assignment when assignment.Value == child:
                return assignment.Target.ReferencedSymbol() is IFieldSymbol { IsStatic: true } or IPropertySymbol { IsStatic: true };
            case IArgumentOperation { Parent: IInvocationOperation invocation }:
                return IsSingletonRegistration(invocation);
            case IReturnOperation:
                return EnclosingLambda(creation) is { } lambda
                    && SkipDelegateWrapping(lambda.Parent) is IArgumentOperation { Parent: IInvocationOperation registration }
                    && IsSingletonRegistration(registration);
            default:
                return false;
        }
    }

    private static IAnonymousFunctionOperation? EnclosingLambda(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation lambda:
                    return lambda;
                case ILocalFunctionOperation:
                    return null;
            }
        }

        return null;
    }

    private static IOperation? SkipDelegateWrapping(IOperation? operation)
    {
        while (operation is IDelegateCreationOperation or IConversionOperation)
        {
            operation = operation.Parent;
        }

        return operation;
    }

    private static bool IsSingletonRegistration(IInvocationOperation invocation) =>
        invocation.TargetMethod.Name is "AddSingleton" or "TryAddSingleton"
        && invocation.TargetMethod.ContainingNamespace?.ToDisplayString() is { } ns
        && ns.StartsWith("Microsoft.Extensions.DependencyInjection", StringComparison.Ordinal);
}
