using System.Composition;
using AsyncPerf.Infrastructure;
using AsyncPerf.Rules.Pooling;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.CodeFixes.Rules.Pooling;

/// <summary>
/// AP4003: opens the stream with <c>FileOptions.Asynchronous</c>: adds the flag to an existing FileOptions argument or
/// FileStreamOptions initializer, turns <c>useAsync: false</c> into <c>true</c>, and otherwise rewrites the call into the
/// <c>new FileStream(path, mode, access, share, bufferSize, FileOptions.Asynchronous)</c> overload with the defaults the
/// original call used (buffer size 4096).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FileStreamWithoutAsyncModeCodeFix)), Shared]
public sealed class FileStreamWithoutAsyncModeCodeFix : CodeFixProvider, IDocumentFixer
{
    internal const string EquivalenceKey = "AP4003.Asynchronous";
    private const string Title = "Open the file with FileOptions.Asynchronous";
    private const string Asynchronous = "global::System.IO.FileOptions.Asynchronous";

    // FileMode.Append; FileAccess.Write / ReadWrite.
    private const int AppendMode = 6;

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.FileStreamWithoutAsyncMode);

    public override FixAllProvider GetFixAllProvider() => DocumentFixAll.Create(this);

    public override Task RegisterCodeFixesAsync(CodeFixContext context) =>
        DocumentFixAll.RegisterEachAsync(context, this, Title, EquivalenceKey, static (root, semanticModel, diagnostic, ct) => Plan(root, semanticModel, diagnostic, ct) is not null);

    public Task<Document> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? equivalenceKey, CancellationToken cancellationToken) =>
        DocumentFixAll.RewriteEachAsync(document, diagnostics, Plan, cancellationToken);

    private static NodeRewrite? Plan(SyntaxNode root, SemanticModel semanticModel, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true)
            .FirstAncestorOrSelf<ExpressionSyntax>(n => n is BaseObjectCreationExpressionSyntax or InvocationExpressionSyntax && n.Span == diagnostic.Location.SourceSpan);
        if (node is null)
        {
            return null;
        }

        var (method, arguments) = semanticModel.GetOperation(node, cancellationToken) switch
        {
            IObjectCreationOperation { Constructor: { } constructor } creation => (constructor, creation.Arguments),
            IInvocationOperation invocation => (invocation.TargetMethod, invocation.Arguments),
            _ => (null, ImmutableArray<IArgumentOperation>.Empty),
        };
        if (method is null || arguments.Any(a => a.Syntax is not ArgumentSyntax && !a.IsImplicit))
        {
            return null;
        }

        foreach (var argument in arguments)
        {
            if (argument.Syntax is not ArgumentSyntax syntax)
            {
                continue;
            }

            switch (argument.Parameter)
            {
                case { Type.Name: "FileOptions" }:
                    return new NodeRewrite(syntax.Expression, current => AddAsynchronous((ExpressionSyntax)current, argument.Value));
                case { Type.SpecialType: SpecialType.System_Boolean, Name: "useAsync" }:
                    return new NodeRewrite(syntax.Expression, _ => SyntaxFactory.LiteralExpression(SyntaxKind.TrueLiteralExpression));
                case { Type.Name: "FileStreamOptions" } when syntax.Expression is BaseObjectCreationExpressionSyntax options:
                    return new NodeRewrite(options, current => AddAsynchronousOption((BaseObjectCreationExpressionSyntax)current));
            }
        }

        return PlanFullOverload(node, method, arguments);
    }

    /// <summary><c>FileOptions.None</c> → <c>FileOptions.Asynchronous</c>; <c>x</c> → <c>x | FileOptions.Asynchronous</c>.</summary>
    private static ExpressionSyntax AddAsynchronous(ExpressionSyntax current, IOperation value)
    {
        if (value.ConstantValue is { HasValue: true, Value: { } constant } && Convert.ToInt64(constant, System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return InitializerHelpers.Qualified(Asynchronous);
        }

        var left = current is BinaryExpressionSyntax or ConditionalExpressionSyntax or AssignmentExpressionSyntax ? SyntaxFactory.ParenthesizedExpression(current.WithoutTrivia()) : current.WithoutTrivia();
        return SyntaxFactory.BinaryExpression(SyntaxKind.BitwiseOrExpression, left, InitializerHelpers.Qualified(Asynchronous));
    }

    private static SyntaxNode AddAsynchronousOption(BaseObjectCreationExpressionSyntax options)
    {
        var existing = options.Initializer?.Expressions.OfType<AssignmentExpressionSyntax>()
            .FirstOrDefault(a => a.Left is IdentifierNameSyntax { Identifier.ValueText: "Options" });
        if (existing is null)
        {
            return InitializerHelpers.AddToInitializer(options, InitializerHelpers.Assignment("Options", InitializerHelpers.Qualified(Asynchronous)));
        }

        var value = existing.Right;
        var isNone = value is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "None" };
        var replacement = isNone
            ? InitializerHelpers.Qualified(Asynchronous)
            : SyntaxFactory.BinaryExpression(SyntaxKind.BitwiseOrExpression, value is BinaryExpressionSyntax or ConditionalExpressionSyntax ? SyntaxFactory.ParenthesizedExpression(value.WithoutTrivia()) : value.WithoutTrivia(), InitializerHelpers.Qualified(Asynchronous));
        return options.ReplaceNode(value, replacement.WithTriviaFrom(value));
    }

    /// <summary>
    /// Positional calls without a FileOptions argument: <c>new FileStream(path, mode[, access[, share[, bufferSize]]])</c>,
    /// <c>File.Open(path, mode[, access[, share]])</c>, <c>File.OpenRead/OpenWrite(path)</c>, <c>File.Create(path[, bufferSize])</c>
    /// become <c>new FileStream(path, mode, access, share, bufferSize, FileOptions.Asynchronous)</c> with the original defaults.
    /// </summary>
    private static NodeRewrite? PlanFullOverload(ExpressionSyntax node, IMethodSymbol method, ImmutableArray<IArgumentOperation> arguments)
    {
        var syntaxArguments = node switch
        {
            BaseObjectCreationExpressionSyntax creation => creation.ArgumentList?.Arguments,
            InvocationExpressionSyntax invocation => invocation.ArgumentList.Arguments,
            _ => null,
        };
        if (syntaxArguments is not { } given || given.Any(a => a.NameColon is not null || !a.RefKindKeyword.IsKind(SyntaxKind.None)) || given.Count != arguments.Length)
        {
            return null;
        }

        var names = method.Parameters.Select(p => p.Type.Name).ToList();
        var isConstructor = method.MethodKind == MethodKind.Constructor;
        (string? Mode, bool NeedsAccessFromMode, string Access, string Share, bool BufferGiven) defaults = (isConstructor, method.Name) switch
        {
            (true, _) => (null, names.Count < 3, names.Count >= 3 ? string.Empty : "?", "Read", names.Count >= 5),
            (false, "Open") => (null, names.Count < 3, names.Count >= 3 ? string.Empty : "?", "None", false),
            (false, "OpenRead") => ("Open", false, "Read", "Read", false),
            (false, "OpenWrite") => ("OpenOrCreate", false, "Write", "None", false),
            (false, "Create") => ("Create", false, "ReadWrite", "None", names.Count >= 2),
            _ => (null, false, string.Empty, string.Empty, false),
        };

        var expected = isConstructor ? new[] { "String", "FileMode", "FileAccess", "FileShare", "Int32" }
            : method.Name is "Open" ? new[] { "String", "FileMode", "FileAccess", "FileShare" }
            : method.Name is "Create" ? new[] { "String", "Int32" }
            : new[] { "String" };
        if (names.Count > expected.Length || !names.SequenceEqual(expected.Take(names.Count)))
        {
            return null;
        }

        if (defaults.NeedsAccessFromMode)
        {
            if (arguments.Length < 2 || arguments[1].Value.ConstantValue is not { HasValue: true, Value: { } mode })
            {
                return null;
            }

            defaults.Access = Convert.ToInt32(mode, System.Globalization.CultureInfo.InvariantCulture) == AppendMode ? "Write" : "ReadWrite";
        }

        return new NodeRewrite(node, current =>
        {
            var currentArguments = current switch
            {
                BaseObjectCreationExpressionSyntax creation => creation.ArgumentList!.Arguments,
                _ => ((InvocationExpressionSyntax)current).ArgumentList.Arguments,
            };
            var list = new List<ArgumentSyntax> { currentArguments[0] };
            var index = 1;
            list.Add(defaults.Mode is null ? currentArguments[index++] : Argument("global::System.IO.FileMode." + defaults.Mode));
            if (isConstructor || method.Name is "Open")
            {
                list.Add(index < currentArguments.Count ? currentArguments[index++] : Argument("global::System.IO.FileAccess." + defaults.Access));
                list.Add(index < currentArguments.Count ? currentArguments[index++] : Argument("global::System.IO.FileShare." + defaults.Share));
                list.Add(isConstructor && index < currentArguments.Count ? currentArguments[index++] : SyntaxFactory.Argument(SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(4096))));
            }
            else
            {
                list.Add(Argument("global::System.IO.FileAccess." + defaults.Access));
                list.Add(Argument("global::System.IO.FileShare." + defaults.Share));
                list.Add(defaults.BufferGiven ? currentArguments[index++] : SyntaxFactory.Argument(SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(4096))));
            }

            list.Add(Argument(Asynchronous));
            var argumentList = SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(
                list.Select((a, i) => i == 0 ? a.WithoutLeadingTrivia() : a.WithLeadingTrivia(SyntaxFactory.Space)).Select(a => a.WithoutTrailingTrivia())));
            return current switch
            {
                BaseObjectCreationExpressionSyntax creation => creation.WithArgumentList(argumentList.WithTriviaFrom(creation.ArgumentList!)),
                _ => SyntaxFactory.ObjectCreationExpression(
                    SyntaxHelpers.QualifiedType("System.IO.FileStream").WithLeadingTrivia(SyntaxFactory.Space),
                    argumentList,
                    null),
            };
        });
    }

    private static ArgumentSyntax Argument(string qualified) => SyntaxFactory.Argument(InitializerHelpers.Qualified(qualified));
}
