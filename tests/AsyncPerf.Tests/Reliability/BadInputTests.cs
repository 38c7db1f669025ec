using System.Collections.Immutable;
using AsyncPerf.Tests.Meta;
using AsyncPerf.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace AsyncPerf.Tests.Reliability;

/// <summary>
/// Issue 9 item 6: code with error types, missing references, #if branches, top-level statements, file-scoped namespaces,
/// primary constructors, collection expressions, required members, async iterators, local functions and
/// expression-bodied members. For every construct and every analyzer (found by reflection): the analyzer and the fixes
/// of what it reports run without an exception. Where a line ends with <c>// expect: ID</c>, a shipped rule with that ID
/// must report on that line; where it ends with <c>// none</c>, no rule may report on it.
/// </summary>
public class BadInputTests
{
    /// <summary>A construct: its source, how it is compiled, and with which references.</summary>
    public sealed record Construct(string Name, string Source, OutputKind OutputKind = OutputKind.DynamicallyLinkedLibrary, string[]? Symbols = null, Func<IReadOnlyList<MetadataReference>>? References = null);

    public static readonly Construct[] Constructs =
    [
        new("error-types", """
            namespace Broken;

            class Service
            {
                private readonly UnknownClient _client = new UnknownClient();

                public async Task<string> GetAsync()
                {
                    var a = _client.GetAsync("x").Result; // none
                    _client.SendAsync().Wait(); // none
                    using var http = new HttpClient(new UnknownHandler());
                    using var file = File.Create(UnknownPath);
                    await file.WriteAsync(UnknownBytes);
                    Thread.Sleep(UnknownDelay);
                    var b = Missing.Method().GetAwaiter().GetResult(); // none
                    return await http.GetStringAsync(a) + b;
                }

                public UnknownTask<int> Other() => _client.Value.Result; // none
            }
            """),
        new("missing-references", """
            using System.Net.Http;
            using System.Threading.Tasks;

            class Service
            {
                public async Task<string> GetAsync()
                {
                    using var http = new HttpClient(); // none
                    var text = http.GetStringAsync("https://example.com").Result; // none
                    System.Threading.Thread.Sleep(10); // none
                    using var file = System.IO.File.Create("x"); // none
                    await file.WriteAsync(new byte[1]);
                    return text;
                }
            }
            """, References: () => Array.Empty<MetadataReference>()),
        new("missing-http-reference", """
            using System.Net.Http;

            class Service
            {
                private static readonly HttpClient s_client = new HttpClient(); // none

                public async Task<string> GetAsync()
                {
                    using var http = new HttpClient(); // none
                    var text = http.GetStringAsync("https://example.com").Result; // none
                    await Task.Delay(1);
                    return text;
                }
            }
            """, References: () => TestReferences.Net10.Where(r => !(r.Display ?? string.Empty).Contains("Http", StringComparison.Ordinal)).ToList()),
        new("if-branches", """
            namespace Conditional;

            class Service
            {
                private static readonly HttpClient s_client = new HttpClient();

                public async Task<string> GetAsync()
                {
            #if NEVER_DEFINED
                    var inactive = s_client.GetStringAsync("a").Result;
                    Thread.Sleep(10);
                    using var inactiveClient = new HttpClient();
            #elif ACTIVE
                    Thread.Sleep(10); // expect: AP2002
                    using var http = new HttpClient(); // expect: AP4001
                    await http.GetAsync("d");
            #else
                    var other = s_client.GetStringAsync("b").Result;
            #endif
                    await Task.Yield();
            #if ACTIVE
                    return s_client.GetStringAsync("c").Result; // expect: AP2001
            #else
                    return "";
            #endif
                }

            #if ACTIVE
                public void Broken( {
            #endif
            }
            """, Symbols: ["ACTIVE"]),
        // Top-level statements run once (tool code in the context model): quiet by default; their lambdas may run per request.
        new("top-level-statements", """
            using var client = new HttpClient();
            var text = client.GetStringAsync("https://example.com").Result; // none
            Thread.Sleep(10); // none
            using var file = File.Create("out.txt"); // none
            await file.WriteAsync(new byte[1]);
            Console.WriteLine(Local(text));
            Func<Task> handler = async () =>
            {
                var body = client.GetStringAsync("https://example.com").Result; // expect: AP2001
                Thread.Sleep(10); // expect: AP2002
                using var log = File.Create("log.txt"); // expect: AP4003
                await log.WriteAsync(new byte[1]);
            };
            await handler();

            static int Local(string s) => s.Length;
            """, OutputKind.ConsoleApplication),
        new("top-level-statements-without-await", """
            using var client = new HttpClient();
            var text = client.GetStringAsync("https://example.com").Result; // none
            client.GetAsync("https://example.com").Wait(); // none
            Action check = () => client.GetAsync("https://example.com").Wait(); // expect: AP2001
            check();
            Console.WriteLine(text);
            """, OutputKind.ConsoleApplication),
        new("file-scoped-namespace", """
            namespace Orders.Api;

            public sealed class OrderClient
            {
                private static readonly HttpClient s_client = new HttpClient(); // expect: AP4002

                public async Task<string> LoadAsync(string id)
                {
                    using var http = new HttpClient(); // expect: AP4001
                    Thread.Sleep(5); // expect: AP2002
                    return await http.GetStringAsync(id) + s_client.GetStringAsync(id).Result; // expect: AP2001
                }
            }
            """),
        new("primary-constructors", """
            namespace Primary;

            public sealed class Fetcher(HttpClient client, string baseUrl)
            {
                private readonly Task<string> _warmup = client.GetStringAsync(baseUrl);

                public string Body => client.GetStringAsync(baseUrl).Result; // expect: AP2001

                public async Task<int> LengthAsync()
                {
                    Thread.Sleep(1); // expect: AP2002
                    return (await client.GetStringAsync(baseUrl)).Length + _warmup.Result.Length;
                }
            }

            public record Downloader(HttpClient Client)
            {
                public async Task SaveAsync(string path)
                {
                    using var file = File.Create(path); // expect: AP4003
                    await file.WriteAsync(await Client.GetByteArrayAsync(path));
                }
            }

            public struct Holder(int x)
            {
                public int X => x;
            }
            """),
        new("collection-expressions", """
            namespace Collections;

            public sealed class Batch
            {
                private static readonly HttpClient[] s_clients = [new HttpClient(), new()];
                private static readonly List<Task<string>> s_pending = [];

                public async Task<string[]> RunAsync(string[] urls)
                {
                    HttpClient[] perCall = [new HttpClient()];
                    List<Task<string>> tasks = [.. urls.Select(u => perCall[0].GetStringAsync(u))];
                    string[] done = [tasks[0].Result, .. await Task.WhenAll(tasks)];
                    Span<int> numbers = [1, 2, 3];
                    int[] empty = [];
                    return [.. done, s_pending.Count.ToString(), numbers.Length.ToString()];
                }
            }
            """),
        new("required-members", """
            namespace Required;

            public sealed class Options
            {
                public required HttpClient Client { get; init; }
                public required string Path { get; set; }
                public required Task<string> Pending { get; init; }
            }

            public static class Factory
            {
                public static async Task<Options> CreateAsync()
                {
                    var options = new Options { Client = new HttpClient(), Path = "a", Pending = Task.FromResult("x") };
                    var missing = new Options { Client = new HttpClient() };
                    using var file = File.Create(options.Path); // expect: AP4003
                    await file.WriteAsync(new byte[1]);
                    return options.Pending.Result.Length > 0 ? options : missing;
                }
            }
            """),
        new("async-iterators", """
            using System.Runtime.CompilerServices;

            namespace Iterators;

            public sealed class Feed
            {
                private static readonly HttpClient s_client = new HttpClient();

                public async IAsyncEnumerable<string> ReadAsync(string[] urls, [EnumeratorCancellation] CancellationToken cancellationToken = default)
                {
                    foreach (var url in urls)
                    {
                        Thread.Sleep(1); // expect: AP2002
                        var body = s_client.GetStringAsync(url).Result; // expect: AP2001
                        using var http = new HttpClient(); // expect: AP4001
                        yield return body + await http.GetStringAsync(url, cancellationToken);
                    }

                    await foreach (var line in Lines())
                    {
                        yield return line;
                    }
                }

                private static async IAsyncEnumerable<string> Lines()
                {
                    await Task.Yield();
                    yield return File.ReadAllText("x"); // expect: AP2002
                    yield break;
                }

                public IEnumerable<string> SyncIterator()
                {
                    yield return s_client.GetStringAsync("a").Result; // expect: AP2001
                }
            }
            """),
        new("local-functions", """
            namespace Locals;

            public sealed class Worker
            {
                public async Task RunAsync(string path)
                {
                    await WriteAsync();
                    Sync();
                    var n = Static(3);

                    async Task WriteAsync()
                    {
                        using var file = File.Create(path); // expect: AP4003
                        await file.WriteAsync(new byte[1]);
                        Thread.Sleep(1); // expect: AP2002
                    }

                    void Sync()
                    {
                        Task.Delay(1).Wait(); // expect: AP2001
                    }

                    static int Static(int x) => x * 2;

                    async void Fire() => await Task.Delay(1);
                    Func<Task> lambda = async () => { using var http = new HttpClient(); await http.GetAsync(path); }; // expect: AP4001
                    await lambda();
                }
            }
            """),
        new("expression-bodied-members", """
            namespace Bodies;

            public sealed class Api
            {
                private static readonly HttpClient s_client = new HttpClient();
                private readonly string _value;

                public Api() => _value = s_client.GetStringAsync("init").Result; // expect: AP2001
                public string Value => s_client.GetStringAsync("v").Result; // expect: AP2001
                public string this[int i] => s_client.GetStringAsync(i.ToString()).Result; // expect: AP2001
                public static implicit operator string(Api api) => api._value;
                public Task<string> FetchAsync() => new HttpClient().GetStringAsync("x"); // expect: AP4001
                public async Task SleepAsync() => Thread.Sleep(1); // expect: AP2002
                public void Wait() => s_client.GetAsync("w").Wait(); // expect: AP2001
                ~Api() => s_client.GetAsync("final").Wait(); // expect: AP2001
            }
            """),
        new("incomplete-members", """
            namespace Incomplete;

            public sealed class Half
            {
                private static readonly HttpClient s_client = new
                public async Task<string> GetAsync(
                {
                    var x = s_client.GetStringAsync("a").
                    using var http = new HttpClient(
                    Thread.Sleep(
                    await
                }

                public string P => s_client.GetStringAsync("b").Result
            """),
        new("generic-partial-and-static-abstract", """
            namespace Generics;

            public interface IFactory<TSelf> where TSelf : IFactory<TSelf>
            {
                static abstract TSelf Create();
                public string Default() => Task.FromResult("x").Result;
            }

            public partial class Repo<T> where T : class
            {
                public partial Task<T?> FindAsync(string id);
            }

            public partial class Repo<T>
            {
                public partial async Task<T?> FindAsync(string id)
                {
                    await using var file = File.OpenRead(id); // expect: AP4003
                    await file.ReadAsync(new byte[1]);
                    return default;
                }

                public T? Find(string id) => FindAsync(id).Result; // expect: AP2001
            }

            public readonly ref struct Buffer(Span<byte> data)
            {
                public int Length => data.Length;
            }

            public unsafe class Native
            {
                public int* Pointer;
            }
            """),
    ];

