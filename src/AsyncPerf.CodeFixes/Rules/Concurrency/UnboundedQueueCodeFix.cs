using System.Composition;
using System.Globalization;
using AsyncPerf.Infrastructure;
using AsyncPerf.Rules.Concurrency;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.CodeFixes.Rules.Concurrency;

/// <summary>
/// AP1003: <c>Channel.CreateUnbounded&lt;T&gt;(options)</c> becomes <c>Channel.CreateBounded&lt;T&gt;(new BoundedChannelOptions(C) { ..., FullMode = BoundedChannelFullMode.Wait })</c>
/// keeping the settings of the unbounded options; <c>new BlockingCollection&lt;T&gt;(...)</c> gets the bounded capacity C
/// (<c>asyncperf.AP1003.capacity</c>). Not offered where the same element type is written with <c>TryWrite</c>/<c>TryAdd</c>
/// in the containing type: on a full bounded queue those return false and the item would be lost silently.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnboundedQueueCodeFix)), Shared]
public sealed class UnboundedQueueCodeFix : CodeFixProvider, IDocumentFixer
{
    internal const string EquivalenceKey = "AP1003.Bounded";
    private const string Title = "Use a bounded queue that makes producers wait";
    private const string Options = "global::System.Threading.Channels.BoundedChannelOptions";
    private const string FullModeWait = "global::System.Threading.Channels.BoundedChannelFullMode.Wait";

