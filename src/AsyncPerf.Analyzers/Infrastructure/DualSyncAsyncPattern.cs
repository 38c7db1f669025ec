using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Infrastructure;

/// <summary>
/// The dual sync/async pattern of Npgsql and System.Net: one implementation takes <c>bool async</c>, async callers pass
/// <c>true</c> and await, synchronous callers pass <c>false</c> and the callee completes synchronously.
/// <code>
/// if (async) await stream.WriteAsync(buffer, ct); else stream.Write(buffer.Span);
/// public int Read() => ReadCore(async: false).GetAwaiter().GetResult();
/// </code>
/// </summary>
internal static class DualSyncAsyncPattern
{
    private static readonly string[] s_flagNames = { "async", "isAsync", "useAsync" };

    public static bool IsFlagName(string name) => Array.IndexOf(s_flagNames, name) >= 0;

    /// <summary>A call that passes the constant <c>false</c> to a bool parameter named async/isAsync/useAsync.</summary>
    public static bool IsSynchronousCall(IOperation operation)
    {
        if (operation is IInvocationOperation invocation)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is { Type.SpecialType: SpecialType.System_Boolean } parameter
                    && IsFlagName(parameter.Name)
                    && argument.Value.ConstantValue is { HasValue: true, Value: false })
                {
                    return true;
                }
            }
        }

        // Overload resolution failed (unrestored references): fall back to a named argument in the syntax.
        return operation.Syntax is InvocationExpressionSyntax call
            && call.ArgumentList.Arguments.Any(a => a.NameColon is { } name && IsFlagName(name.Name.Identifier.ValueText)
                && a.Expression is LiteralExpressionSyntax { Token.ValueText: "false" });
    }

    /// <summary>
    /// Is the operation in the synchronous branch of <c>if (async) ... else ...</c> (or <c>async ? ... : ...</c>,
    /// or <c>if (!async) ...</c>) where <c>async</c> is a bool parameter or local named async/isAsync/useAsync?
    /// That branch runs only for synchronous callers.
    /// </summary>
    public static bool IsInSynchronousBranch(IOperation operation)
    {
        IOperation previous = operation;
        for (var current = operation.Parent; current is not null; previous = current, current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return false;
            }

            if (current is IConditionalOperation conditional && FlagTest(conditional.Condition) is { } whenFlagIs)
            {
                var inSyncBranch = whenFlagIs ? conditional.WhenFalse == previous : conditional.WhenTrue == previous;
                if (inSyncBranch)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>For <c>async</c> returns true, for <c>!async</c> false; null when the condition is not the flag.</summary>
    private static bool? FlagTest(IOperation condition) => condition.WalkDownConversions() switch
    {
        IParameterReferenceOperation { Parameter: { Type.SpecialType: SpecialType.System_Boolean } parameter } when IsFlagName(parameter.Name) => true,
        ILocalReferenceOperation { Local: { Type.SpecialType: SpecialType.System_Boolean } local } when IsFlagName(local.Name) => true,
        IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not => FlagTest(not.Operand) is { } inner ? !inner : null,
        _ => null,
    };
}
