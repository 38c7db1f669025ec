using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Infrastructure;

/// <summary>
/// Answers "is this task provably finished here?" for the narrow, provable cases only:
/// completed-task factories, the synchronous half of the dual sync/async pattern, a <c>Try*</c> fast path,
/// an IsCompleted guard, and a task (or collection of tasks) already awaited by an earlier statement.
/// (The antecedent of a completion callback: see <see cref="CompletionCallbacks"/>.)
/// </summary>
internal static class TaskCompletion
{
    public static bool IsKnownComplete(IOperation taskExpression, KnownTypes known)
    {
        var task = taskExpression.WalkDownConfigureAwait();
        if (task is IConditionalAccessInstanceOperation instance && ConditionalAccessReceiver(instance) is { } receiver)
        {
            task = receiver.WalkDownConfigureAwait();
        }

        if (IsCompletedTaskFactory(task, known) || DualSyncAsyncPattern.IsSynchronousCall(task) || IsSynchronousFastPath(task, known))
        {
            return true;
        }

        // (schemaOnly ? NextResultSchemaOnly(false) : NextResult(false)).GetAwaiter().GetResult()
        if (task is IConditionalOperation { WhenFalse: { } whenFalse } choice)
        {
            return IsKnownComplete(choice.WhenTrue, known) && IsKnownComplete(whenFalse, known);
        }

        if (task.ReferencedSymbol() is { } symbol)
        {
            return IsGuardedByIsCompleted(task, symbol) || IsCompletedByEarlierStatement(task, symbol);
        }

        // tasks[i] after await Task.WhenAll(tasks)
        if (ElementSource(task) is { } collection)
        {
            return IsCompletedByEarlierStatement(task, collection);
        }

        return false;
    }

    /// <summary>Task.FromResult(x), Task.CompletedTask, Task.FromException/FromCanceled, ValueTask.FromResult, new ValueTask&lt;T&gt;(value).</summary>
    private static bool IsCompletedTaskFactory(IOperation task, KnownTypes known) => task switch
    {
        IInvocationOperation { TargetMethod: { IsStatic: true, Name: "FromResult" or "FromException" or "FromCanceled" } method }
            => method.ContainingType.Is(known.Task) || method.ContainingType.Is(known.ValueTask),
        IPropertyReferenceOperation { Property: { IsStatic: true, Name: "CompletedTask" } property }
            => property.ContainingType.Is(known.Task) || property.ContainingType.Is(known.ValueTask),
        IObjectCreationOperation { Type: { } type, Arguments.Length: 1 } creation
            => type.OriginalDefinition.Is(known.ValueTaskOfT) && !known.IsTaskLike(creation.Arguments[0].Value.Type) && !IsValueTaskSource(creation.Arguments[0].Value.Type),
        IDefaultValueOperation { Type: { } type } => type.Is(known.ValueTask) || type.OriginalDefinition.Is(known.ValueTaskOfT),
        _ => false,
    };

    /// <summary>The <c>x</c> of <c>x?.Result</c> (the innermost <c>?.</c> whose right-hand side holds the instance).</summary>
    private static IOperation? ConditionalAccessReceiver(IConditionalAccessInstanceOperation instance)
    {
        IOperation previous = instance;
        for (var current = instance.Parent; current is not null; previous = current, current = current.Parent)
        {
            if (current is IConditionalAccessOperation access && access.WhenNotNull == previous)
            {
                return access.Operation;
            }
        }

        return null;
    }

