using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Blocking;

/// <summary>A blocking call matched to its awaitable overload.</summary>
/// <param name="Pair">The table entry.</param>
/// <param name="Exact">The async method with exactly the same parameters, if any.</param>
/// <param name="WithToken">The async method with the same parameters plus a trailing CancellationToken, if any.</param>
internal sealed record BlockingCallMatch(BlockingPair Pair, IMethodSymbol? Exact, IMethodSymbol? WithToken);

/// <summary>Matches invocations against the AP2002 table; shared by the analyzer and its code fix.</summary>
internal sealed class BlockingCallMatcher
{
    private readonly KnownTypes _known;
    private readonly Compilation _compilation;
    private readonly Dictionary<string, List<(INamedTypeSymbol Type, BlockingPair Pair)>> _byMethodName = new(StringComparer.Ordinal);

    public BlockingCallMatcher(Compilation compilation, IEnumerable<BlockingPair> pairs)
    {
        _known = KnownTypes.Get(compilation);
        _compilation = compilation;
        foreach (var pair in pairs)
        {
            if (_known.Resolve(pair.TypeName) is not { } type)
            {
                continue;
            }

            if (!_byMethodName.TryGetValue(pair.Method, out var list))
            {
                _byMethodName[pair.Method] = list = new List<(INamedTypeSymbol, BlockingPair)>();
            }

            list.Add((type, pair));
        }
    }

    public bool IsEmpty => _byMethodName.Count == 0;

    /// <summary>Cheap pre-check on the name alone.</summary>
    public bool MightMatch(string methodName) => _byMethodName.ContainsKey(methodName);

    public BlockingCallMatch? Match(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (!_byMethodName.TryGetValue(method.Name, out var candidates))
        {
            return null;
        }

        foreach (var (type, pair) in candidates)
        {
            var declaringTypeMatches = method.IsStatic
                ? method.ContainingType.Is(type)
                : method.ContainingType.InheritsFromOrIs(type) || (invocation.Instance?.Type).InheritsFromOrIs(type);
            if (!declaringTypeMatches)
            {
                continue;
            }

            if (pair.InMemoryReceiverIsSafe && TouchesOnlyMemory(invocation))
            {
                return null;
            }

            var asyncType = pair.AsyncTypeName is null
                ? (method.IsStatic ? method.ContainingType : invocation.Instance?.Type ?? method.ContainingType)
                : _known.Resolve(pair.AsyncTypeName);
            var (exact, withToken) = FindAsyncOverloads(asyncType, pair.AsyncMethod, method);
            return exact is null && withToken is null ? null : new BlockingCallMatch(pair, exact, withToken);
        }

        return null;
    }

