using AsyncPerf.Infrastructure;

namespace AsyncPerf;

/// <summary>
/// Policy that belongs to each rule beside its descriptor: where it reports by default (the context model's code kinds),
/// whether the Minimal preset keeps it, and which SDK rule reports the same code (the presets switch that one off).
/// The presets' global configs, rules.md and the rule pages are checked against this table by the Meta tests.
/// </summary>
internal static class RulePolicies
{
    public const string IncludeTestsOption = "include_tests";
    public const string IncludeToolsOption = "include_tools";
    public const string IncludeSamplesOption = "include_samples";

    /// <summary>Correctness: the bug is a bug wherever it is (a lost exception, a leaked permit, a deadlock). Reports in every kind of code.</summary>
    private const CodeKinds Correctness = CodeKinds.All;

    /// <summary>Throughput and resource use: matters where load is (servers, libraries, apps); not in tests, run-once tools or samples.</summary>
    private const CodeKinds Throughput = CodeKinds.Production;

    private static readonly Dictionary<string, RulePolicy> s_policies = new(StringComparer.Ordinal)
    {
        [DiagnosticIds.UnboundedFanOut] = new(Throughput),
        [DiagnosticIds.AsyncVoidDelegate] = new(Correctness, minimal: true),
        [DiagnosticIds.UnboundedQueue] = new(Throughput),
        [DiagnosticIds.SemaphoreReleaseNotInFinally] = new(Correctness, minimal: true),

        // Blocking in Main or top-level statements holds the main thread, which has nothing else to do (no pool thread, no synchronization context).
        [DiagnosticIds.SyncOverAsync] = new(Correctness & ~CodeKinds.Tool, minimal: true),
        [DiagnosticIds.BlockingCallInAsyncCode] = new(Throughput, overlappingSdkRule: "CA1849"),

        [DiagnosticIds.CancellationTokenNotForwarded] = new(Throughput, overlappingSdkRule: "CA2016"),
        [DiagnosticIds.AsyncApiWithoutCancellationToken] = new(Throughput),
        [DiagnosticIds.WhenAnyDelayTimeout] = new(Throughput, overlappingSdkRule: "CA2027"),
        [DiagnosticIds.InfiniteHttpClientTimeout] = new(Throughput),

        // Entry points: the rule has its own model (one client in Main is the shared client; a client per loop iteration is not).
        [DiagnosticIds.HttpClientPerCall] = new(Throughput | CodeKinds.Tool, minimal: true),
        [DiagnosticIds.NoPooledConnectionLifetime] = new(Throughput),
        [DiagnosticIds.FileStreamWithoutAsyncMode] = new(Throughput),

        [DiagnosticIds.LinearLookupInLoop] = new(Throughput),
        [DiagnosticIds.BufferedResponse] = new(Throughput),
        [DiagnosticIds.JsonViaString] = new(Throughput),
        [DiagnosticIds.WholeFileForOnePass] = new(Throughput),
    };

    /// <summary>The kinds of code a rule reports in when its <c>include_*</c> options are unset.</summary>
    public static CodeKinds DefaultCodeKinds(string ruleId) => s_policies.TryGetValue(ruleId, out var policy) ? policy.CodeKinds : Throughput;

    /// <summary>The rules the Minimal preset keeps (Warning rules with the rarest false positives).</summary>
    public static IEnumerable<string> MinimalPreset => s_policies.Where(p => p.Value.Minimal).Select(p => p.Key).OrderBy(id => id, StringComparer.Ordinal);

    /// <summary>Rule ID → the SDK (NetAnalyzers) rule that reports the same code; the presets turn the SDK rule off so a user sees one squiggle.</summary>
    public static IEnumerable<KeyValuePair<string, string>> OverlappingSdkRules =>
        s_policies.Where(p => p.Value.OverlappingSdkRule is not null).Select(p => new KeyValuePair<string, string>(p.Key, p.Value.OverlappingSdkRule!)).OrderBy(p => p.Key, StringComparer.Ordinal);

    public static IEnumerable<string> RuleIds => s_policies.Keys;

    private sealed class RulePolicy
    {
        public RulePolicy(CodeKinds codeKinds, bool minimal = false, string? overlappingSdkRule = null)
        {
            CodeKinds = codeKinds;
            Minimal = minimal;
            OverlappingSdkRule = overlappingSdkRule;
        }

        public CodeKinds CodeKinds { get; }

        public bool Minimal { get; }

        public string? OverlappingSdkRule { get; }
    }
}
