using System.Text;
using AsyncPerf.Tests.Meta;
using AsyncPerf.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AsyncPerf.Tests.Reliability;

/// <summary>
/// Every C# source the reliability tests can collect: the showcase files, the C# snippets embedded as string literals in
/// the rule tests (extracted at test time, so tests merged later are covered), and a generated corpus of every pattern
/// the rules look at, placed in every kind of member.
/// </summary>
internal static class SourceCorpus
{
    public sealed record Source(string Name, string Text);

    private static readonly Lazy<IReadOnlyList<Source>> s_showcase = new(LoadShowcase);
    private static readonly Lazy<IReadOnlyList<Source>> s_testSnippets = new(LoadTestSnippets);
    private static readonly Lazy<IReadOnlyList<Source>> s_generated = new(() => Generate(seed: 20261123, count: 24));
    private static readonly Lazy<IReadOnlyList<Source>> s_all = new(() => Showcase.Concat(TestSnippets).Concat(Generated).ToList());

    public static IReadOnlyList<Source> Showcase => s_showcase.Value;

    public static IReadOnlyList<Source> TestSnippets => s_testSnippets.Value;

    public static IReadOnlyList<Source> Generated => s_generated.Value;

    public static IReadOnlyList<Source> All => s_all.Value;

    private static IReadOnlyList<Source> LoadShowcase()
    {
        var root = RepositoryFiles.PathOf("tests", "Showcase");
        return EnumerateCs(root)
            .Select(path => new Source("Showcase/" + Path.GetRelativePath(root, path).Replace('\\', '/'), File.ReadAllText(path)))
            .ToList();
    }

    private static IEnumerable<string> EnumerateCs(string root) =>
        Directory.Exists(root)
            ? Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
                .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                         && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .OrderBy(p => p, StringComparer.Ordinal)
            : Enumerable.Empty<string>();

    /// <summary>String literals in tests/AsyncPerf.Tests/Rules/**/*.cs that look like C# (markup removed), deduplicated.</summary>
    private static IReadOnlyList<Source> LoadTestSnippets()
    {
        var root = RepositoryFiles.PathOf("tests", "AsyncPerf.Tests", "Rules");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<Source>();
        foreach (var path in EnumerateCs(root))
        {
            var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(path), new CSharpParseOptions(LanguageVersion.Preview));
            var index = 0;
            foreach (var token in tree.GetRoot().DescendantTokens())
            {
                if (!token.IsKind(SyntaxKind.StringLiteralToken) && !token.IsKind(SyntaxKind.MultiLineRawStringLiteralToken) && !token.IsKind(SyntaxKind.SingleLineRawStringLiteralToken))
                {
                    continue;
                }

                var value = token.ValueText;
                if (value.Length < 40 || !LooksLikeCSharp(value))
                {
                    continue;
                }

                string text;
                try
                {
                    text = Markup.Parse(value).Text;
                }
                catch (Exception)
                {
                    text = value;
                }

                if (seen.Add(text))
                {
                    result.Add(new Source($"Tests/{Path.GetFileNameWithoutExtension(path)}#{index++}.cs", text));
                }
            }
        }

