using System.Composition;
using AsyncPerf.Infrastructure;
using AsyncPerf.Rules.Blocking;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Simplification;

namespace AsyncPerf.CodeFixes.Rules.Blocking;

/// <summary>
/// AP2001: replaces the blocking wait with <c>await</c> in async code, and in a synchronous <c>static Main</c>
/// first makes Main <c>async Task</c> / <c>async Task&lt;int&gt;</c>. In a private or internal synchronous method whose
/// callers can all await, a second fix makes the method async (renamed <c>…Async</c>) and awaits it at every call
/// site (<see cref="AsyncMethodConversion"/>). Elsewhere no fix is offered.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SyncOverAsyncCodeFix)), Shared]
public sealed class SyncOverAsyncCodeFix : CodeFixProvider, IDocumentFixer
{
    internal const string EquivalenceKey = "AP2001.Await";
    private const string Title = "Await the task instead of blocking";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.SyncOverAsync);

    public override FixAllProvider GetFixAllProvider() => DocumentFixAll.Create(this);

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var semanticModel = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || semanticModel is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (Plan(root, semanticModel, diagnostic, context.CancellationToken) is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(Title, ct => FixDocumentAsync(context.Document, ImmutableArray.Create(diagnostic), EquivalenceKey, ct), EquivalenceKey),
                    diagnostic);
            }
            else if (await PlanMethodConversionAsync(context.Document, root, semanticModel, diagnostic, context.CancellationToken).ConfigureAwait(false) is { } conversion)
            {
                var name = conversion.Declaration.Identifier.ValueText;
                var title = conversion.NewName == name ? $"Make '{name}' async and await it" : $"Make '{name}' async ('{conversion.NewName}') and await it";
                context.RegisterCodeFix(
                    CodeAction.Create(title, ct => FixDocumentAsync(context.Document, ImmutableArray.Create(diagnostic), EquivalenceKey, ct), EquivalenceKey),
                    diagnostic);
            }
        }
    }

    /// <summary>The conversion of the synchronous private/internal method around a wait that await could replace once the method is async.</summary>
    private static async Task<AsyncMethodConversion?> PlanMethodConversionAsync(Document document, SyntaxNode root, SemanticModel semanticModel, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        Plan(root, semanticModel, diagnostic, cancellationToken, assumeMethodAsync: true) is { } plan && !SyntaxHelpers.CanAwaitAt(plan.Node) && plan.MainToConvert is null
            ? await AsyncMethodConversion.TryPlanAsync(document, semanticModel, plan.Node, cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>
    /// Makes each method async with its callers, and awaits every wait in it that the analyzer reports (not only the
    /// diagnostics passed in), so that fixing one diagnostic and FixAll give the same code. Returns whether it changed anything.
    /// Both fixes share one equivalence key (only one of them is ever offered for a diagnostic), so FixAll and
    /// <c>dotnet format</c> apply each where it fits.
    /// </summary>
    private static async Task<bool> MakeMethodsAsync(Document document, SyntaxNode root, SemanticModel semanticModel, IEnumerable<Diagnostic> diagnostics, SyntaxEditor editor, CancellationToken cancellationToken)
    {
        var conversions = new Dictionary<MethodDeclarationSyntax, AsyncMethodConversion>();
        foreach (var diagnostic in diagnostics)
        {
            if (await PlanMethodConversionAsync(document, root, semanticModel, diagnostic, cancellationToken).ConfigureAwait(false) is { } conversion
                && !conversions.ContainsKey(conversion.Declaration))
            {
                conversions.Add(conversion.Declaration, conversion);
            }
        }

        if (conversions.Count == 0)
        {
            return false;
        }

        var analyzers = semanticModel.Compilation.WithAnalyzers(
            ImmutableArray.Create<DiagnosticAnalyzer>(new SyncOverAsyncAnalyzer()), document.Project.AnalyzerOptions);
        foreach (var conversion in conversions.Values)
        {
            var waits = await analyzers.GetAnalyzerSemanticDiagnosticsAsync(semanticModel, conversion.Declaration.Span, cancellationToken).ConfigureAwait(false);
            foreach (var wait in waits.Where(d => d.Id == DiagnosticIds.SyncOverAsync).OrderBy(d => d.Location.SourceSpan.Start))
            {
                if (Plan(root, semanticModel, wait, cancellationToken, assumeMethodAsync: true) is { MainToConvert: null } plan
                    && SyntaxHelpers.EnclosingFunction(plan.Node) == conversion.Declaration)
                {
                    editor.ReplaceNode(plan.Node, (current, _) => plan.Rewrite(current).WithTriviaFrom(current));
                }
            }

            conversion.Apply(editor);
        }

        return true;
    }

    public async Task<Document> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? equivalenceKey, CancellationToken cancellationToken)
    {
        if (await DocumentFixAll.OpenAsync(document, cancellationToken).ConfigureAwait(false) is not { } open)
        {
            return document;
        }

        var (root, semanticModel, editor) = open;
        var mainsToConvert = new HashSet<MethodDeclarationSyntax>();
        var inSynchronousMethods = new List<Diagnostic>();
        foreach (var diagnostic in diagnostics)
        {
            if (Plan(root, semanticModel, diagnostic, cancellationToken) is not { } plan)
            {
                inSynchronousMethods.Add(diagnostic);
                continue;
            }

            editor.ReplaceNode(plan.Node, (current, _) => plan.Rewrite(current).WithTriviaFrom(current));
            if (plan.MainToConvert is { } main)
            {
                mainsToConvert.Add(main);
            }
        }

        foreach (var main in mainsToConvert)
        {
            editor.ReplaceNode(main, (current, _) => MakeMainAsync((MethodDeclarationSyntax)current));
        }

        var convertedMethods = await MakeMethodsAsync(document, root, semanticModel, inSynchronousMethods, editor, cancellationToken).ConfigureAwait(false);
        var changed = document.WithSyntaxRoot(editor.GetChangedRoot());
        return mainsToConvert.Count == 0 && !convertedMethods
            ? changed
            : await ImportAdder.AddImportsAsync(changed, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private sealed record FixPlan(ExpressionSyntax Node, Func<SyntaxNode, ExpressionSyntax> Rewrite, MethodDeclarationSyntax? MainToConvert);

    private static FixPlan? Plan(SyntaxNode root, SemanticModel semanticModel, Diagnostic diagnostic, CancellationToken cancellationToken, bool assumeMethodAsync = false)
    {
        if (!diagnostic.Properties.TryGetValue(SyncOverAsyncAnalyzer.KindProperty, out var kind)
            || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax node)
        {
            return null;
        }

        node = node.FirstAncestorOrSelf<ExpressionSyntax>(n => n.Span == diagnostic.Location.SourceSpan && n is MemberAccessExpressionSyntax or InvocationExpressionSyntax) ?? node;

        MethodDeclarationSyntax? main = null;
        if (!SyntaxHelpers.CanAwaitAt(node))
        {
            if (assumeMethodAsync)
            {
                // Would await be legal here once the enclosing method is async (not in a lock, query clause...)?
                if (SyntaxHelpers.EnclosingFunction(node) is not MethodDeclarationSyntax method || !SyntaxHelpers.CanAwaitAt(AddAsyncModifierForCheck(method, node)))
                {
                    return null;
                }
            }
            else
            {
                main = SynchronousMain(node, semanticModel, cancellationToken);
                if (main is null)
                {
                    return null;
                }
            }
        }

        Func<SyntaxNode, ExpressionSyntax>? rewrite = kind switch
        {
            SyncOverAsyncAnalyzer.ResultKind when node is MemberAccessExpressionSyntax => current => SyntaxHelpers.Await(((MemberAccessExpressionSyntax)current).Expression),
            SyncOverAsyncAnalyzer.GetResultKind when node is InvocationExpressionSyntax => current => SyntaxHelpers.Await(AwaitableOfGetResult((InvocationExpressionSyntax)current)),
            SyncOverAsyncAnalyzer.WaitKind when node is InvocationExpressionSyntax invocation => PlanWait(invocation, semanticModel, cancellationToken),
            SyncOverAsyncAnalyzer.WaitAllKind or SyncOverAsyncAnalyzer.WaitAnyKind when node is InvocationExpressionSyntax invocation => PlanWaitAllOrAny(invocation, semanticModel, cancellationToken),
            _ => null,
        };

        return rewrite is null ? null : new FixPlan(node, rewrite, main);
    }

    /// <summary><c>x.Wait()</c> → <c>await x</c>; <c>x.Wait(ct)</c> → <c>await x.WaitAsync(ct)</c> where the target has it; timeouts: no fix.</summary>
    private static Func<SyntaxNode, ExpressionSyntax>? PlanWait(InvocationExpressionSyntax invocation, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (invocation.Expression is not MemberAccessExpressionSyntax || semanticModel.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol method)
        {
            return null;
        }

        if (method.Parameters.Length == 0)
        {
            return current => SyntaxHelpers.Await(((MemberAccessExpressionSyntax)((InvocationExpressionSyntax)current).Expression).Expression);
        }

        if (method.Parameters.Length == 1 && IsCancellationToken(method.Parameters[0].Type) && HasWaitAsyncWithToken(method.ContainingType))
        {
            return current =>
            {
                var wait = (InvocationExpressionSyntax)current;
                var access = (MemberAccessExpressionSyntax)wait.Expression;
                return SyntaxHelpers.Await(wait.WithExpression(access.WithName(SyntaxFactory.IdentifierName("WaitAsync"))));
            };
        }

        return null;
    }

    /// <summary>
    /// <c>Task.WaitAll(a, b)</c> → <c>await Task.WhenAll(a, b)</c>; with a token → <c>await Task.WhenAll(tasks).WaitAsync(ct)</c>;
    /// <c>Task.WaitAny</c> only where its index is unused. Timeouts: no fix (they return instead of throwing).
    /// </summary>
    private static Func<SyntaxNode, ExpressionSyntax>? PlanWaitAllOrAny(InvocationExpressionSyntax invocation, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (invocation.Expression is not MemberAccessExpressionSyntax || semanticModel.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol method)
        {
            return null;
        }

        var isWaitAny = method.Name == "WaitAny";
        if (isWaitAny && invocation.Parent is not ExpressionStatementSyntax)
        {
            return null;
        }

        var whenName = isWaitAny ? "WhenAny" : "WhenAll";
        var parameters = method.Parameters;
        if (parameters.Any(p => p.Type.SpecialType == SpecialType.System_Int32 || p.Type.Name == "TimeSpan"))
        {
            return null;
        }

        var tokenIndex = parameters.Length == 2 && IsCancellationToken(parameters[1].Type) ? 1 : -1;
        if (tokenIndex < 0)
        {
            return current =>
            {
                var wait = (InvocationExpressionSyntax)current;
                var access = (MemberAccessExpressionSyntax)wait.Expression;
                return SyntaxHelpers.Await(wait.WithExpression(access.WithName(SyntaxFactory.IdentifierName(whenName))));
            };
        }

        if (!HasWaitAsyncWithToken(method.ContainingType) || invocation.ArgumentList.Arguments.Count != 2 || invocation.ArgumentList.Arguments.Any(a => a.NameColon is not null))
        {
            return null;
        }

        return current =>
        {
            var wait = (InvocationExpressionSyntax)current;
            var access = (MemberAccessExpressionSyntax)wait.Expression;
            var arguments = wait.ArgumentList.Arguments;
            var when = SyntaxFactory.InvocationExpression(
                access.WithName(SyntaxFactory.IdentifierName(whenName)),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(arguments[0])));
            var waitAsync = SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, when, SyntaxFactory.IdentifierName("WaitAsync")),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(arguments[1].WithoutLeadingTrivia())));
            return SyntaxHelpers.Await(waitAsync);
        };
    }

    /// <summary><c>x.GetAwaiter().GetResult()</c> → <c>x</c> (a ConfigureAwait(false) in x is kept).</summary>
    private static ExpressionSyntax AwaitableOfGetResult(InvocationExpressionSyntax getResult)
    {
        var getAwaiter = (InvocationExpressionSyntax)((MemberAccessExpressionSyntax)getResult.Expression).Expression;
        return ((MemberAccessExpressionSyntax)getAwaiter.Expression).Expression;
    }

    /// <summary>The synchronous <c>static void Main</c> / <c>static int Main</c> that directly contains the node, if any.</summary>
    private static MethodDeclarationSyntax? SynchronousMain(SyntaxNode node, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (SyntaxHelpers.EnclosingFunction(node) is not MethodDeclarationSyntax { Identifier.ValueText: "Main" } method
            || !method.Modifiers.Any(SyntaxKind.StaticKeyword)
            || method.Modifiers.Any(SyntaxKind.AsyncKeyword)
            || method.ParameterList.Parameters.Any(p => p.Modifiers.Count > 0)
            || !SyntaxHelpers.CanAwaitAt(AddAsyncModifierForCheck(method, node)))
        {
            return null;
        }

        if (semanticModel.GetDeclaredSymbol(method, cancellationToken) is not { } symbol
            || symbol.ReturnType.SpecialType is not (SpecialType.System_Void or SpecialType.System_Int32)
            || semanticModel.Compilation.GetTypeByMetadataName("System.Threading.Tasks.Task") is null)
        {
            return null;
        }

        return method;
    }

    /// <summary>The node as it would sit in an async Main, to ask whether await would be legal there (lock, query clause...).</summary>
    private static SyntaxNode AddAsyncModifierForCheck(MethodDeclarationSyntax method, SyntaxNode node)
    {
        var annotation = new SyntaxAnnotation();
        var annotatedMethod = method.ReplaceNode(node, node.WithAdditionalAnnotations(annotation));
        var asyncMethod = SyntaxHelpers.AddAsyncModifier(annotatedMethod);
        return asyncMethod.GetAnnotatedNodes(annotation).First();
    }

    private static MethodDeclarationSyntax MakeMainAsync(MethodDeclarationSyntax main)
    {
        var returnsInt = main.ReturnType is PredefinedTypeSyntax predefined && predefined.Keyword.IsKind(SyntaxKind.IntKeyword);
        var taskType = SyntaxHelpers.QualifiedType(returnsInt ? "System.Threading.Tasks.Task<int>" : "System.Threading.Tasks.Task")
            .WithTriviaFrom(main.ReturnType);
        return SyntaxHelpers.AddAsyncModifier(main.WithReturnType(taskType));
    }

    private static bool IsCancellationToken(ITypeSymbol type) =>
        type is { Name: "CancellationToken", ContainingNamespace: { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } };

    /// <summary>Task.WaitAsync(CancellationToken) exists on .NET 6 and later only.</summary>
    private static bool HasWaitAsyncWithToken(INamedTypeSymbol taskType) =>
        taskType.GetMembers("WaitAsync").OfType<IMethodSymbol>().Any(m => m.Parameters.Length == 1 && IsCancellationToken(m.Parameters[0].Type));
}
