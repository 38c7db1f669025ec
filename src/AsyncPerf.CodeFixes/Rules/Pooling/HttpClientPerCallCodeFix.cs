using System.Composition;
using AsyncPerf.Infrastructure;
using AsyncPerf.Rules.Pooling;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace AsyncPerf.CodeFixes.Rules.Pooling;

/// <summary>
/// AP4001: hoists the client into <c>private static readonly HttpClient s_httpClient = new(new SocketsHttpHandler { PooledConnectionLifetime = ... })</c>
/// in the containing type, folds constant settings (constructor arguments, initializer, <c>http.BaseAddress = ...</c> right after the
/// declaration) into that initializer, replaces the local's uses and drops the <c>using</c>. No fix when a setting depends on the call
/// (parameters, locals, instance state), when the client is configured in other ways (headers, later assignments) or disposed explicitly.
/// A second client with the same settings in the same type reuses the field.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(HttpClientPerCallCodeFix)), Shared]
public sealed class HttpClientPerCallCodeFix : CodeFixProvider, IDocumentFixer
{
    internal const string EquivalenceKey = "AP4001.SharedClient";
    private const string Title = "Use a shared HttpClient";
    private const string BaseFieldName = "s_httpClient";
    private const string LifetimeMinutes = "2";

    /// <summary>Marks the creations a FixAll pass still has to visit; never copied into the field.</summary>
    private const string TrackingKind = "AsyncPerf.AP4001.Creation";

