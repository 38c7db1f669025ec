using System.Composition;
using AsyncPerf.Infrastructure;
using AsyncPerf.Rules.Data;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Simplification;

namespace AsyncPerf.CodeFixes.Rules.Data;

/// <summary>
/// AP5003: reads and writes the JSON as UTF-8 directly:
/// <c>Deserialize&lt;T&gt;(await content.ReadAsStringAsync(ct))</c> → <c>await content.ReadFromJsonAsync&lt;T&gt;(options, ct)</c>
/// (without System.Net.Http.Json: <c>await JsonSerializer.DeserializeAsync&lt;T&gt;(await content.ReadAsStreamAsync(ct), options, ct)</c>),
/// <c>Deserialize&lt;T&gt;(await client.GetStringAsync(url, ct))</c> → <c>await client.GetFromJsonAsync&lt;T&gt;(url, options, ct)</c>,
/// <c>new StringContent(JsonSerializer.Serialize(x, options), Encoding.UTF8, "application/json")</c> → <c>JsonContent.Create(x, options: options)</c>.
/// Without an options argument <c>JsonSerializerOptions.Default</c> is passed, because System.Net.Http.Json would otherwise
/// use the web defaults (camelCase, case-insensitive) where JsonSerializer uses the general ones.
/// Every candidate is bound speculatively first: a fix is offered only when its target API exists in the compilation.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(JsonViaStringCodeFix)), Shared]
public sealed class JsonViaStringCodeFix : CodeFixProvider, IDocumentFixer
{
    internal const string EquivalenceKey = "AP5003.Utf8Json";
    private const string Title = "Read and write the JSON as UTF-8 without an intermediate string";
    private const string DefaultOptions = "global::System.Text.Json.JsonSerializerOptions.Default";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.JsonViaString);

    public override FixAllProvider GetFixAllProvider() => DocumentFixAll.Create(this);

    public override Task RegisterCodeFixesAsync(CodeFixContext context) =>
        DocumentFixAll.RegisterEachAsync(context, this, Title, EquivalenceKey, static (root, semanticModel, diagnostic, ct) => Plan(root, semanticModel, diagnostic, ct) is not null);

    public async Task<Document> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? equivalenceKey, CancellationToken cancellationToken)
    {
        if (await DocumentFixAll.OpenAsync(document, cancellationToken).ConfigureAwait(false) is not { } open)
        {
            return document;
        }

        var (root, semanticModel, editor) = open;
        var needsHttpJsonUsing = false;
        foreach (var diagnostic in diagnostics)
        {
            if (Plan(root, semanticModel, diagnostic, cancellationToken) is not { } plan)
            {
                continue;
            }

            editor.ReplaceNode(plan.Node, (current, _) => plan.Replacement.WithTriviaFrom(current));
            if (plan.RemovedDeclaration is { } removed)
            {
                var next = NextStatement(removed)!;
                editor.RemoveNode(removed, SyntaxRemoveOptions.KeepNoTrivia);
                editor.ReplaceNode(next, (current, _) => current.WithLeadingTrivia(MovedTrivia(removed, current)));
            }

            needsHttpJsonUsing |= plan.NeedsHttpJsonUsing;
        }

        var newRoot = editor.GetChangedRoot();
        if (needsHttpJsonUsing)
        {
            newRoot = HttpJsonUsing.Add(newRoot);
        }

        return await InitializerHelpers.CleanUpAsync(document.WithSyntaxRoot(newRoot), cancellationToken).ConfigureAwait(false);
    }

    /// <param name="Node">The expression replaced (the Deserialize call or the StringContent creation).</param>
    /// <param name="Replacement">What replaces it.</param>
    /// <param name="RemovedDeclaration">The <c>var json = await ...;</c> statement that goes away, if any.</param>
    /// <param name="NeedsHttpJsonUsing">The replacement calls an extension method of System.Net.Http.Json.</param>
    private sealed record FixPlan(ExpressionSyntax Node, ExpressionSyntax Replacement, LocalDeclarationStatementSyntax? RemovedDeclaration, bool NeedsHttpJsonUsing);

    private static FixPlan? Plan(SyntaxNode root, SemanticModel semanticModel, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (!diagnostic.Properties.TryGetValue(JsonViaStringAnalyzer.KindKey, out var kind))
        {
            return null;
        }

        var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true)
            .FirstAncestorOrSelf<ExpressionSyntax>(n => n is InvocationExpressionSyntax or BaseObjectCreationExpressionSyntax && n.Span == diagnostic.Location.SourceSpan);
        return node switch
        {
            InvocationExpressionSyntax invocation when kind is JsonViaStringAnalyzer.ContentKind or JsonViaStringAnalyzer.ClientKind
                => PlanDeserialize(invocation, semanticModel, kind == JsonViaStringAnalyzer.ClientKind, cancellationToken),
            BaseObjectCreationExpressionSyntax creation when kind == JsonViaStringAnalyzer.StringContentKind
                => PlanStringContent(creation, semanticModel, cancellationToken),
            _ => null,
        };
    }

    private static FixPlan? PlanDeserialize(InvocationExpressionSyntax node, SemanticModel semanticModel, bool isClient, CancellationToken cancellationToken)
    {
        if (semanticModel.GetOperation(node, cancellationToken) is not IInvocationOperation deserialize
            || TypeArgumentsOf(node.Expression, deserialize.TargetMethod) is not { } typeArguments
            || !SyntaxHelpers.CanAwaitAt(node)
            || deserialize.Arguments.Any(a => a.ArgumentKind == ArgumentKind.Explicit && a.Syntax is not ArgumentSyntax)
            || deserialize.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0) is not { Syntax: ArgumentSyntax jsonArgument }
            || OptionsArgument(deserialize) is not var (options, _))
        {
            return null;
        }

        // The awaited string: inline, or the initializer of a local declared in the statement just before.
        LocalDeclarationStatementSyntax? removed = null;
        var awaitSyntax = WalkDownParens(jsonArgument.Expression) as AwaitExpressionSyntax;
        if (awaitSyntax is null && WalkDownParens(jsonArgument.Expression) is IdentifierNameSyntax identifier
            && semanticModel.GetSymbolInfo(identifier, cancellationToken).Symbol is ILocalSymbol local
            && local.DeclaringSyntaxReferences.Length == 1
            && local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is VariableDeclaratorSyntax { Initializer.Value: var initializer, Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax declaration } }
            && declaration.UsingKeyword.IsKind(SyntaxKind.None)
            && declaration.AwaitKeyword.IsKind(SyntaxKind.None)
            && declaration.Parent is BlockSyntax
            && NextStatement(declaration) is { } next
            && next.Span.Contains(node.Span))
        {
            awaitSyntax = WalkDownParens(initializer) as AwaitExpressionSyntax;
            removed = declaration;
        }

        if (awaitSyntax is null || semanticModel.GetOperation(awaitSyntax, cancellationToken) is not IAwaitOperation awaitOperation
            || awaitOperation.Operation.WalkDownConfigureAwait() is not IInvocationOperation { Instance.Syntax: ExpressionSyntax receiver } read
            || read.Arguments.Any(a => a.ArgumentKind == ArgumentKind.Explicit && a.Syntax is not ArgumentSyntax))
        {
            return null;
        }

        var configureAwait = awaitOperation.Operation.WalkDownConversions() is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Arguments.Length: 1 } configure
            && configure.Arguments[0].Syntax is ArgumentSyntax configureArgument
            ? configureArgument.Expression
            : null;
        var token = read.Arguments.FirstOrDefault(a => a.ArgumentKind == ArgumentKind.Explicit && a.Parameter?.Type.Name == "CancellationToken")?.Syntax is ArgumentSyntax tokenArgument
            ? tokenArgument.Expression
            : null;
        var position = node.SpanStart;

        ExpressionSyntax? call;
        var needsUsing = false;
        if (isClient)
        {
            // client.GetFromJsonAsync<T>(url, options, ct)
            if (read.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Syntax is not ArgumentSyntax { Expression: var url })
            {
                return null;
            }

            call = ExtensionCall(semanticModel, position, "global::System.Net.Http.Json.HttpClientJsonExtensions", "GetFromJsonAsync", receiver, typeArguments,
                Arguments(url, options ?? Parse(DefaultOptions), token));
            needsUsing = call is not null;
        }
        else
        {
            // content.ReadFromJsonAsync<T>(options, ct), else JsonSerializer.DeserializeAsync<T>(await content.ReadAsStreamAsync(ct), options, ct)
            call = ExtensionCall(semanticModel, position, "global::System.Net.Http.Json.HttpContentJsonExtensions", "ReadFromJsonAsync", receiver, typeArguments,
                Arguments(options ?? Parse(DefaultOptions), token));
            needsUsing = call is not null;
            call ??= DeserializeStream(semanticModel, position, receiver, typeArguments, options, token, configureAwait);
        }

        if (call is null)
        {
            return null;
        }

        return new FixPlan(node, AwaitWith(call, configureAwait), removed, needsUsing);
    }

    /// <summary><c>JsonSerializer.DeserializeAsync&lt;T&gt;(await content.ReadAsStreamAsync(ct), options, ct)</c>, if both calls bind.</summary>
    private static ExpressionSyntax? DeserializeStream(SemanticModel semanticModel, int position, ExpressionSyntax receiver, TypeArgumentListSyntax typeArguments, ExpressionSyntax? options, ExpressionSyntax? token, ExpressionSyntax? configureAwait)
    {
        var readStream = SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, Receiver(receiver), SyntaxFactory.IdentifierName("ReadAsStreamAsync")),
            InitializerHelpers.ArgumentList(token is null ? Array.Empty<ArgumentSyntax>() : new[] { SyntaxFactory.Argument(token.WithoutTrivia()) }));
        if (!Binds(semanticModel, position, readStream))
        {
            return null;
        }

        var arguments = new List<ArgumentSyntax> { SyntaxFactory.Argument(SyntaxFactory.ParseExpression("(global::System.IO.Stream)null!")) };
        if (options is not null)
        {
            arguments.Add(SyntaxFactory.Argument(options.WithoutTrivia()));
        }

        if (token is not null)
        {
            var tokenArgument = SyntaxFactory.Argument(token.WithoutTrivia());
            arguments.Add(options is null ? tokenArgument.WithNameColon(SyntaxFactory.NameColon("cancellationToken").WithTrailingTrivia(SyntaxFactory.Space)) : tokenArgument);
        }

        var deserialize = SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, SyntaxFactory.ParseExpression("global::System.Text.Json.JsonSerializer"), SyntaxFactory.GenericName(SyntaxFactory.Identifier("DeserializeAsync"), typeArguments.WithoutTrivia())),
            InitializerHelpers.ArgumentList(arguments));
        if (!Binds(semanticModel, position, deserialize))
        {
            return null;
        }

        arguments[0] = SyntaxFactory.Argument(AwaitWith(readStream, configureAwait));
        return deserialize
            .WithExpression(((MemberAccessExpressionSyntax)deserialize.Expression).WithExpression(InitializerHelpers.Qualified("global::System.Text.Json.JsonSerializer")))
            .WithArgumentList(InitializerHelpers.ArgumentList(arguments));
    }

    private static FixPlan? PlanStringContent(BaseObjectCreationExpressionSyntax node, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (semanticModel.GetOperation(node, cancellationToken) is not IObjectCreationOperation creation
            || !KeepsCompiling(creation, semanticModel.Compilation)
            || creation.Arguments[0].Value.WalkDownConversions() is not IInvocationOperation serialize
            || serialize.Arguments.Any(a => a.ArgumentKind == ArgumentKind.Explicit && a.Syntax is not ArgumentSyntax)
            || serialize.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0) is not { Syntax: ArgumentSyntax { Expression: var value } }
            || OptionsArgument(serialize) is not var (options, isTypeInfo))
        {
            return null;
        }

        // JsonContent.Create<T>(value, options: options) / JsonContent.Create<T>(value, typeInfo)
        var name = serialize.Syntax is InvocationExpressionSyntax serializeSyntax && GenericNameOf(serializeSyntax.Expression) is { } generic
            ? (SimpleNameSyntax)SyntaxFactory.GenericName(SyntaxFactory.Identifier("Create"), generic.TypeArgumentList.WithoutTrivia())
            : SyntaxFactory.IdentifierName("Create");
        var optionsArgument = SyntaxFactory.Argument((options ?? Parse(DefaultOptions)).WithoutTrivia());
        if (!isTypeInfo)
        {
            optionsArgument = optionsArgument.WithNameColon(SyntaxFactory.NameColon("options").WithTrailingTrivia(SyntaxFactory.Space));
        }

        var call = SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, InitializerHelpers.Qualified("global::System.Net.Http.Json.JsonContent"), name),
            InitializerHelpers.ArgumentList(new[] { SyntaxFactory.Argument(value.WithoutTrivia()), optionsArgument }));
        return Binds(semanticModel, node.SpanStart, call) ? new FixPlan(node, call, null, false) : null;
    }

    /// <summary>
    /// A JsonContent can stand where the StringContent was: it is converted to HttpContent (or object) right away, or it
    /// initialises a <c>var</c> local that is only used as HttpContent.
    /// </summary>
    private static bool KeepsCompiling(IObjectCreationOperation creation, Compilation compilation)
    {
        var httpContent = compilation.GetTypeByMetadataName("System.Net.Http.HttpContent");
        bool IsHttpContentUse(IOperation use)
        {
            var parent = LocalUses.ParentSkippingConversions(use, out var child);
            if (child is IConversionOperation { Type: var target } && (target.Is(httpContent) || target?.SpecialType == SpecialType.System_Object || target?.Name == "IDisposable"))
            {
                return true;
            }

            return parent switch
            {
                IPropertyReferenceOperation property => property.Instance == child && httpContent is not null && property.Property.ContainingType.Is(httpContent),
                IInvocationOperation invocation => invocation.Instance == child && httpContent is not null && invocation.TargetMethod.ContainingType.Is(httpContent),
                IUsingOperation or IUsingDeclarationOperation => true,
                _ => false,
            };
        }

        if (IsHttpContentUse(creation))
        {
            return true;
        }

        if (LocalUses.InitializedLocal(creation) is not { } local
            || local.DeclaringSyntaxReferences.Length != 1
            || local.DeclaringSyntaxReferences[0].GetSyntax() is not VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Type.IsVar: true } })
        {
            return false;
        }

        return LocalUses.References(LocalUses.Root(creation), local).All(IsHttpContentUse);
    }

    /// <summary>The JsonSerializerOptions or JsonTypeInfo argument (null when none is given); default when the call has others.</summary>
    private static (ExpressionSyntax? Options, bool IsTypeInfo)? OptionsArgument(IInvocationOperation call)
    {
        ExpressionSyntax? options = null;
        var isTypeInfo = false;
        foreach (var argument in call.Arguments)
        {
            if (argument.Parameter?.Ordinal == 0 || argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                continue;
            }

            if (argument.Syntax is not ArgumentSyntax syntax || argument.Parameter?.Type.Name is not ("JsonSerializerOptions" or "JsonTypeInfo"))
            {
                return null;
            }

            options = syntax.Expression;
            isTypeInfo = argument.Parameter.Type.Name == "JsonTypeInfo";
        }

        return (options, isTypeInfo);
    }

    /// <summary>
    /// <c>receiver.Method&lt;T&gt;(arguments)</c> when <c>Extensions.Method&lt;T&gt;(receiver, arguments)</c> binds here; null otherwise.
    /// </summary>
    private static ExpressionSyntax? ExtensionCall(SemanticModel semanticModel, int position, string extensionsType, string method, ExpressionSyntax receiver, TypeArgumentListSyntax typeArguments, List<ArgumentSyntax> arguments)
    {
        var name = SyntaxFactory.GenericName(SyntaxFactory.Identifier(method), typeArguments.WithoutTrivia());
        var staticForm = SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, SyntaxFactory.ParseExpression(extensionsType), name),
            InitializerHelpers.ArgumentList(new[] { SyntaxFactory.Argument(receiver.WithoutTrivia()) }.Concat(arguments).ToList()));
        if (!Binds(semanticModel, position, staticForm))
        {
            return null;
        }

        return SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, Receiver(receiver), name),
            InitializerHelpers.ArgumentList(arguments));
    }

    private static bool Binds(SemanticModel semanticModel, int position, ExpressionSyntax expression) =>
        semanticModel.GetSpeculativeSymbolInfo(position, expression, SpeculativeBindingOption.BindAsExpression).Symbol is IMethodSymbol;

    private static List<ArgumentSyntax> Arguments(params ExpressionSyntax?[] expressions) =>
        expressions.Where(e => e is not null).Select(e => SyntaxFactory.Argument(e!.WithoutTrivia())).ToList();

    private static ExpressionSyntax Parse(string text) => InitializerHelpers.Qualified(text);

    /// <summary>The receiver of a new member access, parenthesised when it is not a primary expression.</summary>
    private static ExpressionSyntax Receiver(ExpressionSyntax receiver) =>
        receiver.WithoutTrivia() is var bare && bare is IdentifierNameSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax or ThisExpressionSyntax or ElementAccessExpressionSyntax or ParenthesizedExpressionSyntax
            ? bare
            : SyntaxFactory.ParenthesizedExpression(bare);

    /// <summary><c>await call</c> or <c>await call.ConfigureAwait(x)</c>, parenthesised only where needed after clean-up.</summary>
    private static ExpressionSyntax AwaitWith(ExpressionSyntax call, ExpressionSyntax? configureAwait)
    {
        if (configureAwait is not null)
        {
            call = SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, call, SyntaxFactory.IdentifierName("ConfigureAwait")),
                InitializerHelpers.ArgumentList(new[] { SyntaxFactory.Argument(configureAwait.WithoutTrivia()) }));
        }

        return SyntaxHelpers.Await(call);
    }

    private static ExpressionSyntax WalkDownParens(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        return expression;
    }

    /// <summary>The type arguments as written, else the inferred ones (qualified, reduced by the clean-up); null for unspeakable types.</summary>
    private static TypeArgumentListSyntax? TypeArgumentsOf(ExpressionSyntax expression, IMethodSymbol method)
    {
        if (GenericNameOf(expression) is { } generic)
        {
            return generic.TypeArgumentList;
        }

        if (method.TypeArguments.Any(t => t.TypeKind == TypeKind.Error || t.IsAnonymousType || t.Kind is not (SymbolKind.NamedType or SymbolKind.ArrayType or SymbolKind.TypeParameter)))
        {
            return null;
        }

        return SyntaxFactory.TypeArgumentList(SyntaxFactory.SeparatedList(method.TypeArguments.Select(t =>
            (TypeSyntax)SyntaxHelpers.QualifiedType(t.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)))));
    }

    private static GenericNameSyntax? GenericNameOf(ExpressionSyntax expression) => expression switch
    {
        GenericNameSyntax generic => generic,
        MemberAccessExpressionSyntax { Name: GenericNameSyntax generic } => generic,
        _ => null,
    };

    private static StatementSyntax? NextStatement(StatementSyntax statement)
    {
        if (statement.Parent is not BlockSyntax block)
        {
            return null;
        }

        var index = block.Statements.IndexOf(statement);
        return index >= 0 && index + 1 < block.Statements.Count ? block.Statements[index + 1] : null;
    }

    /// <summary>The comments of the removed declaration, moved above the next statement (its indentation kept).</summary>
    private static SyntaxTriviaList MovedTrivia(StatementSyntax removed, SyntaxNode next)
    {
        var comments = removed.GetLeadingTrivia().Concat(removed.GetTrailingTrivia())
            .Any(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia));
        if (!comments)
        {
            return next.GetLeadingTrivia();
        }

        var leading = removed.GetLeadingTrivia().ToList();
        var indentation = leading.Count > 0 && leading[leading.Count - 1].IsKind(SyntaxKind.WhitespaceTrivia) ? leading[leading.Count - 1] : default;
        while (leading.Count > 0 && leading[leading.Count - 1].IsKind(SyntaxKind.WhitespaceTrivia))
        {
            leading.RemoveAt(leading.Count - 1);
        }

        var trailing = removed.GetTrailingTrivia().SkipWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).ToList();
        if (trailing.Any(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia)))
        {
            if (indentation != default)
            {
                leading.Add(indentation);
            }

            leading.AddRange(trailing);
        }

        return SyntaxFactory.TriviaList(leading).AddRange(next.GetLeadingTrivia());
    }
}
