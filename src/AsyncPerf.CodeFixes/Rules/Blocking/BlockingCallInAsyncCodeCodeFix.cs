using System.Composition;
using AsyncPerf.Infrastructure;
using AsyncPerf.Rules.Blocking;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Simplification;

namespace AsyncPerf.CodeFixes.Rules.Blocking;

/// <summary>
/// AP2002: <c>x.Read(...)</c> → <c>await x.ReadAsync(..., ct)</c>, <c>Thread.Sleep(ms)</c> → <c>await Task.Delay(ms, ct)</c>,
/// forwarding the innermost CancellationToken in scope when an overload takes one. Offered only when the awaited
/// overload exists on the target framework and yields the same type as the blocking call.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BlockingCallInAsyncCodeCodeFix)), Shared]
public sealed class BlockingCallInAsyncCodeCodeFix : CodeFixProvider, IDocumentFixer
{
    internal const string EquivalenceKey = "AP2002.AwaitAsyncOverload";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.BlockingCallInAsyncCode);

    public override FixAllProvider GetFixAllProvider() => DocumentFixAll.Create(this);

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var semanticModel = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || semanticModel is null)
        {
            return;
        }

        var options = await ReadExtraPairsAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (Plan(root, semanticModel, diagnostic, options, context.CancellationToken) is { } plan)
            {
                context.RegisterCodeFix(
                    CodeAction.Create($"Await '{plan.AsyncName}'", ct => FixDocumentAsync(context.Document, ImmutableArray.Create(diagnostic), EquivalenceKey, ct), EquivalenceKey),
                    diagnostic);
            }
        }
    }

    public async Task<Document> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? equivalenceKey, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var semanticModel = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || semanticModel is null)
        {
            return document;
        }

        var extraPairs = await ReadExtraPairsAsync(document, cancellationToken).ConfigureAwait(false);
        var editor = new SyntaxEditor(root, document.Project.Solution.Services);
        var addsImport = false;
        foreach (var diagnostic in diagnostics)
        {
            if (Plan(root, semanticModel, diagnostic, extraPairs, cancellationToken) is not { } plan)
            {
                continue;
            }

            addsImport |= plan.AsyncTypeName is not null;
            editor.ReplaceNode(plan.Invocation, (current, _) => Rewrite((InvocationExpressionSyntax)current, plan).WithTriviaFrom(current));
        }

        var changed = document.WithSyntaxRoot(editor.GetChangedRoot());
        return addsImport
            ? await ImportAdder.AddImportsAsync(changed, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false)
            : changed;
    }

    private sealed record FixPlan(InvocationExpressionSyntax Invocation, string AsyncName, string? AsyncTypeName, string? Token, string? TokenParameterName);

    private static FixPlan? Plan(SyntaxNode root, SemanticModel semanticModel, Diagnostic diagnostic, ImmutableArray<BlockingPair> extraPairs, CancellationToken cancellationToken)
    {
        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not { } node
            || node.FirstAncestorOrSelf<InvocationExpressionSyntax>(n => n.Span == diagnostic.Location.SourceSpan) is not { } invocation
            || !SyntaxHelpers.CanAwaitAt(invocation)
            || semanticModel.GetOperation(invocation, cancellationToken) is not IInvocationOperation operation)
        {
            return null;
        }

        var matcher = new BlockingCallMatcher(semanticModel.Compilation, BlockingCallTable.BuiltIn.Concat(extraPairs));
        if (matcher.Match(operation) is not { } match)
        {
            return null;
        }

        var known = KnownTypes.Get(semanticModel.Compilation);
        var containing = semanticModel.GetEnclosingSymbol(invocation.SpanStart, cancellationToken);
        var token = containing is null ? null : TokenScope.Find(operation, containing, known).FirstOrDefault();

        // Prefer the overload that takes the token in scope; otherwise the one with exactly the same parameters.
        IMethodSymbol? overload = null;
        string? tokenExpression = null;
        if (token is not null && match.WithToken is { } withToken && matcher.IsResultCompatible(operation.TargetMethod, withToken))
        {
            overload = withToken;
            tokenExpression = token.Expression;
        }
        else if (match.Exact is { } exact && matcher.IsResultCompatible(operation.TargetMethod, exact))
        {
            overload = exact;
        }
        else if (match.WithToken is { } optionalToken && optionalToken.Parameters[optionalToken.Parameters.Length - 1].IsOptional
                 && matcher.IsResultCompatible(operation.TargetMethod, optionalToken))
        {
            overload = optionalToken;
        }

        if (overload is null || !IsMechanical(invocation))
        {
            return null;
        }

        var tokenParameter = tokenExpression is null ? null : overload.Parameters[overload.Parameters.Length - 1].Name;
        return new FixPlan(invocation, match.Pair.AsyncMethod, match.Pair.AsyncTypeName, tokenExpression, tokenParameter);
    }

    /// <summary>The call is <c>receiver.Name(...)</c>, <c>Type.Name(...)</c> or <c>Name(...)</c> (also generic): a rename keeps it valid.</summary>
    private static bool IsMechanical(InvocationExpressionSyntax invocation) =>
        invocation.Expression is MemberAccessExpressionSyntax { Name: IdentifierNameSyntax or GenericNameSyntax }
            or IdentifierNameSyntax or GenericNameSyntax
            or MemberBindingExpressionSyntax;

    private static ExpressionSyntax Rewrite(InvocationExpressionSyntax invocation, FixPlan plan)
    {
        var renamed = invocation.Expression switch
        {
            MemberAccessExpressionSyntax access when plan.AsyncTypeName is not null =>
                (ExpressionSyntax)SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, SyntaxHelpers.QualifiedType(plan.AsyncTypeName), Rename(access.Name, plan.AsyncName)),
            MemberAccessExpressionSyntax access => access.WithName(Rename(access.Name, plan.AsyncName)),
            SimpleNameSyntax name when plan.AsyncTypeName is not null =>
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, SyntaxHelpers.QualifiedType(plan.AsyncTypeName), Rename(name, plan.AsyncName)),
            SimpleNameSyntax name => Rename(name, plan.AsyncName),
            _ => invocation.Expression,
        };

        var arguments = invocation.ArgumentList;
        if (plan.Token is not null)
        {
            var tokenArgument = SyntaxFactory.Argument(SyntaxFactory.ParseExpression(plan.Token));
            if (arguments.Arguments.Any(a => a.NameColon is not null))
            {
                tokenArgument = tokenArgument.WithNameColon(SyntaxFactory.NameColon(plan.TokenParameterName!));
            }

            arguments = arguments.WithArguments(arguments.Arguments.Add(tokenArgument));
        }

        return SyntaxHelpers.Await(invocation.WithExpression(renamed).WithArgumentList(arguments));
    }

    private static SimpleNameSyntax Rename(SimpleNameSyntax name, string newName) =>
        name is GenericNameSyntax generic
            ? generic.WithIdentifier(SyntaxFactory.Identifier(newName).WithTriviaFrom(generic.Identifier))
            : SyntaxFactory.IdentifierName(SyntaxFactory.Identifier(newName).WithTriviaFrom(name.Identifier));

    private static async Task<ImmutableArray<BlockingPair>> ReadExtraPairsAsync(Document document, CancellationToken cancellationToken)
    {
        var tree = await document.GetSyntaxTreeAsync(cancellationToken).ConfigureAwait(false);
        if (tree is null)
        {
            return ImmutableArray<BlockingPair>.Empty;
        }

        return BlockingCallTable.ParseExtraPairs(BlockingCallInAsyncCodeAnalyzer.ExtraPairs.Read(document.Project.AnalyzerOptions, tree));
    }
}