    /// <summary>HttpClient properties whose constant value can move from a statement after the declaration into the initializer.</summary>
    private static readonly HashSet<string> s_foldableProperties = new(StringComparer.Ordinal)
    {
        "BaseAddress", "Timeout", "MaxResponseContentBufferSize", "DefaultRequestVersion", "DefaultVersionPolicy",
    };

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.HttpClientPerCall);

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
            if (FindCreation(root, diagnostic.Location.SourceSpan) is { } creation && Plan(creation, diagnostic, semanticModel, context.CancellationToken) is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(Title, ct => FixDocumentAsync(context.Document, ImmutableArray.Create(diagnostic), EquivalenceKey, ct), EquivalenceKey),
                    diagnostic);
            }
        }
    }

    /// <summary>One diagnostic after the other, in source order, each on the document the previous one produced: the same steps as fixing them one by one.</summary>
    public async Task<Document> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? equivalenceKey, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var annotations = new List<(SyntaxAnnotation Annotation, Diagnostic Diagnostic)>();
        var annotated = root;
        foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
        {
            if (FindCreation(annotated, diagnostic.Location.SourceSpan) is { } creation)
            {
                var annotation = new SyntaxAnnotation(TrackingKind);
                annotated = annotated.ReplaceNode(creation, creation.WithAdditionalAnnotations(annotation));
                annotations.Add((annotation, diagnostic));
            }
        }

        document = document.WithSyntaxRoot(annotated);
        foreach (var (annotation, diagnostic) in annotations)
        {
            var currentRoot = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var semanticModel = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            if (currentRoot?.GetAnnotatedNodes(annotation).FirstOrDefault() is not BaseObjectCreationExpressionSyntax creation
                || semanticModel is null
                || Plan(creation, diagnostic, semanticModel, cancellationToken) is not { } plan)
            {
                continue;
            }

            var editor = new SyntaxEditor(currentRoot, document.Project.Solution.Services);
            plan(editor);
            document = await InitializerHelpers.CleanUpAsync(document.WithSyntaxRoot(editor.GetChangedRoot()), cancellationToken).ConfigureAwait(false);
        }

        return document;
    }

    private static BaseObjectCreationExpressionSyntax? FindCreation(SyntaxNode root, Microsoft.CodeAnalysis.Text.TextSpan span) =>
        root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<BaseObjectCreationExpressionSyntax>(n => n.Span == span);

    /// <summary>The edits of one fix, or null when no fix is offered.</summary>
    private static Action<SyntaxEditor>? Plan(BaseObjectCreationExpressionSyntax creation, Diagnostic diagnostic, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (!diagnostic.Properties.TryGetValue(HttpClientPerCallAnalyzer.ShapeProperty, out var shape)
            || creation.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } type
            || type is InterfaceDeclarationSyntax
            || semanticModel.GetDeclaredSymbol(type, cancellationToken) is not { } typeSymbol
            || !IsInvariant(creation, creation, typeSymbol, semanticModel, cancellationToken))
        {
            return null;
        }

        if (shape == HttpClientPerCallAnalyzer.ReceiverShape)
        {
            var field = ChooseField(type, typeSymbol, BuildInitializer(creation, Array.Empty<AssignmentExpressionSyntax>(), semanticModel), creation, semanticModel, cancellationToken);
            if (!NameResolvesTo(field, creation, semanticModel))
            {
                return null;
            }

            return editor =>
            {
                editor.ReplaceNode(creation, SyntaxFactory.IdentifierName(field.Name).WithTriviaFrom(creation));
                field.Add?.Invoke(editor);
            };
        }

        if (creation.Parent is not EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }
            || declarator.Parent is not VariableDeclarationSyntax { Variables.Count: 1 } declaration
            || semanticModel.GetDeclaredSymbol(declarator, cancellationToken) is not ILocalSymbol local)
        {
            return null;
        }

        // Where the declaration lives, and the statements that follow it in the same block.
        StatementSyntax owner;
        IReadOnlyList<StatementSyntax> following;
        switch (declaration.Parent)
        {
            case LocalDeclarationStatementSyntax { Parent: BlockSyntax or GlobalStatementSyntax or SwitchSectionSyntax } statement when !statement.AwaitKeyword.IsKind(SyntaxKind.AwaitKeyword):
                owner = statement;
                following = statement.Parent is BlockSyntax block ? block.Statements.SkipWhile(s => s != statement).Skip(1).ToList() : Array.Empty<StatementSyntax>();
                break;
            case UsingStatementSyntax { AwaitKeyword.RawKind: 0 } usingStatement:
                owner = usingStatement;
                following = usingStatement.Statement is BlockSyntax body ? body.Statements : new[] { usingStatement.Statement };
                break;
            default:
                return null;
        }

        var function = SyntaxHelpers.EnclosingFunction(creation) ?? (SyntaxNode?)creation.FirstAncestorOrSelf<GlobalStatementSyntax>()?.Parent;
        if (function is null)
        {
            return null;
        }

        var uses = function.DescendantNodes().OfType<IdentifierNameSyntax>()
            .Where(n => n.Identifier.ValueText == local.Name && SymbolEqualityComparer.Default.Equals(semanticModel.GetSymbolInfo(n, cancellationToken).Symbol, local))
            .ToList();

        // Leading `http.BaseAddress = <constant>;` and `http.DefaultRequestHeaders.Add(<constant>, <constant>);` statements fold into the initializer.
        var folded = new List<ExpressionStatementSyntax>();
        var foldedAssignments = new List<AssignmentExpressionSyntax>();
        var headers = new List<(ExpressionSyntax Name, ExpressionSyntax Value)>();
        var initialized = new HashSet<string>(
            creation.Initializer?.Expressions.OfType<AssignmentExpressionSyntax>().Select(a => a.Left).OfType<IdentifierNameSyntax>().Select(n => n.Identifier.ValueText) ?? Enumerable.Empty<string>(),
            StringComparer.Ordinal);
        foreach (var statement in following)
        {
            if (statement is ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { Left: MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax target, Name: IdentifierNameSyntax property } } assignment } expressionStatement
                && assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)
                && uses.Contains(target)
                && s_foldableProperties.Contains(property.Identifier.ValueText)
                && initialized.Add(property.Identifier.ValueText)
                && IsInvariant(assignment.Right, assignment.Right, typeSymbol, semanticModel, cancellationToken))
            {
                folded.Add(expressionStatement);
                foldedAssignments.Add(InitializerHelpers.Assignment(property.Identifier.ValueText, assignment.Right.WithoutTrivia()));
                continue;
            }

            if (statement is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Add", Expression: MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax headerTarget, Name.Identifier.ValueText: "DefaultRequestHeaders" } } } add } headerStatement
                && uses.Contains(headerTarget)
                && !initialized.Contains("DefaultRequestHeaders")
                && add.ArgumentList.Arguments is { Count: 2 } arguments
                && arguments.All(a => a.NameColon is null && a.RefKindKeyword.IsKind(SyntaxKind.None))
                && semanticModel.GetSymbolInfo(add, cancellationToken).Symbol is IMethodSymbol { Parameters.Length: 2 } addMethod
                && addMethod.Parameters.All(p => p.Type.SpecialType == SpecialType.System_String)
                && arguments.All(a => IsInvariant(a.Expression, a.Expression, typeSymbol, semanticModel, cancellationToken)))
            {
                folded.Add(headerStatement);
                headers.Add((arguments[0].Expression.WithoutTrivia(), arguments[1].Expression.WithoutTrivia()));
                continue;
            }

            break;
        }

        if (headers.Count > 0)
        {
            foldedAssignments.Add(HeadersInitializer(headers));
        }

        var remaining = uses.Where(u => !folded.Any(f => f.Span.Contains(u.Span))).ToList();
        if (remaining.Any(u => !IsPlainUse(u, semanticModel, cancellationToken)))
        {
            return null;
        }

        var initializer = BuildInitializer(creation, foldedAssignments, semanticModel);
        var chosen = ChooseField(type, typeSymbol, initializer, creation, semanticModel, cancellationToken);
        if (remaining.Any(u => !NameResolvesTo(chosen, u, semanticModel)))
        {
            return null;
        }

        return editor =>
        {
            foreach (var use in remaining)
            {
                editor.ReplaceNode(use, SyntaxFactory.IdentifierName(chosen.Name).WithTriviaFrom(use));
            }

            foreach (var statement in folded)
            {
                editor.RemoveNode(statement, SyntaxRemoveOptions.KeepNoTrivia);
            }

            RemoveDeclaration(editor, owner, folded);
            chosen.Add?.Invoke(editor);
        };
    }

    /// <summary><c>DefaultRequestHeaders = { { "User-Agent", "orders/1.0" }, ... }</c>: a nested collection initializer calling Add(string, string).</summary>
    private static AssignmentExpressionSyntax HeadersInitializer(IReadOnlyList<(ExpressionSyntax Name, ExpressionSyntax Value)> headers)
    {
        var entries = string.Join(", ", headers.Select(h => "{ " + h.Name.ToString() + ", " + h.Value.ToString() + " }"));
        var parsed = (ObjectCreationExpressionSyntax)SyntaxFactory.ParseExpression("new object { DefaultRequestHeaders = { " + entries + " } }");
        return (AssignmentExpressionSyntax)parsed.Initializer!.Expressions[0];
    }

    /// <summary>Removes the declaration (or unwraps the using statement), keeping comments written above it.</summary>
    private static void RemoveDeclaration(SyntaxEditor editor, StatementSyntax owner, List<ExpressionStatementSyntax> folded)
    {
        var leading = owner.GetLeadingTrivia();
        var hasComments = leading.Any(t => !t.IsKind(SyntaxKind.WhitespaceTrivia) && !t.IsKind(SyntaxKind.EndOfLineTrivia));
        if (owner is UsingStatementSyntax)
        {
            if (owner.Parent is not BlockSyntax parent)
            {
                editor.ReplaceNode(owner, (current, _) => ((UsingStatementSyntax)current).Statement.WithLeadingTrivia(leading).WithAdditionalAnnotations(Formatter.Annotation));
                return;
            }

            // Splice the body's statements (with the uses already replaced) into the enclosing block.
            var index = parent.Statements.IndexOf(owner);
            editor.ReplaceNode(parent, (current, _) =>
            {
                var block = (BlockSyntax)current;
                var usingStatement = (UsingStatementSyntax)block.Statements[index];
                var inner = usingStatement.Statement is BlockSyntax body ? body.Statements.ToList() : new List<StatementSyntax> { usingStatement.Statement };
                inner = inner.Select(s => s.WithAdditionalAnnotations(Formatter.Annotation)).ToList();
                if (inner.Count > 0 && hasComments)
                {
                    inner[0] = inner[0].WithLeadingTrivia(leading.AddRange(inner[0].GetLeadingTrivia().Where(t => !t.IsKind(SyntaxKind.WhitespaceTrivia))));
                }

                var statements = block.Statements.RemoveAt(index).InsertRange(index, inner);
                return block.WithStatements(statements);
            });
            return;
        }

        if (!hasComments)
        {
            editor.RemoveNode(owner, SyntaxRemoveOptions.KeepNoTrivia);
            return;
        }

        // Move the comment onto the next statement, or keep it in place when there is none.
        if (owner.Parent is BlockSyntax parentBlock && parentBlock.Statements.SkipWhile(s => s != owner).Skip(1).FirstOrDefault(s => !folded.Contains(s)) is { } next)
        {
            editor.RemoveNode(owner, SyntaxRemoveOptions.KeepNoTrivia);
            editor.ReplaceNode(next, (current, _) => current.WithLeadingTrivia(leading));
        }
        else
        {
            editor.RemoveNode(owner, SyntaxRemoveOptions.KeepLeadingTrivia);
        }
    }

    /// <summary>A use that works the same on a shared client: a method call (not Dispose/CancelPendingRequests) or a property read.</summary>
    private static bool IsPlainUse(IdentifierNameSyntax use, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (use.Parent is not MemberAccessExpressionSyntax access || access.Expression != use)
        {
            return false;
        }

        var member = semanticModel.GetSymbolInfo(access, cancellationToken).Symbol;
        return member switch
        {
            IMethodSymbol method => method.Name is not ("Dispose" or "CancelPendingRequests") && access.Parent is InvocationExpressionSyntax invocation && invocation.Expression == access,
            IPropertySymbol => access.Parent is not MemberAccessExpressionSyntax && !(access.Parent is AssignmentExpressionSyntax assignment && assignment.Left == access)
                               && access.Parent is not PrefixUnaryExpressionSyntax and not PostfixUnaryExpressionSyntax,
            _ => false,
        };
    }

    /// <summary>
    /// The expression reads nothing that can differ between calls or is not initialised yet when a static field is: no locals,
    /// parameters, this/base, await, or static non-constant members of the containing type (static initialisation order).
    /// </summary>
    private static bool IsInvariant(SyntaxNode expression, SyntaxNode scope, INamedTypeSymbol containingType, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        foreach (var node in expression.DescendantNodesAndSelf())
        {
            switch (node)
            {
                case ThisExpressionSyntax or BaseExpressionSyntax or AwaitExpressionSyntax:
                    return false;
                case SimpleNameSyntax name:
                    if (name.Parent is MemberAccessExpressionSyntax access && access.Name == name)
                    {
                        continue;
                    }

                    if (name.Parent is AssignmentExpressionSyntax { Parent: InitializerExpressionSyntax } assignment && assignment.Left == name)
                    {
                        continue;
                    }

                    var symbol = semanticModel.GetSymbolInfo(name, cancellationToken).Symbol;
                    if (symbol is null && name.Parent is ObjectCreationExpressionSyntax or QualifiedNameSyntax)
                    {
                        continue;
                    }

                    if (!IsInvariantSymbol(symbol, scope, containingType))
                    {
                        return false;
                    }

                    break;
            }
        }

        return true;
    }

    private static bool IsInvariantSymbol(ISymbol? symbol, SyntaxNode scope, INamedTypeSymbol containingType) => symbol switch
    {
        null => false,
        ITypeSymbol or INamespaceSymbol => true,
        IFieldSymbol { IsConst: true } => true,
        ILocalSymbol or IParameterSymbol or IRangeVariableSymbol => symbol.DeclaringSyntaxReferences.Any(r => scope.Span.Contains(r.Span)),
        { IsStatic: true } => !IsWithin(symbol.ContainingType, containingType),
        _ => false,
    };

    private static bool IsWithin(INamedTypeSymbol? type, INamedTypeSymbol containingType)
    {
        for (var current = containingType; current is not null; current = current.ContainingType)
        {
            if (SymbolEqualityComparer.Default.Equals(type?.OriginalDefinition, current.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The field initializer: the creation with the folded settings added, a SocketsHttpHandler with a pooled connection lifetime
    /// when it uses the default handler (where the target has one), written <c>new(...)</c> from C# 9 on.
    /// </summary>
    private static ExpressionSyntax BuildInitializer(BaseObjectCreationExpressionSyntax creation, IReadOnlyList<AssignmentExpressionSyntax> folded, SemanticModel semanticModel)
    {
        var result = creation.WithoutAnnotations(TrackingKind).WithoutTrivia();
        foreach (var assignment in folded)
        {
            result = InitializerHelpers.AddToInitializer(result, assignment);
        }

        var sockets = semanticModel.Compilation.GetTypeByMetadataName("System.Net.Http.SocketsHttpHandler");
        if (sockets is not null && !sockets.GetMembers("PooledConnectionLifetime").IsEmpty)
        {
            if (result.ArgumentList is not { Arguments.Count: > 0 })
            {
                result = NoPooledConnectionLifetimeCodeFix.AddHandlerArgument(result, NoPooledConnectionLifetimeCodeFix.NewSocketsHandler(LifetimeMinutes));
            }
            else if (result.ArgumentList.Arguments[0].Expression is BaseObjectCreationExpressionSyntax handler
                     && semanticModel.GetTypeInfo(((BaseObjectCreationExpressionSyntax)creation.ArgumentList!.Arguments[0].Expression)).Type is { } handlerType
                     && SymbolEqualityComparer.Default.Equals(handlerType, sockets)
                     && handler.Initializer?.Expressions.OfType<AssignmentExpressionSyntax>().Any(a => a.Left is IdentifierNameSyntax { Identifier.ValueText: "PooledConnectionLifetime" }) != true)
            {
                result = result.ReplaceNode(handler, InitializerHelpers.AddToInitializer(handler, NoPooledConnectionLifetimeCodeFix.LifetimeAssignment(LifetimeMinutes)));
            }
        }

        if (result is ObjectCreationExpressionSyntax explicitCreation
            && ((CSharpParseOptions)creation.SyntaxTree.Options).LanguageVersion >= LanguageVersion.CSharp9)
        {
            return SyntaxFactory.ImplicitObjectCreationExpression(
                SyntaxFactory.Token(default, SyntaxKind.NewKeyword, default),
                explicitCreation.ArgumentList?.WithoutTrivia() ?? InitializerHelpers.ArgumentList(Array.Empty<ArgumentSyntax>()),
                explicitCreation.Initializer is { } initializer ? initializer.WithLeadingTrivia(SyntaxFactory.Space) : null);
        }

        return result;
    }

    private sealed record FieldChoice(string Name, IFieldSymbol? Existing, Action<SyntaxEditor>? Add);

    /// <summary>An existing static readonly HttpClient field with the same initializer (added by an earlier fix), or a new field with a free name.</summary>
    private static FieldChoice ChooseField(TypeDeclarationSyntax type, INamedTypeSymbol typeSymbol, ExpressionSyntax initializer, SyntaxNode usePosition, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        var wanted = Normalize(initializer);
        foreach (var existing in type.Members.OfType<FieldDeclarationSyntax>())
        {
            if (existing.Modifiers.Any(SyntaxKind.StaticKeyword) && existing.Modifiers.Any(SyntaxKind.ReadOnlyKeyword) && existing.Declaration.Variables.Count == 1
                && existing.Declaration.Variables[0] is { Initializer: { } existingInitializer } variable
                && Normalize(existingInitializer.Value) == wanted
                && semanticModel.GetDeclaredSymbol(variable, cancellationToken) is IFieldSymbol symbol
                && symbol.Type.Name == "HttpClient"
                && NameResolvesTo(new FieldChoice(symbol.Name, symbol, null), usePosition, semanticModel))
            {
                return new FieldChoice(symbol.Name, symbol, null);
            }
        }

        var name = BaseFieldName;
        for (var i = 2; IsTaken(name, typeSymbol, usePosition, semanticModel); i++)
        {
            name = BaseFieldName + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var parsed = (FieldDeclarationSyntax)SyntaxFactory.ParseMemberDeclaration($"private static readonly global::System.Net.Http.HttpClient {name} = null;")!;
        var declaration = parsed.ReplaceNode(parsed.Declaration.Variables[0].Initializer!.Value, initializer.WithoutLeadingTrivia());
        declaration = declaration.ReplaceNode(declaration.Declaration.Type, declaration.Declaration.Type.WithAdditionalAnnotations(Simplifier.Annotation));

        var endOfLine = type.OpenBraceToken.TrailingTrivia.FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
        if (!endOfLine.IsKind(SyntaxKind.EndOfLineTrivia))
        {
            endOfLine = SyntaxFactory.ElasticCarriageReturnLineFeed;
        }

        // After the last static field, else after the last field: static state stays together.
        var lastField = type.Members.OfType<FieldDeclarationSyntax>().LastOrDefault(f => f.Modifiers.Any(SyntaxKind.StaticKeyword))
            ?? type.Members.OfType<FieldDeclarationSyntax>().LastOrDefault();
        var indentation = Indentation(lastField ?? type.Members.FirstOrDefault(), type);
        var field = declaration.WithLeadingTrivia(indentation).WithTrailingTrivia(endOfLine);
        Action<SyntaxEditor> add = editor => editor.ReplaceNode(type, (current, _) =>
        {
            var currentType = (TypeDeclarationSyntax)current;
            var index = lastField is null ? 0 : type.Members.IndexOf(lastField) + 1;
            var members = currentType.Members;
            if (lastField is null && members.Count > 0)
            {
                members = members.Replace(members[0], members[0].WithLeadingTrivia(members[0].GetLeadingTrivia().Insert(0, endOfLine)));
            }

            return currentType.WithMembers(members.Insert(index, field));
        });
        return new FieldChoice(name, null, add);
    }

    /// <summary>The whitespace before <paramref name="member"/>, or the type's own indentation plus four spaces.</summary>
    private static SyntaxTriviaList Indentation(MemberDeclarationSyntax? member, TypeDeclarationSyntax type)
    {
        var source = member?.GetLeadingTrivia() ?? type.GetLeadingTrivia();
        var whitespace = source.LastOrDefault(t => t.IsKind(SyntaxKind.WhitespaceTrivia));
        var text = whitespace.IsKind(SyntaxKind.WhitespaceTrivia) ? whitespace.ToString() : string.Empty;
        return SyntaxFactory.TriviaList(SyntaxFactory.Whitespace(member is null ? text + "    " : text));
    }

    private static bool IsTaken(string name, INamedTypeSymbol typeSymbol, SyntaxNode usePosition, SemanticModel semanticModel)
    {
        for (var type = typeSymbol; type is not null; type = type.BaseType)
        {
            if (!type.GetMembers(name).IsEmpty)
            {
                return true;
            }
        }

        return !semanticModel.LookupSymbols(usePosition.SpanStart, name: name).IsEmpty;
    }

    /// <summary>An existing field is only reused where its name is not shadowed by a local or parameter.</summary>
    private static bool NameResolvesTo(FieldChoice choice, SyntaxNode position, SemanticModel semanticModel)
    {
        var found = semanticModel.LookupSymbols(position.SpanStart, name: choice.Name);
        return choice.Existing is null ? found.IsEmpty : found.Length == 1 && SymbolEqualityComparer.Default.Equals(found[0], choice.Existing);
    }

    /// <summary>The text without whitespace and without the qualification the generated names carry before the clean-up reduces them.</summary>
    private static string Normalize(SyntaxNode node) =>
        new string(node.WithoutTrivia().ToString().Replace("global::", string.Empty).Replace("System.Net.Http.", string.Empty).Replace("System.", string.Empty).Where(c => !char.IsWhiteSpace(c)).ToArray());
}
