using System.Threading;
using AsyncPerf.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPerf.Rules.Cancellation;

/// <summary>
/// AP3004: <c>HttpClient.Timeout = Timeout.InfiniteTimeSpan</c> (or <c>TimeSpan.MaxValue</c>, <c>TimeSpan.FromMilliseconds(-1)</c>,
/// <c>new TimeSpan(0, 0, 0, 0, -1)</c>), in an object initializer or an assignment.
/// Not reported when the client (a local, or a private field or property of the type) is only used with requests that
/// pass <c>cts.Token</c> from a CancellationTokenSource given a delay in the same method (<c>new CancellationTokenSource(delay)</c>
/// or <c>cts.CancelAfter(delay)</c>), or with <c>HttpCompletionOption.ResponseHeadersRead</c> streaming.
/// A client the rule loses sight of (a parameter, a non-private member, a client that escapes, a request passing a token
/// from elsewhere) is not reported when the type enforces its own per-request timeouts (<see cref="OwnRequestTimeouts"/>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class InfiniteHttpClientTimeoutAnalyzer : DiagnosticAnalyzer
{
    private const int ResponseHeadersRead = 1;

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.InfiniteHttpClientTimeout);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownTypes.Get(start.Compilation);
            var timeout = known.Resolve("System.Threading.Timeout");
            if (known.HttpClient is null || known.TimeSpan is null || known.CancellationTokenSource is null)
            {
                return;
            }

            var types = new Types(known.HttpClient, known.TimeSpan, timeout, known.CancellationTokenSource, known.HttpCompletionOption, new OwnRequestTimeouts(), CodeScope.For(start.Compilation, start.Options, DiagnosticIds.InfiniteHttpClientTimeout));

            // One action, on assignments: an infinite timeout is rare, and only then are the client's uses looked up
            // (a private member's in the syntax of its type). No per-type (symbol-start) actions: registering them costs
            // the analyzer driver bookkeeping for every type and member of the compilation.
            start.RegisterOperationAction(c => AnalyzeAssignment(c, (ISimpleAssignmentOperation)c.Operation, types), OperationKind.SimpleAssignment);
        });
    }

    private sealed record Types(
        INamedTypeSymbol HttpClient, INamedTypeSymbol TimeSpan, INamedTypeSymbol? Timeout, INamedTypeSymbol CancellationTokenSource, INamedTypeSymbol? HttpCompletionOption,
        OwnRequestTimeouts OwnTimeouts,
        CodeScope Scope);

    private enum Use
    {
        /// <summary>Configuration (<c>client.BaseAddress = ...</c>, <c>Dispose()</c>): says nothing about timeouts.</summary>
        Neutral,

        /// <summary>A request bounded by a timed token, or a ResponseHeadersRead stream.</summary>
        Guarded,

        /// <summary>A request without a token, or with the token of a local source that has no delay.</summary>
        Unguarded,

        /// <summary>The client escaping (passed, returned, copied), or a request with a token from elsewhere (a parameter, a helper).</summary>
        Untraced,
    }

    /// <summary>What the uses of one client showed.</summary>
    [Flags]
    private enum Seen
    {
        None = 0,
        Guarded = 1,
        Unguarded = 2,
        Untraced = 4,
    }

    private static Seen ToSeen(Use use) => use switch
    {
        Use.Guarded => Seen.Guarded,
        Use.Unguarded => Seen.Unguarded,
        Use.Untraced => Seen.Untraced,
        _ => Seen.None,
    };

    /// <summary>
    /// Reported when a request without a timeout was seen, or no request at all; a client that left the rule's sight
    /// only when its type does not time its requests itself.
    /// </summary>
    private static bool ShouldReport(Seen seen, Func<bool> typeEnforcesOwnTimeouts)
    {
        if ((seen & Seen.Unguarded) != 0 || (seen & (Seen.Guarded | Seen.Untraced)) == 0)
        {
            return true;
        }

        return (seen & Seen.Untraced) != 0 && !typeEnforcesOwnTimeouts();
    }

    /// <summary>
    /// A private HttpClient field or property of <paramref name="type"/> itself: no other type can reach it, so its uses are
    /// followed through the whole type (every partial part). Not when the type has nested types: their members could use
    /// the field out of the rule's sight.
    /// </summary>
    private static bool IsFollowedClient(ISymbol member, INamedTypeSymbol type, INamedTypeSymbol httpClient) =>
        member switch
        {
            IFieldSymbol { DeclaredAccessibility: Accessibility.Private } field => field.Type.InheritsFromOrIs(httpClient),
            IPropertySymbol { DeclaredAccessibility: Accessibility.Private } property => property.Type.InheritsFromOrIs(httpClient),
            _ => false,
        }
        && member.ContainingType.Is(type)
        && type.GetTypeMembers().IsEmpty;

    private static void AnalyzeAssignment(OperationAnalysisContext context, ISimpleAssignmentOperation assignment, Types types)
    {
        if (assignment.Target is not IPropertyReferenceOperation { Property.Name: "Timeout" } target
            || !target.Property.ContainingType.Is(types.HttpClient)
            || !IsInfinite(assignment.Value.WalkDownConversions(), types)
            || !types.Scope.Reports(assignment, context.ContainingSymbol))
        {
            return;
        }

        var containingType = context.ContainingSymbol as INamedTypeSymbol ?? context.ContainingSymbol.ContainingType;
        var diagnostic = Diagnostic.Create(Descriptors.InfiniteHttpClientTimeout, assignment.Syntax.GetLocation(), assignment.Value.Syntax.ToString());
        bool TypeEnforcesOwnTimeouts() => containingType is not null && types.OwnTimeouts.Enforces(containingType, context.CancellationToken);
        switch (ClientOf(target, types.HttpClient))
        {
            case ILocalSymbol local:
                if (ShouldReport(SeenUses(LocalUses.Root(assignment), local, types), TypeEnforcesOwnTimeouts))
                {
                    context.ReportDiagnostic(diagnostic);
                }

                break;
            case { } member when containingType is not null && IsFollowedClient(member, containingType, types.HttpClient):
                if (ShouldReport(SeenUses(containingType, member, assignment, types, context.CancellationToken), TypeEnforcesOwnTimeouts))
                {
                    context.ReportDiagnostic(diagnostic);
                }

                break;
            case (IFieldSymbol or IPropertySymbol) and { DeclaredAccessibility: Accessibility.Private }:
                // A private member the rule does not follow (its type has nested types): nothing says it leaves the type.
                context.ReportDiagnostic(diagnostic);
                break;
            default:
                // A parameter, a non-private member, a client handed out: its requests are out of sight.
                if (!TypeEnforcesOwnTimeouts())
                {
                    context.ReportDiagnostic(diagnostic);
                }

                break;
        }
    }

    /// <summary>
    /// The uses of a private member of <paramref name="type"/>, found in the syntax of every part of the type (names first,
    /// then the operation of each reference with that name). Only run for a member that gets an infinite timeout.
    /// </summary>
    private static Seen SeenUses(INamedTypeSymbol type, ISymbol member, IOperation site, Types types, CancellationToken cancellationToken)
    {
        var seen = Seen.None;
        var siteModel = site.SemanticModel;
        if (siteModel is null)
        {
            return Seen.Untraced;
        }

        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            var declaration = reference.GetSyntax(cancellationToken);

            // The type's other partial parts may be in other files: their semantic model comes from the compilation (the
            // analyzer driver's cached one). Rare: a private HttpClient with an infinite timeout in a partial type.
#pragma warning disable RS1030 // Do not invoke Compilation.GetSemanticModel() method within a diagnostic analyzer
            var model = reference.SyntaxTree == siteModel.SyntaxTree ? siteModel : siteModel.Compilation.GetSemanticModel(reference.SyntaxTree);
#pragma warning restore RS1030
            foreach (var node in declaration.DescendantNodes())
            {
                if (node is not IdentifierNameSyntax name || name.Identifier.ValueText != member.Name)
                {
                    continue;
                }

                var expression = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access
                    : name.Parent is MemberBindingExpressionSyntax binding ? binding
                    : (SyntaxNode)name;
                var operation = model.GetOperation(expression, cancellationToken);
                var referenced = operation switch
                {
                    IFieldReferenceOperation field => (ISymbol)field.Field,
                    IPropertyReferenceOperation property => property.Property,
                    _ => null,
                };
                if (operation is not null && referenced.Is(member))
                {
                    seen |= ToSeen(Classify(operation, types));
                    if ((seen & Seen.Unguarded) != 0)
                    {
                        return seen;
                    }
                }
            }
        }

        return seen;
    }

    /// <summary>
    /// The variable that holds the client: <c>client.Timeout = ...</c> names it; <c>new HttpClient { Timeout = ... }</c>
    /// is resolved through the creation's destination (<c>var client = ...</c>, <c>_client = ...</c>, a field initializer).
    /// </summary>
    private static ISymbol? ClientOf(IPropertyReferenceOperation target, INamedTypeSymbol httpClient)
    {
        if (target.Instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver })
        {
            var creation = target.Instance.FirstAncestorInFunction<IObjectCreationOperation>();
            if (creation is null || !creation.Type.InheritsFromOrIs(httpClient))
            {
                return null;
            }

            if (LocalUses.InitializedLocal(creation) is { } local)
            {
                return local;
            }

            var parent = LocalUses.ParentSkippingConversions(creation, out var child);
            return parent switch
            {
                IFieldInitializerOperation { InitializedFields.Length: 1 } field => field.InitializedFields[0],
                IPropertyInitializerOperation { InitializedProperties.Length: 1 } property => property.InitializedProperties[0],
                ISimpleAssignmentOperation assignment when assignment.Value == child => assignment.Target.ReferencedSymbol(),
                _ => null,
            };
        }

        return target.Instance switch
        {
            ILocalReferenceOperation local => local.Local,
            IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => field.Field,
            IPropertyReferenceOperation { Instance: null or IInstanceReferenceOperation, Arguments.Length: 0 } property => property.Property,
            _ => null,
        };
    }

    private static bool IsInfinite(IOperation value, Types types)
    {
        switch (value)
        {
            case IFieldReferenceOperation { Field.Name: "InfiniteTimeSpan" } field when field.Field.ContainingType.Is(types.Timeout):
            case IFieldReferenceOperation { Field.Name: "MaxValue" } maxValue when maxValue.Field.ContainingType.Is(types.TimeSpan):
                return true;
            case IInvocationOperation { TargetMethod.Name: "FromMilliseconds", Arguments.Length: 1 } invocation when invocation.TargetMethod.ContainingType.Is(types.TimeSpan):
                return IsMinusOne(invocation.Arguments[0].Value);
            case IObjectCreationOperation { Arguments.Length: 5 } creation when creation.Type.Is(types.TimeSpan):
                return creation.Arguments.Take(4).All(a => IsZero(a.Value)) && IsMinusOne(creation.Arguments[4].Value);
            default:
                return false;
        }
    }

    private static bool IsMinusOne(IOperation value) =>
        value.ConstantValue is { HasValue: true, Value: { } constant } && IsNumber(constant) && Convert.ToDouble(constant, System.Globalization.CultureInfo.InvariantCulture) == -1;

    private static bool IsZero(IOperation value) =>
        value.ConstantValue is { HasValue: true, Value: { } constant } && IsNumber(constant) && Convert.ToDouble(constant, System.Globalization.CultureInfo.InvariantCulture) == 0;

    private static bool IsNumber(object constant) => constant is int or long or double or float or short or sbyte or decimal;

    private static Seen SeenUses(IOperation root, ILocalSymbol local, Types types)
    {
        var seen = Seen.None;
        foreach (var reference in LocalUses.References(root, local))
        {
            seen |= ToSeen(Classify(reference, types));
            if ((seen & Seen.Unguarded) != 0)
            {
                break;
            }
        }

        return seen;
    }

    private static Use Classify(IOperation reference, Types types)
    {
        var parent = LocalUses.ParentSkippingConversions(reference, out var child);
        switch (parent)
        {
            case IPropertyReferenceOperation property when property.Instance == child:
                return Use.Neutral;
            case IInvocationOperation invocation when invocation.Instance == child:
                return IsRequest(invocation.TargetMethod) ? ClassifyRequest(invocation, types) : Use.Neutral;
            case IArgumentOperation { Parent: IInvocationOperation { TargetMethod.IsExtensionMethod: true } extension } argument
                when argument.Parameter?.Ordinal == 0:
                return IsRequest(extension.TargetMethod) ? ClassifyRequest(extension, types) : Use.Untraced;
            case ISimpleAssignmentOperation assignment when assignment.Target == child:
                return Use.Neutral;
            case IUsingOperation:
            case IMemberInitializerOperation:
                return Use.Neutral;
            default:
                return Use.Untraced;
        }
    }

    private static bool IsRequest(IMethodSymbol method) => method.Name is "Send" || method.Name.EndsWith("Async", StringComparison.Ordinal);

    /// <summary>
    /// Guarded when a CancellationToken argument comes from a timed source or the call streams with ResponseHeadersRead;
    /// untraced when the token comes from elsewhere (a parameter, a helper that may have timed it).
    /// </summary>
    private static Use ClassifyRequest(IInvocationOperation request, Types types)
    {
        var untraced = false;
        foreach (var argument in request.Arguments)
        {
            if (argument.Parameter is not { } parameter || argument.IsImplicit)
            {
                continue;
            }

            if (types.HttpCompletionOption is not null && parameter.Type.Is(types.HttpCompletionOption)
                && argument.Value.ConstantValue is { HasValue: true, Value: int option } && option == ResponseHeadersRead)
            {
                return Use.Guarded;
            }

            if (parameter.Type.Name == "CancellationToken")
            {
                var token = argument.Value.WalkDownConversions();
                if (IsTimedToken(token, request, types))
                {
                    return Use.Guarded;
                }

                if (!IsUntimedToken(token, request, types))
                {
                    untraced = true;
                }
            }
        }

        return untraced ? Use.Untraced : Use.Unguarded;
    }

    /// <summary>
    /// <c>default</c>, <c>CancellationToken.None</c>, or the <c>Token</c> of a source this method creates
    /// (<c>new CancellationTokenSource()</c>, <c>CreateLinkedTokenSource</c>) that <see cref="IsTimedToken"/> rejected.
    /// A source obtained from a helper may have been timed there: it is not counted as untimed.
    /// </summary>
    private static bool IsUntimedToken(IOperation token, IOperation request, Types types)
    {
        switch (token)
        {
            case IDefaultValueOperation:
            case IPropertyReferenceOperation { Property.Name: "None", Instance: null }:
                return true;
            case IPropertyReferenceOperation { Property.Name: "Token", Instance: ILocalReferenceOperation source }
                when source.Local.Type.InheritsFromOrIs(types.CancellationTokenSource):
                foreach (var declarator in LocalUses.Root(request).Descendants().OfType<IVariableDeclaratorOperation>())
                {
                    if (declarator.Symbol.Is(source.Local))
                    {
                        return declarator.Initializer?.Value.WalkDownConversions() is IObjectCreationOperation or IInvocationOperation { TargetMethod.Name: "CreateLinkedTokenSource" };
                    }
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary><c>cts.Token</c> where <c>cts</c> is a local of this method made with a delay or given one by <c>CancelAfter</c>.</summary>
    private static bool IsTimedToken(IOperation value, IOperation request, Types types)
    {
        if (value is not IPropertyReferenceOperation { Property.Name: "Token", Instance: ILocalReferenceOperation source }
            || !source.Local.Type.InheritsFromOrIs(types.CancellationTokenSource))
        {
            return false;
        }

        foreach (var reference in LocalUses.References(LocalUses.Root(request), source.Local))
        {
            var parent = LocalUses.ParentSkippingConversions(reference, out var child);
            if (parent is IInvocationOperation { TargetMethod.Name: "CancelAfter" } cancelAfter && cancelAfter.Instance == child)
            {
                return true;
            }
        }

        foreach (var declarator in LocalUses.Root(request).Descendants().OfType<IVariableDeclaratorOperation>())
        {
            if (declarator.Symbol.Is(source.Local)
                && declarator.Initializer?.Value.WalkDownConversions() is IObjectCreationOperation { Arguments.Length: 1 } creation
                && creation.Type.InheritsFromOrIs(types.CancellationTokenSource))
            {
                return true;
            }
        }

        return false;
    }
}
