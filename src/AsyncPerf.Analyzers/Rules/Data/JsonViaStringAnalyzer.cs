using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Data;

/// <summary>
/// AP5003: System.Text.Json fed from, or writing to, an intermediate UTF-16 string:
/// <c>JsonSerializer.Deserialize&lt;T&gt;(await content.ReadAsStringAsync())</c> (also through a local read once),
/// <c>JsonSerializer.Deserialize&lt;T&gt;(await client.GetStringAsync(url))</c> and
/// <c>new StringContent(JsonSerializer.Serialize(x), Encoding.UTF8, "application/json")</c>.
/// Newtonsoft.Json is not System.Text.Json and is never flagged.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class JsonViaStringAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: which pattern was found (<see cref="ContentKind"/>, <see cref="ClientKind"/>, <see cref="StringContentKind"/>).</summary>
    internal const string KindKey = "AP5003.Kind";
    internal const string ContentKind = "Content";
    internal const string ClientKind = "Client";
    internal const string StringContentKind = "StringContent";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.JsonViaString);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownTypes.Get(start.Compilation);
            var jsonSerializer = known.Resolve("System.Text.Json.JsonSerializer");
            if (jsonSerializer is null || known.HttpContent is null || known.HttpClient is null)
            {
                return;
            }

            var types = new JsonTypes(
                jsonSerializer,
                known.HttpContent,
                known.HttpClient,
                known.Resolve("System.Net.Http.StringContent"),
                known.Resolve("System.Text.Encoding"),
                HasHttpJson: known.Resolve("System.Net.Http.Json.HttpContentJsonExtensions") is not null,
                HasJsonContent: known.Resolve("System.Net.Http.Json.JsonContent") is not null,
                CodeScope.For(start.Compilation, start.Options, DiagnosticIds.JsonViaString));
            start.RegisterOperationAction(c => AnalyzeDeserialize(c, types), OperationKind.Invocation);
            if (types.StringContent is not null && types.Encoding is not null)
            {
                start.RegisterOperationAction(c => AnalyzeStringContent(c, types), OperationKind.ObjectCreation);
            }
        });
    }

    private sealed record JsonTypes(
        INamedTypeSymbol JsonSerializer,
        INamedTypeSymbol HttpContent,
        INamedTypeSymbol HttpClient,
        INamedTypeSymbol? StringContent,
        INamedTypeSymbol? Encoding,
        bool HasHttpJson,
        bool HasJsonContent,
        CodeScope Scope);

    private static void AnalyzeDeserialize(OperationAnalysisContext context, JsonTypes types)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (invocation.TargetMethod is not { Name: "Deserialize", IsGenericMethod: true, IsStatic: true } method
            || !method.ContainingType.Is(types.JsonSerializer)
            || method.Parameters.Length == 0
            || method.Parameters[0].Type.SpecialType != SpecialType.System_String
            || invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0) is not { } json
            || StringSource(json.Value, types) is not { } source
            || !types.Scope.Reports(invocation, context.ContainingSymbol))
        {
            return;
        }

        var (kind, advice) = source.TargetMethod.Name == "GetStringAsync"
            ? (ClientKind, types.HasHttpJson ? "call GetFromJsonAsync instead" : "deserialize the stream of GetStreamAsync with JsonSerializer.DeserializeAsync")
            : (ContentKind, types.HasHttpJson ? "read it with ReadFromJsonAsync instead" : "deserialize the stream of ReadAsStreamAsync with JsonSerializer.DeserializeAsync");
        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.JsonViaString,
            invocation.Syntax.GetLocation(),
            ImmutableDictionary<string, string?>.Empty.Add(KindKey, kind),
            source.TargetMethod.Name,
            advice));
    }

    /// <summary>The ReadAsStringAsync / GetStringAsync call whose awaited string <paramref name="value"/> is, directly or through a local read once.</summary>
    private static IInvocationOperation? StringSource(IOperation value, JsonTypes types)
    {
        value = value.WalkDownConversions();
        if (value is ILocalReferenceOperation reference)
        {
            var local = reference.Local;
            if (local.DeclaringSyntaxReferences.Length != 1
                || !IsSingleUseInTheSameFlow(reference, local, out var initializer))
            {
                return null;
            }

            value = initializer;
        }

        return AwaitedValue.AwaitedCall(value) is { } call && IsStringRead(call, types) ? call : null;
    }

    private static bool IsStringRead(IInvocationOperation call, JsonTypes types) => call.TargetMethod switch
    {
        { Name: "ReadAsStringAsync", IsStatic: false } m => m.ContainingType.InheritsFromOrIs(types.HttpContent),
        { Name: "GetStringAsync", IsStatic: false } m => m.ContainingType.InheritsFromOrIs(types.HttpClient),
        _ => false,
    };

    /// <summary>
    /// The local is read exactly once (this reference), is never written after its initializer, and the read is not inside a
    /// loop or function that does not also contain the declaration (the string would be parsed more than once).
    /// </summary>
    private static bool IsSingleUseInTheSameFlow(ILocalReferenceOperation reference, ILocalSymbol local, out IOperation initializer)
    {
        initializer = null!;
        var root = LocalUses.Root(reference);
        IVariableDeclaratorOperation? declarator = null;
        foreach (var descendant in root.Descendants())
        {
            if (descendant is IVariableDeclaratorOperation candidate && candidate.Symbol.Is(local))
            {
                declarator = candidate;
                break;
            }
        }

        if (declarator?.Initializer?.Value is not { } value || LocalUses.References(root, local).Count() != 1)
        {
            return false;
        }

        for (var current = reference.Parent; current is not null; current = current.Parent)
        {
            if (declarator.IsWithin(current))
            {
                initializer = value;
                return true;
            }

            if (current is ILoopOperation or IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return false;
            }
        }

        return false;
    }

    private static void AnalyzeStringContent(OperationAnalysisContext context, JsonTypes types)
    {
        var creation = (IObjectCreationOperation)context.Operation;
        if (!creation.Type.Is(types.StringContent)
            || creation.Arguments.Length != 3
            || creation.Arguments[0].Value.WalkDownConversions() is not IInvocationOperation { TargetMethod: { Name: "Serialize", IsStatic: true } serialize }
            || !serialize.ContainingType.Is(types.JsonSerializer)
            || serialize.ReturnType.SpecialType != SpecialType.System_String
            || creation.Arguments[1].Value.WalkDownConversions() is not IPropertyReferenceOperation { Property: { Name: "UTF8", IsStatic: true } utf8 }
            || !utf8.ContainingType.Is(types.Encoding)
            || creation.Arguments[2].Value.ConstantValue is not { HasValue: true, Value: string mediaType }
            || !string.Equals(mediaType.Trim(), "application/json", StringComparison.OrdinalIgnoreCase)
            || !types.Scope.Reports(creation, context.ContainingSymbol))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.JsonViaString,
            creation.Syntax.GetLocation(),
            ImmutableDictionary<string, string?>.Empty.Add(KindKey, StringContentKind),
            "JsonSerializer.Serialize",
            types.HasJsonContent ? "send the value with JsonContent.Create instead" : "send JsonSerializer.SerializeToUtf8Bytes in a ByteArrayContent instead"));
    }
}
