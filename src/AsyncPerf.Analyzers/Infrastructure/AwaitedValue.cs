using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Infrastructure;

/// <summary>Follows a task-returning call to the <c>await</c> that consumes it (through <c>.ConfigureAwait(...)</c>).</summary>
internal static class AwaitedValue
{
    /// <summary>The <c>await</c> of <paramref name="call"/> (<c>await call</c>, <c>await call.ConfigureAwait(false)</c>), or null.</summary>
    public static IAwaitOperation? AwaitOf(IOperation call)
    {
        var current = call;
        while (true)
        {
            var parent = LocalUses.ParentSkippingConversions(current, out _);
            switch (parent)
            {
                case IAwaitOperation awaitOperation:
                    return awaitOperation;
                case IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configureAwait when configureAwait.Instance is { } instance && instance.WalkDownConversions() == current:
                    current = configureAwait;
                    break;
                default:
                    return null;
            }
        }
    }

    /// <summary>The call awaited by <paramref name="value"/> when it is <c>await call</c> (conversions and ConfigureAwait skipped).</summary>
    public static IInvocationOperation? AwaitedCall(IOperation value) =>
        value.WalkDownConversions() is IAwaitOperation awaitOperation
            ? awaitOperation.Operation.WalkDownConfigureAwait() as IInvocationOperation
            : null;
}
