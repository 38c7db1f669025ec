using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPerf.Infrastructure;

/// <summary>
/// One rule option read from .editorconfig / .globalconfig: <c>asyncperf.&lt;ID&gt;.&lt;name&gt;</c> (lower snake case).
/// Each rule declares its options once as static fields (name, default, parser); every read goes through <see cref="Read(AnalyzerConfigOptions)"/>.
/// A value that is missing, blank or does not parse gives the default.
/// </summary>
internal sealed class RuleOption<T>
{
    private readonly Func<string, (bool Ok, T Value)> _parse;

    internal RuleOption(string ruleId, string name, T defaultValue, Func<string, (bool Ok, T Value)> parse)
    {
        RuleId = ruleId;
        Name = name;
        Key = RuleOption.Key(ruleId, name);
        Default = defaultValue;
        _parse = parse;
    }

    public string RuleId { get; }

    public string Name { get; }

    /// <summary>The .editorconfig key, e.g. <c>asyncperf.AP1001.max_concurrency</c>.</summary>
    public string Key { get; }

    public T Default { get; }

    public T Read(AnalyzerConfigOptions options) => ReadOr(options, Default);

    /// <summary>The value, or <paramref name="fallback"/> when unset or invalid (an option whose default follows another option).</summary>
    public T ReadOr(AnalyzerConfigOptions options, T fallback) =>
        options.TryGetValue(Key, out var text) && !string.IsNullOrWhiteSpace(text) && _parse(text.Trim()) is (true, var value)
            ? value
            : fallback;

    public T Read(AnalyzerOptions options, SyntaxTree tree) => Read(options.AnalyzerConfigOptionsProvider.GetOptions(tree));
}

/// <summary>Factories for <see cref="RuleOption{T}"/>, one per value type.</summary>
internal static class RuleOption
{
    public static string Key(string ruleId, string name) => "asyncperf." + ruleId + "." + name;

    /// <summary>An integer option; values below <paramref name="minimum"/> are invalid (the default applies).</summary>
    public static RuleOption<int> Int(string ruleId, string name, int defaultValue, int minimum = 1) =>
        new(ruleId, name, defaultValue, text =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= minimum ? (true, value) : (false, 0));

    public static RuleOption<bool> Bool(string ruleId, string name, bool defaultValue) =>
        new(ruleId, name, defaultValue, text => bool.TryParse(text, out var value) ? (true, value) : (false, false));

    /// <summary>A list option: entries separated by ';' or ',', trimmed, empty ones dropped.</summary>
    public static RuleOption<ImmutableArray<string>> List(string ruleId, string name) =>
        new(ruleId, name, ImmutableArray<string>.Empty, text => (true, SplitList(text)));

    public static ImmutableArray<string> SplitList(string text) =>
        text.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()).Where(s => s.Length > 0).ToImmutableArray();
}

/// <summary>
/// A rule's parsed options, computed once per syntax tree and cached for the compilation.
/// Create it in the compilation-start action.
/// </summary>
internal sealed class PerTreeOptions<T>
{
    private readonly ConcurrentDictionary<SyntaxTree, T> _cache = new();
    private readonly Func<SyntaxTree, T> _read;

    /// <summary>
    /// The tree asked for last and its options: operations arrive tree by tree, so most calls are answered here without a
    /// dictionary lookup. One immutable object, replaced whole, so concurrent callers never see a tree with another's options.
    /// </summary>
    private Entry? _last;

    public PerTreeOptions(AnalyzerOptions options, Func<AnalyzerConfigOptions, T> read)
    {
        var provider = options.AnalyzerConfigOptionsProvider;
        _read = tree => read(provider.GetOptions(tree));
    }

    /// <summary>One typed option per tree.</summary>
    public PerTreeOptions(AnalyzerOptions options, RuleOption<T> option)
        : this(options, option.Read)
    {
    }

    public T Get(SyntaxTree tree)
    {
        var last = _last;
        if (last is not null && ReferenceEquals(last.Tree, tree))
        {
            return last.Value;
        }

        var value = _cache.GetOrAdd(tree, _read);
        _last = new Entry(tree, value);
        return value;
    }

    private sealed class Entry
    {
        public Entry(SyntaxTree tree, T value)
        {
            Tree = tree;
            Value = value;
        }

        public SyntaxTree Tree { get; }

        public T Value { get; }
    }
}
