using System.Composition;
using AsyncPerf.Infrastructure;
using AsyncPerf.Rules.Data;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace AsyncPerf.CodeFixes.Rules.Data;

/// <summary>
/// AP5002: passes <c>HttpCompletionOption.ResponseHeadersRead</c> (after the request, before the token) and, when the
/// response local is not disposed yet, turns its declaration into a <c>using</c> declaration.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BufferedResponseCodeFix)), Shared]
public sealed class BufferedResponseCodeFix : CodeFixProvider, IDocumentFixer
{
    internal const string EquivalenceKey = "AP5002.ResponseHeadersRead";
    private const string Title = "Stream the response with HttpCompletionOption.ResponseHeadersRead";
    private const string ResponseHeadersRead = "global::System.Net.Http.HttpCompletionOption.ResponseHeadersRead";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.BufferedResponse);

    public override FixAllProvider GetFixAllProvider() => DocumentFixAll.Create(this);

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (FindCall(root, diagnostic) is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(Title, ct => FixDocumentAsync(context.Document, ImmutableArray.Create(diagnostic), EquivalenceKey, ct), EquivalenceKey),
                    diagnostic);
            }
        }
    }

    public async Task<Document> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? equivalenceKey, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var editor = new SyntaxEditor(root, document.Project.Solution.Services);
        foreach (var diagnostic in diagnostics)
        {
            if (FindCall(root, diagnostic) is not { } call)
            {
                continue;
            }

            editor.ReplaceNode(call, (current, _) => AddOption((InvocationExpressionSyntax)current));
            if (diagnostic.Properties.TryGetValue(BufferedResponseAnalyzer.FixKey, out var fix) && fix == BufferedResponseAnalyzer.FixAddUsing
                && call.FirstAncestorOrSelf<LocalDeclarationStatementSyntax>() is { } statement)
            {
                editor.ReplaceNode(statement, (current, _) => AddUsing((LocalDeclarationStatementSyntax)current));
            }
        }

        return await InitializerHelpers.CleanUpAsync(document.WithSyntaxRoot(editor.GetChangedRoot()), cancellationToken).ConfigureAwait(false);
    }

    private static InvocationExpressionSyntax? FindCall(SyntaxNode root, Diagnostic diagnostic)
    {
        if (!diagnostic.Properties.ContainsKey(BufferedResponseAnalyzer.FixKey))
        {
            return null;
        }

        return root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true)
            .FirstAncestorOrSelf<InvocationExpressionSyntax>(n => n.Span == diagnostic.Location.SourceSpan) is { ArgumentList.Arguments.Count: > 0 } call
            ? call
            : null;
    }

    /// <summary><c>GetAsync(url, ct)</c> → <c>GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct)</c>; named when the call uses names.</summary>
    private static InvocationExpressionSyntax AddOption(InvocationExpressionSyntax call)
    {
        var arguments = call.ArgumentList.Arguments;
        var option = SyntaxFactory.Argument(InitializerHelpers.Qualified(ResponseHeadersRead));
        if (arguments.Any(a => a.NameColon is not null))
        {
            option = option.WithNameColon(SyntaxFactory.NameColon(SyntaxFactory.IdentifierName("completionOption")).WithTrailingTrivia(SyntaxFactory.Space));
        }

        var list = new List<ArgumentSyntax> { arguments[0] };
        list.Add(option.WithLeadingTrivia(SyntaxFactory.Space));
        list.AddRange(arguments.Skip(1));
        var nodesAndTokens = new List<SyntaxNodeOrToken>();
        for (var i = 0; i < list.Count; i++)
        {
            if (i > 0)
            {
                // Keep the original separators (and their line breaks); the new one after the request is a plain ", ".
                var separator = i == 1 ? SyntaxFactory.Token(default, SyntaxKind.CommaToken, default) : arguments.GetSeparator(i - 2);
                nodesAndTokens.Add(separator);
            }

            nodesAndTokens.Add(list[i]);
        }

        return call.WithArgumentList(call.ArgumentList.WithArguments(SyntaxFactory.SeparatedList<ArgumentSyntax>(nodesAndTokens)));
    }

    private static LocalDeclarationStatementSyntax AddUsing(LocalDeclarationStatementSyntax statement)
    {
        var leading = statement.GetLeadingTrivia();
        var usingKeyword = SyntaxFactory.Token(leading, SyntaxKind.UsingKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
        return statement.WithoutLeadingTrivia().WithUsingKeyword(usingKeyword);
    }
}