    private static readonly string[] s_channelSettings = { "SingleReader", "SingleWriter", "AllowSynchronousContinuations" };

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnboundedQueue);

    public override FixAllProvider GetFixAllProvider() => DocumentFixAll.Create(this);

    public override Task RegisterCodeFixesAsync(CodeFixContext context) =>
        DocumentFixAll.RegisterEachAsync(context, this, Title, EquivalenceKey, static (root, semanticModel, diagnostic, ct) => Plan(root, semanticModel, diagnostic, ct) is not null);

    public Task<Document> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? equivalenceKey, CancellationToken cancellationToken) =>
        DocumentFixAll.RewriteEachAsync(document, diagnostics, Plan, cancellationToken);

    private static NodeRewrite? Plan(SyntaxNode root, SemanticModel semanticModel, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (!diagnostic.Properties.TryGetValue(UnboundedQueueAnalyzer.CapacityProperty, out var capacityText)
            || !int.TryParse(capacityText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var capacity))
        {
            capacity = UnboundedQueueAnalyzer.Capacity.Default;
        }

        var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true)
            .FirstAncestorOrSelf<ExpressionSyntax>(n => n is BaseObjectCreationExpressionSyntax or InvocationExpressionSyntax && n.Span == diagnostic.Location.SourceSpan);
        switch (node is null ? null : semanticModel.GetOperation(node, cancellationToken))
        {
            case IInvocationOperation { TargetMethod: { Name: "CreateUnbounded", TypeArguments.Length: 1 } method } invocation
                when node is InvocationExpressionSyntax syntax
                && !WrittenWithTry(node, semanticModel, "TryWrite", "System.Threading.Channels.ChannelWriter`1", method.TypeArguments[0], cancellationToken):
                return PlanChannel(syntax, invocation, capacity);
            case IObjectCreationOperation { Type: INamedTypeSymbol { TypeArguments.Length: 1 } type }
                when node is BaseObjectCreationExpressionSyntax creation
                && !WrittenWithTry(node, semanticModel, "TryAdd", "System.Collections.Concurrent.BlockingCollection`1", type.TypeArguments[0], cancellationToken):
                return new NodeRewrite(creation, current => AddCapacity((BaseObjectCreationExpressionSyntax)current, capacity));
            default:
                return null;
        }
    }

    private static NodeRewrite? PlanChannel(InvocationExpressionSyntax syntax, IInvocationOperation invocation, int capacity)
    {
        if (invocation.Arguments.Length > 1)
        {
            return null;
        }

        Func<ExpressionSyntax?, ExpressionSyntax> makeOptions;
        if (invocation.Arguments.Length == 0)
        {
            makeOptions = _ => NewOptions(capacity, null);
        }
        else
        {
            var value = invocation.Arguments[0].Value.WalkDownConversions();
            switch (value)
            {
                case IObjectCreationOperation { Arguments.Length: 0 } when invocation.Arguments[0].Syntax is ArgumentSyntax { Expression: BaseObjectCreationExpressionSyntax }:
                    makeOptions = current => NewOptions(capacity, ((BaseObjectCreationExpressionSyntax)current!).Initializer is { } initializer
                        ? initializer.WithOpenBraceToken(initializer.OpenBraceToken.WithLeadingTrivia(
                            initializer.OpenBraceToken.GetPreviousToken().TrailingTrivia.AddRange(initializer.OpenBraceToken.LeadingTrivia) is { Count: > 0 } before ? before : SyntaxFactory.TriviaList(SyntaxFactory.Space)))
                        : null);
                    break;
                case ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation }
                    when invocation.Arguments[0].Syntax is ArgumentSyntax:
                    makeOptions = current => NewOptions(capacity, CopiedSettings(current!));
                    break;
                default:
                    return null;
            }
        }

        return new NodeRewrite(syntax, current =>
        {
            var call = (InvocationExpressionSyntax)current;
            var renamed = call.Expression switch
            {
                MemberAccessExpressionSyntax { Name: GenericNameSyntax name } access => access.WithName(Rename(name)),
                GenericNameSyntax name => Rename(name),
                _ => call.Expression,
            };
            var arguments = call.ArgumentList.Arguments;
            var argumentList = arguments.Count == 0
                ? call.ArgumentList.WithArguments(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(makeOptions(null))))
                : call.ArgumentList.WithArguments(arguments.Replace(arguments[0], arguments[0].WithExpression(makeOptions(arguments[0].Expression).WithTriviaFrom(arguments[0].Expression))));
            return call.WithExpression(renamed).WithArgumentList(argumentList);
        });
    }

    private static GenericNameSyntax Rename(GenericNameSyntax name) =>
        name.WithIdentifier(SyntaxFactory.Identifier(name.Identifier.LeadingTrivia, "CreateBounded", name.Identifier.TrailingTrivia));

    /// <summary><c>new BoundedChannelOptions(capacity) { &lt;settings&gt;, FullMode = BoundedChannelFullMode.Wait }</c>.</summary>
    private static ExpressionSyntax NewOptions(int capacity, InitializerExpressionSyntax? settings)
    {
        var creation = SyntaxFactory.ObjectCreationExpression(
            SyntaxFactory.Token(SyntaxKind.NewKeyword).WithTrailingTrivia(SyntaxFactory.Space),
            SyntaxHelpers.QualifiedType(Options),
            InitializerHelpers.ArgumentList(new[] { SyntaxFactory.Argument(SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(capacity))) }),
            settings);
        return InitializerHelpers.AddToInitializer(creation, InitializerHelpers.Assignment("FullMode", InitializerHelpers.Qualified(FullModeWait)));
    }

    /// <summary><c>{ SingleReader = options.SingleReader, ... }</c> for options held in a variable.</summary>
    private static InitializerExpressionSyntax CopiedSettings(ExpressionSyntax options)
    {
        var assignments = s_channelSettings.Select(name => (ExpressionSyntax)InitializerHelpers.Assignment(
            name,
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, options.WithoutTrivia(), SyntaxFactory.IdentifierName(name))));
        var nodes = new List<SyntaxNodeOrToken>();
        foreach (var assignment in assignments)
        {
            if (nodes.Count > 0)
            {
                nodes.Add(SyntaxFactory.Token(default, SyntaxKind.CommaToken, SyntaxFactory.TriviaList(SyntaxFactory.Space)));
            }

            nodes.Add(assignment);
        }

        return SyntaxFactory.InitializerExpression(
            SyntaxKind.ObjectInitializerExpression,
            SyntaxFactory.Token(SyntaxFactory.TriviaList(SyntaxFactory.Space), SyntaxKind.OpenBraceToken, SyntaxFactory.TriviaList(SyntaxFactory.Space)),
            SyntaxFactory.SeparatedList<ExpressionSyntax>(nodes),
            SyntaxFactory.Token(SyntaxFactory.TriviaList(SyntaxFactory.Space), SyntaxKind.CloseBraceToken, default));
    }

    /// <summary><c>new BlockingCollection&lt;T&gt;(...)</c> with <c>boundedCapacity</c> added last (named when the others are).</summary>
    private static SyntaxNode AddCapacity(BaseObjectCreationExpressionSyntax creation, int capacity)
    {
        var value = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(capacity));
        var existing = creation.ArgumentList?.Arguments ?? default;
        var argument = existing.Any(a => a.NameColon is not null)
            ? SyntaxFactory.Argument(SyntaxFactory.NameColon(SyntaxFactory.IdentifierName("boundedCapacity")).WithTrailingTrivia(SyntaxFactory.Space), default, value)
            : SyntaxFactory.Argument(value);
        var argumentList = InitializerHelpers.ArgumentList(existing.Select(a => a.WithoutTrivia()).Concat(new[] { argument }).ToList());
        if (creation.ArgumentList is { } list)
        {
            return creation.WithArgumentList(argumentList.WithTriviaFrom(list));
        }

        var explicitCreation = (ObjectCreationExpressionSyntax)creation;
        return explicitCreation
            .WithType(explicitCreation.Type.WithoutTrailingTrivia())
            .WithArgumentList(argumentList.WithTrailingTrivia(explicitCreation.Type.GetTrailingTrivia()));
    }

    /// <summary>Does the containing type call <paramref name="method"/> on <paramref name="containingType"/> of the same element type?</summary>
    private static bool WrittenWithTry(SyntaxNode node, SemanticModel semanticModel, string method, string containingType, ITypeSymbol element, CancellationToken cancellationToken)
    {
        var scope = node.Ancestors().OfType<TypeDeclarationSyntax>().LastOrDefault() ?? (SyntaxNode)node.SyntaxTree.GetRoot(cancellationToken);
        var definition = semanticModel.Compilation.GetTypeByMetadataName(containingType);
        foreach (var call in scope.DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            var name = call.Expression switch
            {
                MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
                MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
                _ => null,
            };
            if (name == method
                && semanticModel.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol { ContainingType: { TypeArguments.Length: 1 } type }
                && (definition is null || type.OriginalDefinition.Is(definition))
                && type.TypeArguments[0].Is(element))
            {
                return true;
            }
        }

        return false;
    }
}
