using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Data;

/// <summary>
/// AP5004: <c>foreach (var line in File.ReadAllLines(p))</c> or <c>foreach (var line in await File.ReadAllLinesAsync(p, ct))</c>,
/// directly or through a local that nothing but that one loop reads: the whole file is held in memory to be iterated once.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WholeFileForOnePassAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.WholeFileForOnePass);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownTypes.Get(start.Compilation);
            if (known.File is not { } file)
            {
                return;
            }

            var hasReadLinesAsync = !file.GetMembers("ReadLinesAsync").IsEmpty;
            var scope = CodeScope.For(start.Compilation, start.Options, DiagnosticIds.WholeFileForOnePass);
            start.RegisterOperationAction(
                c =>
                {
                    if (c.Operation is IForEachLoopOperation { IsAsynchronous: false } loop
                        && !scope.IsQuiet(loop.Syntax.SyntaxTree)
                        && WholeFileRead.Find(loop, file) is { } read
                        && (!read.IsAsync || hasReadLinesAsync)
                        && scope.Reports(loop, c.ContainingSymbol))
                    {
                        c.ReportDiagnostic(Diagnostic.Create(
                            Descriptors.WholeFileForOnePass,
                            read.Read.Syntax.GetLocation(),
                            "File." + read.Call.TargetMethod.Name,
                            read.IsAsync ? "File.ReadLinesAsync" : "File.ReadLines"));
                    }
                },
                OperationKind.Loop);
        });
    }
}

/// <summary>What AP5004 found: the read (the call, or the await of it), and the local it went through, if any.</summary>
/// <param name="Read">The <c>File.ReadAllLines(...)</c> call or the <c>await File.ReadAllLinesAsync(...)</c> expression.</param>
/// <param name="Call">The ReadAllLines / ReadAllLinesAsync call.</param>
/// <param name="Local">The local between the read and the loop, or null when the loop iterates the read directly.</param>
internal sealed record WholeFileRead(IOperation Read, IInvocationOperation Call, ILocalSymbol? Local, bool IsAsync)
{
    public static WholeFileRead? Find(IForEachLoopOperation loop, INamedTypeSymbol file)
    {
        var collection = loop.Collection.WalkDownConversions();
        if (collection is ILocalReferenceOperation reference)
        {
            return FromLocal(loop, reference.Local, file);
        }

        return Classify(collection, file, null);
    }

    private static WholeFileRead? Classify(IOperation read, INamedTypeSymbol file, ILocalSymbol? local)
    {
        var isAsync = false;
        var call = read as IInvocationOperation;
        if (read is IAwaitOperation awaited)
        {
            call = awaited.Operation.WalkDownConfigureAwait() as IInvocationOperation;
            isAsync = true;
        }

        var expected = isAsync ? "ReadAllLinesAsync" : "ReadAllLines";
        return call is { TargetMethod: { IsStatic: true } method } && method.Name == expected
            && SymbolEqualityComparer.Default.Equals(method.ContainingType, file)
            ? new WholeFileRead(read, call, local, isAsync)
            : null;
    }

    /// <summary><c>var lines = File.ReadAllLines(p); foreach (var line in lines)</c> with no other use of <c>lines</c>.</summary>
    private static WholeFileRead? FromLocal(IForEachLoopOperation loop, ILocalSymbol local, INamedTypeSymbol file)
    {
        if (local.IsRef || local.IsConst || local.Type is not IArrayTypeSymbol)
        {
            return null;
        }

        IOperation? initializer = null;
        var references = 0;
        foreach (var descendant in LocalUses.Root(loop).Descendants())
        {
            if (descendant is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local))
            {
                references++;
            }
            else if (descendant is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local))
            {
                initializer = declarator.Initializer?.Value;
            }
        }

        return references == 1 && initializer is not null ? Classify(initializer.WalkDownConversions(), file, local) : null;
    }
}
