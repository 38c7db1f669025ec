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
using Microsoft.CodeAnalysis.Simplification;

namespace AsyncPerf.CodeFixes.Rules.Concurrency;

/// <summary>
/// AP1001, two fixes:
/// <list type="number">
/// <item>"Throttle with SemaphoreSlim": <c>using var throttle = new SemaphoreSlim(N);</c> before the statement, and the
/// per-item operation wrapped in <c>await throttle.WaitAsync(ct); try { return await op; } finally { throttle.Release(); }</c>
/// (inside the projection's lambda; in a loop, inside <c>Task.Run(async () => ...)</c>). Result order and types are kept.</item>
/// <item>"Use Parallel.ForEachAsync": <c>await Task.WhenAll(items.Select(x => op))</c> whose result is discarded becomes
/// <c>await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = N, CancellationToken = ct }, async (x, token) => await op)</c>
/// when the target framework has it.</item>
/// </list>
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnboundedFanOutCodeFix)), Shared]
public sealed class UnboundedFanOutCodeFix : CodeFixProvider, IDocumentFixer
{
    internal const string SemaphoreKey = "AP1001.SemaphoreSlim";
    internal const string ParallelKey = "AP1001.ParallelForEachAsync";
    private const string SemaphoreTitle = "Throttle with SemaphoreSlim";
    private const string ParallelTitle = "Use Parallel.ForEachAsync";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnboundedFanOut);

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
            var names = new NameReservations();
            if (PlanSemaphore(root, semanticModel, diagnostic, names, context.CancellationToken) is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(SemaphoreTitle, ct => FixDocumentAsync(context.Document, ImmutableArray.Create(diagnostic), SemaphoreKey, ct), SemaphoreKey),
                    diagnostic);
            }

            if (PlanParallel(root, semanticModel, diagnostic, names, context.CancellationToken) is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(ParallelTitle, ct => FixDocumentAsync(context.Document, ImmutableArray.Create(diagnostic), ParallelKey, ct), ParallelKey),
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
        var names = new NameReservations();
        foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
        {
            var plan = equivalenceKey == ParallelKey
                ? PlanParallel(root, semanticModel, diagnostic, names, cancellationToken)
                : PlanSemaphore(root, semanticModel, diagnostic, names, cancellationToken);
            plan?.Invoke(editor);
        }

        return await InitializerHelpers.CleanUpAsync(document.WithSyntaxRoot(editor.GetChangedRoot()), cancellationToken).ConfigureAwait(false);
    }

    // ---- Fix 1: SemaphoreSlim ----

    private static Action<SyntaxEditor>? PlanSemaphore(SyntaxNode root, SemanticModel semanticModel, Diagnostic diagnostic, NameReservations names, CancellationToken cancellationToken)
    {
        if (!Read(root, diagnostic, out var site)
            || site.WaitMethod == "WhenAny"
            || ((CSharpParseOptions)root.SyntaxTree.Options).LanguageVersion < LanguageVersion.CSharp8
            || semanticModel.Compilation.GetTypeByMetadataName("System.Threading.SemaphoreSlim") is null
            || !IsAwaitedOrBlocking(site)
            || StatementToPrecede(site) is not { } statement)
        {
            return null;
        }

        var member = Member(statement);
        var token = TokenExpression(semanticModel, site.PerElement, cancellationToken);
        Func<Func<string, SyntaxNode, SyntaxNode>>? prepare = site.Shape switch
        {
            UnboundedFanOutAnalyzer.ProjectionShape => PlanSelector(semanticModel, site.PerElement, member, names, cancellationToken),
            UnboundedFanOutAnalyzer.LoopShape => PlanLoopOperation(semanticModel, site, token, cancellationToken),
            _ => null,
        };
        if (prepare is null)
        {
            return null;
        }

        return editor =>
        {
            var throttle = names.Reserve(member, "throttle");
            var rewrite = prepare();
            var declaration = SyntaxFactory.ParseStatement($"using var {throttle} = new global::System.Threading.SemaphoreSlim({site.MaxConcurrency});")
                .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);
            var wait = $"await {throttle}.WaitAsync({token});";
            var release = $"{throttle}.Release();";
            var newLine = statement.GetTrailingTrivia().LastOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
            declaration = declaration
                .WithLeadingTrivia(Indentation(statement))
                .WithTrailingTrivia(newLine.IsKind(SyntaxKind.EndOfLineTrivia) ? newLine : SyntaxFactory.ElasticCarriageReturnLineFeed);
            if (statement.Parent is GlobalStatementSyntax global)
            {
                editor.InsertBefore(global, SyntaxFactory.GlobalStatement(declaration));
            }
            else
            {
                editor.InsertBefore(statement, declaration);
            }

            editor.ReplaceNode(site.PerElement, (current, _) => rewrite(wait + "\n" + release, current));
        };
    }

    /// <summary>
    /// The projection's selector, made async and throttled. Returns a function of ("wait\nrelease", current node).
    /// </summary>
    private static Func<Func<string, SyntaxNode, SyntaxNode>>? PlanSelector(SemanticModel semanticModel, SyntaxNode selector, SyntaxNode member, NameReservations names, CancellationToken cancellationToken)
    {
        switch (selector)
        {
            case AnonymousFunctionExpressionSyntax lambda when lambda.Modifiers.Any(SyntaxKind.StaticKeyword):
                return null;
            case AnonymousFunctionExpressionSyntax lambda when semanticModel.GetSymbolInfo(lambda, cancellationToken).Symbol is IMethodSymbol symbol:
                var returnsValue = ReturnsValue(symbol.ReturnType);
                var isAsync = lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword);
                if (lambda.Block is not null && !isAsync)
                {
                    return null;
                }

                return () => (code, current) =>
                {
                    var function = (AnonymousFunctionExpressionSyntax)current;
                    var body = function.Block is { } block
                        ? block.Statements
                        : SyntaxFactory.SingletonList(BodyStatement(function.ExpressionBody!, returnsValue, needsAwait: !isAsync));
                    return MakeAsync(function).WithBody(Throttled(code, body)).WithAdditionalAnnotations(Formatter.Annotation);
                };
            case ExpressionSyntax group when semanticModel.GetSymbolInfo(group, cancellationToken).Symbol is IMethodSymbol method
                && semanticModel.GetTypeInfo(group, cancellationToken).ConvertedType is INamedTypeSymbol { DelegateInvokeMethod: { } invoke }:
                var parameterCount = invoke.Parameters.Length;
                var methodReturnsValue = ReturnsValue(method.ReturnType);
                var parameterNames = Enumerable.Range(0, parameterCount).Select(i => i < method.Parameters.Length ? method.Parameters[i].Name : "arg" + i).ToList();
                return () =>
                {
                    var reserved = parameterNames.Select(n => names.Reserve(member, n)).ToList();
                    return (code, current) =>
                {
                    var call = SyntaxFactory.InvocationExpression(
                        ((ExpressionSyntax)current).WithoutTrivia(),
                        SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(reserved.Select(n => SyntaxFactory.Argument(SyntaxFactory.IdentifierName(n))))));
                    var body = Throttled(code, SyntaxFactory.SingletonList(BodyStatement(call, methodReturnsValue, needsAwait: true)));
                    AnonymousFunctionExpressionSyntax lambda = reserved.Count == 1
                        ? SyntaxFactory.SimpleLambdaExpression(SyntaxFactory.Parameter(SyntaxFactory.Identifier(reserved[0])))
                        : SyntaxFactory.ParenthesizedLambdaExpression(SyntaxFactory.ParameterList(SyntaxFactory.SeparatedList(reserved.Select(n => SyntaxFactory.Parameter(SyntaxFactory.Identifier(n))))), null, null);
                    return MakeAsync(lambda).WithBody(body).WithTriviaFrom(current).WithAdditionalAnnotations(Formatter.Annotation);
                };
                };
            default:
                return null;
        }
    }

    /// <summary>
    /// <c>tasks.Add(op)</c> in a loop: <c>op</c> becomes <c>Task.Run(async () => { wait; try { return await op; } finally { release; } }, ct)</c>
    /// (the token in scope is passed to Task.Run too, so AP3001 has nothing left to report).
    /// Only when the deferred evaluation reads the same values: every local it reads is a foreach variable, declared in the
    /// loop body and not assigned again, or not assigned anywhere in the loop (a <c>for</c> counter is).
    /// </summary>
    private static Func<Func<string, SyntaxNode, SyntaxNode>>? PlanLoopOperation(SemanticModel semanticModel, Site site, string token, CancellationToken cancellationToken)
    {
        if (site.PerElement is not ExpressionSyntax operation
            || site.Anchor is not StatementSyntax loop
            || operation.DescendantNodesAndSelf().Any(n => n is AwaitExpressionSyntax)
            || !HasNoSideEffectsBeforeTheCall(operation)
            || semanticModel.GetTypeInfo(operation, cancellationToken).Type is not { } type)
        {
            return null;
        }

        var flow = semanticModel.AnalyzeDataFlow(operation);
        var loopFlow = semanticModel.AnalyzeDataFlow(OuterLoop(operation, site.Anchor));
        if (flow is not { Succeeded: true } || loopFlow is not { Succeeded: true })
        {
            return null;
        }

        foreach (var symbol in flow.ReadInside)
        {
            switch (symbol)
            {
                case IParameterSymbol { IsThis: true } when semanticModel.GetEnclosingSymbol(operation.SpanStart, cancellationToken)?.ContainingType?.IsValueType == true:
                case IParameterSymbol { RefKind: not RefKind.None }:
                case ILocalSymbol { IsRef: true }:
                    return null;
                case ILocalSymbol or IParameterSymbol when symbol is ILocalSymbol { Type.IsRefLikeType: true } or IParameterSymbol { Type.IsRefLikeType: true }:
                    return null;
                case ILocalSymbol local when !loopFlow.WrittenInside.Contains(local) || IsForEachVariable(local) || IsDeclaredOnceInside(local, loop, cancellationToken):
                    continue;
                case ILocalSymbol:
                    return null;
                case IParameterSymbol parameter when loopFlow.WrittenInside.Contains(parameter):
                    return null;
            }
        }

        var returnsValue = ReturnsValue(type);
        return () => (code, current) =>
        {
            var body = Throttled(code, SyntaxFactory.SingletonList(BodyStatement((ExpressionSyntax)current, returnsValue, needsAwait: true)));
            var lambda = SyntaxFactory.ParenthesizedLambdaExpression()
                .WithAsyncKeyword(SyntaxFactory.Token(SyntaxKind.AsyncKeyword).WithTrailingTrivia(SyntaxFactory.Space))
                .WithBody(body);
            return SyntaxFactory.InvocationExpression(
                    SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, SyntaxHelpers.QualifiedType("System.Threading.Tasks.Task"), SyntaxFactory.IdentifierName("Run")),
                    SyntaxFactory.ArgumentList(token.Length == 0
                        ? SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(lambda))
                        : SyntaxFactory.SeparatedList(new[] { SyntaxFactory.Argument(lambda), SyntaxFactory.Argument(SyntaxFactory.ParseExpression(token)) })))
                .WithTriviaFrom(current)
                .WithAdditionalAnnotations(Formatter.Annotation);
        };
    }

    /// <summary>
    /// Inside <c>Task.Run</c> the receiver and arguments are evaluated later: only plain reads are allowed there (names,
    /// member accesses, indexers, literals, interpolations of those, lambdas), never a call such as <c>queue.Dequeue()</c>
    /// that the loop relies on happening now.
    /// </summary>
    private static bool HasNoSideEffectsBeforeTheCall(ExpressionSyntax operation)
    {
        var call = operation is AwaitExpressionSyntax ? null : operation as InvocationExpressionSyntax;
        if (call is null)
        {
            return false;
        }

        var evaluatedEarly = new List<SyntaxNode>(call.ArgumentList.Arguments);
        if (call.Expression is MemberAccessExpressionSyntax access)
        {
            evaluatedEarly.Add(access.Expression);
        }

        return evaluatedEarly.All(node => !node.DescendantNodesAndSelf(n => n is not AnonymousFunctionExpressionSyntax).Any(n =>
            n is InvocationExpressionSyntax or BaseObjectCreationExpressionSyntax or AssignmentExpressionSyntax or AwaitExpressionSyntax
                or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression }
                or PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression }));
    }

    private static SyntaxNode OuterLoop(SyntaxNode operation, SyntaxNode innermost)
    {
        // The analyzer reports the innermost loop; the outermost one that still precedes the wait is the widest region to check.
        return innermost.AncestorsAndSelf().LastOrDefault(n => n is ForEachStatementSyntax or ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax
            && n.Span.Contains(operation.Span) && !n.Ancestors().Any(a => a is AnonymousFunctionExpressionSyntax && a.Span.Contains(n.Span)) && n.FirstAncestorOrSelf<BlockSyntax>() is not null) ?? innermost;
    }

    private static bool IsForEachVariable(ILocalSymbol local) =>
        local.DeclaringSyntaxReferences.Length == 1 && local.DeclaringSyntaxReferences[0].GetSyntax() is ForEachStatementSyntax;

    /// <summary>Declared with an initializer inside the loop, and never assigned, incremented or passed by reference afterwards.</summary>
    private static bool IsDeclaredOnceInside(ILocalSymbol local, SyntaxNode loop, CancellationToken cancellationToken)
    {
        if (local.DeclaringSyntaxReferences.Length != 1
            || local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Initializer: not null } declarator
            || !loop.Span.Contains(declarator.Span)
            || declarator.Parent?.Parent is not LocalDeclarationStatementSyntax)
        {
            return false;
        }

        return !loop.DescendantNodes().OfType<IdentifierNameSyntax>().Any(identifier => identifier.Identifier.ValueText == local.Name && identifier.Parent switch
        {
            AssignmentExpressionSyntax assignment => assignment.Left == identifier,
            PrefixUnaryExpressionSyntax or PostfixUnaryExpressionSyntax => true,
            ArgumentSyntax argument => !argument.RefKindKeyword.IsKind(SyntaxKind.None),
            _ => false,
        });
    }

    // ---- Fix 2: Parallel.ForEachAsync ----

    private static Action<SyntaxEditor>? PlanParallel(SyntaxNode root, SemanticModel semanticModel, Diagnostic diagnostic, NameReservations names, CancellationToken cancellationToken)
    {
        if (!Read(root, diagnostic, out var site)
            || site.Shape != UnboundedFanOutAnalyzer.ProjectionShape
            || site.WaitMethod != "WhenAll"
            || site.Anchor is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax selectAccess } select
            || select.ArgumentList.Arguments.Count != 1
            || !site.Argument.Span.Contains(select.Span)
            || AwaitOf(site.Wait) is not { Parent: ExpressionStatementSyntax }
            || semanticModel.Compilation.GetTypeByMetadataName("System.Threading.Tasks.Parallel") is not { } parallel
            || parallel.GetMembers("ForEachAsync").IsEmpty
            || semanticModel.Compilation.GetTypeByMetadataName("System.Threading.Tasks.ParallelOptions") is null
            || semanticModel.GetSymbolInfo(select, cancellationToken).Symbol is not IMethodSymbol { ReducedFrom: not null })
        {
            return null;
        }

        // Only the projection (and ToArray/ToList on it) may sit between WhenAll's argument and Select.
        for (SyntaxNode? current = select.Parent; current is not null && current != site.Argument.Parent; current = current.Parent)
        {
            if (current is not (MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ToArray" or "ToList" } or InvocationExpressionSyntax { ArgumentList.Arguments.Count: 0 }))
            {
                return null;
            }
        }

        var member = Member(site.Wait);
        var tokenCandidate = TokenCandidateAt(semanticModel, site.PerElement, cancellationToken);
        string? parameterName;
        ExpressionSyntax? invokedGroup = null;
        IMethodSymbol? groupMethod = null;
        switch (site.PerElement)
        {
            case SimpleLambdaExpressionSyntax simple when CanBecomeForEachBody(semanticModel, simple, cancellationToken):
                parameterName = simple.Parameter.Identifier.ValueText;
                break;
            case ParenthesizedLambdaExpressionSyntax { ParameterList.Parameters.Count: 1 } parenthesized when CanBecomeForEachBody(semanticModel, parenthesized, cancellationToken):
                parameterName = parenthesized.ParameterList.Parameters[0].Identifier.ValueText;
                break;
            case ExpressionSyntax group when group is not AnonymousFunctionExpressionSyntax
                && semanticModel.GetSymbolInfo(group, cancellationToken).Symbol is IMethodSymbol { Parameters.Length: 1 } method:
                parameterName = null;
                invokedGroup = group;
                groupMethod = method;
                break;
            default:
                return null;
        }

        var tokenSymbol = tokenCandidate?.Kind is TokenSourceKind.MethodParameter or TokenSourceKind.LambdaParameter ? tokenCandidate.Symbol : null;
        var tokenReferences = tokenSymbol is null
            ? new HashSet<SyntaxNode>()
            : new HashSet<SyntaxNode>(site.PerElement.DescendantNodes().OfType<IdentifierNameSyntax>()
                .Where(i => i.Identifier.ValueText == tokenSymbol.Name && SymbolEqualityComparer.Default.Equals(semanticModel.GetSymbolInfo(i, cancellationToken).Symbol, tokenSymbol)));
        var source = selectAccess.Expression;
        var wait = site.Wait;
        return editor =>
        {
            var token = names.Reserve(member, "token");
            var item = parameterName ?? names.Reserve(member, groupMethod!.Parameters[0].Name);
            var options = tokenCandidate is null
                ? $"new global::System.Threading.Tasks.ParallelOptions {{ MaxDegreeOfParallelism = {site.MaxConcurrency} }}"
                : $"new global::System.Threading.Tasks.ParallelOptions {{ MaxDegreeOfParallelism = {site.MaxConcurrency}, CancellationToken = {tokenCandidate.Expression} }}";

            CSharpSyntaxNode body;
            if (invokedGroup is not null)
            {
                body = SyntaxFactory.AwaitExpression(SyntaxFactory.InvocationExpression(
                    invokedGroup.WithoutTrivia(),
                    SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(SyntaxFactory.IdentifierName(item))))));
            }
            else
            {
                var lambda = (AnonymousFunctionExpressionSyntax)site.PerElement.ReplaceNodes(tokenReferences, (original, _) => SyntaxFactory.IdentifierName(token).WithTriviaFrom(original));
                body = lambda.Block is { } block
                    ? block
                    : lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword) ? lambda.ExpressionBody! : SyntaxFactory.AwaitExpression(lambda.ExpressionBody!.WithoutTrivia());
            }

            var newLambda = SyntaxFactory.ParenthesizedLambdaExpression(
                    SyntaxFactory.ParameterList(SyntaxFactory.SeparatedList(new[] { SyntaxFactory.Parameter(SyntaxFactory.Identifier(item)), SyntaxFactory.Parameter(SyntaxFactory.Identifier(token)) })),
                    block: null,
                    expressionBody: null)
                .WithAsyncKeyword(SyntaxFactory.Token(SyntaxKind.AsyncKeyword).WithTrailingTrivia(SyntaxFactory.Space))
                .WithBody(body);
            var call = SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, SyntaxHelpers.QualifiedType("System.Threading.Tasks.Parallel"), SyntaxFactory.IdentifierName("ForEachAsync")),
                SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(new[]
                {
                    SyntaxFactory.Argument(source.WithoutTrivia()),
                    SyntaxFactory.Argument(InitializerHelpers.Qualified(options)),
                    SyntaxFactory.Argument(newLambda),
                })));
            editor.ReplaceNode(wait, call.WithTriviaFrom(wait).WithAdditionalAnnotations(Formatter.Annotation));
        };
    }

    /// <summary>
    /// The body can become a <c>ValueTask</c>-returning lambda: an expression (awaited if it was not), or an async block that
    /// returns no value.
    /// </summary>
    private static bool CanBecomeForEachBody(SemanticModel semanticModel, AnonymousFunctionExpressionSyntax lambda, CancellationToken cancellationToken)
    {
        var isAsync = lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword);
        if (lambda.ExpressionBody is { } expression)
        {
            return !isAsync || expression is AwaitExpressionSyntax or InvocationExpressionSyntax or AssignmentExpressionSyntax;
        }

        return isAsync && semanticModel.GetSymbolInfo(lambda, cancellationToken).Symbol is IMethodSymbol symbol && !ReturnsValue(symbol.ReturnType);
    }

    // ---- Shared ----

    private sealed record Site(string Shape, string WaitMethod, int MaxConcurrency, ExpressionSyntax Argument, InvocationExpressionSyntax Wait, SyntaxNode PerElement, SyntaxNode Anchor);

    private static bool Read(SyntaxNode root, Diagnostic diagnostic, out Site site)
    {
        site = null!;
        if (diagnostic.AdditionalLocations.Count != 2
            || !diagnostic.Properties.TryGetValue(UnboundedFanOutAnalyzer.ShapeProperty, out var shape) || shape is null
            || !diagnostic.Properties.TryGetValue(UnboundedFanOutAnalyzer.WaitMethodProperty, out var waitMethod) || waitMethod is null
            || !diagnostic.Properties.TryGetValue(UnboundedFanOutAnalyzer.MaxConcurrencyProperty, out var max) || !int.TryParse(max, out var maxConcurrency) || maxConcurrency < 1)
        {
            return false;
        }

        var argument = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is { } found
            ? found.FirstAncestorOrSelf<ArgumentSyntax>()?.Expression
            : null;
        if (argument is null || argument.Span != diagnostic.Location.SourceSpan || argument.Parent?.Parent?.Parent is not InvocationExpressionSyntax wait)
        {
            return false;
        }

        var perElement = FindExact(root, diagnostic.AdditionalLocations[0].SourceSpan);
        var anchor = FindExact(root, diagnostic.AdditionalLocations[1].SourceSpan);
        if (perElement is null || anchor is null)
        {
            return false;
        }

        site = new Site(shape, waitMethod, maxConcurrency, argument, wait, perElement, anchor);
        return true;
    }

    private static SyntaxNode? FindExact(SyntaxNode root, Microsoft.CodeAnalysis.Text.TextSpan span)
    {
        var node = root.FindNode(span, getInnermostNodeForTie: true);
        while (node is not null && node.Span != span)
        {
            node = node.Parent;
        }

        return node is ArgumentSyntax argument ? argument.Expression : node;
    }

    /// <summary>The await around the wait call (through <c>.ConfigureAwait(...)</c>), or null.</summary>
    private static AwaitExpressionSyntax? AwaitOf(InvocationExpressionSyntax wait)
    {
        SyntaxNode current = wait;
        if (current.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait" } access && access.Parent is InvocationExpressionSyntax configured)
        {
            current = configured;
        }

        while (current.Parent is ParenthesizedExpressionSyntax)
        {
            current = current.Parent;
        }

        return current.Parent as AwaitExpressionSyntax;
    }

    /// <summary>The semaphore must outlive every task: the wait is awaited (or blocks, WaitAll) before the block ends.</summary>
    private static bool IsAwaitedOrBlocking(Site site) => site.WaitMethod == "WaitAll" || AwaitOf(site.Wait) is not null;

    /// <summary>
    /// The statement before which the semaphore is declared: in the innermost block (of the function that waits) that
    /// contains both the wait and the per-element code, the statement that contains the per-element code.
    /// </summary>
    private static StatementSyntax? StatementToPrecede(Site site)
    {
        foreach (var ancestor in site.Wait.Ancestors())
        {
            if (ancestor is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax and not GlobalStatementSyntax)
            {
                return null;
            }

            if (ancestor is not (BlockSyntax or CompilationUnitSyntax) || !ancestor.Span.Contains(site.PerElement.Span))
            {
                continue;
            }

            // No function boundary between the per-element code and the block.
            var statement = site.PerElement.Parent!.AncestorsAndSelf().TakeWhile(a => a != ancestor).LastOrDefault();
            if (statement is null || site.PerElement.Parent!.AncestorsAndSelf().TakeWhile(a => a != ancestor).Any(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            {
                return null;
            }

            return statement switch
            {
                GlobalStatementSyntax global => global.Statement,
                StatementSyntax inBlock when ancestor is BlockSyntax => inBlock,
                _ => null,
            };
        }

        return null;
    }

    private static SyntaxNode Member(SyntaxNode node) =>
        (SyntaxNode?)node.Ancestors().OfType<MemberDeclarationSyntax>().FirstOrDefault(m => m is not (BaseTypeDeclarationSyntax or NamespaceDeclarationSyntax or FileScopedNamespaceDeclarationSyntax or GlobalStatementSyntax))
        ?? node.SyntaxTree.GetRoot();

    private static TokenCandidate? TokenCandidateAt(SemanticModel semanticModel, SyntaxNode node, CancellationToken cancellationToken)
    {
        var operation = semanticModel.GetOperation(node, cancellationToken);
        var symbol = semanticModel.GetEnclosingSymbol(node.SpanStart, cancellationToken);
        while (symbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction })
        {
            symbol = symbol.ContainingSymbol;
        }

        return operation is null || symbol is null ? null : TokenScope.Find(operation, symbol, KnownTypes.Get(semanticModel.Compilation)).FirstOrDefault();
    }

    private static string TokenExpression(SemanticModel semanticModel, SyntaxNode node, CancellationToken cancellationToken) =>
        TokenCandidateAt(semanticModel, node, cancellationToken)?.Expression ?? string.Empty;

    private static bool ReturnsValue(ITypeSymbol type) => type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 };

    private static StatementSyntax BodyStatement(ExpressionSyntax expression, bool returnsValue, bool needsAwait)
    {
        var value = needsAwait ? SyntaxFactory.AwaitExpression(expression.WithoutTrivia()) : expression.WithoutTrivia();
        return returnsValue ? SyntaxFactory.ReturnStatement(value) : SyntaxFactory.ExpressionStatement(value);
    }

    /// <summary><c>{ wait; try { statements } finally { release; } }</c>; <paramref name="code"/> is "wait\nrelease". Laid out by the formatter.</summary>
    private static BlockSyntax Throttled(string code, SyntaxList<StatementSyntax> statements)
    {
        var parts = code.Split('\n');
        return MultiLineBlock(
            SyntaxFactory.ParseStatement(parts[0]),
            SyntaxFactory.TryStatement(
                MultiLineBlock(statements.ToArray()),
                default,
                SyntaxFactory.FinallyClause(MultiLineBlock(SyntaxFactory.ParseStatement(parts[1])))));
    }

    private static BlockSyntax MultiLineBlock(params StatementSyntax[] statements)
    {
        var newLine = SyntaxFactory.ElasticCarriageReturnLineFeed;
        return SyntaxFactory.Block(
            SyntaxFactory.Token(SyntaxFactory.TriviaList(SyntaxFactory.ElasticMarker), SyntaxKind.OpenBraceToken, SyntaxFactory.TriviaList(newLine)),
            SyntaxFactory.List(statements.Select(s => s.GetTrailingTrivia().Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) ? s : s.WithTrailingTrivia(s.GetTrailingTrivia().Add(newLine)))),
            SyntaxFactory.Token(SyntaxFactory.TriviaList(SyntaxFactory.ElasticMarker), SyntaxKind.CloseBraceToken, SyntaxFactory.TriviaList(SyntaxFactory.ElasticMarker)));
    }

    private static AnonymousFunctionExpressionSyntax MakeAsync(AnonymousFunctionExpressionSyntax function) =>
        function.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword)
            ? function
            : function.WithoutLeadingTrivia()
                .WithAsyncKeyword(SyntaxFactory.Token(SyntaxKind.AsyncKeyword).WithTrailingTrivia(SyntaxFactory.Space))
                .WithLeadingTrivia(function.GetLeadingTrivia());

    private static SyntaxTriviaList Indentation(StatementSyntax statement)
    {
        var whitespace = statement.GetLeadingTrivia().LastOrDefault();
        return whitespace.IsKind(SyntaxKind.WhitespaceTrivia) ? SyntaxFactory.TriviaList(whitespace) : SyntaxFactory.TriviaList();
    }

    /// <summary>Names the fixes introduce, unique per member across every diagnostic fixed in one pass.</summary>
    private sealed class NameReservations
    {
        private readonly Dictionary<SyntaxNode, HashSet<string>> _used = new();

        public string Reserve(SyntaxNode member, string baseName)
        {
            if (!_used.TryGetValue(member, out var used))
            {
                used = new HashSet<string>(member.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText), StringComparer.Ordinal);
                _used.Add(member, used);
            }

            var name = baseName;
            for (var i = 2; !used.Add(name); i++)
            {
                name = baseName + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return name;
        }
    }
}
