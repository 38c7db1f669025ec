using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Concurrency;

/// <summary>
/// AP1001: <c>Task.WhenAll</c> / <c>Task.WhenAny</c> / <c>Task.WaitAll</c> over tasks started one per element of a collection
/// whose size is not a small constant: a LINQ projection (<c>items.Select(x => DoAsync(x))</c>, possibly materialised or held
/// in a local) or a list/array filled in a loop (<c>tasks.Add(DoAsync(x))</c>) and awaited after it.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnboundedFanOutAnalyzer : DiagnosticAnalyzer
{
    internal static readonly RuleOption<int> MaxConcurrency = RuleOption.Int(DiagnosticIds.UnboundedFanOut, "max_concurrency", 16);

    /// <summary>Unset, it follows <see cref="MaxConcurrency"/>: N items with N &lt;= the limit the fix writes would never wait on the throttle.</summary>
    internal static readonly RuleOption<int> MaxUnbounded = RuleOption.Int(DiagnosticIds.UnboundedFanOut, "max_unbounded", 16, minimum: 0);
    internal static readonly RuleOption<ImmutableArray<string>> ThrottleTypes = RuleOption.List(DiagnosticIds.UnboundedFanOut, "throttle_types");

    /// <summary>Diagnostic property: <see cref="ProjectionShape"/> or <see cref="LoopShape"/>.</summary>
    internal const string ShapeProperty = "Shape";

    /// <summary>Diagnostic property: the concurrency limit the fix writes.</summary>
    internal const string MaxConcurrencyProperty = "MaxConcurrency";

    /// <summary>Diagnostic property: WhenAll, WhenAny or WaitAll.</summary>
    internal const string WaitMethodProperty = "WaitMethod";

    internal const string ProjectionShape = "Projection";
    internal const string LoopShape = "Loop";

    private static readonly HashSet<string> s_waitMethods = new(StringComparer.Ordinal) { "WhenAll", "WhenAny", "WaitAll" };

    /// <summary>Task factories that return an already completed task or a timer: nothing is started per element.</summary>
    private static readonly HashSet<string> s_notStarted = new(StringComparer.Ordinal) { "FromResult", "FromException", "FromCanceled", "Delay", "Yield" };

    /// <summary>LINQ operators whose output has at most as many elements as their source.</summary>
    private static readonly HashSet<string> s_countPreserving = new(StringComparer.Ordinal)
    {
        "Where", "Select", "OrderBy", "OrderByDescending", "ThenBy", "ThenByDescending", "Skip", "SkipWhile", "SkipLast", "Take",
        "TakeWhile", "TakeLast", "Distinct", "DistinctBy", "Reverse", "AsEnumerable", "ToList", "ToArray", "ToHashSet", "Cast", "OfType",
        "Order", "OrderDescending", "ToImmutableArray", "ToImmutableList",
    };

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.UnboundedFanOut);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownTypes.Get(start.Compilation);
            if (known.Task is null || known.Enumerable is null)
            {
                return;
            }

            var scope = CodeScope.For(start.Compilation, start.Options, DiagnosticIds.UnboundedFanOut);
            var options = new PerTreeOptions<FanOutOptions>(start.Options, FanOutOptions.Read);
            start.RegisterOperationAction(
                c =>
                {
                    var invocation = (IInvocationOperation)c.Operation;
                    if (invocation.TargetMethod is { IsStatic: true } method
                        && s_waitMethods.Contains(method.Name)
                        && SymbolEqualityComparer.Default.Equals(method.ContainingType, known.Task)
                        && !scope.IsQuiet(c.Operation.Syntax.SyntaxTree))
                    {
                        new Analysis(c, known, options.Get(c.Operation.Syntax.SyntaxTree), scope).Run(invocation);
                    }
                },
                OperationKind.Invocation);
        });
    }

    internal sealed class FanOutOptions
    {
        public FanOutOptions(int maxUnbounded, int maxConcurrency, ImmutableArray<string> throttleTypes)
        {
            MaxUnbounded = maxUnbounded;
            MaxConcurrency = maxConcurrency;
            ThrottleTypes = throttleTypes;
        }

        public int MaxUnbounded { get; }
        public int MaxConcurrency { get; }
        public ImmutableArray<string> ThrottleTypes { get; }

        public static FanOutOptions Read(AnalyzerConfigOptions options)
        {
            var maxConcurrency = UnboundedFanOutAnalyzer.MaxConcurrency.Read(options);
            return new(
                UnboundedFanOutAnalyzer.MaxUnbounded.ReadOr(options, maxConcurrency),
                maxConcurrency,
                UnboundedFanOutAnalyzer.ThrottleTypes.Read(options).AddRange(new[] { "System.Threading.SemaphoreSlim", "System.Threading.RateLimiting.RateLimiter" }));
        }
    }

    private sealed class Analysis
    {
        private const int MaxDepth = 6;

        private readonly OperationAnalysisContext _context;
        private readonly KnownTypes _known;
        private readonly FanOutOptions _options;
        private readonly CodeScope _scope;

        public Analysis(OperationAnalysisContext context, KnownTypes known, FanOutOptions options, CodeScope scope)
        {
            _context = context;
            _known = known;
            _options = options;
            _scope = scope;
        }

        public void Run(IInvocationOperation wait)
        {
            var argument = TasksArgument(wait);
            if (argument is null || IsInsideParallelBody(wait))
            {
                return;
            }

            var value = argument.Value.WalkDownConversions();
            var finding = FindProjection(value, 0) ?? FindLoopFill(wait, value);
            if (finding is not { } found || !_scope.Reports(wait, _context.ContainingSymbol))
            {
                return;
            }

            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(ShapeProperty, found.Shape)
                .Add(MaxConcurrencyProperty, _options.MaxConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Add(WaitMethodProperty, wait.TargetMethod.Name);
            _context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.UnboundedFanOut,
                argument.Value.Syntax.GetLocation(),
                new[] { found.PerElement.Syntax.GetLocation(), found.Anchor.Syntax.GetLocation() },
                properties,
                Describe(found.Collection),
                _options.MaxConcurrency));
        }

        /// <summary>The argument that carries the tasks, unless they are listed one by one (<c>WhenAll(a, b, c)</c>).</summary>
        private static IArgumentOperation? TasksArgument(IInvocationOperation wait)
        {
            foreach (var argument in wait.Arguments)
            {
                if (argument.ArgumentKind is ArgumentKind.ParamArray or ArgumentKind.ParamCollection)
                {
                    return null;
                }

                if (argument.ArgumentKind == ArgumentKind.Explicit && argument.Parameter is { Ordinal: 0 })
                {
                    return argument;
                }
            }

            return null;
        }

        /// <summary>Inside a <c>Parallel.ForEachAsync</c> (or <c>Parallel.ForEach/For</c>) body the outer level is already bounded.</summary>
        private bool IsInsideParallelBody(IOperation operation)
        {
            for (var current = operation.Parent; current is not null; current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    var parent = current.Parent;
                    while (parent is IDelegateCreationOperation or IConversionOperation)
                    {
                        parent = parent.Parent;
                    }

                    if (parent is IArgumentOperation { Parent: IInvocationOperation invocation }
                        && invocation.TargetMethod.ContainingType.Is(_known.Parallel))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        // ---- Shape 1: a projection ----

        /// <summary><c>source.Select(x => DoAsync(x))</c>, optionally followed by ToArray/ToList, or a local initialised with one.</summary>
        private Finding? FindProjection(IOperation value, int depth)
        {
            if (depth > MaxDepth)
            {
                return null;
            }

            switch (value)
            {
                case IInvocationOperation { TargetMethod.Name: "ToArray" or "ToList" or "AsEnumerable" or "ToImmutableArray" or "ToImmutableList" } materialise
                    when Source(materialise) is { } inner:
                    return FindProjection(inner, depth + 1);
                case IInvocationOperation { TargetMethod.Name: "Select" } select when IsEnumerableMethod(select) && select.Arguments.Length == 2:
                    return AnalyzeSelect(select, depth);
                case ILocalReferenceOperation local when SingleAssignment(local) is { } initializer:
                    return FindProjection(initializer, depth + 1);
                default:
                    return null;
            }
        }

        private Finding? AnalyzeSelect(IInvocationOperation select, int depth)
        {
            var source = select.Arguments[0].Value.WalkDownConversions();
            var selector = select.Arguments[1].Value.WalkDownConversions();
            var target = selector is IDelegateCreationOperation creation ? creation.Target : selector;
            var startsWork = target switch
            {
                IAnonymousFunctionOperation lambda => StartsPerElement(lambda) && !IsThrottled(lambda.Body) && !NotifiesElement(lambda),
                IMethodReferenceOperation reference => _known.IsTaskLike(reference.Method.ReturnType) && !s_notStarted.Contains(reference.Method.Name),
                _ => false,
            };

            if (!startsWork || IsBounded(source, depth + 1) || IsBatch(source, depth + 1))
            {
                return null;
            }

            return new Finding(ProjectionShape, target, select, source);
        }

        /// <summary><c>s =&gt; s.NotifyAsync()</c> where the call only invokes a callback the element holds (see <see cref="ElementCallback"/>).</summary>
        private static bool NotifiesElement(IAnonymousFunctionOperation lambda)
        {
            if (lambda.Symbol.Parameters.Length == 0)
            {
                return false;
            }

            IOperation? single = null;
            foreach (var statement in lambda.Body.Operations)
            {
                var value = statement switch
                {
                    IReturnOperation { ReturnedValue: null, IsImplicit: true } => null,
                    IReturnOperation returned => returned.ReturnedValue,
                    IExpressionStatementOperation expression => expression.Operation,
                    _ => statement,
                };
                if (value is null)
                {
                    continue;
                }

                if (single is not null)
                {
                    return false;
                }

                single = value;
            }

            return single is not null && ElementCallback.IsCallbackOf(single, lambda.Symbol.Parameters[0]);
        }

        /// <summary>An async lambda that awaits, or a lambda that returns a task it starts (a call, not a stored task).</summary>
        private bool StartsPerElement(IAnonymousFunctionOperation lambda)
        {
            if (lambda.Symbol.IsAsync)
            {
                return lambda.Body.Descendants().Any(d => d is IAwaitOperation);
            }

            foreach (var descendant in lambda.Body.Descendants())
            {
                if (descendant is IReturnOperation { ReturnedValue: { } returned } returnOperation && ReferenceEquals(EnclosingFunction(returnOperation), lambda)
                    && IsStartedTask(returned))
                {
                    return true;
                }
            }

            return false;
        }

        private static IOperation? EnclosingFunction(IOperation operation)
        {
            for (var current = operation.Parent; current is not null; current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return current;
                }
            }

            return null;
        }

        /// <summary>A call that returns a new task: <c>DoAsync(x)</c>, <c>Task.Run(...)</c>; not <c>Task.FromResult</c>, not a stored task.</summary>
        private bool IsStartedTask(IOperation value) =>
            value.WalkDownConfigureAwait() is IInvocationOperation invocation
            && _known.IsTaskLike(invocation.Type)
            && !(s_notStarted.Contains(invocation.TargetMethod.Name) && invocation.TargetMethod.ContainingType.Is(_known.Task));

        /// <summary>Does the code call a throttle (SemaphoreSlim.WaitAsync, RateLimiter.AcquireAsync, a configured type) anywhere?</summary>
        private bool IsThrottled(IOperation body)
        {
            foreach (var descendant in body.Descendants())
            {
                if (descendant is IInvocationOperation { Instance: { } instance } invocation
                    && invocation.TargetMethod.Name is not ("Release" or "Dispose")
                    && IsThrottleType(instance.Type))
                {
                    return true;
                }
            }

            return false;
        }

        private bool IsThrottleType(ITypeSymbol? type)
        {
            for (var current = type; current is not null; current = current.BaseType)
            {
                if (current.TypeKind == TypeKind.Error)
                {
                    return false;
                }

                foreach (var name in _options.ThrottleTypes)
                {
                    if (current.Name == name || current.ToDisplayString() == name)
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        // ---- Shape 2: a list or array filled in a loop ----

        /// <summary>
        /// <c>var tasks = new List&lt;Task&gt;(); foreach (...) tasks.Add(DoAsync(x)); await Task.WhenAll(tasks);</c> (also an array
        /// filled with <c>tasks[i] = ...</c>). The list must be used nowhere else inside the loop (a Count check, a Remove or a
        /// WhenAny there is hand-made throttling).
        /// </summary>
        private Finding? FindLoopFill(IInvocationOperation wait, IOperation value)
        {
            if (value is IInvocationOperation { TargetMethod.Name: "ToArray" or "ToList" } materialise && Source(materialise) is { } inner)
            {
                value = inner.WalkDownConversions();
            }

            if (value is not ILocalReferenceOperation { Local: { } local })
            {
                return null;
            }

            var root = LocalUses.Root(wait);
            var waitFunction = AsyncContext.EnclosingFunction(wait, _context.ContainingSymbol, out var waitFunctionOperation);
            IOperation? creation = DeclaredInitializer(local, root);
            var adds = new List<(IOperation Op, IOperation Site)>();
            var others = new List<IOperation>();
            foreach (var reference in LocalUses.References(root, local))
            {
                var parent = LocalUses.ParentSkippingConversions(reference, out var child);
                switch (parent)
                {
                    case IVariableInitializerOperation:
                        break;
                    case ISimpleAssignmentOperation assignment when assignment.Target == child:
                        if (creation is not null)
                        {
                            return null;
                        }

                        creation = assignment.Value;
                        break;
                    case IInvocationOperation { TargetMethod.Name: "Add", Arguments.Length: 1 } add when add.Instance == child:
                        adds.Add((add.Arguments[0].Value, add));
                        break;
                    case IArrayElementReferenceOperation element when element.ArrayReference == child
                        && element.Parent is ISimpleAssignmentOperation elementAssignment && elementAssignment.Target == element:
                        adds.Add((elementAssignment.Value, elementAssignment));
                        break;
                    default:
                        others.Add(reference);
                        break;
                }
            }

            if (creation is null || !IsEmptyOrSizedCollection(creation.WalkDownConversions(), out var fixedSize) || adds.Count == 0
                || (fixedSize is { } size && size <= _options.MaxUnbounded))
            {
                return null;
            }

            Finding? finding = null;
            foreach (var (op, site) in adds)
            {
                var loops = new List<ILoopOperation>();
                foreach (var iteration in LoopContext.EnclosingIterations(site))
                {
                    if (wait.IsWithin(iteration))
                    {
                        break;
                    }

                    if (iteration is not ILoopOperation loop)
                    {
                        return null;
                    }

                    loops.Add(loop);
                }

                if (loops.Count == 0)
                {
                    // Added once, not per element: a fixed set.
                    continue;
                }

                var outer = loops[loops.Count - 1];
                AsyncContext.EnclosingFunction(outer, _context.ContainingSymbol, out var loopFunction);
                if (!ReferenceEquals(loopFunction, waitFunctionOperation) || waitFunction is null
                    || outer.Syntax.SpanStart > wait.Syntax.SpanStart
                    || others.Any(o => o.IsWithin(outer))
                    || loops.Any(l => IsThrottled(l.Body))
                    || !IsStartedTask(op)
                    || LoopCountIsSmall(loops)
                    || (loops[0] is IForEachLoopOperation { LoopControlVariable: IVariableDeclaratorOperation element } && ElementCallback.IsCallbackOf(op, element.Symbol)))
                {
                    return null;
                }

                if (IsThrottled(op))
                {
                    return null;
                }

                finding ??= new Finding(LoopShape, op, loops[0], loops[0] is IForEachLoopOperation forEach ? forEach.Collection.WalkDownConversions() : value);
            }

            return finding;
        }

        private static IOperation? DeclaredInitializer(ILocalSymbol local, IOperation root)
        {
            // Cheap first: descend towards the declarator's span (depth × children) instead of walking the whole scope.
            var references = local.DeclaringSyntaxReferences;
            if (references.Length == 1 && references[0] is var reference && reference.SyntaxTree == root.Syntax.SyntaxTree)
            {
                for (IOperation? current = root; current is not null;)
                {
                    if (current is IVariableDeclaratorOperation found && SymbolEqualityComparer.Default.Equals(found.Symbol, local))
                    {
                        return found.GetVariableInitializer()?.Value;
                    }

                    var next = default(IOperation);
                    foreach (var child in current.ChildOperations)
                    {
                        if (child.Syntax.Span.Contains(reference.Span))
                        {
                            next = child;
                            break;
                        }
                    }

                    current = next;
                }
            }

            // Otherwise (no single declaration, or siblings sharing a span): the whole scope.
            foreach (var descendant in root.Descendants())
            {
                if (descendant is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local))
                {
                    return declarator.GetVariableInitializer()?.Value;
                }
            }

            return null;
        }

        /// <summary><c>new List&lt;Task&gt;()</c>, <c>new List&lt;Task&gt;(n)</c>, <c>[]</c>, <c>new Task[n]</c> (size known when constant).</summary>
        private static bool IsEmptyOrSizedCollection(IOperation creation, out int? fixedSize)
        {
            fixedSize = null;
            switch (creation)
            {
                case IObjectCreationOperation { Initializer: null or { Initializers.Length: 0 } }:
                    return true;
                case ICollectionExpressionOperation { Elements.Length: 0 }:
                    return true;
                case IArrayCreationOperation { DimensionSizes.Length: 1, Initializer: null } array:
                    if (array.DimensionSizes[0].ConstantValue is { HasValue: true, Value: int size })
                    {
                        fixedSize = size;
                    }

                    return true;
                default:
                    return false;
            }
        }

        /// <summary>The loops run a constant number of times whose product is at most max_unbounded.</summary>
        private bool LoopCountIsSmall(List<ILoopOperation> loops)
        {
            long product = 1;
            foreach (var loop in loops)
            {
                var count = loop switch
                {
                    IForEachLoopOperation forEach => ConstantCount(forEach.Collection.WalkDownConversions(), 0),
                    IForLoopOperation forLoop => ForLoopCount(forLoop),
                    _ => null,
                };
                if (count is null && loop is IForEachLoopOperation batchLoop && IsBatch(batchLoop.Collection.WalkDownConversions(), 0))
                {
                    count = 1;
                }

                if (count is not { } known)
                {
                    return false;
                }

                product *= known;
                if (product > _options.MaxUnbounded)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary><c>for (var i = a; i &lt; b; i++)</c> with constant a and b.</summary>
        private static int? ForLoopCount(IForLoopOperation loop)
        {
            if (loop.Condition is not IBinaryOperation { LeftOperand: ILocalReferenceOperation counter } condition
                || condition.RightOperand.ConstantValue is not { HasValue: true, Value: int end }
                || loop.Before.Length != 1
                || loop.Before[0] is not IVariableDeclarationGroupOperation { Declarations.Length: 1 } group
                || group.Declarations[0].Declarators.Length != 1
                || !SymbolEqualityComparer.Default.Equals(group.Declarations[0].Declarators[0].Symbol, counter.Local)
                || group.Declarations[0].Declarators[0].GetVariableInitializer()?.Value.ConstantValue is not { HasValue: true, Value: int start }
                || loop.AtLoopBottom.Length != 1
                || loop.AtLoopBottom[0] is not IExpressionStatementOperation { Operation: IIncrementOrDecrementOperation increment }
                || increment.Kind != OperationKind.Increment)
            {
                return null;
            }

            return condition.OperatorKind switch
            {
                BinaryOperatorKind.LessThan => Math.Max(0, end - start),
                BinaryOperatorKind.LessThanOrEqual => Math.Max(0, end - start + 1),
                _ => null,
            };
        }

        // ---- Collections of known small size and batches ----

        /// <summary>Does the collection have a constant number of elements at most max_unbounded?</summary>
        private bool IsBounded(IOperation source, int depth) => ConstantCount(source, depth) is { } count && count <= _options.MaxUnbounded;

        /// <summary>The element count of a literal (<c>new[] { a, b }</c>, <c>[a, b]</c>, <c>new List&lt;T&gt; { a, b }</c>), a
        /// <c>Enumerable.Range(_, n)</c> / <c>Repeat(_, n)</c> / <c>Take(n)</c> with constant n, or a local initialised with one; else null.</summary>
        private int? ConstantCount(IOperation source, int depth)
        {
            if (depth > MaxDepth)
            {
                return null;
            }

            switch (source)
            {
                case IArrayCreationOperation { Initializer: { } initializer }:
                    return initializer.ElementValues.Length;
                case IArrayCreationOperation { DimensionSizes.Length: 1 } array when array.DimensionSizes[0].ConstantValue is { HasValue: true, Value: int size }:
                    return size;
                case ICollectionExpressionOperation collection when !collection.Elements.Any(e => e is ISpreadOperation):
                    return collection.Elements.Length;
                case IObjectCreationOperation { Initializer: { } initializer, Arguments.Length: 0 } when initializer.Initializers.All(i => i is IInvocationOperation):
                    return initializer.Initializers.Length;
                case IInvocationOperation { TargetMethod.Name: "Range" or "Repeat", Arguments.Length: 2 } range when IsEnumerableMethod(range):
                    return range.Arguments[1].Value.ConstantValue is { HasValue: true, Value: int count } ? count : null;
                case IInvocationOperation { TargetMethod.Name: "Take", Arguments.Length: 2 } take when IsEnumerableMethod(take)
                    && take.Arguments[1].Value.ConstantValue is { HasValue: true, Value: int taken }:
                    return taken;
                case IInvocationOperation { TargetMethod.Name: "GetRange", Arguments.Length: 2, Instance: not null } getRange
                    when getRange.Arguments[1].Value.ConstantValue is { HasValue: true, Value: int rangeCount }:
                    return rangeCount;
                case IInvocationOperation { Arguments.Length: >= 1 } operatorCall when IsEnumerableMethod(operatorCall) && s_countPreserving.Contains(operatorCall.TargetMethod.Name):
                    return ConstantCount(operatorCall.Arguments[0].Value.WalkDownConversions(), depth + 1);
                case IInvocationOperation { TargetMethod.Name: "ToArray" or "ToList" } materialise when Source(materialise) is { } inner:
                    return ConstantCount(inner, depth + 1);
                case ILocalReferenceOperation local when SingleAssignment(local) is { } initializer:
                    return ConstantCount(initializer, depth + 1);
                default:
                    return null;
            }
        }

        /// <summary>
        /// A batch: the source is (or comes from) a <c>.Chunk(n)</c> / <c>.Batch(n)</c> call, or is the loop variable of a
        /// <c>foreach</c> over one. Batching is deliberate; a constant batch size above max_unbounded is still reported.
        /// </summary>
        private bool IsBatch(IOperation source, int depth)
        {
            if (depth > MaxDepth)
            {
                return false;
            }

            switch (source)
            {
                case IInvocationOperation { TargetMethod.Name: "Chunk" or "Batch" } chunk:
                    var size = chunk.Arguments.Length > 0 ? chunk.Arguments[chunk.Arguments.Length - 1].Value.ConstantValue : default;
                    return !size.HasValue || size.Value is not int constant || constant <= _options.MaxUnbounded;
                case IInvocationOperation { Arguments.Length: >= 1 } operatorCall when IsEnumerableMethod(operatorCall) && s_countPreserving.Contains(operatorCall.TargetMethod.Name):
                    return IsBatch(operatorCall.Arguments[0].Value.WalkDownConversions(), depth + 1);
                case IInvocationOperation { TargetMethod.Name: "ToArray" or "ToList" } materialise when Source(materialise) is { } inner:
                    return IsBatch(inner, depth + 1);
                case ILocalReferenceOperation local when LoopOver(local) is { } loop:
                    return IsBatch(loop.Collection.WalkDownConversions(), depth + 1);
                case ILocalReferenceOperation local when SingleAssignment(local) is { } initializer:
                    return IsBatch(initializer, depth + 1);
                default:
                    return false;
            }
        }

        /// <summary>The foreach loop whose iteration variable is the local.</summary>
        private static IForEachLoopOperation? LoopOver(ILocalReferenceOperation reference)
        {
            for (var current = reference.Parent; current is not null; current = current.Parent)
            {
                if (current is IForEachLoopOperation { LoopControlVariable: IVariableDeclaratorOperation declarator } loop
                    && SymbolEqualityComparer.Default.Equals(declarator.Symbol, reference.Local))
                {
                    return loop;
                }
            }

            return null;
        }

        // ---- Helpers ----

        private bool IsEnumerableMethod(IInvocationOperation invocation) => invocation.TargetMethod.ContainingType.Is(_known.Enumerable);

        /// <summary>The receiver of <c>x.ToArray()</c> (instance or extension).</summary>
        private static IOperation? Source(IInvocationOperation invocation) =>
            (invocation.Instance ?? (invocation.TargetMethod.IsExtensionMethod && invocation.Arguments.Length > 0 ? invocation.Arguments[0].Value : null))?.WalkDownConversions();

        /// <summary>The initializer of a local that is never assigned again; null otherwise.</summary>
        private static IOperation? SingleAssignment(ILocalReferenceOperation reference)
        {
            var local = reference.Local;
            if (local.IsRef || local.DeclaringSyntaxReferences.Length != 1)
            {
                return null;
            }

            var root = LocalUses.Root(reference);
            IOperation? initializer = null;
            foreach (var descendant in root.Descendants())
            {
                switch (descendant)
                {
                    case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                        initializer = declarator.GetVariableInitializer()?.Value.WalkDownConversions();
                        break;
                    case ILocalReferenceOperation use when SymbolEqualityComparer.Default.Equals(use.Local, local) && IsWrite(use):
                        return null;
                }
            }

            return initializer;
        }

        private static bool IsWrite(ILocalReferenceOperation use)
        {
            var parent = LocalUses.ParentSkippingConversions(use, out var child);
            return parent switch
            {
                IAssignmentOperation assignment => assignment.Target == child,
                IIncrementOrDecrementOperation => true,
                IArgumentOperation argument => argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out,
                ITupleOperation => true,
                _ => false,
            };
        }

        private static string Describe(IOperation collection)
        {
            var text = collection.Syntax.ToString();
            return text.Length <= 40 && text.IndexOf('\n') < 0 ? text : collection.Type?.Name ?? "collection";
        }
    }

    /// <param name="Shape">ProjectionShape or LoopShape.</param>
    /// <param name="PerElement">The selector (lambda or method group) or the task added in the loop.</param>
    /// <param name="Anchor">The Select call or the loop.</param>
    /// <param name="Collection">What the tasks are started over (named in the message).</param>
    private readonly record struct Finding(string Shape, IOperation PerElement, IOperation Anchor, IOperation Collection);
}
