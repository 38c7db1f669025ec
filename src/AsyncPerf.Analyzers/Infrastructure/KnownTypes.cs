using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace AsyncPerf.Infrastructure;

/// <summary>
/// Well-known types, resolved at most once per compilation (on first use) and shared by every rule.
/// Any of them may be null (a netstandard1.x target has no HttpClient): rules return early then.
/// </summary>
internal sealed class KnownTypes
{
    private static readonly ConditionalWeakTable<Compilation, KnownTypes> s_cache = new();

    private readonly Compilation _compilation;
    private readonly ConcurrentDictionary<string, INamedTypeSymbol?> _others = new();

    // The well-known types below: null until looked up.
    private Resolved? _task;
    private Resolved? _taskOfT;
    private Resolved? _valueTask;
    private Resolved? _valueTaskOfT;
    private Resolved? _taskFactory;
    private Resolved? _taskStatus;
    private Resolved? _parallel;
    private Resolved? _cancellationToken;
    private Resolved? _cancellationTokenSource;
    private Resolved? _semaphoreSlim;
    private Resolved? _thread;
    private Resolved? _enumerable;
    private Resolved? _iEnumerableOfT;
    private Resolved? _iAsyncEnumerableOfT;
    private Resolved? _listOfT;
    private Resolved? _httpClient;
    private Resolved? _httpContent;
    private Resolved? _httpCompletionOption;
    private Resolved? _stream;
    private Resolved? _memoryStream;
    private Resolved? _file;
    private Resolved? _fileStream;
    private Resolved? _timeSpan;
    private Resolved? _httpContext;
    private Resolved? _operationCanceledException;
    private Resolved? _eventArgs;

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
    }

    public INamedTypeSymbol? Task => Lazy(ref _task, "System.Threading.Tasks.Task");
    public INamedTypeSymbol? TaskOfT => Lazy(ref _taskOfT, "System.Threading.Tasks.Task`1");
    public INamedTypeSymbol? ValueTask => Lazy(ref _valueTask, "System.Threading.Tasks.ValueTask");
    public INamedTypeSymbol? ValueTaskOfT => Lazy(ref _valueTaskOfT, "System.Threading.Tasks.ValueTask`1");
    public INamedTypeSymbol? TaskFactory => Lazy(ref _taskFactory, "System.Threading.Tasks.TaskFactory");
    public INamedTypeSymbol? TaskStatus => Lazy(ref _taskStatus, "System.Threading.Tasks.TaskStatus");
    public INamedTypeSymbol? Parallel => Lazy(ref _parallel, "System.Threading.Tasks.Parallel");
    public INamedTypeSymbol? CancellationToken => Lazy(ref _cancellationToken, "System.Threading.CancellationToken");
    public INamedTypeSymbol? CancellationTokenSource => Lazy(ref _cancellationTokenSource, "System.Threading.CancellationTokenSource");
    public INamedTypeSymbol? SemaphoreSlim => Lazy(ref _semaphoreSlim, "System.Threading.SemaphoreSlim");
    public INamedTypeSymbol? Thread => Lazy(ref _thread, "System.Threading.Thread");
    public INamedTypeSymbol? Enumerable => Lazy(ref _enumerable, "System.Linq.Enumerable");
    public INamedTypeSymbol? IEnumerableOfT => Lazy(ref _iEnumerableOfT, "System.Collections.Generic.IEnumerable`1");
    public INamedTypeSymbol? IAsyncEnumerableOfT => Lazy(ref _iAsyncEnumerableOfT, "System.Collections.Generic.IAsyncEnumerable`1");
    public INamedTypeSymbol? ListOfT => Lazy(ref _listOfT, "System.Collections.Generic.List`1");
    public INamedTypeSymbol? HttpClient => Lazy(ref _httpClient, "System.Net.Http.HttpClient");
    public INamedTypeSymbol? HttpContent => Lazy(ref _httpContent, "System.Net.Http.HttpContent");
    public INamedTypeSymbol? HttpCompletionOption => Lazy(ref _httpCompletionOption, "System.Net.Http.HttpCompletionOption");
    public INamedTypeSymbol? Stream => Lazy(ref _stream, "System.IO.Stream");
    public INamedTypeSymbol? MemoryStream => Lazy(ref _memoryStream, "System.IO.MemoryStream");
    public INamedTypeSymbol? File => Lazy(ref _file, "System.IO.File");
    public INamedTypeSymbol? FileStream => Lazy(ref _fileStream, "System.IO.FileStream");
    public INamedTypeSymbol? TimeSpan => Lazy(ref _timeSpan, "System.TimeSpan");
    public INamedTypeSymbol? HttpContext => Lazy(ref _httpContext, "Microsoft.AspNetCore.Http.HttpContext");
    public INamedTypeSymbol? OperationCanceledException => Lazy(ref _operationCanceledException, "System.OperationCanceledException");
    public INamedTypeSymbol? EventArgs => Lazy(ref _eventArgs, "System.EventArgs");

    /// <summary>
    /// Each well-known type is looked up on first use, then kept (a rule that runs alone pays only for the types it uses;
    /// a lookup searches every referenced assembly). A missing type is kept too, as a <see cref="Resolved"/> with no type.
    /// </summary>
    private INamedTypeSymbol? Lazy(ref Resolved? slot, string metadataName)
    {
        var resolved = Volatile.Read(ref slot);
        if (resolved is null)
        {
            resolved = new Resolved(_compilation.GetTypeByMetadataName(metadataName));
            Volatile.Write(ref slot, resolved);
        }

        return resolved.Type;
    }

    private sealed class Resolved
    {
        public Resolved(INamedTypeSymbol? type) => Type = type;

        public INamedTypeSymbol? Type { get; }
    }

    /// <summary>Any other type by metadata name, cached for the compilation. Null when absent.</summary>
    public INamedTypeSymbol? Resolve(string metadataName) =>
        _others.GetOrAdd(metadataName, name => _compilation.GetTypeByMetadataName(name));

    /// <summary>Task, Task&lt;T&gt;, ValueTask or ValueTask&lt;T&gt; (or a type derived from Task).</summary>
    /// <remarks>
    /// Asked for nearly every invocation (the type of the call): names are compared before symbols, so any other type is
    /// ruled out without a symbol comparison (a struct unless it is named ValueTask, a class unless it or a base is named Task).
    /// </remarks>
    public bool IsTaskLike(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol named)
        {
            return false;
        }

        switch (named.TypeKind)
        {
            case TypeKind.Struct:
                return named.Name == "ValueTask"
                    && (SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, ValueTask) || SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, ValueTaskOfT));
            case TypeKind.Class:
                // The base chain of the definition (List<T>), not of the constructed type (List<Customer>), whose base types
                // the compiler would substitute on first touch: deriving from Task does not depend on type arguments.
                for (var current = named.OriginalDefinition; current is not null && current.SpecialType == SpecialType.None; current = current.BaseType)
                {
                    if (current.Name == "Task"
                        && (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, Task) || SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, TaskOfT)))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    public bool IsCancellationToken(ITypeSymbol? type) =>
        type is not null && CancellationToken is not null && SymbolEqualityComparer.Default.Equals(type, CancellationToken);

    /// <summary>CancellationToken? (Nullable&lt;CancellationToken&gt;).</summary>
    public bool IsNullableCancellationToken(ITypeSymbol? type) =>
        type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T, TypeArguments.Length: 1 } nullable
        && IsCancellationToken(nullable.TypeArguments[0]);
}
