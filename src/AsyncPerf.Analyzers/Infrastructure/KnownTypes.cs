using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace AsyncPerf.Infrastructure;

/// <summary>
/// Well-known types, resolved once per compilation and shared by every rule.
/// Any of them may be null (a netstandard1.x target has no HttpClient): rules return early then.
/// </summary>
internal sealed class KnownTypes
{
    private static readonly ConditionalWeakTable<Compilation, KnownTypes> s_cache = new();

    private readonly Compilation _compilation;
    private readonly ConcurrentDictionary<string, INamedTypeSymbol?> _others = new();

    /// <summary>AP3001/AP3002: the token-taking extension overload of a call, per (method, receiver type, file); see CancellableCalls.</summary>
    internal ConcurrentDictionary<OverloadKey, (int Index, string Name)?> ExtensionTokenOverloads { get; } = new();

    /// <summary>AP3001/AP3002: the token-taking overloads of a method among the members of a type, per (method, type); see CancellableCalls.</summary>
    internal ConcurrentDictionary<OverloadKey, ImmutableArray<TokenOverload>> TypeTokenOverloads { get; } = new();

    /// <summary>AP3001/AP3002 token scope: each type's instance HttpContext property (or null), looked up once per type.</summary>
    internal ConcurrentDictionary<INamedTypeSymbol, IPropertySymbol?> HttpContextProperties { get; } = new(SymbolEqualityComparer.Default);

    public static KnownTypes Get(Compilation compilation) => s_cache.GetValue(compilation, static c => new KnownTypes(c));

    private KnownTypes(Compilation compilation)
    {
        _compilation = compilation;
        Task = Resolve("System.Threading.Tasks.Task");
        TaskOfT = Resolve("System.Threading.Tasks.Task`1");
        ValueTask = Resolve("System.Threading.Tasks.ValueTask");
        ValueTaskOfT = Resolve("System.Threading.Tasks.ValueTask`1");
        TaskFactory = Resolve("System.Threading.Tasks.TaskFactory");
        TaskStatus = Resolve("System.Threading.Tasks.TaskStatus");
        Parallel = Resolve("System.Threading.Tasks.Parallel");
        CancellationToken = Resolve("System.Threading.CancellationToken");
        CancellationTokenSource = Resolve("System.Threading.CancellationTokenSource");
        SemaphoreSlim = Resolve("System.Threading.SemaphoreSlim");
        Thread = Resolve("System.Threading.Thread");
        Enumerable = Resolve("System.Linq.Enumerable");
        IEnumerableOfT = Resolve("System.Collections.Generic.IEnumerable`1");
        IAsyncEnumerableOfT = Resolve("System.Collections.Generic.IAsyncEnumerable`1");
        ListOfT = Resolve("System.Collections.Generic.List`1");
        HttpClient = Resolve("System.Net.Http.HttpClient");
        HttpContent = Resolve("System.Net.Http.HttpContent");
        HttpCompletionOption = Resolve("System.Net.Http.HttpCompletionOption");
        Stream = Resolve("System.IO.Stream");
        MemoryStream = Resolve("System.IO.MemoryStream");
        File = Resolve("System.IO.File");
        FileStream = Resolve("System.IO.FileStream");
        TimeSpan = Resolve("System.TimeSpan");
        HttpContext = Resolve("Microsoft.AspNetCore.Http.HttpContext");
        OperationCanceledException = Resolve("System.OperationCanceledException");
        EventArgs = Resolve("System.EventArgs");
    }

    public INamedTypeSymbol? Task { get; }
    public INamedTypeSymbol? TaskOfT { get; }
    public INamedTypeSymbol? ValueTask { get; }
    public INamedTypeSymbol? ValueTaskOfT { get; }
    public INamedTypeSymbol? TaskFactory { get; }
    public INamedTypeSymbol? TaskStatus { get; }
    public INamedTypeSymbol? Parallel { get; }
    public INamedTypeSymbol? CancellationToken { get; }
    public INamedTypeSymbol? CancellationTokenSource { get; }
    public INamedTypeSymbol? SemaphoreSlim { get; }
    public INamedTypeSymbol? Thread { get; }
    public INamedTypeSymbol? Enumerable { get; }
    public INamedTypeSymbol? IEnumerableOfT { get; }
    public INamedTypeSymbol? IAsyncEnumerableOfT { get; }
    public INamedTypeSymbol? ListOfT { get; }
    public INamedTypeSymbol? HttpClient { get; }
    public INamedTypeSymbol? HttpContent { get; }
    public INamedTypeSymbol? HttpCompletionOption { get; }
    public INamedTypeSymbol? Stream { get; }
    public INamedTypeSymbol? MemoryStream { get; }
    public INamedTypeSymbol? File { get; }
    public INamedTypeSymbol? FileStream { get; }
    public INamedTypeSymbol? TimeSpan { get; }
    public INamedTypeSymbol? HttpContext { get; }
    public INamedTypeSymbol? OperationCanceledException { get; }
    public INamedTypeSymbol? EventArgs { get; }

    /// <summary>Any other type by metadata name, cached for the compilation. Null when absent.</summary>
    public INamedTypeSymbol? Resolve(string metadataName) =>
        _others.GetOrAdd(metadataName, name => _compilation.GetTypeByMetadataName(name));

    /// <summary>Task, Task&lt;T&gt;, ValueTask or ValueTask&lt;T&gt; (or a type derived from Task).</summary>
    public bool IsTaskLike(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol named || named.TypeKind == TypeKind.Error)
        {
            return false;
        }

        var definition = named.OriginalDefinition;
        if (SymbolEqualityComparer.Default.Equals(definition, ValueTask) || SymbolEqualityComparer.Default.Equals(definition, ValueTaskOfT))
        {
            return true;
        }

        for (var current = named; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, Task) || SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, TaskOfT))
            {
                return true;
            }
        }

        return false;
    }

    public bool IsCancellationToken(ITypeSymbol? type) =>
        type is not null && CancellationToken is not null && SymbolEqualityComparer.Default.Equals(type, CancellationToken);

    /// <summary>CancellationToken? (Nullable&lt;CancellationToken&gt;).</summary>
    public bool IsNullableCancellationToken(ITypeSymbol? type) =>
        type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T, TypeArguments.Length: 1 } nullable
        && IsCancellationToken(nullable.TypeArguments[0]);

    /// <summary>True when the compilation references a unit-test framework (xunit, NUnit, MSTest).</summary>
    public bool IsTestProject =>
        Resolve("Xunit.FactAttribute") is not null
        || Resolve("NUnit.Framework.TestAttribute") is not null
        || Resolve("Microsoft.VisualStudio.TestTools.UnitTesting.TestMethodAttribute") is not null;
}
