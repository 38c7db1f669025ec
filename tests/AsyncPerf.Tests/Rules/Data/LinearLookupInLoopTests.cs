using Xunit;
using Verify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Data.LinearLookupInLoopAnalyzer, AsyncPerf.CodeFixes.Rules.Data.LinearLookupInLoopCodeFix>;

namespace AsyncPerf.Tests.Rules.Data;

public class LinearLookupInLoopTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using System.Linq;

        """;

    // ---- Flags ----

    [Fact]
    public Task Flags_List_Contains_in_foreach_with_a_message() => Verify.VerifyAnalyzerAsync(Usings + """
        class Orders
        {
            int CountBlocked(List<int> blocked, int[] orderIds)
            {
                var count = 0;
                foreach (var id in orderIds)
                {
                    if (blocked.Contains(id)) count++;
                }
                return count;
            }
        }
        """,
        Verify.Diagnostic("AP5001").WithSpan(12, 17, 12, 37)
            .WithMessage("'Contains' searches 'blocked' linearly on every iteration; use a HashSet for membership checks"));

    [Fact]
    public Task Flags_every_lookup_form_in_every_loop_kind() => Verify.VerifyAnalyzerAsync(Usings + """
        class Lookups
        {
            void Run(List<string> names, string[] codes, IEnumerable<string> input, string[] words)
            {
                for (var i = 0; i < words.Length; i++)
                {
                    _ = {|AP5001:names.IndexOf(words[i]) >= 0|};
                    _ = {|AP5001:names.IndexOf(words[i]) != -1|};
                    _ = {|AP5001:-1 == names.IndexOf(words[i])|};
                    _ = {|AP5001:Array.IndexOf(codes, words[i]) > -1|};
                }
                var j = 0;
                while (j < words.Length)
                {
                    _ = {|AP5001:Enumerable.Contains(codes, words[j])|};
                    _ = {|AP5001:names.Contains(words[j], StringComparer.OrdinalIgnoreCase)|};
                    j++;
                }
                var k = 0;
                do
                {
                    _ = {|AP5001:Array.Exists(codes, c => c == words[k])|};
                    _ = {|AP5001:names.Exists(n => words[k] == n)|};
                    _ = {|AP5001:names.Any(n => n == words[k])|};
                    k++;
                }
                while (k < words.Length);
            }
        }
        """);

    [Fact]
    public Task Flags_lookups_inside_per_element_LINQ_lambdas() => Verify.VerifyAnalyzerAsync(Usings + """
        class Reports
        {
            private readonly List<int> _vipIds = new();

            List<int> Vip(int[] customers) => customers.Where(c => {|AP5001:_vipIds.Contains(c)|}).ToList();

            int NotVip(int[] customers) => customers.Count(c => !{|AP5001:_vipIds.Contains(c)|});

            bool AllKnown(int[] customers, List<int> known) => customers.All(c => {|AP5001:known.IndexOf(c) >= 0|});
        }
        """);

    [Fact]
    public Task Flags_a_large_literal_and_a_literal_above_the_option() => new Verify.Test
    {
        TestCode = Usings + """
            class Codes
            {
                private static readonly string[] s_reserved = { "con", "prn", "aux", "nul" };

                int Count(string[] names)
                {
                    var n = 0;
                    foreach (var name in names)
                    {
                        if ({|AP5001:s_reserved.Contains(name)|}) n++;
                    }
                    return n;
                }
            }
            """,
        EditorConfig = "asyncperf.AP5001.min_items = 3",
    }.RunAsync();

    [Fact]
    public Task Flags_a_literal_with_more_than_eight_items() => Verify.VerifyAnalyzerAsync(Usings + """
        class Codes
        {
            private static readonly List<int> s_primes = new() { 2, 3, 5, 7, 11, 13, 17, 19, 23 };

            int Count(int[] values)
            {
                var n = 0;
                foreach (var v in values)
                {
                    if ({|AP5001:s_primes.Contains(v)|}) n++;
                }
                return n;
            }
        }
        """);

    // ---- Does not flag ----

    [Fact]
    public Task DoesNotFlag_outside_a_loop_or_in_a_non_per_element_lambda() => Verify.VerifyAnalyzerAsync(Usings + """
        class Once
        {
            bool Check(List<int> ids, int id)
            {
                Func<int, bool> f = x => ids.Contains(x);
                return ids.Contains(id) && f(id);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_the_dedupe_into_a_list_while_looping_case() => Verify.VerifyAnalyzerAsync(Usings + """
        class Dedupe
        {
            List<int> Distinct(int[] values)
            {
                var seen = new List<int>();
                foreach (var v in values)
                {
                    if (!seen.Contains(v)) seen.Add(v);
                }
                return seen;
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_collection_assigned_removed_from_cleared_or_written_in_the_loop() => Verify.VerifyAnalyzerAsync(Usings + """
        class Changing
        {
            private List<int> _pending = new();

            void Run(int[] values, List<int> a, List<int> b, int[] c, List<int> d)
            {
                foreach (var v in values)
                {
                    if (a.Contains(v)) a.Remove(v);
                    if (b.Contains(v)) b = new List<int>();
                    if (Array.IndexOf(c, v) >= 0) c[0] = v;
                    if (d.Contains(v)) d.Clear();
                    if (_pending.Contains(v)) Refresh();
                }
            }

            void Refresh() => _pending = new List<int>();
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_collection_declared_inside_the_loop() => Verify.VerifyAnalyzerAsync(Usings + """
        class Inner
        {
            int Run(int[][] groups, int probe)
            {
                var n = 0;
                foreach (var g in groups)
                {
                    var list = g.ToList();
                    if (list.Contains(probe)) n++;
                }
                return n;
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_sets_dictionaries_and_other_collections() => Verify.VerifyAnalyzerAsync(Usings + """
        class Sets
        {
            int Run(int[] values, HashSet<int> set, ISet<int> iset, ImmutableHashSet<int> immutable, Dictionary<int, string> map, IEnumerable<int> lazy, ICollection<int> collection)
            {
                var n = 0;
                foreach (var v in values)
                {
                    if (set.Contains(v)) n++;
                    if (iset.Contains(v)) n++;
                    if (immutable.Contains(v)) n++;
                    if (map.Keys.Contains(v)) n++;
                    if (map.ContainsKey(v)) n++;
                    if (lazy.Contains(v)) n++;
                    if (collection.Contains(v)) n++;
                }
                return n;
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_small_constant_collections() => Verify.VerifyAnalyzerAsync(Usings + """
        class Small
        {
            private static readonly string[] s_vowels = { "a", "e", "i", "o", "u" };
            private static readonly List<int> s_weekend = new() { 0, 6 };

            int Run(string[] letters, int[] days)
            {
                int[] eight = [1, 2, 3, 4, 5, 6, 7, 8];
                var n = 0;
                foreach (var l in letters)
                {
                    if (s_vowels.Contains(l)) n++;
                }
                foreach (var d in days)
                {
                    if (s_weekend.Contains(d) || eight.Contains(d)) n++;
                }
                return n;
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_string_Contains_substring_search() => Verify.VerifyAnalyzerAsync(Usings + """
        class Text
        {
            int Run(string[] lines, string word, string letters)
            {
                var n = 0;
                foreach (var line in lines)
                {
                    if (line.Contains(word) || letters.Contains(line[0]) || Enumerable.Contains(letters, 'x')) n++;
                }
                return n;
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_IndexOf_used_as_an_index_or_predicates_that_are_not_equality() => Verify.VerifyAnalyzerAsync(Usings + """
        class Positions
        {
            int Run(List<string> names, string[] words, double[] ratios, List<double> known)
            {
                var n = 0;
                foreach (var w in words)
                {
                    n += names.IndexOf(w);
                    if (names.IndexOf(w) > 2) n++;
                    if (names.Any(x => x.StartsWith(w))) n++;
                    if (names.Exists(x => x.Length == w.Length)) n++;
                }
                foreach (var r in ratios)
                {
                    if (known.Any(k => k == r)) n++;
                }
                return n;
            }
        }
        """);

    // ---- Fix ----

    [Fact]
    public Task Fix_hoists_a_set_before_the_loop_and_keeps_comments() => Verify.VerifyCodeFixAsync(Usings + """
        class Orders
        {
            int CountBlocked(List<int> blocked, int[] orderIds)
            {
                var count = 0;
                // every order is checked
                foreach (var id in orderIds)
                {
                    if ({|AP5001:blocked.Contains(id)|}) count++; // blocked ones
                }
                return count;
            }
        }
        """, Usings + """
        class Orders
        {
            int CountBlocked(List<int> blocked, int[] orderIds)
            {
                var count = 0;
                var blockedSet = new HashSet<int>(blocked);
                // every order is checked
                foreach (var id in orderIds)
                {
                    if (blockedSet.Contains(id)) count++; // blocked ones
                }
                return count;
            }
        }
        """);

    [Fact]
    public Task Fix_rewrites_every_form_and_shares_one_set_per_collection() => Verify.VerifyCodeFixAsync(Usings + """
        class Lookups
        {
            int Run(List<string> names, string[] words)
            {
                var n = 0;
                foreach (var w in words)
                {
                    if ({|AP5001:names.IndexOf(w) < 0|} && {|AP5001:names.Any(x => x == w)|}) n++;
                    if ({|AP5001:names.Exists(x => x == w)|} || {|AP5001:names.IndexOf(w) != -1|}) n--;
                }
                return n;
            }
        }
        """, Usings + """
        class Lookups
        {
            int Run(List<string> names, string[] words)
            {
                var n = 0;
                var namesSet = new HashSet<string>(names);
                foreach (var w in words)
                {
                    if (!namesSet.Contains(w) && namesSet.Contains(w)) n++;
                    if (namesSet.Contains(w) || namesSet.Contains(w)) n--;
                }
                return n;
            }
        }
        """);

    [Fact]
    public Task Fix_keeps_the_comparer_and_names_field_sets() => Verify.VerifyCodeFixAsync(Usings + """
        class Tags
        {
            private readonly string[] _banned = LoadBanned();

            static string[] LoadBanned() => Array.Empty<string>();

            int Run(string[] tags)
            {
                var n = 0;
                foreach (var t in tags)
                {
                    if ({|AP5001:_banned.Contains(t, StringComparer.OrdinalIgnoreCase)|}) n++;
                    if ({|AP5001:Array.IndexOf(_banned, t) >= 0|}) n++;
                }
                return n;
            }
        }
        """, Usings + """
        class Tags
        {
            private readonly string[] _banned = LoadBanned();

            static string[] LoadBanned() => Array.Empty<string>();

            int Run(string[] tags)
            {
                var n = 0;
                var bannedSet = new HashSet<string>(_banned, StringComparer.OrdinalIgnoreCase);
                var bannedSet2 = new HashSet<string>(_banned);
                foreach (var t in tags)
                {
                    if (bannedSet.Contains(t)) n++;
                    if (bannedSet2.Contains(t)) n++;
                }
                return n;
            }
        }
        """);

    [Fact]
    public Task FixAll_nested_loops_hoist_to_the_outermost_loop_where_the_collection_is_invariant() => Verify.VerifyCodeFixAsync(Usings + """
        class Matrix
        {
            int Run(List<int> allowed, int[][] rows)
            {
                var n = 0;
                foreach (var row in rows)
                {
                    var local = row.ToList();
                    foreach (var cell in row)
                    {
                        if ({|AP5001:allowed.Contains(cell)|} && {|AP5001:local.Contains(cell + 1)|}) n++;
                    }
                    if ({|AP5001:allowed.Contains(row.Length)|}) n++;
                }
                return n;
            }
        }
        """, Usings + """
        class Matrix
        {
            int Run(List<int> allowed, int[][] rows)
            {
                var n = 0;
                var allowedSet = new HashSet<int>(allowed);
                foreach (var row in rows)
                {
                    var local = row.ToList();
                    var localSet = new HashSet<int>(local);
                    foreach (var cell in row)
                    {
                        if (allowedSet.Contains(cell) && localSet.Contains(cell + 1)) n++;
                    }
                    if (allowedSet.Contains(row.Length)) n++;
                }
                return n;
            }
        }
        """);

    [Fact]
    public Task FixAll_two_loops_over_the_same_collection_get_two_sets_with_distinct_names() => Verify.VerifyCodeFixAsync(Usings + """
        class Twice
        {
            int Run(List<int> ids, int[] a, int[] b)
            {
                var n = 0;
                foreach (var x in a)
                {
                    if ({|AP5001:ids.Contains(x)|}) n++;
                }
                foreach (var y in b)
                {
                    if ({|AP5001:ids.Contains(y)|}) n++;
                }
                return n;
            }
        }
        """, Usings + """
        class Twice
        {
            int Run(List<int> ids, int[] a, int[] b)
            {
                var n = 0;
                var idsSet = new HashSet<int>(ids);
                foreach (var x in a)
                {
                    if (idsSet.Contains(x)) n++;
                }
                var idsSet2 = new HashSet<int>(ids);
                foreach (var y in b)
                {
                    if (idsSet2.Contains(y)) n++;
                }
                return n;
            }
        }
        """);

    [Fact]
    public Task Fix_LINQ_lambda_declares_the_set_before_the_statement() => Verify.VerifyCodeFixAsync(Usings + """
        class Reports
        {
            private readonly List<int> _vipIds = new();

            List<int> Vip(int[] customers)
            {
                var result = customers.Where(c => {|AP5001:_vipIds.Contains(c)|}).Select(c => c * 2).ToList();
                return result;
            }
        }
        """, Usings + """
        class Reports
        {
            private readonly List<int> _vipIds = new();

            List<int> Vip(int[] customers)
            {
                var vipIdsSet = new HashSet<int>(_vipIds);
                var result = customers.Where(c => vipIdsSet.Contains(c)).Select(c => c * 2).ToList();
                return result;
            }
        }
        """);

    [Fact]
    public Task Fix_adds_the_using_for_HashSet() => Verify.VerifyCodeFixAsync("""
        class Reports
        {
            int Run(System.Collections.Generic.List<int> ids, int[] values)
            {
                var n = 0;
                foreach (var v in values)
                {
                    if ({|AP5001:ids.Contains(v)|}) n++;
                }
                return n;
            }
        }
        """, """
        using System.Collections.Generic;

        class Reports
        {
            int Run(System.Collections.Generic.List<int> ids, int[] values)
            {
                var n = 0;
                var idsSet = new HashSet<int>(ids);
                foreach (var v in values)
                {
                    if (idsSet.Contains(v)) n++;
                }
                return n;
            }
        }
        """);

    [Fact]
    public Task NoFix_when_the_collection_may_be_null_the_query_is_deferred_or_the_loop_is_not_in_a_block() => Verify.VerifyCodeFixAsync(Usings + """
        class Unsafe
        {
            private List<int>? _maybe;

            int Run(List<int>? ids, int[] values, List<int> known, bool flag)
            {
                var n = 0;
                foreach (var v in values)
                {
                    if ({|AP5001:ids!.Contains(v)|} || {|AP5001:_maybe!.Contains(v)|}) n++;
                }
                IEnumerable<int> later = values.Where(v => {|AP5001:known.Contains(v)|});
                if (flag)
                    foreach (var v in values)
                        if ({|AP5001:known.Contains(v)|}) n++;
                return n + later.Count();
            }
        }
        """, Usings + """
        class Unsafe
        {
            private List<int>? _maybe;

            int Run(List<int>? ids, int[] values, List<int> known, bool flag)
            {
                var n = 0;
                foreach (var v in values)
                {
                    if ({|AP5001:ids!.Contains(v)|} || {|AP5001:_maybe!.Contains(v)|}) n++;
                }
                IEnumerable<int> later = values.Where(v => {|AP5001:known.Contains(v)|});
                if (flag)
                    foreach (var v in values)
                        if ({|AP5001:known.Contains(v)|}) n++;
                return n + later.Count();
            }
        }
        """);

    [Fact]
    public Task Fix_local_assigned_from_a_creation_is_known_not_null() => Verify.VerifyCodeFixAsync(Usings + """
        class Local
        {
            int Run(int[] values)
            {
                var ids = Enumerable.Range(0, 100).ToList();
                var n = 0;
                for (var i = 0; i < values.Length; i++)
                {
                    if ({|AP5001:ids.Contains(values[i])|}) n++;
                }
                return n;
            }
        }
        """, Usings + """
        class Local
        {
            int Run(int[] values)
            {
                var ids = Enumerable.Range(0, 100).ToList();
                var n = 0;
                var idsSet = new HashSet<int>(ids);
                for (var i = 0; i < values.Length; i++)
                {
                    if (idsSet.Contains(values[i])) n++;
                }
                return n;
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_literal_at_or_below_a_raised_min_items() => new Verify.Test
    {
        TestCode = Usings + """
            class Codes
            {
                private static readonly List<int> s_primes = new() { 2, 3, 5, 7, 11, 13, 17, 19, 23 };

                int Count(int[] values)
                {
                    var n = 0;
                    foreach (var v in values)
                    {
                        if (s_primes.Contains(v)) n++;
                    }
                    return n;
                }
            }
            """,
        EditorConfig = "asyncperf.AP5001.min_items = 9",
    }.RunAsync();

    [Fact]
    public Task Fix_in_top_level_statements() => new Verify.Test
    {
        OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication,
        EditorConfig = "asyncperf.AP5001.include_tools = true", // entry points are tool code: quiet by default (CodeContextTests)
        TestCode = Usings + """
            var known = args.ToList();
            var hits = 0;
            foreach (var line in Console.In.ReadToEnd().Split('\n'))
            {
                if ({|AP5001:known.Contains(line)|}) hits++;
            }
            Console.WriteLine(hits);
            """,
        FixedCode = Usings + """
            var known = args.ToList();
            var hits = 0;
            var knownSet = new HashSet<string>(known);
            foreach (var line in Console.In.ReadToEnd().Split('\n'))
            {
                if (knownSet.Contains(line)) hits++;
            }
            Console.WriteLine(hits);
            """,
    }.RunAsync();

    [Fact]
    public Task Flags_and_fixes_array_Contains_bound_to_MemoryExtensions_with_first_class_spans() => new Verify.Test
    {
        LanguageVersion = Microsoft.CodeAnalysis.CSharp.LanguageVersion.Preview,
        TestCode = Usings + """
            class Codes
            {
                int Count(int[] codes, int[] values)
                {
                    var n = 0;
                    foreach (var v in values)
                    {
                        if ({|AP5001:codes.Contains(v)|}) n++;
                    }
                    return n;
                }
            }
            """,
        FixedCode = Usings + """
            class Codes
            {
                int Count(int[] codes, int[] values)
                {
                    var n = 0;
                    var codesSet = new HashSet<int>(codes);
                    foreach (var v in values)
                    {
                        if (codesSet.Contains(v)) n++;
                    }
                    return n;
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task DoesNotThrow_on_incomplete_code() => new Verify.Test
    {
        AllowCompilerErrors = true,
        TestCode = Usings + """
            class Broken
            {
                int Run(List<int> ids, Missing[] values)
                {
                    foreach (var v in values)
                    {
                        if (ids.Contains(v.Id) || ids.IndexOf() >= 0 || Array.IndexOf(, v) >= 0 || ids.Any(x => x == ) || unknown.Contains(v)) return 1;
                    }
                    while (ids.Contains(
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task DoesNotFlag_dedupe_through_a_deferred_query_enumerated_by_the_loop_that_changes_the_list() => Verify.VerifyAnalyzerAsync(Usings + """
        class Dedupe
        {
            List<int> Distinct(int[] values, List<int> seen, List<int> other)
            {
                foreach (var v in values.Where(x => !seen.Contains(x)))
                {
                    seen.Add(v);
                }
                var pending = values.Where(x => other.Contains(x));
                other.Clear();
                return pending.ToList();
            }
        }
        """);

    [Fact]
    public Task Fix_query_enumerated_by_a_foreach_declares_the_set_before_the_foreach() => Verify.VerifyCodeFixAsync(Usings + """
        class Filter
        {
            int Run(int[] values, List<int> allowed)
            {
                var n = 0;
                foreach (var v in values.Where(x => {|AP5001:allowed.Contains(x)|}))
                {
                    n += v;
                }
                return n;
            }
        }
        """, Usings + """
        class Filter
        {
            int Run(int[] values, List<int> allowed)
            {
                var n = 0;
                var allowedSet = new HashSet<int>(allowed);
                foreach (var v in values.Where(x => allowedSet.Contains(x)))
                {
                    n += v;
                }
                return n;
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_collection_changed_by_a_lambda_or_local_function_or_passed_to_an_unknown_method() => Verify.VerifyAnalyzerAsync(Usings + """
        class Captured
        {
            void Run(int[] values, List<int> a, List<int> b, List<int> c)
            {
                Action reset = () => a.Clear();
                void Add(int v) => b.Add(v);
                foreach (var v in values)
                {
                    if (a.Contains(v)) reset();
                    if (b.Contains(v)) Add(v + 1);
                    if (c.Contains(v)) Process(c);
                }
            }

            static void Process(List<int> list) { }
        }
        """);

    [Fact]
    public Task Fix_one_by_one_equals_FixAll_for_nested_loops_in_a_local_function() => Verify.VerifyCodeFixAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Service
        {
            public async Task<int> RunAsync(List<string> ids)
            {
                var list = ids; var count = 0;
                await Local();
                return count;
                async Task Local()
                {
                    await Task.Yield();
                    foreach (var id in ids)
                    {
                        if ({|AP5001:list.Contains(id)|}) { count++; }
                        foreach (var other in ids) { if (list.IndexOf(other) > 0 && {|AP5001:list.Contains(id)|}) { count++; } }
                    }
                }
            }
        }
        """, """
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Service
        {
            public async Task<int> RunAsync(List<string> ids)
            {
                var list = ids; var count = 0;
                await Local();
                return count;
                async Task Local()
                {
                    await Task.Yield();
                    var listSet = new HashSet<string>(list);
                    foreach (var id in ids)
                    {
                        if (listSet.Contains(id)) { count++; }
                        foreach (var other in ids) { if (list.IndexOf(other) > 0 && listSet.Contains(id)) { count++; } }
                    }
                }
            }
        }
        """);
}
