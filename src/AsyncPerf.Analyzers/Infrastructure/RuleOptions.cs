using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPerf.Infrastructure;

/// <summary>
/// Reads rule options from .editorconfig / .globalconfig: <c>asyncperf.&lt;ID&gt;.&lt;option&gt;</c> (lower snake case).
/// </summary>
internal static class RuleOptions
{
    public static string Key(string ruleId, string option) => "asyncperf." + ruleId + "." + option;

    public static string? GetString(AnalyzerOptions options, SyntaxTree tree, string ruleId, string option) =>
        options.AnalyzerConfigOptionsProvider.GetOptions(tree).TryGetValue(Key(ruleId, option), out var value) && !string.IsNullOrWhiteSpace(value)
            ? value.Trim()
            : null;

    /// <summary>An integer option; values that do not parse or are below <paramref name="minimum"/> fall back to the default.</summary>
    public static int GetInt(AnalyzerOptions options, SyntaxTree tree, string ruleId, string option, int defaultValue, int minimum = 1) =>
        int.TryParse(GetString(options, tree, ruleId, option), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : defaultValue;

    public static bool GetBool(AnalyzerOptions options, SyntaxTree tree, string ruleId, string option, bool defaultValue) =>
        bool.TryParse(GetString(options, tree, ruleId, option), out var value) ? value : defaultValue;

    /// <summary>A list option: entries separated by ';' or ',', trimmed, empty ones dropped.</summary>
    public static ImmutableArray<string> GetList(AnalyzerOptions options, SyntaxTree tree, string ruleId, string option)
    {
        var text = GetString(options, tree, ruleId, option);
        return text is null
            ? ImmutableArray<string>.Empty
            : text.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()).Where(s => s.Length > 0).ToImmutableArray();
    }
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

    public PerTreeOptions(AnalyzerOptions options, Func<AnalyzerOptions, SyntaxTree, T> read)
    {
        _read = tree => read(options, tree);
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
