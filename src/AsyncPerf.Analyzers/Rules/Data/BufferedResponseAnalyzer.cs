using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Data;

/// <summary>
/// AP5002: <c>await client.GetAsync(url)</c> / <c>await client.SendAsync(request)</c> without an HttpCompletionOption whose
/// response content is then read with <c>ReadAsStreamAsync</c> or <c>CopyToAsync</c>: the default
/// <c>ResponseContentRead</c> buffers the whole body before the stream is handed out.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BufferedResponseAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property telling the fix what to do; absent when no fix is offered.</summary>
    internal const string FixKey = "AP5002.Fix";

    /// <summary>The response is already disposed (<c>using</c>): only the completion option is added.</summary>
    internal const string FixOptionOnly = "OptionOnly";

    /// <summary>The response local is not disposed: the fix also makes its declaration a <c>using</c> declaration.</summary>
    internal const string FixAddUsing = "AddUsing";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.BufferedResponse);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownTypes.Get(start.Compilation);
            if (known.HttpClient is null || known.HttpContent is null || known.HttpCompletionOption is null)
            {
                return;
            }

            var scope = CodeScope.For(start.Compilation, start.Options, DiagnosticIds.BufferedResponse);
            start.RegisterOperationAction(c => Analyze(c, known, scope), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes known, CodeScope scope)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (method.Name is not ("GetAsync" or "SendAsync")
            || scope.IsQuiet(invocation.Syntax.SyntaxTree)
            || method.IsStatic
            || !method.ContainingType.InheritsFromOrIs(known.HttpClient)
            || method.Parameters.Any(p => p.Type.Is(known.HttpCompletionOption))
            || AwaitedValue.AwaitOf(invocation) is not { } awaitOperation)
        {
            return;
        }

        var contentUses = new List<IOperation>();
        var response = LocalUses.InitializedLocal(awaitOperation);
        var responseEscapes = false;
        if (response is not null)
        {
            foreach (var reference in LocalUses.References(LocalUses.Root(invocation), response))
            {
                var parent = LocalUses.ParentSkippingConversions(reference, out var child);
                if (parent is IPropertyReferenceOperation { Property.Name: "Content" } content && content.Instance == child)
                {
                    contentUses.Add(content);
                }
                else if (!IsMemberAccessOn(parent, child))
                {
                    responseEscapes = true;
                }
            }
        }
        else if (LocalUses.ParentSkippingConversions(awaitOperation, out var awaited) is IPropertyReferenceOperation { Property.Name: "Content" } inlineContent
            && inlineContent.Instance == awaited)
        {
            contentUses.Add(inlineContent);
        }

        var streamReads = new List<IInvocationOperation>();
        foreach (var content in contentUses)
        {
            if (!Classify(content, streamReads))
            {
                // Read as a string or bytes too: the buffer is needed anyway.
                return;
            }
        }

        if (streamReads.Count == 0 || !scope.Reports(invocation, context.ContainingSymbol))
        {
            return;
        }

        var properties = ImmutableDictionary<string, string?>.Empty;
        if (FixFor(invocation, known, response, responseEscapes, streamReads) is { } fix)
        {
            properties = properties.Add(FixKey, fix);
        }

        context.ReportDiagnostic(Diagnostic.Create(Descriptors.BufferedResponse, invocation.Syntax.GetLocation(), properties, method.Name));
    }

    private static bool IsMemberAccessOn(IOperation? parent, IOperation child) => parent switch
    {
        IInvocationOperation invocation => invocation.Instance == child,
        IPropertyReferenceOperation property => property.Instance == child,
        IFieldReferenceOperation field => field.Instance == child,
        _ => false,
    };

    /// <summary>Collects the stream reads of one <c>response.Content</c>; false when the content is also read as a string or bytes.</summary>
    private static bool Classify(IOperation content, List<IInvocationOperation> streamReads)
    {
        var parent = LocalUses.ParentSkippingConversions(content, out var child);
        if (parent is IInvocationOperation invocation && invocation.Instance == child)
        {
            return ClassifyCall(invocation, streamReads);
        }

        // var content = response.Content; content.ReadAsStreamAsync() ...
        if (LocalUses.InitializedLocal(content) is { } contentLocal)
        {
            foreach (var reference in LocalUses.References(LocalUses.Root(content), contentLocal))
            {
                if (LocalUses.ParentSkippingConversions(reference, out var referenceChild) is IInvocationOperation call && call.Instance == referenceChild
                    && !ClassifyCall(call, streamReads))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool ClassifyCall(IInvocationOperation call, List<IInvocationOperation> streamReads)
    {
        switch (call.TargetMethod.Name)
        {
            case "ReadAsStreamAsync" or "CopyToAsync":
                streamReads.Add(call);
                return true;
            case "ReadAsStringAsync" or "ReadAsByteArrayAsync" or "LoadIntoBufferAsync" or "ReadAsString" or "ReadAsByteArray" or "LoadIntoBuffer":
                return false;
            default:
                return true;
        }
    }

    /// <summary>What the fix can do safely, or null for no fix.</summary>
    private static string? FixFor(IInvocationOperation invocation, KnownTypes known, ILocalSymbol? response, bool responseEscapes, List<IInvocationOperation> streamReads)
    {
        if (response is null || !HasOverloadWithOption(invocation.TargetMethod, known)
            || invocation.Syntax is not InvocationExpressionSyntax
            || response.DeclaringSyntaxReferences.Length != 1
            || response.DeclaringSyntaxReferences[0].GetSyntax() is not VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax declaration })
        {
            return null;
        }

        if (declaration.Parent is UsingStatementSyntax || declaration.Parent is LocalDeclarationStatementSyntax { UsingKeyword.RawKind: not 0 })
        {
            return FixOptionOnly;
        }

        if (responseEscapes
            || declaration.Parent is not LocalDeclarationStatementSyntax { Parent: BlockSyntax or GlobalStatementSyntax } statement
            || statement.IsConst
            || declaration.Variables.Count != 1
            || ((CSharpParseOptions)statement.SyntaxTree.Options).LanguageVersion < LanguageVersion.CSharp8
            || StreamLeavesTheFunction(LocalUses.Root(invocation), response, streamReads))
        {
            return null;
        }

        return FixAddUsing;
    }

    /// <summary>Has the client an overload of the same call that takes (request, HttpCompletionOption[, CancellationToken])?</summary>
    private static bool HasOverloadWithOption(IMethodSymbol method, KnownTypes known)
    {
        if (method.Parameters.Length is 0 or > 2
            || (method.Parameters.Length == 2 && !known.IsCancellationToken(method.Parameters[1].Type)))
        {
            return false;
        }

        var types = new List<ITypeSymbol?> { method.Parameters[0].Type, known.HttpCompletionOption };
        if (method.Parameters.Length == 2)
        {
            types.Add(method.Parameters[1].Type);
        }

        return method.ContainingType.FindMethod(method.Name, isStatic: false, types.ToArray()) is not null;
    }

    /// <summary>
    /// Is the response, the stream, or a local holding the stream returned (or yielded)? A <c>using</c> on the response
    /// would then dispose what the caller still reads.
    /// </summary>
    private static bool StreamLeavesTheFunction(IOperation root, ILocalSymbol response, List<IInvocationOperation> streamReads)
    {
        var watched = new HashSet<ISymbol>(SymbolEqualityComparer.Default) { response };
        foreach (var read in streamReads)
        {
            if (AwaitedValue.AwaitOf(read) is { } awaited && LocalUses.InitializedLocal(awaited) is { } streamLocal)
            {
                watched.Add(streamLocal);
            }
        }

        foreach (var descendant in root.Descendants())
        {
            if (descendant is IReturnOperation { ReturnedValue: { } value }
                && (streamReads.Any(r => r.IsWithin(value)) || value.DescendantsAndSelf().Any(o => o is ILocalReferenceOperation local && watched.Contains(local.Local))))
            {
                return true;
            }
        }

        return false;
    }
}
