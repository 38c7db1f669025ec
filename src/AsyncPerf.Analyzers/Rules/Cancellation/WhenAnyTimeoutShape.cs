using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Cancellation;

/// <summary>
/// A timeout written as <c>await Task.WhenAny(work, Task.Delay(t))</c> whose winner is compared with the work or the delay,
/// directly (<c>if (await Task.WhenAny(work, delay) == work)</c>) or through a local (<c>var winner = await ...; if (winner != work)</c>).
/// Shared by the AP3003 analyzer (which reports every match) and its fix (which rewrites the shapes it can).
/// </summary>
/// <param name="WhenAny">The <c>Task.WhenAny(...)</c> call.</param>
/// <param name="Work">The work task argument (conversions removed).</param>
/// <param name="Delay">The <c>Task.Delay(...)</c> call: an argument of WhenAny, or the initializer of <paramref name="DelayLocal"/>.</param>
/// <param name="DelayLocal">The local that holds the delay task, when the delay is not written inline.</param>
/// <param name="Await">The <c>await</c> of WhenAny (possibly through <c>.ConfigureAwait(...)</c>).</param>
/// <param name="ConfigureAwait">The <c>.ConfigureAwait(...)</c> call between WhenAny and the await, if any.</param>
/// <param name="Winner">The local the awaited winner is stored in, when it is not compared directly.</param>
/// <param name="Comparison">The first <c>==</c> / <c>!=</c> comparison of the winner with the work or the delay.</param>
/// <param name="TrueWhenWorkWins">The comparison is true when the work finished first (<c>== work</c>, <c>!= delay</c>).</param>
internal sealed record WhenAnyTimeoutShape(
    IInvocationOperation WhenAny,
    IOperation Work,
    IInvocationOperation Delay,
    ILocalSymbol? DelayLocal,
    IAwaitOperation Await,
    IInvocationOperation? ConfigureAwait,
    ILocalSymbol? Winner,
    IBinaryOperation Comparison,
    bool TrueWhenWorkWins)
{
    /// <summary>The local, parameter, field or property the work task is read from; null for an inline expression.</summary>
    public ISymbol? WorkSymbol => Work.ReferencedSymbol();

    /// <summary>Cheap syntax-free test before <see cref="Find"/>: a static <c>Task.WhenAny</c> call.</summary>
    public static bool IsWhenAny(IInvocationOperation invocation, INamedTypeSymbol task) =>
        invocation.TargetMethod is { Name: "WhenAny", IsStatic: true } method && method.ContainingType.Is(task);

    public static WhenAnyTimeoutShape? Find(IInvocationOperation whenAny, INamedTypeSymbol task)
    {
        if (!IsWhenAny(whenAny, task))
        {
            return null;
        }

        var values = whenAny.FlattenedArgumentValues().Select(v => v.WalkDownConversions()).ToList();
        if (values.Count == 1 && values[0] is IArrayCreationOperation { Initializer: { } array })
        {
            values = array.ElementValues.Select(v => v.WalkDownConversions()).ToList();
        }

        if (values.Count != 2)
        {
            return null;
        }

        var root = LocalUses.Root(whenAny);
        var first = DelayOf(values[0], root, task);
        var second = DelayOf(values[1], root, task);
        if ((first is null) == (second is null))
        {
            return null;
        }

        var (work, delay) = first is null ? (values[0], second!.Value) : (values[1], first.Value);
        if (AwaitOf(whenAny, out var configureAwait) is not { } awaitOperation)
        {
            return null;
        }

        var workSymbol = work.ReferencedSymbol();
        var parent = LocalUses.ParentSkippingConversions(awaitOperation, out _);
        if (parent is IBinaryOperation direct)
        {
            return Compare(direct, awaitOperation, workSymbol, delay.Local) is { } workWins
                ? new WhenAnyTimeoutShape(whenAny, work, delay.Call, delay.Local, awaitOperation, configureAwait, null, direct, workWins)
                : null;
        }

        if (LocalUses.InitializedLocal(awaitOperation) is not { } winner)
        {
            return null;
        }

        foreach (var reference in LocalUses.References(root, winner))
        {
            if (LocalUses.ParentSkippingConversions(reference, out _) is IBinaryOperation comparison
                && Compare(comparison, reference, workSymbol, delay.Local) is { } workWins)
            {
                return new WhenAnyTimeoutShape(whenAny, work, delay.Call, delay.Local, awaitOperation, configureAwait, winner, comparison, workWins);
            }
        }

        return null;
    }

    /// <summary><c>Task.Delay(...)</c> itself, or a local initialized with it.</summary>
    private static (IInvocationOperation Call, ILocalSymbol? Local)? DelayOf(IOperation value, IOperation root, INamedTypeSymbol task)
    {
        if (IsDelay(value, task))
        {
            return ((IInvocationOperation)value, null);
        }

        if (value is ILocalReferenceOperation { Local: { } local })
        {
            foreach (var descendant in root.Descendants())
            {
                if (descendant is IVariableDeclaratorOperation declarator && declarator.Symbol.Is(local))
                {
                    return declarator.Initializer?.Value.WalkDownConversions() is IInvocationOperation call && IsDelay(call, task) ? (call, local) : null;
                }
            }
        }

        return null;
    }

    private static bool IsDelay(IOperation value, INamedTypeSymbol task) =>
        value is IInvocationOperation { TargetMethod: { Name: "Delay", IsStatic: true } method } && method.ContainingType.Is(task);

    private static IAwaitOperation? AwaitOf(IInvocationOperation whenAny, out IInvocationOperation? configureAwait)
    {
        configureAwait = null;
        var parent = LocalUses.ParentSkippingConversions(whenAny, out var child);
        if (parent is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configure && configure.Instance == child)
        {
            configureAwait = configure;
            parent = LocalUses.ParentSkippingConversions(configure, out _);
        }

        return parent as IAwaitOperation;
    }

    /// <summary>
    /// For <c>winner == work</c> / <c>winner != work</c> / <c>winner == delay</c> / <c>winner != delay</c> (either side):
    /// whether the comparison is true when the work wins; null when it is not such a comparison.
    /// </summary>
    private static bool? Compare(IBinaryOperation comparison, IOperation winnerSide, ISymbol? work, ILocalSymbol? delay)
    {
        if (comparison.OperatorKind is not (BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals) || comparison.OperatorMethod is not null)
        {
            return null;
        }

        var left = comparison.LeftOperand.WalkDownConversions();
        var right = comparison.RightOperand.WalkDownConversions();
        var winner = winnerSide.WalkDownConversions();
        var other = left == winner ? right : right == winner ? left : null;
        var symbol = other.ReferencedSymbol();
        if (symbol is null)
        {
            return null;
        }

        var equals = comparison.OperatorKind == BinaryOperatorKind.Equals;
        if (symbol.Is(work))
        {
            return equals;
        }

        return symbol.Is(delay) ? !equals : null;
    }
}