    public static TheoryData<string, string> ConstructAndAnalyzer()
    {
        var data = new TheoryData<string, string>();
        foreach (var construct in Constructs)
        {
            foreach (var analyzer in RuleCatalog.Analyzers)
            {
                data.Add(construct.Name, analyzer.GetType().Name);
            }
        }

        return data;
    }

    public static TheoryData<string> ConstructNames()
    {
        var data = new TheoryData<string>();
        foreach (var construct in Constructs)
        {
            data.Add(construct.Name);
        }

        return data;
    }

    private static Project ProjectFor(Construct construct) =>
        ReliabilityHarness.CreateProject(new[] { ("Construct.cs", construct.Source) }, construct.OutputKind, construct.Symbols, construct.References?.Invoke(), projectName: "BadInput");

    [Theory]
    [MemberData(nameof(ConstructAndAnalyzer))]
    public async Task Every_analyzer_and_its_fixes_run_on_the_construct_without_exception(string constructName, string analyzerName)
    {
        var construct = Constructs.Single(c => c.Name == constructName);
        var analyzer = RuleCatalog.Analyzers.Single(a => a.GetType().Name == analyzerName);
        var project = ProjectFor(construct);
        var result = await ReliabilityHarness.AnalyzeAsync(project, ImmutableArray.Create<DiagnosticAnalyzer>(analyzer));
        var failures = result.Failures.ToList();
        await ReliabilityHarness.ExerciseFixesAsync(project, result.Diagnostics, failures, maxPerFixer: 20);
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Theory]
    [MemberData(nameof(ConstructNames))]
    public async Task Marked_lines_are_reported_or_skipped_as_expected(string constructName)
    {
        var construct = Constructs.Single(c => c.Name == constructName);
        var project = ProjectFor(construct);
        var result = await ReliabilityHarness.AnalyzeAsync(project);
        Assert.Empty(result.Failures);
        var inConstruct = result.Diagnostics.Where(d => d.Location.SourceTree?.FilePath.EndsWith("Construct.cs", StringComparison.Ordinal) == true).ToList();
        var lines = construct.Source.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var problems = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var onLine = inConstruct.Where(d => d.Location.GetLineSpan().StartLinePosition.Line == i).ToList();
            var marker = lines[i].LastIndexOf("// ", StringComparison.Ordinal);
            var comment = marker >= 0 ? lines[i][(marker + 3)..].Trim() : string.Empty;
            if (comment == "none" && onLine.Count > 0)
            {
                problems.Add($"line {i + 1} `{lines[i].Trim()}` must not be reported, but got: {string.Join(", ", onLine.Select(ReliabilityHarness.Describe))}");
            }
            else if (comment.StartsWith("expect: ", StringComparison.Ordinal))
            {
                foreach (var id in comment["expect: ".Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (RuleCatalog.ReportedIds.Contains(id) && !onLine.Any(d => d.Id == id))
                    {
                        problems.Add($"line {i + 1} `{lines[i].Trim()}` must be reported as {id}; got: {(onLine.Count == 0 ? "nothing" : string.Join(", ", onLine.Select(ReliabilityHarness.Describe)))}");
                    }
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\nAll diagnostics:\n  " + string.Join("\n  ", inConstruct.Select(ReliabilityHarness.Describe)));
    }

    [Fact]
    public async Task The_inactive_branch_of_an_if_is_never_reported()
    {
        // The lines of the inactive branches (#if NEVER_DEFINED, #else) carry patterns every rule would report if they were active.
        var construct = Constructs.Single(c => c.Name == "if-branches");
        var project = ProjectFor(construct);
        var result = await ReliabilityHarness.AnalyzeAsync(project);
        var lines = construct.Source.Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith("#if NEVER_DEFINED", StringComparison.Ordinal));
        var end = Array.FindIndex(lines, l => l.StartsWith("#elif ACTIVE", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Diagnostics, d => d.Location.GetLineSpan().StartLinePosition.Line > start && d.Location.GetLineSpan().StartLinePosition.Line < end);
        var elseStart = Array.FindIndex(lines, l => l.StartsWith("#else", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Diagnostics, d => d.Location.GetLineSpan().StartLinePosition.Line == elseStart + 1);
    }
}