    /// <summary>
    /// <c>TryRead()?.Result</c>: a method named <c>Try*</c> that returns <c>Task&lt;T&gt;?</c> or <c>ValueTask&lt;T&gt;?</c> is a
    /// synchronous fast path: it returns a finished task, or null when the caller must take the slow path.
    /// </summary>
    private static bool IsSynchronousFastPath(IOperation task, KnownTypes known) =>
        task is IInvocationOperation { TargetMethod: { Name: { Length: > 3 } name, ReturnType: { } returnType } }
        && name.StartsWith("Try", StringComparison.Ordinal) && char.IsUpper(name[3])
        && returnType switch
        {
            INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T, TypeArguments.Length: 1 } nullable => known.IsTaskLike(nullable.TypeArguments[0]),
            { IsReferenceType: true, NullableAnnotation: NullableAnnotation.Annotated } => known.IsTaskLike(returnType),
            _ => false,
        };

    private static bool IsValueTaskSource(ITypeSymbol? type) =>
        type is not null && type.AllInterfaces.Any(i => i.Name == "IValueTaskSource");

    /// <summary><c>if (t.IsCompleted) { t.Result }</c> and <c>t.IsCompletedSuccessfully ? t.Result : await t</c>.</summary>
    private static bool IsGuardedByIsCompleted(IOperation task, ISymbol symbol)
    {
        IOperation previous = task;
        for (var current = task.Parent; current is not null; previous = current, current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return false;
            }

            if (current is IConditionalOperation conditional && conditional.WhenTrue == previous && ConditionChecksCompletion(conditional.Condition, symbol))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ConditionChecksCompletion(IOperation condition, ISymbol symbol)
    {
        switch (condition.WalkDownConversions())
        {
            case IPropertyReferenceOperation { Property.Name: "IsCompleted" or "IsCompletedSuccessfully" or "IsFaulted" or "IsCanceled" } property:
                return property.Instance.ReferencedSymbol().Is(symbol);
            // if (t.Wait(timeout)) { t.Result }: a true Wait/WaitAll means finished (the Wait itself is still reported).
            case IInvocationOperation { TargetMethod: { IsStatic: false, Name: "Wait", ReturnType.SpecialType: SpecialType.System_Boolean }, Instance: { } instance }:
                return instance.ReferencedSymbol().Is(symbol);
            case IInvocationOperation { TargetMethod: { IsStatic: true, Name: "WaitAll", ReturnType.SpecialType: SpecialType.System_Boolean } } waitAll:
                return waitAll.FlattenedArgumentValues()
                    .SelectMany(value => value.WalkDownConversions() is IArrayCreationOperation { Initializer: { } elements } ? elements.ElementValues.AsEnumerable() : new[] { value })
                    .Any(value => value.ReferencedSymbol().Is(symbol));
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } and:
                return ConditionChecksCompletion(and.LeftOperand, symbol) || ConditionChecksCompletion(and.RightOperand, symbol);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals, LeftOperand: IPropertyReferenceOperation { Property.Name: "Status" } status, RightOperand: { } right }:
                return status.Instance.ReferencedSymbol().Is(symbol) && right.WalkDownConversions() is IFieldReferenceOperation { Field.Name: "RanToCompletion" };
            default:
                return false;
        }
    }

    /// <summary>
    /// An earlier statement of an enclosing block awaited the task (or the collection it comes from):
    /// <c>await t;</c>, <c>await Task.WhenAll(t1, t2);</c>, <c>Task.WaitAll(tasks);</c>, <c>t.Wait();</c>, <c>t.Wait(ct);</c>,
    /// also inside a <c>try</c> whose every <c>catch</c> rethrows or returns.
    /// Only unconditional statements count. Crossing a foreach over a collection, or a LINQ lambda over it,
    /// switches from the element to the collection.
    /// </summary>
    private static bool IsCompletedByEarlierStatement(IOperation use, ISymbol symbol)
    {
        IOperation previous = use;
        for (var current = use.Parent; current is not null; previous = current, current = current.Parent)
        {
            switch (current)
            {
                case IBlockOperation block:
                    var index = block.Operations.IndexOf(previous);
                    for (var i = index - 1; i >= 0; i--)
                    {
                        if (StatementCompletes(block.Operations[i], symbol))
                        {
                            return true;
                        }
                    }

                    break;

                case IForEachLoopOperation forEach when previous != forEach.Collection && IsIterationVariable(forEach, symbol):
                    if (forEach.Collection.ReferencedSymbol() is not { } collection)
                    {
                        return false;
                    }

                    symbol = collection;
                    break;

                case IAnonymousFunctionOperation lambda when lambda.Symbol.Parameters.Length > 0 && lambda.Symbol.Parameters[0].Is(symbol):
                    if (LoopContext.PerElementInvocation(lambda) is not { } linq || LinqSource(linq).ReferencedSymbol() is not { } source)
                    {
                        return false;
                    }

                    symbol = source;
                    break;
            }
        }

        return false;
    }

    private static bool IsIterationVariable(IForEachLoopOperation forEach, ISymbol symbol) =>
        forEach.LoopControlVariable is IVariableDeclaratorOperation declarator && declarator.Symbol.Is(symbol);

    private static IOperation? LinqSource(IInvocationOperation linq) =>
        linq.Instance ?? (linq.Arguments.Length > 0 ? linq.Arguments[0].Value : null);

    /// <summary><c>tasks[i]</c> (array element or list indexer): the collection's symbol.</summary>
    private static ISymbol? ElementSource(IOperation task) => task switch
    {
        IArrayElementReferenceOperation element => element.ArrayReference.ReferencedSymbol(),
        IPropertyReferenceOperation { Property.IsIndexer: true } indexer => indexer.Instance.ReferencedSymbol(),
        _ => null,
    };

    private static bool StatementCompletes(IOperation statement, ISymbol symbol)
    {
        // if (!t.IsCompleted) return Slow(t);   ...   t.Result
        if (statement is IConditionalOperation { WhenFalse: null, Condition: IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not } guard
            && ConditionChecksCompletion(not.Operand, symbol)
            && AlwaysExits(guard.WhenTrue))
        {
            return true;
        }

        // try { t.Wait(ct); } catch (AggregateException e) { ExceptionDispatchInfo.Capture(e.InnerException).Throw(); }
        if (statement is ITryOperation { Body.Operations: var body, Catches: var catches }
            && catches.All(c => AlwaysExits(c.Handler))
            && body.Any(s => StatementCompletes(s, symbol)))
        {
            return true;
        }

        // Debug.Assert(t.IsCompleted): the author states the invariant.
        if (statement is IExpressionStatementOperation { Operation: IInvocationOperation { TargetMethod: { Name: "Assert", ContainingType.Name: "Debug" }, Arguments.Length: > 0 } assert }
            && ConditionChecksCompletion(assert.Arguments[0].Value, symbol))
        {
            return true;
        }

        var expression = statement switch
        {
            IExpressionStatementOperation expressionStatement => expressionStatement.Operation,
            IVariableDeclarationGroupOperation group when group.Declarations.Length == 1 && group.Declarations[0].Declarators.Length == 1
                => group.Declarations[0].Declarators[0].Initializer?.Value,
            _ => null,
        };

        while (expression is ISimpleAssignmentOperation assignment)
        {
            expression = assignment.Value;
        }

        return expression?.WalkDownConversions() switch
        {
            IAwaitOperation await => Completes(await.Operation.WalkDownConfigureAwait(), symbol),
            IInvocationOperation invocation => Completes(invocation, symbol),
            _ => false,
        };
    }

    private static bool AlwaysExits(IOperation branch) => branch switch
    {
        IReturnOperation or IThrowOperation => true,
        IExpressionStatementOperation { Operation: IThrowOperation } => true,
        IExpressionStatementOperation { Operation: IInvocationOperation call } => call.TargetMethod.GetAttributes().Any(a => a.AttributeClass?.Name == "DoesNotReturnAttribute"),
        IBlockOperation { Operations.Length: > 0 } block => AlwaysExits(block.Operations[block.Operations.Length - 1]),
        _ => false,
    };

    /// <summary>WaitAll(tasks, 1000) may return false with the tasks still running.</summary>
    private static bool HasTimeout(IMethodSymbol method) =>
        method.Parameters.Any(p => p.Type.SpecialType == SpecialType.System_Int32 || p.Type.Name == "TimeSpan");

    private static bool Completes(IOperation operation, ISymbol symbol) => operation switch
    {
        _ when operation.ReferencedSymbol().Is(symbol) => true,
        IInvocationOperation { TargetMethod: { IsStatic: true, Name: "WhenAll" or "WaitAll" } } all when !HasTimeout(all.TargetMethod)
            => all.FlattenedArgumentValues().Any(value => value.ReferencedSymbol().Is(symbol)),
        // Wait() and Wait(CancellationToken) return only once the task has finished (the timed overloads return bool).
        IInvocationOperation { TargetMethod: { IsStatic: false, Name: "Wait", ReturnsVoid: true }, Instance: { } instance }
            => instance.ReferencedSymbol().Is(symbol),
        _ => false,
    };
}
