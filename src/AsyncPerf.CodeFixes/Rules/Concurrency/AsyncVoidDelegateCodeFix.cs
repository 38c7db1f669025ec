using System.Composition;
using AsyncPerf.Infrastructure;
using AsyncPerf.Rules.Concurrency;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.CodeFixes.Rules.Concurrency;

/// <summary>
/// AP1002: <c>Parallel.ForEach/For(..., async x =&gt; body)</c> becomes <c>await Parallel.ForEachAsync/ForAsync(..., async (x, cancellationToken) =&gt; body)</c>;
/// <c>list.ForEach(async x =&gt; body)</c> / <c>Array.ForEach(array, async x =&gt; body)</c> become <c>foreach (var x in list) { body }</c>;
/// both only where the containing function can await. <c>Task.Factory.StartNew(async () =&gt; ...)</c> becomes <c>Task.Run(async () =&gt; ...)</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AsyncVoidDelegateCodeFix)), Shared]
public sealed class AsyncVoidDelegateCodeFix : CodeFixProvider, IDocumentFixer
{
    internal const string EquivalenceKey = "AP1002.AwaitTheLambda";

    private static readonly string[] s_tokenNames = { "cancellationToken", "ct", "token", "loopCancellationToken" };

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.AsyncVoidDelegate);

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
            if (Plan(root, semanticModel, diagnostic, context.CancellationToken) is { } plan)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(plan.Title, ct => FixDocumentAsync(context.Document, ImmutableArray.Create(diagnostic), EquivalenceKey, ct), EquivalenceKey),
                    diagnostic);
            }
        }
    }

    public async Task<Document> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? equivalenceKey, CancellationToken cancellationToken)
    {
        if (await DocumentFixAll.OpenAsync(document, cancellationToken).ConfigureAwait(false) is not { } open)
        {
            return document;
        }

        var (root, semanticModel, editor) = open;
        foreach (var diagnostic in diagnostics)
        {
            if (Plan(root, semanticModel, diagnostic, cancellationToken) is { } plan)
            {
                editor.ReplaceNode(plan.Node, (current, _) => plan.Rewrite(current));
            }
        }

        return await InitializerHelpers.CleanUpAsync(document.WithSyntaxRoot(editor.GetChangedRoot()), cancellationToken).ConfigureAwait(false);
    }

    private sealed record FixPlan(string Title, SyntaxNode Node, Func<SyntaxNode, SyntaxNode> Rewrite);

    private static FixPlan? Plan(SyntaxNode root, SemanticModel semanticModel, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var span = diagnostic.Location.SourceSpan;
        if (!diagnostic.Properties.TryGetValue(AsyncVoidDelegateAnalyzer.KindProperty, out var kind)
            || root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<LambdaExpressionSyntax>(l => l.SpanStart == span.Start) is not { } lambda
            || lambda.Parent is not ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax invocation } argumentList }
            || argumentList.Arguments.Any(a => a.NameColon is not null || !a.RefKindKeyword.IsKind(SyntaxKind.None))
            || semanticModel.GetOperation(invocation, cancellationToken) is not IInvocationOperation operation)
        {
            return null;
        }

        return kind switch
        {
            AsyncVoidDelegateAnalyzer.ParallelForEachKind => PlanParallel(semanticModel, invocation, operation, lambda, "ForEachAsync", cancellationToken),
            AsyncVoidDelegateAnalyzer.ParallelForKind => PlanParallel(semanticModel, invocation, operation, lambda, "ForAsync", cancellationToken),
            AsyncVoidDelegateAnalyzer.ForEachKind => PlanForEach(semanticModel, invocation, operation, lambda, cancellationToken),
            AsyncVoidDelegateAnalyzer.StartNewKind => PlanStartNew(invocation, operation),
            _ => null,
        };
    }

    // ---- Parallel.ForEach / Parallel.For ----

    private static FixPlan? PlanParallel(SemanticModel semanticModel, InvocationExpressionSyntax invocation, IInvocationOperation operation, LambdaExpressionSyntax lambda, string asyncName, CancellationToken cancellationToken)
    {
        var method = operation.TargetMethod;
        var parameters = method.Parameters;
        var isForEach = asyncName == "ForEachAsync";
        var leading = isForEach ? 1 : 2;
        if (invocation.Parent is not ExpressionStatementSyntax || !SyntaxHelpers.CanAwaitAt(invocation)
            || method.ContainingType.GetMembers(asyncName).IsEmpty
            || (parameters.Length != leading + 1 && parameters.Length != leading + 2)
            || (parameters.Length == leading + 2 && parameters[leading].Type.Name != "ParallelOptions")
            || parameters[parameters.Length - 1].Type is not INamedTypeSymbol { DelegateInvokeMethod.Parameters.Length: 1 }
            || (isForEach && parameters[0].Type.OriginalDefinition.SpecialType != SpecialType.System_Collections_Generic_IEnumerable_T)
            || invocation.ArgumentList.Arguments.Last().Expression != lambda
            || LambdaParameters(lambda).Count != 1)
        {
            return null;
        }

        var tokenName = FreeName(semanticModel, lambda, cancellationToken);
        return new FixPlan($"Use 'await Parallel.{asyncName}'", invocation, current =>
        {
            var call = (InvocationExpressionSyntax)current;
            var renamed = call.Expression switch
            {
                MemberAccessExpressionSyntax access => access.WithName(Rename(access.Name, asyncName)),
                SimpleNameSyntax name => Rename(name, asyncName),
                _ => call.Expression,
            };
            var arguments = call.ArgumentList.Arguments;
            var last = arguments[arguments.Count - 1];
            var body = last.WithExpression(AddTokenParameter((LambdaExpressionSyntax)last.Expression, tokenName));
            var newCall = call.WithExpression(renamed).WithArgumentList(call.ArgumentList.WithArguments(arguments.Replace(last, body)));
            return SyntaxHelpers.Await(newCall).WithTriviaFrom(call);
        });
    }

    private static SimpleNameSyntax Rename(SimpleNameSyntax name, string newName)
    {
        var identifier = SyntaxFactory.Identifier(name.Identifier.LeadingTrivia, newName, name.Identifier.TrailingTrivia);
        return name switch
        {
            GenericNameSyntax generic => generic.WithIdentifier(identifier),
            _ => SyntaxFactory.IdentifierName(identifier),
        };
    }

    /// <summary><c>async x =&gt; body</c> becomes <c>async (x, name) =&gt; body</c>; a typed list gets <c>CancellationToken name</c>.</summary>
    private static LambdaExpressionSyntax AddTokenParameter(LambdaExpressionSyntax lambda, string name)
    {
        var comma = SyntaxFactory.Token(default, SyntaxKind.CommaToken, SyntaxFactory.TriviaList(SyntaxFactory.Space));
        switch (lambda)
        {
            case SimpleLambdaExpressionSyntax simple:
            {
                var parameter = simple.Parameter;
                var list = SyntaxFactory.ParameterList(
                    SyntaxFactory.Token(parameter.GetLeadingTrivia(), SyntaxKind.OpenParenToken, default),
                    SyntaxFactory.SeparatedList(new[] { parameter.WithoutTrivia(), SyntaxFactory.Parameter(SyntaxFactory.Identifier(name)) }, new[] { comma }),
                    SyntaxFactory.Token(default, SyntaxKind.CloseParenToken, parameter.GetTrailingTrivia()));
                return SyntaxFactory.ParenthesizedLambdaExpression(simple.Modifiers, list, simple.ArrowToken, simple.Block, simple.ExpressionBody);
            }

            case ParenthesizedLambdaExpressionSyntax parenthesized:
            {
                var existing = parenthesized.ParameterList.Parameters;
                var added = existing.Any(p => p.Type is not null)
                    ? SyntaxFactory.Parameter(default, default, SyntaxHelpers.QualifiedType("System.Threading.CancellationToken").WithTrailingTrivia(SyntaxFactory.Space), SyntaxFactory.Identifier(name), null)
                    : SyntaxFactory.Parameter(SyntaxFactory.Identifier(name));
                var nodes = new List<SyntaxNodeOrToken>();
                foreach (var item in existing.GetWithSeparators())
                {
                    nodes.Add(item);
                }

                nodes.Add(comma);
                nodes.Add(added);
                return parenthesized.WithParameterList(parenthesized.ParameterList.WithParameters(SyntaxFactory.SeparatedList<ParameterSyntax>(nodes)));
            }

            default:
                return lambda;
        }
    }

    /// <summary>The first of cancellationToken, ct, ... that names nothing visible in or declared inside the lambda.</summary>
    private static string FreeName(SemanticModel semanticModel, LambdaExpressionSyntax lambda, CancellationToken cancellationToken)
    {
        var used = new HashSet<string>(semanticModel.LookupSymbols(lambda.Body.SpanStart).Select(s => s.Name), StringComparer.Ordinal);
        used.UnionWith(DeclaredNames(lambda));
        used.UnionWith(lambda.Body.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Select(n => n.Identifier.ValueText));
        cancellationToken.ThrowIfCancellationRequested();
        return s_tokenNames.FirstOrDefault(n => !used.Contains(n)) ?? "cancellationToken" + used.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    // ---- List<T>.ForEach / Array.ForEach ----

    private static FixPlan? PlanForEach(SemanticModel semanticModel, InvocationExpressionSyntax invocation, IInvocationOperation operation, LambdaExpressionSyntax lambda, CancellationToken cancellationToken)
    {
        var isArray = operation.TargetMethod.IsStatic;
        var arguments = invocation.ArgumentList.Arguments;
        if (invocation.Parent is not ExpressionStatementSyntax statement || !SyntaxHelpers.CanAwaitAt(invocation)
            || arguments.Count != (isArray ? 2 : 1) || arguments[arguments.Count - 1].Expression != lambda
            || (!isArray && invocation.Expression is not MemberAccessExpressionSyntax)
            || LambdaParameters(lambda) is not { Count: 1 } parameters
            || lambda.Modifiers.Any(SyntaxKind.StaticKeyword))
        {
            return null;
        }

        // Returns leave the lambda: in the loop they become continue, which a nested loop would capture.
        var returns = lambda.Block is { } block ? OwnStatements(block).OfType<ReturnStatementSyntax>().ToList() : new List<ReturnStatementSyntax>();
        if (returns.Any(r => r.Expression is not null || r.Ancestors().TakeWhile(a => a != lambda).Any(a => a is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax)))
        {
            return null;
        }

        // The loop variable and the lambda's locals move into the method: they must not clash with names in scope there.
        var visible = semanticModel.LookupSymbols(statement.SpanStart)
            .Where(s => s is ILocalSymbol or IParameterSymbol or IRangeVariableSymbol || s is IMethodSymbol { MethodKind: MethodKind.LocalFunction })
            .Select(s => s.Name);
        var declared = DeclaredNames(lambda).ToList();
        declared.Add(parameters[0].Identifier.ValueText);
        if (declared.Intersect(visible, StringComparer.Ordinal).Any())
        {
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        return new FixPlan("Use a foreach loop that awaits each item", statement, current =>
        {
            var currentStatement = (ExpressionStatementSyntax)current;
            var call = (InvocationExpressionSyntax)currentStatement.Expression;
            var currentArguments = call.ArgumentList.Arguments;
            var currentLambda = (LambdaExpressionSyntax)currentArguments[currentArguments.Count - 1].Expression;
            var source = isArray ? currentArguments[0].Expression : ((MemberAccessExpressionSyntax)call.Expression).Expression;
            var parameter = LambdaParameters(currentLambda)[0];
            var type = parameter.Type ?? SyntaxFactory.IdentifierName("var");
            BlockSyntax body;
            if (currentLambda.Block is { } currentBlock)
            {
                var ownReturns = OwnStatements(currentBlock).OfType<ReturnStatementSyntax>().ToList();
                body = currentBlock.ReplaceNodes(ownReturns, (original, _) =>
                    SyntaxFactory.ContinueStatement().WithTriviaFrom(original));
            }
            else
            {
                body = SyntaxFactory.Block(SyntaxFactory.ExpressionStatement(((ExpressionSyntax)currentLambda.ExpressionBody!).WithoutTrivia()));
            }

            var loop = SyntaxFactory.ForEachStatement(
                type.WithoutTrivia(),
                parameter.Identifier.WithoutTrivia(),
                source.WithoutTrivia(),
                body);
            return loop.WithTriviaFrom(currentStatement).WithAdditionalAnnotations(Formatter.Annotation);
        });
    }

    /// <summary>Statements of the block, not those of nested lambdas or local functions.</summary>
    private static IEnumerable<SyntaxNode> OwnStatements(BlockSyntax block) =>
        block.DescendantNodes(n => n is not AnonymousFunctionExpressionSyntax and not LocalFunctionStatementSyntax);

    private static SeparatedSyntaxList<ParameterSyntax> LambdaParameters(LambdaExpressionSyntax lambda) => lambda switch
    {
        SimpleLambdaExpressionSyntax simple => SyntaxFactory.SingletonSeparatedList(simple.Parameter),
        ParenthesizedLambdaExpressionSyntax parenthesized => parenthesized.ParameterList.Parameters,
        _ => default,
    };

    /// <summary>Names of the locals, local functions and parameters declared anywhere inside the lambda's body.</summary>
    private static IEnumerable<string> DeclaredNames(LambdaExpressionSyntax lambda)
    {
        foreach (var node in lambda.Body.DescendantNodesAndSelf())
        {
            switch (node)
            {
                case VariableDeclaratorSyntax declarator:
                    yield return declarator.Identifier.ValueText;
                    break;
                case SingleVariableDesignationSyntax designation:
                    yield return designation.Identifier.ValueText;
                    break;
                case ForEachStatementSyntax forEach:
                    yield return forEach.Identifier.ValueText;
                    break;
                case LocalFunctionStatementSyntax localFunction:
                    yield return localFunction.Identifier.ValueText;
                    break;
                case ParameterSyntax parameter:
                    yield return parameter.Identifier.ValueText;
                    break;
                case CatchDeclarationSyntax catchDeclaration:
                    yield return catchDeclaration.Identifier.ValueText;
                    break;
            }
        }
    }

    // ---- Task.Factory.StartNew ----

    private static FixPlan? PlanStartNew(InvocationExpressionSyntax invocation, IInvocationOperation operation)
    {
        var parameters = operation.TargetMethod.Parameters;
        if (invocation.Expression is not MemberAccessExpressionSyntax { Name: IdentifierNameSyntax, Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Factory" } factory } access
            || operation.Instance is not IPropertyReferenceOperation { Property: { Name: "Factory", IsStatic: true, ContainingType.IsGenericType: false } }
            || !(parameters.Length == 1 || (parameters.Length == 2 && parameters[1].Type.Name == "CancellationToken"))
            || !ResultFitsTaskRun(operation))
        {
            return null;
        }

        return new FixPlan("Use 'Task.Run', which unwraps the inner task", access, current =>
        {
            var currentAccess = (MemberAccessExpressionSyntax)current;
            var currentFactory = (MemberAccessExpressionSyntax)currentAccess.Expression;
            return currentAccess
                .WithExpression(currentFactory.Expression)
                .WithName(SyntaxFactory.IdentifierName(SyntaxFactory.Identifier(currentAccess.Name.GetLeadingTrivia(), "Run", currentAccess.Name.GetTrailingTrivia())));
        });
    }

    /// <summary>
    /// Task.Run returns the inner task (Task or Task&lt;T&gt;) instead of Task&lt;Task&gt;: only where the result is discarded,
    /// awaited as a statement, or converted to a plain Task, so nothing that used the outer type breaks.
    /// </summary>
    private static bool ResultFitsTaskRun(IInvocationOperation operation) => operation.Parent switch
    {
        IExpressionStatementOperation => true,
        IAwaitOperation { Parent: IExpressionStatementOperation } => true,
        IConversionOperation { Type: INamedTypeSymbol { Name: "Task", IsGenericType: false, ContainingNamespace: { Name: "Tasks" } } } => true,
        _ => false,
    };
}
