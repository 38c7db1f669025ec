using System.Composition;
using AsyncPerf.Infrastructure;
using AsyncPerf.Rules.Cancellation;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.CodeFixes.Rules.Cancellation;

/// <summary>
/// AP3003: rewrites
/// <code>
/// if (await Task.WhenAny(work, Task.Delay(t, ct)) == work) { W } else { T }
/// </code>
/// into
/// <code>
/// try { await work.WaitAsync(t, ct); W } catch (TimeoutException exception) when (exception != work.Exception?.InnerException) { T }
/// </code>
/// When the timeout branch T cannot complete normally (it returns or throws), W moves after the try statement instead, so
/// an exception thrown by W can never reach the timeout handler. The filter lets a TimeoutException thrown by the work itself
/// flow on, as it did before. Offered only where <c>Task.WaitAsync(TimeSpan, CancellationToken)</c> exists (.NET 6+), the
/// comparison is the condition of an if statement, and the work task is a variable.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(WhenAnyDelayTimeoutCodeFix)), Shared]
public sealed class WhenAnyDelayTimeoutCodeFix : CodeFixProvider, IDocumentFixer
{
    internal const string EquivalenceKey = "AP3003.WaitAsync";
    private const string Title = "Use WaitAsync and catch the TimeoutException";
    private const string PendingKind = "AsyncPerf.AP3003.Pending";
    private const int MaxRounds = 16;

