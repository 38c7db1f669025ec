using System.Composition;
using AsyncPerf.Infrastructure;
using AsyncPerf.Rules.Pooling;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace AsyncPerf.CodeFixes.Rules.Pooling;

/// <summary>
/// AP4002: gives the long-lived HttpClient a <c>SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(N) }</c>:
/// a new handler for the default one, the property added to an existing SocketsHttpHandler, and an HttpClientHandler
/// replaced by a SocketsHttpHandler when every property it sets exists there with the same type.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NoPooledConnectionLifetimeCodeFix)), Shared]
public sealed class NoPooledConnectionLifetimeCodeFix : CodeFixProvider, IDocumentFixer
{
    internal const string EquivalenceKey = "AP4002.PooledConnectionLifetime";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.NoPooledConnectionLifetime);

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
                var minutes = Minutes(diagnostic);
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Set PooledConnectionLifetime to {minutes} minute{(minutes == "1" ? string.Empty : "s")}",
                        ct => FixDocumentAsync(context.Document, ImmutableArray.Create(diagnostic), EquivalenceKey, ct),
                        EquivalenceKey),
                    diagnostic);
            }
        }
    }

    public Task<Document> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? equivalenceKey, CancellationToken cancellationToken) =>
        DocumentFixAll.RewriteEachAsync(document, diagnostics, Plan, cancellationToken);

    private static string Minutes(Diagnostic diagnostic) =>
        diagnostic.Properties.TryGetValue(NoPooledConnectionLifetimeAnalyzer.LifetimeMinutesProperty, out var value) && int.TryParse(value, out var minutes) && minutes > 0
            ? minutes.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : NoPooledConnectionLifetimeAnalyzer.LifetimeMinutes.Default.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary><c>PooledConnectionLifetime = TimeSpan.FromMinutes(N)</c>.</summary>
    internal static AssignmentExpressionSyntax LifetimeAssignment(string minutes) =>
        InitializerHelpers.Assignment("PooledConnectionLifetime", InitializerHelpers.Qualified($"global::System.TimeSpan.FromMinutes({minutes})"));

    /// <summary><c>new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(N) }</c>.</summary>
    internal static ExpressionSyntax NewSocketsHandler(string minutes) =>
        InitializerHelpers.AddToInitializer(
            SyntaxFactory.ObjectCreationExpression(
                SyntaxFactory.Token(default, SyntaxKind.NewKeyword, default),
                SyntaxHelpers.QualifiedType("System.Net.Http.SocketsHttpHandler").WithLeadingTrivia(SyntaxFactory.Space),
                null,
                null),
            LifetimeAssignment(minutes));

    private static NodeRewrite? Plan(SyntaxNode root, SemanticModel semanticModel, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (!diagnostic.Properties.TryGetValue(NoPooledConnectionLifetimeAnalyzer.HandlerProperty, out var handler)
            || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true)
                .FirstAncestorOrSelf<BaseObjectCreationExpressionSyntax>(n => n.Span == diagnostic.Location.SourceSpan) is not { } client)
        {
            return null;
        }

        var minutes = Minutes(diagnostic);
        switch (handler)
        {
            case NoPooledConnectionLifetimeAnalyzer.DefaultHandler when client.ArgumentList is not { Arguments.Count: > 0 }:
                return new NodeRewrite(client, current => AddHandlerArgument((BaseObjectCreationExpressionSyntax)current, NewSocketsHandler(minutes)));

            case NoPooledConnectionLifetimeAnalyzer.SocketsHandler when HandlerCreation(client) is { } sockets:
                return new NodeRewrite(sockets, current => InitializerHelpers.AddToInitializer((BaseObjectCreationExpressionSyntax)current, LifetimeAssignment(minutes)));

            case NoPooledConnectionLifetimeAnalyzer.HttpClientHandler when HandlerCreation(client) is ObjectCreationExpressionSyntax classic
                                                                         && CanBecomeSocketsHandler(classic, semanticModel, cancellationToken):
                return new NodeRewrite(classic, current =>
                {
                    var creation = (ObjectCreationExpressionSyntax)current;
                    var renamed = creation.WithType(SyntaxHelpers.QualifiedType("System.Net.Http.SocketsHttpHandler").WithTriviaFrom(creation.Type));
                    return InitializerHelpers.AddToInitializer(renamed, LifetimeAssignment(minutes));
                });

            default:
                return null;
        }
    }

    private static BaseObjectCreationExpressionSyntax? HandlerCreation(BaseObjectCreationExpressionSyntax client)
    {
        if (client.ArgumentList is not { Arguments.Count: > 0 } arguments)
        {
            return null;
        }

        var expression = arguments.Arguments[0].Expression;
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        return expression as BaseObjectCreationExpressionSyntax;
    }

    /// <summary>An argument-less HttpClientHandler whose initializer only sets properties SocketsHttpHandler also has, with the same type.</summary>
    private static bool CanBecomeSocketsHandler(ObjectCreationExpressionSyntax handler, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (handler.ArgumentList is { Arguments.Count: > 0 }
            || semanticModel.Compilation.GetTypeByMetadataName("System.Net.Http.SocketsHttpHandler") is not { } sockets)
        {
            return false;
        }

        foreach (var entry in handler.Initializer?.Expressions ?? default)
        {
            if (entry is not AssignmentExpressionSyntax { Left: IdentifierNameSyntax name } assignment
                || !assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)
                || semanticModel.GetSymbolInfo(name, cancellationToken).Symbol is not IPropertySymbol property
                || !sockets.GetMembers(property.Name).OfType<IPropertySymbol>().Any(p => p.SetMethod is not null && SymbolEqualityComparer.Default.Equals(p.Type, property.Type)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>new HttpClient()</c> / <c>new HttpClient { ... }</c> / <c>new()</c> → the same with the handler as first argument.</summary>
    internal static BaseObjectCreationExpressionSyntax AddHandlerArgument(BaseObjectCreationExpressionSyntax client, ExpressionSyntax handler)
    {
        var argument = SyntaxFactory.Argument(handler.WithoutLeadingTrivia());
        if (client.ArgumentList is { } list)
        {
            return client.WithArgumentList(list.WithArguments(SyntaxFactory.SingletonSeparatedList(argument)));
        }

        var explicitClient = (ObjectCreationExpressionSyntax)client;
        var typeTrailing = explicitClient.Type.GetTrailingTrivia();
        return explicitClient
            .WithType(explicitClient.Type.WithoutTrailingTrivia())
            .WithArgumentList(InitializerHelpers.ArgumentList(new[] { argument }).WithTrailingTrivia(typeTrailing));
    }
}
