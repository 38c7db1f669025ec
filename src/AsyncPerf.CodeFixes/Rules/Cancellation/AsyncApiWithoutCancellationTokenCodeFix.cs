using System.Composition;
using AsyncPerf.CodeFixes.Infrastructure;
using AsyncPerf.Infrastructure;
using AsyncPerf.Rules.Cancellation;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Simplification;

namespace AsyncPerf.CodeFixes.Rules.Cancellation;

/// <summary>
/// AP3002: adds <c>CancellationToken cancellationToken = default</c> as the last parameter (before <c>params</c>;
/// with <c>[EnumeratorCancellation]</c> on an async iterator) and passes it to every cancellable call in the body,
/// as AP3001's fix would.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AsyncApiWithoutCancellationTokenCodeFix)), Shared]
public sealed class AsyncApiWithoutCancellationTokenCodeFix : CodeFixProvider, IDocumentFixer
{
    internal const string EquivalenceKey = "AP3002.AddCancellationToken";
    private const string ParameterName = "cancellationToken";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.AsyncApiWithoutCancellationToken);

    public override FixAllProvider GetFixAllProvider() => DocumentFixAll.Create(this);

    public override Task RegisterCodeFixesAsync(CodeFixContext context) =>
        DocumentFixAll.RegisterEachAsync(context, this, "Add a CancellationToken parameter and pass it on", EquivalenceKey,
            static (root, semanticModel, diagnostic, ct) => Plan(root, semanticModel, diagnostic, ct) is not null);

    public async Task<Document> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? equivalenceKey, CancellationToken cancellationToken)
    {
        if (await DocumentFixAll.OpenAsync(document, cancellationToken).ConfigureAwait(false) is not { } open)
        {
            return document;
        }

        var (root, semanticModel, editor) = open;
        var addImport = false;
        foreach (var diagnostic in diagnostics)
        {
            if (Plan(root, semanticModel, diagnostic, cancellationToken) is not { } plan)
            {
                continue;
            }

            var token = SyntaxFactory.IdentifierName(plan.Name);
            foreach (var site in plan.Sites)
            {
                addImport |= TokenForwarding.NeedsTasksImport(semanticModel, site);
                editor.ReplaceNode(site.Node, (current, _) => TokenForwarding.Rewrite(current, site, token));
            }

            editor.ReplaceNode(plan.Method.ParameterList, (current, _) => AddParameter((ParameterListSyntax)current, plan));
        }

        var newRoot = editor.GetChangedRoot();
        var changed = document.WithSyntaxRoot(addImport ? TokenForwarding.AddTasksImport(newRoot) : newRoot);
        return await InitializerHelpers.CleanUpAsync(changed, cancellationToken).ConfigureAwait(false);
    }

    private sealed record FixPlan(MethodDeclarationSyntax Method, string Name, bool IsAsyncIterator, IReadOnlyList<CancellableOperation> Sites);

    private static FixPlan? Plan(SyntaxNode root, SemanticModel semanticModel, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var token = root.FindToken(diagnostic.Location.SourceSpan.Start);
        if (token.Parent is not MethodDeclarationSyntax declaration
            || declaration.Identifier != token
            || semanticModel.GetDeclaredSymbol(declaration, cancellationToken) is not IMethodSymbol method
            || semanticModel.GetOperation(declaration, cancellationToken) is not { } body)
        {
            return null;
        }

        var known = KnownTypes.Get(semanticModel.Compilation);
        var sites = AsyncApiWithoutCancellationTokenAnalyzer.Forwardable(new[] { body }, method, known)
            .Where(site => TokenForwarding.Binds(semanticModel, site, cancellationToken))
            .ToList();
        if (sites.Count == 0)
        {
            return null;
        }

        var isAsyncIterator = method.IsAsync && method.ReturnType.OriginalDefinition.Is(known.IAsyncEnumerableOfT);
        return new FixPlan(declaration, UniqueName(declaration), isAsyncIterator, sites);
    }

    /// <summary><c>cancellationToken</c>, or <c>cancellationToken2</c>... when the method already uses that name.</summary>
    private static string UniqueName(MethodDeclarationSyntax method)
    {
        var used = new HashSet<string>(method.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText), StringComparer.Ordinal);
        var name = ParameterName;
        for (var i = 2; used.Contains(name); i++)
        {
            name = ParameterName + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return name;
    }

    private static ParameterListSyntax AddParameter(ParameterListSyntax list, FixPlan plan)
    {
        var parameter = SyntaxFactory.Parameter(SyntaxFactory.Identifier(plan.Name))
            .WithType(SyntaxHelpers.QualifiedType("System.Threading.CancellationToken").WithTrailingTrivia(SyntaxFactory.Space))
            .WithDefault(SyntaxFactory.EqualsValueClause(
                SyntaxFactory.Token(SyntaxKind.EqualsToken).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space),
                SyntaxFactory.LiteralExpression(SyntaxKind.DefaultLiteralExpression)));
        if (plan.IsAsyncIterator)
        {
            var attribute = SyntaxFactory.Attribute((NameSyntax)SyntaxFactory.ParseName("global::System.Runtime.CompilerServices.EnumeratorCancellation")
                .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation));
            parameter = parameter.WithAttributeLists(SyntaxFactory.SingletonList(
                SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute)).WithTrailingTrivia(SyntaxFactory.Space)));
        }

        var nodes = list.Parameters.ToList();
        var separators = list.Parameters.GetSeparators().ToList();
        var comma = SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space);
        var index = nodes.Count > 0 && nodes[nodes.Count - 1].Modifiers.Any(SyntaxKind.ParamsKeyword) ? nodes.Count - 1 : nodes.Count;
        if (index == nodes.Count)
        {
            if (nodes.Count > 0)
            {
                separators.Add(comma);
            }

            nodes.Add(parameter);
        }
        else
        {
            nodes.Insert(index, parameter);
            separators.Insert(index, comma);
        }

        return list.WithParameters(SyntaxFactory.SeparatedList(nodes, separators));
    }
}