    /// <summary>An async method with the sync method's parameter types, optionally followed by a CancellationToken.</summary>
    private (IMethodSymbol? Exact, IMethodSymbol? WithToken) FindAsyncOverloads(ITypeSymbol? type, string name, IMethodSymbol sync)
    {
        IMethodSymbol? exact = null;
        IMethodSymbol? withToken = null;
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers(name))
            {
                if (member is not IMethodSymbol candidate || candidate.IsStatic != sync.IsStatic || candidate.DeclaredAccessibility != Accessibility.Public
                    || candidate.Arity != sync.Arity || !_known.IsTaskLike(candidate.ReturnType))
                {
                    continue;
                }

                var extra = candidate.Parameters.Length - sync.Parameters.Length;
                if ((extra == 0 || (extra == 1 && _known.IsCancellationToken(candidate.Parameters[candidate.Parameters.Length - 1].Type)))
                    && SameParameterTypes(sync.OriginalDefinition, candidate.OriginalDefinition, sync.Parameters.Length))
                {
                    if (extra == 0)
                    {
                        exact ??= ConstructLike(candidate, sync);
                    }
                    else
                    {
                        withToken ??= ConstructLike(candidate, sync);
                    }
                }
            }
        }

        return (exact, withToken);
    }

    private static IMethodSymbol ConstructLike(IMethodSymbol candidate, IMethodSymbol sync) =>
        candidate.IsGenericMethod && sync.IsGenericMethod ? candidate.OriginalDefinition.Construct(sync.TypeArguments.ToArray()) : candidate;

    /// <summary>
    /// Each argument the sync overload accepts is accepted by the async one: the same type, or an implicit reference
    /// conversion (File.WriteAllLines(string, string[]) → WriteAllLinesAsync(string, IEnumerable&lt;string&gt;)).
    /// </summary>
    private bool SameParameterTypes(IMethodSymbol sync, IMethodSymbol candidate, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var a = sync.Parameters[i];
            var b = candidate.Parameters[i];
            if (a.RefKind != b.RefKind || !(SameType(a.Type, b.Type) || IsImplicitReferenceConversion(a.Type, b.Type)))
            {
                return false;
            }
        }

        return true;
    }

    private bool IsImplicitReferenceConversion(ITypeSymbol from, ITypeSymbol to) =>
        from.IsReferenceType && to.IsReferenceType && from.TypeKind != TypeKind.TypeParameter && to.TypeKind != TypeKind.TypeParameter
        && _compilation.ClassifyCommonConversion(from, to) is { IsImplicit: true, IsReference: true };

    private static bool SameType(ITypeSymbol a, ITypeSymbol b) =>
        a is ITypeParameterSymbol pa && b is ITypeParameterSymbol pb
            ? pa.Ordinal == pb.Ordinal && pa.TypeParameterKind == pb.TypeParameterKind
            : SymbolEqualityComparer.Default.Equals(a.WithNullableAnnotation(NullableAnnotation.None), b.WithNullableAnnotation(NullableAnnotation.None))
              || (a is INamedTypeSymbol na && b is INamedTypeSymbol nb && na.IsGenericType && nb.IsGenericType && na.OriginalDefinition.Is(nb.OriginalDefinition)
                  && na.TypeArguments.Length == nb.TypeArguments.Length && na.TypeArguments.Zip(nb.TypeArguments, SameType).All(x => x));

    /// <summary><c>await asyncCall</c> has the sync call's type: void ↔ Task/ValueTask, T ↔ Task&lt;T&gt;/ValueTask&lt;T&gt;.</summary>
    public bool IsResultCompatible(IMethodSymbol sync, IMethodSymbol overload)
    {
        if (overload.ReturnType is not INamedTypeSymbol returned)
        {
            return false;
        }

        if (sync.ReturnsVoid)
        {
            return returned.Is(_known.Task) || returned.Is(_known.ValueTask);
        }

        return returned.IsGenericType && returned.TypeArguments.Length == 1
            && (returned.OriginalDefinition.Is(_known.TaskOfT) || returned.OriginalDefinition.Is(_known.ValueTaskOfT))
            && SymbolEqualityComparer.Default.Equals(returned.TypeArguments[0].WithNullableAnnotation(NullableAnnotation.None), sync.ReturnType.WithNullableAnnotation(NullableAnnotation.None));
    }

    /// <summary>In-memory I/O does not block: the receiver (or, for JsonSerializer, the stream argument; for CopyTo, both ends) is in memory.</summary>
    private bool TouchesOnlyMemory(IInvocationOperation invocation)
    {
        if (invocation.TargetMethod.IsStatic)
        {
            var stream = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Type.InheritsFromOrIs(_known.Stream) == true);
            return stream is not null && IsInMemory(stream.Value);
        }

        if (invocation.Instance is null || !IsInMemory(invocation.Instance))
        {
            return false;
        }

        if (invocation.TargetMethod.Name == "CopyTo")
        {
            var destination = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Type.InheritsFromOrIs(_known.Stream) == true);
            return destination is not null && IsInMemory(destination.Value);
        }

        return true;
    }

    private bool IsInMemory(IOperation expression)
    {
        var value = expression.WalkDownConversions();
        if (IsMemoryType(value.Type) || IsConsoleStream(value))
        {
            return true;
        }

        if (value is IObjectCreationOperation creation)
        {
            return IsReaderOrWriterOverMemory(creation);
        }

        // A local the method created over memory: var ms = new MemoryStream(); Stream s = new MemoryStream(bytes);
        if (value is ILocalReferenceOperation { Local: { } local } && local.DeclaringSyntaxReferences.Length == 1
            && local.DeclaringSyntaxReferences[0].GetSyntax() is VariableDeclaratorSyntax { Initializer.Value: { } initializer }
            && value.SemanticModel?.GetOperation(initializer) is { } initialValue)
        {
            var created = initialValue.WalkDownConversions();
            return IsMemoryType(created.Type) || (created is IObjectCreationOperation nested && IsReaderOrWriterOverMemory(nested));
        }

        return false;
    }

    /// <summary><c>new StreamReader(memoryStream)</c>, <c>new StreamWriter(new MemoryStream())</c>.</summary>
    private bool IsReaderOrWriterOverMemory(IObjectCreationOperation creation) =>
        creation.Type is { } type
        && (type.InheritsFromOrIs(_known.Resolve("System.IO.StreamReader")) || type.InheritsFromOrIs(_known.Resolve("System.IO.StreamWriter")))
        && creation.Arguments.Length > 0
        && creation.Arguments[0].Value.WalkDownConversions() is { } inner
        && inner.Type.InheritsFromOrIs(_known.Stream)
        && IsInMemory(inner);

    private bool IsMemoryType(ITypeSymbol? type) =>
        type.InheritsFromOrIs(_known.MemoryStream)
        || type.InheritsFromOrIs(_known.Resolve("System.IO.UnmanagedMemoryStream"))
        || type.InheritsFromOrIs(_known.Resolve("System.IO.StringReader"))
        || type.InheritsFromOrIs(_known.Resolve("System.IO.StringWriter"));

    /// <summary>Console.Out / Console.Error / Console.In: console writes are synchronous even through the async API.</summary>
    private static bool IsConsoleStream(IOperation value) =>
        value is IPropertyReferenceOperation { Property: { IsStatic: true, Name: "Out" or "Error" or "In", ContainingType: { Name: "Console", ContainingNamespace.Name: "System" } } };
}
