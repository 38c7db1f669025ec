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
/// AP5001: declares <c>var &lt;name&gt;Set = new HashSet&lt;T&gt;(&lt;collection&gt;[, comparer]);</c> right before the outermost
/// loop (or LINQ statement) in which the collection does not change, and turns each lookup into <c>&lt;name&gt;Set.Contains(x)</c>.
/// Lookups of the same collection hoisted before the same statement share one set. Offered only when the collection is
/// known not to be null (the constructor would throw even when the loop runs zero times).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LinearLookupInLoopCodeFix)), Shared]
public sealed class LinearLookupInLoopCodeFix : CodeFixProvider, IDocumentFixer
{
    internal const string EquivalenceKey = "AP5001.HashSet";
    private const string Title = "Use a HashSet for the membership checks";

    private static readonly SymbolDisplayFormat s_typeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier | SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.LinearLookupInLoop);

    public override FixAllProvider GetFixAllProvider() => DocumentFixAll.Create(this);

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var semanticModel = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || semanticModel is null || KnownTypes.Get(semanticModel.Compilation).ListOfT is not { } listType)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (CreatePlan(root, semanticModel, diagnostic, listType, context.CancellationToken) is not null)
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
        var semanticModel = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || semanticModel is null || KnownTypes.Get(semanticModel.Compilation).ListOfT is not { } listType)
        {
            return document;
        }

        var plans = diagnostics
            .OrderBy(d => d.Location.SourceSpan.Start)
            .Select(d => CreatePlan(root, semanticModel, d, listType, cancellationToken))
            .OfType<Plan>()
            .ToList();
        if (plans.Count == 0)
        {
            return document;
        }

        var editor = new SyntaxEditor(root, document.Project.Solution.Services);
        var allocated = new Dictionary<SyntaxNode, HashSet<string>>();
        var declarations = new Dictionary<SyntaxNode, List<StatementSyntax>>();
        var anchors = new List<SyntaxNode>();
        foreach (var group in plans.GroupBy(p => (p.Anchor, p.Symbol, p.CollectionText, p.ComparerText), GroupKeyComparer.Instance))
        {
            var first = group.First();
            var name = ExistingSet(first);
            if (name is null)
            {
                var scope = NameScope(first.Anchor);
                if (!allocated.TryGetValue(scope, out var used))
                {
                    used = DeclaredNames(scope, semanticModel, first.Anchor.SpanStart);
                    allocated.Add(scope, used);
                }

                name = UniqueName(BaseName(first.Symbol.Name), used);
                used.Add(name);
                if (!declarations.TryGetValue(first.Anchor, out var list))
                {
                    list = new List<StatementSyntax>();
                    declarations.Add(first.Anchor, list);
                    anchors.Add(first.Anchor);
                }

                list.Add(Declaration(first, name, root));
            }

            foreach (var plan in group)
            {
                var value = plan.Value.WithoutTrivia();
                var negated = plan.Negated;
                var setName = name;
                editor.ReplaceNode(plan.Node, (current, _) => Lookup(setName, value, negated).WithTriviaFrom(current));
            }
        }

        foreach (var anchor in anchors)
        {
            var statements = declarations[anchor];
            editor.InsertBefore(anchor, anchor is GlobalStatementSyntax
                ? statements.Select(s => (SyntaxNode)SyntaxFactory.GlobalStatement(s))
                : statements);
        }

        return await InitializerHelpers.CleanUpAsync(document.WithSyntaxRoot(editor.GetChangedRoot()), cancellationToken).ConfigureAwait(false);
    }

    /// <param name="Node">The lookup expression to replace.</param>
    /// <param name="Anchor">The statement (or global statement) the set is declared before.</param>
    private sealed record Plan(ExpressionSyntax Node, SyntaxNode Anchor, ISymbol Symbol, ExpressionSyntax Collection, string CollectionText, string? ComparerText, ExpressionSyntax Value, bool Negated, ITypeSymbol ElementType);

    private static Plan? CreatePlan(SyntaxNode root, SemanticModel semanticModel, Diagnostic diagnostic, INamedTypeSymbol listType, CancellationToken cancellationToken)
    {
        var span = diagnostic.Location.SourceSpan;
        if (root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<ExpressionSyntax>(n => n.Span == span) is not { } node)
        {
            return null;
        }

        var call = semanticModel.GetOperation(node, cancellationToken) switch
        {
            IInvocationOperation invocation => invocation,
            IBinaryOperation binary => binary.LeftOperand.WalkDownConversions() as IInvocationOperation ?? binary.RightOperand.WalkDownConversions() as IInvocationOperation,
            _ => null,
        };
        if (call is null || LinearLookup.Match(call, listType) is not { } match || match.Node.Syntax != node
            || match.Value.Syntax is not ExpressionSyntax value || match.Collection.Syntax is not ExpressionSyntax collection
            || LinearLookup.OutermostInvariantIteration(match) is not { } iteration
            || Anchor(iteration) is not { } anchor
            || !IsKnownNotNull(match, semanticModel, cancellationToken))
        {
            return null;
        }

        string? comparerText = null;
        if (match.Comparer is { } comparer)
        {
            if (!IsHoistableComparer(comparer, iteration))
            {
                return null;
            }

            comparerText = comparer.Syntax.WithoutTrivia().ToString();
        }

        return new Plan(node, anchor, match.CollectionSymbol, collection, collection.WithoutTrivia().ToString(), comparerText, value, match.Negated, match.ElementType);
    }

    /// <summary>The loop statement itself, or the statement holding the LINQ call (when the query is consumed there); it must sit in a block.</summary>
    private static SyntaxNode? Anchor(IOperation iteration)
    {
        StatementSyntax? statement;
        if (iteration is ILoopOperation)
        {
            statement = iteration.Syntax as StatementSyntax;
        }
        else
        {
            if (LinearLookup.DeferredConsumer(iteration) is { } consumer && consumer is not IForEachLoopOperation)
            {
                return null;
            }

            statement = iteration.Syntax.FirstAncestorOrSelf<StatementSyntax>();
            if (statement is null || iteration.Syntax.Ancestors().TakeWhile(a => a != statement).Any(a => a is AnonymousFunctionExpressionSyntax))
            {
                return null;
            }
        }

        return statement?.Parent switch
        {
            BlockSyntax or SwitchSectionSyntax => statement,
            GlobalStatementSyntax global => global,
            _ => null,
        };
    }

    private static bool IsHoistableComparer(IOperation comparer, IOperation iteration)
    {
        var value = comparer.WalkDownConversions();
        return value.ConstantValue is { HasValue: true, Value: null }
            || value is IFieldReferenceOperation { Field.IsStatic: true } or IPropertyReferenceOperation { Property.IsStatic: true, Arguments.Length: 0 }
            || (value.ReferencedSymbol() is { } symbol && value is not IPropertyReferenceOperation { Instance: not (null or IInstanceReferenceOperation) }
                && value is not IFieldReferenceOperation { Instance: not (null or IInstanceReferenceOperation) }
                && LinearLookup.IsInvariantIn(iteration, symbol));
    }

    /// <summary>
    /// <c>new HashSet&lt;T&gt;(null)</c> throws even when the loop would not have run, so the collection must be known non-null:
    /// a non-nullable parameter, field or property, or a local whose every assignment is a creation or not-null by flow analysis.
    /// </summary>
    private static bool IsKnownNotNull(LinearLookupMatch match, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        switch (match.CollectionSymbol)
        {
            case IParameterSymbol parameter:
                return parameter.NullableAnnotation == NullableAnnotation.NotAnnotated;
            case IFieldSymbol field:
                return field.NullableAnnotation == NullableAnnotation.NotAnnotated;
            case IPropertySymbol property:
                return property.NullableAnnotation == NullableAnnotation.NotAnnotated;
            case ILocalSymbol local:
                var writes = 0;
                foreach (var descendant in LocalUses.Root(match.Node).Descendants())
                {
                    IOperation? value = descendant switch
                    {
                        IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local) =>
                            declarator.Initializer?.Value ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer?.Value,
                        ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when SymbolEqualityComparer.Default.Equals(target.Local, local) => assignment.Value,
                        _ => null,
                    };
                    if (value is not null)
                    {
                        writes++;
                        if (!IsNotNull(value, semanticModel, cancellationToken))
                        {
                            return false;
                        }
                    }
                    else if (descendant is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local)
                        && LocalUses.ParentSkippingConversions(reference, out var child) is IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } or ICompoundAssignmentOperation or ICoalesceAssignmentOperation or IDeconstructionAssignmentOperation or ITupleOperation)
                    {
                        return false;
                    }
                }

                return writes > 0;
            default:
                return false;
        }
    }

    private static bool IsNotNull(IOperation value, SemanticModel semanticModel, CancellationToken cancellationToken) =>
        value.WalkDownConversions() is IObjectCreationOperation or IArrayCreationOperation or ICollectionExpressionOperation
        || semanticModel.GetTypeInfo(value.Syntax, cancellationToken).Nullability.FlowState == NullableFlowState.NotNull;

    /// <summary>A set for the same collection and comparer already declared among the statements just before the anchor (an earlier fix).</summary>
    private static string? ExistingSet(Plan plan)
    {
        var siblings = plan.Anchor.Parent switch
        {
            BlockSyntax block => block.Statements.Cast<SyntaxNode>().ToList(),
            SwitchSectionSyntax section => section.Statements.Cast<SyntaxNode>().ToList(),
            CompilationUnitSyntax unit => unit.Members.Cast<SyntaxNode>().ToList(),
            _ => new List<SyntaxNode>(),
        };
        var expected = plan.ComparerText is null ? new[] { plan.CollectionText } : new[] { plan.CollectionText, plan.ComparerText };
        for (var i = siblings.IndexOf(plan.Anchor) - 1; i >= 0; i--)
        {
            var statement = siblings[i] is GlobalStatementSyntax global ? global.Statement : siblings[i];
            if (statement is not LocalDeclarationStatementSyntax { Declaration.Variables.Count: 1 } declaration
                || declaration.Declaration.Variables[0] is not { Initializer.Value: ObjectCreationExpressionSyntax creation } variable
                || creation.Type is not GenericNameSyntax { Identifier.ValueText: "HashSet" } and not QualifiedNameSyntax { Right.Identifier.ValueText: "HashSet" })
            {
                break;
            }

            if (creation.ArgumentList is { } arguments && arguments.Arguments.Select(a => a.WithoutTrivia().ToString()).SequenceEqual(expected))
            {
                return variable.Identifier.ValueText;
            }
        }

        return null;
    }

    private static SyntaxNode NameScope(SyntaxNode anchor) =>
        anchor.Ancestors().FirstOrDefault(a => a is MemberDeclarationSyntax and not GlobalStatementSyntax) ?? anchor.SyntaxTree.GetRoot();

    /// <summary>Names declared anywhere in the member (a new local may not shadow or be shadowed by them) plus those in scope.</summary>
    private static HashSet<string> DeclaredNames(SyntaxNode scope, SemanticModel semanticModel, int position)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in scope.DescendantNodes())
        {
            var token = node switch
            {
                VariableDeclaratorSyntax declarator => declarator.Identifier,
                SingleVariableDesignationSyntax designation => designation.Identifier,
                ForEachStatementSyntax forEach => forEach.Identifier,
                ParameterSyntax parameter => parameter.Identifier,
                LocalFunctionStatementSyntax function => function.Identifier,
                CatchDeclarationSyntax catchDeclaration => catchDeclaration.Identifier,
                _ => default,
            };
            if (token.ValueText.Length > 0)
            {
                names.Add(token.ValueText);
            }
        }

        foreach (var symbol in semanticModel.LookupSymbols(position))
        {
            names.Add(symbol.Name);
        }

        return names;
    }

    /// <summary><c>_blockedIds</c>, <c>s_blockedIds</c>, <c>BlockedIds</c> → <c>blockedIdsSet</c>.</summary>
    private static string BaseName(string symbolName)
    {
        var name = symbolName.TrimStart('_');
        if (name.Length > 2 && name[1] == '_' && name[0] is 's' or 'm' or 't')
        {
            name = name.Substring(2);
        }

        if (name.Length == 0)
        {
            return "set";
        }

        return char.ToLowerInvariant(name[0]) + name.Substring(1) + "Set";
    }

    private static string UniqueName(string baseName, HashSet<string> used)
    {
        var name = baseName;
        for (var i = 2; used.Contains(name) || SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None; i++)
        {
            name = baseName + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return name;
    }

    private static StatementSyntax Declaration(Plan plan, string name, SyntaxNode root)
    {
        var arguments = plan.ComparerText is null ? plan.CollectionText : plan.CollectionText + ", " + plan.ComparerText;
        var setType = SyntaxFactory.ParseTypeName("global::System.Collections.Generic.HashSet<" + plan.ElementType.ToDisplayString(s_typeFormat) + ">")
            .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);
        var statement = (LocalDeclarationStatementSyntax)SyntaxFactory.ParseStatement($"var {name} = new HashSet<T>({arguments});");
        var creation = (ObjectCreationExpressionSyntax)statement.Declaration.Variables[0].Initializer!.Value;
        statement = statement.ReplaceNode(creation.Type, setType.WithTriviaFrom(creation.Type));

        var leading = plan.Anchor.GetLeadingTrivia();
        var indentation = leading.Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse();
        var endOfLine = root.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
        if (!endOfLine.IsKind(SyntaxKind.EndOfLineTrivia))
        {
            endOfLine = SyntaxFactory.EndOfLine("\n");
        }

        return statement.WithLeadingTrivia(indentation).WithTrailingTrivia(endOfLine);
    }

    private static ExpressionSyntax Lookup(string setName, ExpressionSyntax value, bool negated)
    {
        ExpressionSyntax contains = SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, SyntaxFactory.IdentifierName(setName), SyntaxFactory.IdentifierName("Contains")),
            SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(value))));
        return negated ? SyntaxFactory.PrefixUnaryExpression(SyntaxKind.LogicalNotExpression, contains) : contains;
    }

    private sealed class GroupKeyComparer : IEqualityComparer<(SyntaxNode Anchor, ISymbol Symbol, string Collection, string? Comparer)>
    {
        public static readonly GroupKeyComparer Instance = new();

        public bool Equals((SyntaxNode Anchor, ISymbol Symbol, string Collection, string? Comparer) x, (SyntaxNode Anchor, ISymbol Symbol, string Collection, string? Comparer) y) =>
            x.Anchor == y.Anchor && SymbolEqualityComparer.Default.Equals(x.Symbol, y.Symbol) && x.Collection == y.Collection && x.Comparer == y.Comparer;

        public int GetHashCode((SyntaxNode Anchor, ISymbol Symbol, string Collection, string? Comparer) obj) =>
            obj.Anchor.GetHashCode() ^ StringComparer.Ordinal.GetHashCode(obj.Collection);
    }
}
