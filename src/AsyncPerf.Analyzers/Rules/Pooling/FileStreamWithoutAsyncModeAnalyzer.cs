using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Pooling;

/// <summary>
/// AP4003: a FileStream opened in synchronous mode (<c>new FileStream(path, ...)</c>, <c>File.Open/OpenRead/OpenWrite/Create</c>,
/// <c>new FileStreamOptions</c> without <c>FileOptions.Asynchronous</c>) into a local that the same member then reads or writes
/// with <c>ReadAsync/WriteAsync/CopyToAsync/FlushAsync</c>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FileStreamWithoutAsyncModeAnalyzer : DiagnosticAnalyzer
{
    internal const int AsynchronousFlag = 0x40000000;

    private static readonly HashSet<string> s_asyncMethods = new(StringComparer.Ordinal)
    {
        "ReadAsync", "WriteAsync", "CopyToAsync", "FlushAsync", "ReadExactlyAsync", "ReadAtLeastAsync",
    };

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.FileStreamWithoutAsyncMode);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownTypes.Get(start.Compilation);
            var fileOptions = known.Resolve("System.IO.FileOptions");
            if (known.FileStream is null || known.File is null || fileOptions is null)
            {
                return;
            }

            var fileStreamOptions = known.Resolve("System.IO.FileStreamOptions");
            var scope = CodeScope.For(start.Compilation, start.Options, DiagnosticIds.FileStreamWithoutAsyncMode);
            start.RegisterOperationAction(
                c =>
                {
                    var creation = (IObjectCreationOperation)c.Operation;
                    if (SymbolEqualityComparer.Default.Equals(creation.Type, known.FileStream) && creation.Constructor is { } constructor)
                    {
                        Analyze(c, creation, constructor, creation.Arguments, fileOptions, fileStreamOptions, scope);
                    }
                },
                OperationKind.ObjectCreation);
            start.RegisterOperationAction(
                c =>
                {
                    var invocation = (IInvocationOperation)c.Operation;
                    if (invocation.TargetMethod is { IsStatic: true, Name: "Open" or "OpenRead" or "OpenWrite" or "Create" } method
                        && SymbolEqualityComparer.Default.Equals(method.ContainingType, known.File))
                    {
                        Analyze(c, invocation, method, invocation.Arguments, fileOptions, fileStreamOptions, scope);
                    }
                },
                OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, IOperation creation, IMethodSymbol method, ImmutableArray<IArgumentOperation> arguments, INamedTypeSymbol fileOptions, INamedTypeSymbol? fileStreamOptions, CodeScope scope)
    {
        if (method.Parameters.Length == 0 || method.Parameters[0].Type.SpecialType != SpecialType.System_String
            || scope.IsQuiet(creation.Syntax.SyntaxTree)
            || !IsSynchronous(arguments, fileOptions, fileStreamOptions)
            || LocalUses.InitializedLocal(creation) is not { } local
            || FirstAsyncUse(LocalUses.Root(creation), local) is not { } asyncMethod
            || !scope.Reports(creation, context.ContainingSymbol))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(Descriptors.FileStreamWithoutAsyncMode, creation.Syntax.GetLocation(), local.Name, asyncMethod));
    }

    /// <summary>True only when the mode is provably synchronous; a non-constant FileOptions or a FileStreamOptions variable is unknown.</summary>
    private static bool IsSynchronous(ImmutableArray<IArgumentOperation> arguments, INamedTypeSymbol fileOptions, INamedTypeSymbol? fileStreamOptions)
    {
        foreach (var argument in arguments)
        {
            if (argument.Parameter is not { } parameter)
            {
                return false;
            }

            if (SymbolEqualityComparer.Default.Equals(parameter.Type, fileOptions) && !IsConstantWithoutAsynchronous(argument.Value))
            {
                return false;
            }

            if (parameter.Type.SpecialType == SpecialType.System_Boolean && parameter.Name == "useAsync" && argument.Value.ConstantValue is not { HasValue: true, Value: false })
            {
                return false;
            }

            if (fileStreamOptions is not null && SymbolEqualityComparer.Default.Equals(parameter.Type, fileStreamOptions) && !IsSynchronousOptions(argument.Value.WalkDownConversions()))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsConstantWithoutAsynchronous(IOperation value) =>
        value.ConstantValue is { HasValue: true, Value: { } constant } && (Convert.ToInt64(constant, System.Globalization.CultureInfo.InvariantCulture) & AsynchronousFlag) == 0;

    /// <summary><c>new FileStreamOptions { Mode = ..., Access = ... }</c> whose Options, if set, are a constant without Asynchronous.</summary>
    private static bool IsSynchronousOptions(IOperation value)
    {
        if (value is not IObjectCreationOperation creation)
        {
            return false;
        }

        if (creation.Initializer is null)
        {
            return true;
        }

        foreach (var initializer in creation.Initializer.Initializers)
        {
            if (initializer is not IAssignmentOperation { Target: IPropertyReferenceOperation property } assignment)
            {
                return false;
            }

            if (property.Property.Name == "Options" && !IsConstantWithoutAsynchronous(assignment.Value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The first async I/O call on the stream (<c>fs.ReadAsync(...)</c>, or <c>source.CopyToAsync(fs)</c>), or null.</summary>
    private static string? FirstAsyncUse(IOperation root, ILocalSymbol local)
    {
        foreach (var reference in LocalUses.References(root, local))
        {
            var parent = LocalUses.ParentSkippingConversions(reference, out var child);
            if (parent is IInvocationOperation invocation && invocation.Instance == child && s_asyncMethods.Contains(invocation.TargetMethod.Name))
            {
                return invocation.TargetMethod.Name;
            }

            if (parent is IArgumentOperation { Parent: IInvocationOperation { TargetMethod.Name: "CopyToAsync" } copy })
            {
                return copy.TargetMethod.Name;
            }
        }

        return null;
    }
}