        return result;
    }

    private static bool LooksLikeCSharp(string value) =>
        (value.Contains('{') && value.Contains('}') && (value.Contains("class ", StringComparison.Ordinal) || value.Contains("struct ", StringComparison.Ordinal) || value.Contains("record ", StringComparison.Ordinal)))
        || value.Contains("await ", StringComparison.Ordinal)
        || (value.Contains(';') && value.Contains("using ", StringComparison.Ordinal));

    // ---- Generated corpus ----

    /// <summary>Statement templates, one per pattern a rule (present or future) looks at. {0} is a unique suffix.</summary>
    public static readonly string[] Statements =
    [
        "using var http{0} = new HttpClient();\n        var body{0} = await http{0}.GetStringAsync(\"https://example.com/{0}\");",
        "var text{0} = s_client.GetStringAsync(\"/a\").Result;",
        "s_client.GetAsync(\"/b\").Wait();",
        "var r{0} = s_client.GetAsync(\"/c\").GetAwaiter().GetResult();",
        "Thread.Sleep(10);",
        "var all{0} = File.ReadAllText(\"x.txt\");",
        "using var fs{0} = File.Create(\"out{0}.bin\");\n        await fs{0}.WriteAsync(new byte[] {{ 1, 2 }});",
        "using var fs{0} = new FileStream(\"in.bin\", FileMode.Open);\n        await fs{0}.ReadAsync(new byte[4]);",
        "await Task.WhenAll(ids.Select(id => s_client.GetStringAsync(\"/item/\" + id)));",
        "Action act{0} = async () => await Task.Delay(1);\n        act{0}();",
        "var channel{0} = System.Threading.Channels.Channel.CreateUnbounded<int>();",
        "await s_gate.WaitAsync();\n        DoWork();\n        s_gate.Release();",
        "await Task.Delay(100);",
        "var winner{0} = await Task.WhenAny(s_client.GetStringAsync(\"/d\"), Task.Delay(1000));",
        "var infinite{0} = new HttpClient {{ Timeout = Timeout.InfiniteTimeSpan }};",
        "foreach (var id in ids)\n        {{\n            if (list.Contains(id)) {{ count++; }}\n            foreach (var other in ids) {{ if (list.IndexOf(other) > 0 && list.Contains(id)) {{ count++; }} }}\n        }}",
        "if (map.ContainsKey(\"k\")) {{ count += map[\"k\"]; }}",
        "var response{0} = await s_client.GetAsync(\"/e\");\n        var json{0} = await response{0}.Content.ReadAsStringAsync();\n        var model{0} = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, int>>(json{0});",
        "foreach (var line in File.ReadAllLines(\"log.txt\")) {{ count += line.Length; }}",
        "using (var http{0} = new HttpClient()) {{ await http{0}.GetAsync(\"/f\"); }}",
        "var handler{0} = new SocketsHttpHandler();\n        var pooled{0} = new HttpClient(handler{0});",
        "await foreach (var item in Stream()) {{ count += item; }}",
        "var sum{0} = ids.Sum(id => s_client.GetStringAsync(id).Result.Length);",
        "lock (s_lock) {{ count++; }}",
    ];

    /// <summary>Members that hold statements; {0} is the body and {1} a unique suffix.</summary>
    private static readonly string[] Containers =
    [
        "public async Task M{1}Async(List<string> ids, CancellationToken cancellationToken)\n    {{\n        var list = ids; var map = new Dictionary<string, int>(); var count = 0;\n        {0}\n    }}",
        "public void M{1}(List<string> ids)\n    {{\n        var list = ids; var map = new Dictionary<string, int>(); var count = 0;\n        Task.Run(async () =>\n        {{\n        {0}\n        }}).Wait();\n    }}",
        "public async ValueTask<int> M{1}Async(List<string> ids)\n    {{\n        var list = ids; var map = new Dictionary<string, int>(); var count = 0;\n        await Local();\n        return count;\n        async Task Local()\n        {{\n        {0}\n        }}\n    }}",
        "public async IAsyncEnumerable<int> M{1}Async(List<string> ids)\n    {{\n        var list = ids; var map = new Dictionary<string, int>(); var count = 0;\n        {0}\n        yield return count;\n    }}",
        "public int M{1}(List<string> ids)\n    {{\n        var list = ids; var map = new Dictionary<string, int>(); var count = 0;\n        Func<Task> f = async () =>\n        {{\n        {0}\n        }};\n        f().GetAwaiter().GetResult();\n        return count;\n    }}",
        "public static async Task<int> M{1}Async(List<string> ids)\n    {{\n        var list = ids; var map = new Dictionary<string, int>(); var count = 0;\n        for (var i = 0; i < 2; i++)\n        {{\n            while (count < 10)\n            {{\n        {0}\n                count++;\n            }}\n        }}\n        return count;\n    }}",
    ];

    private const string ClassTemplate = """
        // generated: {0}
        namespace Generated.N{0};

        public sealed class Service{0}(HttpClient injected)
        {
            private static readonly HttpClient s_client = new HttpClient();
            private static readonly SemaphoreSlim s_gate = new(1);
            private static readonly object s_lock = new();
            public required string Name { get; init; }
            public HttpClient Injected => injected;
            public Task<string> ExpressionBodiedAsync() => s_client.GetStringAsync(Name);
            public string Blocking => s_client.GetStringAsync(Name).Result;
            private static void DoWork() { }
            private static async IAsyncEnumerable<int> Stream() { await Task.Yield(); yield return 1; }

            {1}
        }

        """;

    public static IReadOnlyList<Source> Generate(int seed, int count)
    {
        var random = new Random(seed);
        var result = new List<Source>();
        for (var i = 0; i < count; i++)
        {
            var members = new StringBuilder();
            var memberCount = 2 + random.Next(3);
            for (var m = 0; m < memberCount; m++)
            {
                var body = new StringBuilder();
                var statementCount = 2 + random.Next(4);
                for (var s = 0; s < statementCount; s++)
                {
                    body.Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, Statements[random.Next(Statements.Length)], $"{m}_{s}")).Append("\n        ");
                }

                // The iterator container needs no return value; the others are fine with any statements.
                var container = Containers[random.Next(Containers.Length)];
                members.Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, container, body.ToString(), $"{m}")).Append("\n\n    ");
            }

            result.Add(new Source($"Generated/Service{i}.cs", ClassTemplate.Replace("{0}", i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace("{1}", members.ToString(), StringComparison.Ordinal)));
        }

        // Top-level statements: a program, compiled as an exe.
        var program = new StringBuilder("using var client = new HttpClient();\nvar ids = new List<string> { \"a\" };\nvar list = ids; var map = new Dictionary<string, int>(); var count = 0;\nvar s_client = client;\n");
        for (var s = 0; s < Statements.Length; s++)
        {
            if (!Statements[s].Contains("s_gate", StringComparison.Ordinal) && !Statements[s].Contains("s_lock", StringComparison.Ordinal) && !Statements[s].Contains("Stream()", StringComparison.Ordinal))
            {
                program.Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, Statements[s], $"t{s}")).Append('\n');
            }
        }

        program.Append("Console.WriteLine(count);\n");
        result.Add(new Source("Generated/Program.cs", program.ToString()));
        return result;
    }
}