    private static readonly string[] s_exceptionNames = ["exception", "timeoutException", "ex"];

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.WhenAnyDelayTimeout);

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
            if (FindWhenAny(root, diagnostic) is { } whenAny && Plan(semanticModel, whenAny, context.CancellationToken) is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(Title, ct => FixDocumentAsync(context.Document, ImmutableArray.Create(diagnostic), EquivalenceKey, ct), EquivalenceKey),
                    diagnostic);
            }
        }
    }

    /// <summary>
    /// Marks every diagnostic's WhenAny call, then fixes them in rounds: each round rewrites the marked timeouts that do not
    /// overlap one fixed earlier in the round, so a timeout nested in another one's branch is fixed in the next round.
    /// </summary>
    public async Task<Document> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? equivalenceKey, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var calls = diagnostics.Select(d => FindWhenAny(root, d)).OfType<InvocationExpressionSyntax>().ToList();
        var index = 0;
        var marked = new Dictionary<SyntaxNode, SyntaxAnnotation>();
        foreach (var call in calls)
        {
            marked[call] = new SyntaxAnnotation(PendingKind, (index++).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        document = document.WithSyntaxRoot(root.ReplaceNodes(marked.Keys, (original, current) => current.WithAdditionalAnnotations(marked[original])));
        for (var round = 0; round < MaxRounds; round++)
        {
            root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var semanticModel = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            if (root is null || semanticModel is null)
            {
                break;
            }

            var chosen = new List<FixPlan>();
            foreach (var call in root.GetAnnotatedNodes(PendingKind).OfType<InvocationExpressionSyntax>().OrderBy(n => n.SpanStart))
            {
                if (Plan(semanticModel, call, cancellationToken) is { } plan && !chosen.Any(c => c.Region.OverlapsWith(plan.Region)))
                {
                    chosen.Add(plan);
                }
            }

            if (chosen.Count == 0)
            {
                break;
            }

            var editor = new SyntaxEditor(root, document.Project.Solution.Services);
            foreach (var plan in chosen)
            {
                Apply(editor, plan);
            }

            document = document.WithSyntaxRoot(editor.GetChangedRoot());
        }

        return await InitializerHelpers.CleanUpAsync(document, cancellationToken).ConfigureAwait(false);
    }

    private static InvocationExpressionSyntax? FindWhenAny(SyntaxNode root, Diagnostic diagnostic) =>
        root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true)
            .FirstAncestorOrSelf<InvocationExpressionSyntax>(n => n.Span == diagnostic.Location.SourceSpan);

    /// <summary>What the rewrite needs, all taken from the document before any change.</summary>
    private sealed record FixPlan(
        IfStatementSyntax If,
        ImmutableArray<StatementSyntax> RemovedStatements,
        StatementSyntax Try,
        ImmutableArray<StatementSyntax> After,
        Microsoft.CodeAnalysis.Text.TextSpan Region);

    private static FixPlan? Plan(SemanticModel semanticModel, InvocationExpressionSyntax call, CancellationToken cancellationToken)
    {
        var known = KnownTypes.Get(semanticModel.Compilation);
        if (known.Task is not { } task || known.TimeSpan is null || !HasWaitAsync(task, known)
            || semanticModel.GetOperation(call, cancellationToken) is not IInvocationOperation invocation
            || WhenAnyTimeoutShape.Find(invocation, task) is not { } shape
            || shape.WorkSymbol is null || !shape.Work.Type.InheritsFromOrIs(task) || shape.Work.Syntax is not ExpressionSyntax work)
        {
            return null;
        }

        if (DelayArguments(shape, known) is not var (time, token))
        {
            return null;
        }

        // The comparison must be the whole condition of an if statement.
        SyntaxNode condition = shape.Comparison.Syntax;
        while (condition.Parent is ParenthesizedExpressionSyntax)
        {
            condition = condition.Parent;
        }

        if (condition.Parent is not IfStatementSyntax ifStatement || ifStatement.Condition != condition)
        {
            return null;
        }

        var operationRoot = LocalUses.Root(invocation);
        var removed = ImmutableArray.CreateBuilder<StatementSyntax>();
        StatementSyntax anchor = ifStatement;
        if (shape.Winner is not null)
        {
            // var winner = await Task.WhenAny(...);  directly followed by  if (winner == work)
            if (LocalUses.References(operationRoot, shape.Winner).Count() != 1
                || DeclarationOf(shape.Await.Syntax) is not { } winnerStatement
                || NextStatement(winnerStatement) != ifStatement)
            {
                return null;
            }

            removed.Add(winnerStatement);
            anchor = winnerStatement;
        }

        if (shape.DelayLocal is not null)
        {
            // var delay = Task.Delay(t);  earlier in the same statement list, used only by WhenAny and the comparison,
            // with nothing awaited in between and arguments that still have the same value at the WhenAny.
            if (DeclarationOf(shape.Delay.Syntax) is not { } delayStatement
                || !LocalUses.References(operationRoot, shape.DelayLocal).All(r => r.IsWithin(shape.WhenAny) || r.IsWithin(shape.Comparison))
                || StatementsBetween(delayStatement, anchor) is not { } between
                || between.Any(s => s.DescendantTokens().Any(t => t.IsKind(SyntaxKind.AwaitKeyword)))
                || !shape.Delay.Arguments.All(a => IsStable(a.Value, operationRoot)))
            {
                return null;
            }

            removed.Insert(0, delayStatement);
        }

        var workBranch = shape.TrueWhenWorkWins ? ifStatement.Statement : ifStatement.Else?.Statement;
        var timeoutBranch = shape.TrueWhenWorkWins ? ifStatement.Else?.Statement : ifStatement.Statement;
        var workStatements = StatementsOf(workBranch);
        var timeoutStatements = StatementsOf(timeoutBranch);
        if (workStatements.Concat(timeoutStatements).Any(ContainsYield))
        {
            return null;
        }

        // WaitAsync throws the work's exception where WhenAny did not: that is the same only when the work branch (or, when it
        // is empty, the statement after the if) starts by awaiting the work, which throws that very exception.
        var firstAfterWait = workStatements.Count > 0 ? workStatements[0] : NextStatement(ifStatement);
        if (firstAfterWait is null || !AwaitsWorkFirst(firstAfterWait, shape.WorkSymbol, semanticModel, cancellationToken))
        {
            return null;
        }

        var timeoutEnds = timeoutStatements.Count > 0
            && semanticModel.AnalyzeControlFlow(timeoutStatements[0], timeoutStatements[timeoutStatements.Count - 1]) is { Succeeded: true, EndPointIsReachable: false };
        var workAfter = timeoutEnds && workStatements.Count > 0;
        var function = SyntaxHelpers.EnclosingFunction(ifStatement) ?? ifStatement.FirstAncestorOrSelf<CompilationUnitSyntax>();
        var exceptionName = UniqueName(semanticModel, ifStatement, function, work, timeoutStatements);
        if (exceptionName is null)
        {
            return null;
        }

        var waitArguments = new List<ArgumentSyntax> { SyntaxFactory.Argument(time) };
        if (token is not null)
        {
            waitArguments.Add(SyntaxFactory.Argument(token.WithoutTrivia()));
        }

        ExpressionSyntax wait = SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, Receiver(work), SyntaxFactory.IdentifierName("WaitAsync")),
            SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(waitArguments)));
        if (shape.ConfigureAwait?.Syntax is InvocationExpressionSyntax configureAwait)
        {
            wait = SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, wait, SyntaxFactory.IdentifierName("ConfigureAwait")),
                configureAwait.ArgumentList.WithoutTrivia());
        }

        var tryStatements = new List<StatementSyntax> { SyntaxFactory.ExpressionStatement(SyntaxFactory.AwaitExpression(wait)) };
        if (!workAfter)
        {
            tryStatements.AddRange(workStatements);
        }

        // catch (TimeoutException exception) when (exception != work.Exception?.InnerException)
        var filter = SyntaxFactory.CatchFilterClause(SyntaxFactory.BinaryExpression(
            SyntaxKind.NotEqualsExpression,
            SyntaxFactory.IdentifierName(exceptionName),
            SyntaxFactory.ConditionalAccessExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, Receiver(work), SyntaxFactory.IdentifierName("Exception")),
                SyntaxFactory.MemberBindingExpression(SyntaxFactory.IdentifierName("InnerException")))));
        var catchClause = SyntaxFactory.CatchClause(
            SyntaxFactory.CatchDeclaration(SyntaxHelpers.QualifiedType("global::System.TimeoutException"), SyntaxFactory.Identifier(exceptionName)),
            filter,
            SyntaxFactory.Block(timeoutStatements));

        // The comments of the removed statements move to the try statement; so does the blank line above the winner's declaration.
        var leading = removed.SelectMany(s => s == anchor ? WithoutIndentation(s.GetLeadingTrivia()) : CommentsOf(s.GetLeadingTrivia())).Concat(ifStatement.GetLeadingTrivia());
        var tryStatement = SyntaxFactory.TryStatement(SyntaxFactory.Block(tryStatements), SyntaxFactory.SingletonList(catchClause), null)
            .WithLeadingTrivia(leading)
            .WithTrailingTrivia(ifStatement.GetTrailingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);

        var after = ImmutableArray<StatementSyntax>.Empty;
        if (workAfter)
        {
            after = DeclaresNameUsedElsewhere(workStatements, workBranch!, function) && workBranch is BlockSyntax block
                ? ImmutableArray.Create<StatementSyntax>(block.WithoutLeadingTrivia().WithAdditionalAnnotations(Formatter.Annotation))
                : workStatements.Select(s => s.WithAdditionalAnnotations(Formatter.Annotation)).ToImmutableArray();
            after = after.SetItem(0, after[0].WithLeadingTrivia(after[0].GetLeadingTrivia().Insert(0, NewLine(ifStatement))));
        }

        var start = removed.Count > 0 ? Math.Min(removed[0].SpanStart, ifStatement.SpanStart) : ifStatement.SpanStart;
        return new FixPlan(ifStatement, removed.ToImmutable(), tryStatement, after, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(start, ifStatement.Span.End));
    }

    private static void Apply(SyntaxEditor editor, FixPlan plan)
    {
        foreach (var statement in plan.RemovedStatements)
        {
            editor.RemoveNode(statement.Parent is GlobalStatementSyntax global ? global : statement, SyntaxRemoveOptions.KeepNoTrivia);
        }

        if (plan.After.IsEmpty)
        {
            editor.ReplaceNode(plan.If, plan.Try);
            return;
        }

        switch (plan.If.Parent)
        {
            case GlobalStatementSyntax global:
                editor.InsertAfter(global, plan.After.Select(s => (SyntaxNode)SyntaxFactory.GlobalStatement(s)));
                editor.ReplaceNode(plan.If, plan.Try);
                break;
            case BlockSyntax or SwitchSectionSyntax:
                editor.InsertAfter(plan.If, plan.After);
                editor.ReplaceNode(plan.If, plan.Try);
                break;
            default:
                editor.ReplaceNode(plan.If, SyntaxFactory.Block(new[] { plan.Try.WithoutLeadingTrivia() }.Concat(plan.After)).WithTriviaFrom(plan.If).WithAdditionalAnnotations(Formatter.Annotation));
                break;
        }
    }

    /// <summary>
    /// Does <paramref name="statement"/> await the work (<c>await work</c>, <c>await work.ConfigureAwait(...)</c>) before it does
    /// anything else: no call, creation, assignment, increment or other await evaluated ahead of it?
    /// </summary>
    private static bool AwaitsWorkFirst(StatementSyntax statement, ISymbol work, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        var nodes = statement.DescendantNodesAndSelf(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)).ToList();
        var awaitWork = nodes.OfType<AwaitExpressionSyntax>().FirstOrDefault(a =>
        {
            var operand = Unparenthesize(a.Expression);
            if (operand is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait" } configure })
            {
                operand = Unparenthesize(configure.Expression);
            }

            return semanticModel.GetSymbolInfo(operand, cancellationToken).Symbol.Is(work);
        });
        if (awaitWork is null)
        {
            return false;
        }

        return !nodes.Any(n =>
            n.SpanStart < awaitWork.SpanStart
            && !n.Span.Contains(awaitWork.Span)
            && n is InvocationExpressionSyntax or BaseObjectCreationExpressionSyntax or AssignmentExpressionSyntax or AwaitExpressionSyntax
                or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression }
                or PostfixUnaryExpressionSyntax or ThrowExpressionSyntax);
    }

    /// <summary>The end-of-line trivia the if statement uses, for the blank line between the try statement and the moved work branch.</summary>
    private static SyntaxTrivia NewLine(StatementSyntax statement) =>
        statement.GetTrailingTrivia().LastOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) is { RawKind: not 0 } newLine ? newLine : SyntaxFactory.ElasticCarriageReturnLineFeed;

    private static bool HasWaitAsync(INamedTypeSymbol task, KnownTypes known) =>
        task.GetMembers("WaitAsync").OfType<IMethodSymbol>().Any(m =>
            m is { IsStatic: false, Parameters.Length: 2 } && m.Parameters[0].Type.Is(known.TimeSpan) && known.IsCancellationToken(m.Parameters[1].Type));

    /// <summary>
    /// <c>Task.Delay(int|TimeSpan[, CancellationToken])</c>: the WaitAsync timeout (milliseconds become a TimeSpan) and the
    /// token to forward; null for other overloads (a TimeProvider) or arguments not written in the call.
    /// </summary>
    private static (ExpressionSyntax Time, ExpressionSyntax? Token)? DelayArguments(WhenAnyTimeoutShape shape, KnownTypes known)
    {
        var parameters = shape.Delay.TargetMethod.Parameters;
        if (parameters.Length is 0 or > 2
            || (parameters.Length == 2 && !known.IsCancellationToken(parameters[1].Type))
            || shape.Delay.Arguments.Any(a => a.IsImplicit || a.Syntax is not ArgumentSyntax || a.Parameter is null))
        {
            return null;
        }

        var time = shape.Delay.Arguments.First(a => a.Parameter!.Ordinal == 0);
        var token = shape.Delay.Arguments.FirstOrDefault(a => a.Parameter!.Ordinal == 1);
        var timeSyntax = ((ArgumentSyntax)time.Syntax).Expression.WithoutTrivia();
        var tokenSyntax = token is null ? null : ((ArgumentSyntax)token.Syntax).Expression;
        if (parameters[0].Type.Is(known.TimeSpan))
        {
            return (timeSyntax, tokenSyntax);
        }

        if (parameters[0].Type.SpecialType != SpecialType.System_Int32)
        {
            return null;
        }

        // 5000 => TimeSpan.FromSeconds(5); anything else => TimeSpan.FromMilliseconds(ms). Both are the same duration.
        if (time.Value.WalkDownConversions() is ILiteralOperation { ConstantValue: { HasValue: true, Value: int milliseconds } } && milliseconds > 0 && milliseconds % 1000 == 0)
        {
            return (FromUnit("FromSeconds", SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(milliseconds / 1000))), tokenSyntax);
        }

        return (FromUnit("FromMilliseconds", timeSyntax), tokenSyntax);
    }

    private static ExpressionSyntax FromUnit(string method, ExpressionSyntax value) =>
        SyntaxFactory.InvocationExpression(
            InitializerHelpers.Qualified("global::System.TimeSpan." + method),
            SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(value))));

    /// <summary>The work expression as the receiver of <c>.WaitAsync</c> / <c>.Exception</c>.</summary>
    private static ExpressionSyntax Receiver(ExpressionSyntax work)
    {
        var bare = work.WithoutTrivia();
        return bare is IdentifierNameSyntax or MemberAccessExpressionSyntax or ThisExpressionSyntax or ElementAccessExpressionSyntax or InvocationExpressionSyntax
            ? bare
            : SyntaxFactory.ParenthesizedExpression(bare);
    }

    /// <summary>The single-variable local declaration statement whose initializer contains <paramref name="value"/>.</summary>
    private static LocalDeclarationStatementSyntax? DeclarationOf(SyntaxNode value) =>
        value.FirstAncestorOrSelf<LocalDeclarationStatementSyntax>() is { Declaration.Variables.Count: 1 } statement
        && statement.UsingKeyword.IsKind(SyntaxKind.None) && statement.AwaitKeyword.IsKind(SyntaxKind.None)
        && !statement.Modifiers.Any()
        && statement.Declaration.Variables[0].Initializer?.Value is { } initializer
        && Unparenthesize(initializer) == value
            ? statement
            : null;

    private static ExpressionSyntax Unparenthesize(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        return expression;
    }

    /// <summary>The statements of one statement list, as a list, with a top-level statement unwrapped from its GlobalStatement.</summary>
    private static IReadOnlyList<StatementSyntax>? SiblingsOf(StatementSyntax statement) => statement.Parent switch
    {
        BlockSyntax block => block.Statements,
        SwitchSectionSyntax section => section.Statements,
        GlobalStatementSyntax { Parent: CompilationUnitSyntax unit } => unit.Members.OfType<GlobalStatementSyntax>().Select(g => g.Statement).ToList(),
        _ => null,
    };

    private static StatementSyntax? NextStatement(StatementSyntax statement)
    {
        if (SiblingsOf(statement) is not { } siblings)
        {
            return null;
        }

        var index = siblings.ToList().IndexOf(statement);
        return index >= 0 && index + 1 < siblings.Count ? siblings[index + 1] : null;
    }

    /// <summary>The statements strictly between two statements of the same list; null when they are not in one list in that order.</summary>
    private static IReadOnlyList<StatementSyntax>? StatementsBetween(StatementSyntax first, StatementSyntax last)
    {
        if (SiblingsOf(first) is not { } siblings)
        {
            return null;
        }

        var list = siblings.ToList();
        var from = list.IndexOf(first);
        var to = list.IndexOf(last);
        return from >= 0 && to > from ? list.GetRange(from + 1, to - from - 1) : null;
    }

    private static IReadOnlyList<StatementSyntax> StatementsOf(StatementSyntax? branch) => branch switch
    {
        null => Array.Empty<StatementSyntax>(),
        BlockSyntax block => block.Statements,
        _ => new[] { branch },
    };

    /// <summary><c>yield return</c> is not allowed in a try block with a catch clause, nor in a catch clause.</summary>
    private static bool ContainsYield(StatementSyntax statement) =>
        statement.DescendantNodesAndSelf(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)).Any(n => n is YieldStatementSyntax);

    private static IEnumerable<SyntaxTrivia> CommentsOf(SyntaxTriviaList trivia)
    {
        if (!trivia.Any(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia) || t.IsDirective))
        {
            return Array.Empty<SyntaxTrivia>();
        }

        return WithoutIndentation(trivia);
    }

    private static IEnumerable<SyntaxTrivia> WithoutIndentation(SyntaxTriviaList trivia)
    {
        var list = trivia.ToList();
        while (list.Count > 0 && list[list.Count - 1].IsKind(SyntaxKind.WhitespaceTrivia))
        {
            list.RemoveAt(list.Count - 1);
        }

        return list;
    }

    /// <summary>Would the work branch's locals, moved out of their block, clash with a name declared elsewhere in the function?</summary>
    private static bool DeclaresNameUsedElsewhere(IReadOnlyList<StatementSyntax> statements, StatementSyntax branch, SyntaxNode? function)
    {
        var declared = new HashSet<string>(statements.SelectMany(DeclaredNames), StringComparer.Ordinal);
        if (declared.Count == 0)
        {
            return false;
        }

        return function is null || function.DescendantNodes().Where(n => !branch.Span.Contains(n.Span)).SelectMany(DeclaredNamesOf).Any(declared.Contains);
    }

    private static IEnumerable<string> DeclaredNames(SyntaxNode node) => node.DescendantNodesAndSelf().SelectMany(DeclaredNamesOf);

    private static IEnumerable<string> DeclaredNamesOf(SyntaxNode node) => node switch
    {
        VariableDeclaratorSyntax variable => new[] { variable.Identifier.ValueText },
        SingleVariableDesignationSyntax designation => new[] { designation.Identifier.ValueText },
        LocalFunctionStatementSyntax localFunction => new[] { localFunction.Identifier.ValueText },
        ForEachStatementSyntax forEach => new[] { forEach.Identifier.ValueText },
        CatchDeclarationSyntax { Identifier.ValueText: { Length: > 0 } name } => new[] { name },
        ParameterSyntax parameter => new[] { parameter.Identifier.ValueText },
        LabeledStatementSyntax label => new[] { label.Identifier.ValueText },
        _ => Array.Empty<string>(),
    };

    /// <summary>
    /// A catch variable name that is not in scope at the if statement, not declared anywhere in the function (a later local
    /// of an enclosing block would clash), and not used in the timeout branch (where it would shadow another symbol).
    /// Catch variables of sibling try statements do not clash.
    /// </summary>
    private static string? UniqueName(SemanticModel semanticModel, IfStatementSyntax ifStatement, SyntaxNode? function, ExpressionSyntax work, IReadOnlyList<StatementSyntax> timeoutStatements)
    {
        var used = new HashSet<string>(
            (function ?? ifStatement).DescendantNodes().Where(n => n is not CatchDeclarationSyntax).SelectMany(DeclaredNamesOf)
                .Concat(timeoutStatements.Append<SyntaxNode>(work).SelectMany(s => s.DescendantTokens()).Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText)),
            StringComparer.Ordinal);
        foreach (var candidate in s_exceptionNames.Concat(Enumerable.Range(2, 20).Select(i => "exception" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))))
        {
            if (!used.Contains(candidate) && semanticModel.LookupSymbols(ifStatement.SpanStart, name: candidate).IsEmpty)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Does the delay argument still have the same value at the WhenAny? Constants, locals and parameters never written after
    /// their declaration, readonly fields, and TimeSpan arithmetic or factories over them.
    /// </summary>
    private static bool IsStable(IOperation operation, IOperation root)
    {
        switch (operation)
        {
            case { ConstantValue.HasValue: true }:
            case IInstanceReferenceOperation:
                return true;
            case IConversionOperation conversion:
                return IsStable(conversion.Operand, root);
            case IParenthesizedOperation parenthesized:
                return IsStable(parenthesized.Operand, root);
            case ILocalReferenceOperation local:
                return !IsWritten(local.Local, root);
            case IParameterReferenceOperation parameter:
                return parameter.Parameter.RefKind == RefKind.None && !IsWritten(parameter.Parameter, root);
            case IFieldReferenceOperation field:
                return (field.Field.IsReadOnly || field.Field.IsConst) && (field.Instance is null || IsStable(field.Instance, root));
            case IPropertyReferenceOperation { Arguments.Length: 0 } property:
                return property.Instance is null || IsStable(property.Instance, root);
            case IInvocationOperation { TargetMethod.IsStatic: true, TargetMethod.ContainingType.Name: "TimeSpan" } invocation:
                return invocation.Arguments.All(a => IsStable(a.Value, root));
            case IObjectCreationOperation { Type.Name: "TimeSpan" } creation:
                return creation.Arguments.All(a => IsStable(a.Value, root));
            case IBinaryOperation binary:
                return IsStable(binary.LeftOperand, root) && IsStable(binary.RightOperand, root);
            case IArgumentOperation argument:
                return IsStable(argument.Value, root);
            default:
                return false;
        }
    }

    private static bool IsWritten(ISymbol symbol, IOperation root)
    {
        foreach (var descendant in root.Descendants())
        {
            if (descendant is not (ILocalReferenceOperation or IParameterReferenceOperation) || !descendant.ReferencedSymbol().Is(symbol))
            {
                continue;
            }

            var parent = LocalUses.ParentSkippingConversions(descendant, out var child);
            switch (parent)
            {
                case IAssignmentOperation assignment when assignment.Target == child:
                case IIncrementOrDecrementOperation:
                case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out }:
                case IDeconstructionAssignmentOperation:
                case ITupleOperation:
                    return true;
            }
        }

        return false;
    }
}
