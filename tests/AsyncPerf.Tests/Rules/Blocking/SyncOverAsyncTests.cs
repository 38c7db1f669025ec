using AsyncPerf.CodeFixes.Rules.Blocking;
using AsyncPerf.Rules.Blocking;
using Microsoft.CodeAnalysis;
using Xunit;
using Verify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Blocking.SyncOverAsyncAnalyzer, AsyncPerf.CodeFixes.Rules.Blocking.SyncOverAsyncCodeFix>;

namespace AsyncPerf.Tests.Rules.Blocking;

public class SyncOverAsyncTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    // ---- Flags ----

    [Fact]
    public Task Flags_Result_on_an_http_call() => Verify.VerifyAnalyzerAsync(Usings + """
        class CatalogClient
        {
            private readonly HttpClient _http = new();
            public string Load(string url) => {|AP2001:_http.GetStringAsync(url).Result|};
        }
        """);

    [Fact]
    public Task Flags_with_a_message_that_names_the_call() => Verify.VerifyAnalyzerAsync(Usings + """
        class CatalogClient
        {
            private readonly HttpClient _http = new();
            public string Load(string url) => _http.GetStringAsync(url).Result;
        }
        """,
        Verify.Diagnostic("AP2001").WithSpan(10, 39, 10, 71).WithMessage("'GetStringAsync(...).Result' blocks a thread until the task finishes; await it instead"));

    [Fact]
    public Task Flags_Wait_GetResult_WaitAll_WaitAny_and_ValueTask() => Verify.VerifyAnalyzerAsync(Usings + """
        class Jobs
        {
            void Run(Task a, Task b, Task<int> c, ValueTask<int> v, ValueTask w, Task d, Task e)
            {
                {|AP2001:d.Wait(100)|};
                {|AP2001:a.Wait()|};
                var x = {|AP2001:c.GetAwaiter().GetResult()|};
                var y = {|AP2001:c.ConfigureAwait(false).GetAwaiter().GetResult()|};
                var z = {|AP2001:v.Result|};
                {|AP2001:w.GetAwaiter().GetResult()|};
                {|AP2001:Task.WaitAll(a, b)|};
                var i = {|AP2001:Task.WaitAny(d, e)|};
                {|AP2001:Task.WaitAll(new[] { d, e }, TimeSpan.FromSeconds(1))|};
            }
        }
        """);

    [Fact]
    public Task Flags_inside_async_lambda_and_local_function() => Verify.VerifyAnalyzerAsync(Usings + """
        class Jobs
        {
            void Run(Func<Task<int>> load)
            {
                Func<Task<int>> f = async () => {|AP2001:load().Result|} + await load();
                int Local() => {|AP2001:load().Result|};
            }
        }
        """);

    [Fact]
    public Task Flags_when_the_await_of_the_task_is_conditional() => Verify.VerifyAnalyzerAsync(Usings + """
        class Jobs
        {
            async Task<int> Run(Task<int> t, bool fast)
            {
                if (fast) { await t; }
                return {|AP2001:t.Result|};
            }
        }
        """);

    [Fact]
    public Task Flags_when_only_WhenAny_was_awaited() => Verify.VerifyAnalyzerAsync(Usings + """
        class Jobs
        {
            async Task<int> Run(Task<int> a, Task<int> b)
            {
                await Task.WhenAny(a, b);
                return {|AP2001:a.Result|};
            }
        }
        """);

    // ---- Does not flag ----

    [Fact]
    public Task DoesNotFlag_after_awaiting_the_same_task() => Verify.VerifyAnalyzerAsync(Usings + """
        class Jobs
        {
            async Task<int> Run(Task<int> t)
            {
                await t;
                return t.Result;
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_after_WhenAll_of_the_tasks() => Verify.VerifyAnalyzerAsync(Usings + """
        class Jobs
        {
            async Task<int> Run(HttpClient http, string[] urls)
            {
                var a = http.GetStringAsync(urls[0]);
                var b = http.GetStringAsync(urls[1]);
                await Task.WhenAll(a, b).ConfigureAwait(false);
                return a.Result.Length + b.GetAwaiter().GetResult().Length;
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_results_of_a_collection_after_WhenAll_of_it() => Verify.VerifyAnalyzerAsync(Usings + """
        class Jobs
        {
            async Task<int> Run(List<Task<int>> tasks, Task<int>[] array)
            {
                await Task.WhenAll(tasks);
                await Task.WhenAll(array);
                var sum = tasks.Sum(t => t.Result) + array[0].Result + tasks[1].Result;
                foreach (var t in tasks)
                {
                    sum += t.Result;
                }

                return sum;
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_inside_IsCompleted_guards() => Verify.VerifyAnalyzerAsync(Usings + """
        class Cache
        {
            async ValueTask<int> Get(Task<int> t, ValueTask<int> v)
            {
                if (t.IsCompleted) { return t.Result; }
                if (t.IsCompletedSuccessfully && v.IsCompleted) { return t.Result + v.Result; }
                if (t.Status == TaskStatus.RanToCompletion) { return t.GetAwaiter().GetResult(); }
                return v.IsCompletedSuccessfully ? v.Result : await v;
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_the_antecedent_in_ContinueWith() => Verify.VerifyAnalyzerAsync(Usings + """
        class Jobs
        {
            Task<int> Run(Task<string> t) => t.ContinueWith(antecedent => antecedent.Result.Length);
        }
        """);

    [Fact]
    public Task DoesNotFlag_completed_task_factories() => Verify.VerifyAnalyzerAsync(Usings + """
        class Jobs
        {
            int Run()
            {
                Task.CompletedTask.Wait();
                Task.CompletedTask.GetAwaiter().GetResult();
                return Task.FromResult(1).Result + new ValueTask<int>(2).Result + ValueTask.FromResult(3).Result;
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_the_synchronous_half_of_the_dual_pattern() => Verify.VerifyAnalyzerAsync(Usings + """
        class Connector
        {
            public void Close() => CloseAsync(async: false).GetAwaiter().GetResult();
            public int StartRow() => StartRow(false).GetAwaiter().GetResult();
            public void Write(bool isAsync) => WriteCore(isAsync: false).Wait();
            Task CloseAsync(bool async) => Task.CompletedTask;
            Task<int> StartRow(bool async) => Task.FromResult(1);
            Task WriteCore(bool isAsync) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task DoesNotFlag_the_synchronous_branch_of_if_async() => Verify.VerifyAnalyzerAsync(Usings + """
        class DataSource
        {
            private Task _refresh = Task.CompletedTask;
            async Task Refresh(bool async)
            {
                if (async)
                    await _refresh.ConfigureAwait(false);
                else
                    _refresh.GetAwaiter().GetResult();
                if (!async) { _refresh.Wait(); }
            }
            Task<bool> NextResult(bool async) => Task.FromResult(async);
            Task<bool> NextResultSchemaOnly(bool async) => Task.FromResult(async);
            public bool NextResult(bool schemaOnly, int unused) => (schemaOnly ? NextResultSchemaOnly(false) : NextResult(false)).GetAwaiter().GetResult();
        }
        """);

    [Fact]
    public Task Flags_the_asynchronous_branch_and_a_conditional_with_one_unknown_side() => Verify.VerifyAnalyzerAsync(Usings + """
        class DataSource
        {
            private Task _refresh = Task.CompletedTask;
            void Refresh(bool async, bool other)
            {
                if (async) {|AP2001:_refresh.Wait()|};
                if (other) { } else {|AP2001:_refresh.GetAwaiter().GetResult()|};
            }
            Task<bool> NextResult(bool async) => Task.FromResult(async);
            public bool Next(bool schemaOnly, Task<bool> pending) => {|AP2001:(schemaOnly ? pending : NextResult(false)).GetAwaiter().GetResult()|};
        }
        """);

    [Fact]
    public Task DoesNotFlag_after_an_early_exit_or_Debug_Assert_on_completion() => Verify.VerifyAnalyzerAsync(Usings + """
        class Reader
        {
            int Read(Task<int> task, Task<int> other, Task sendTask)
            {
                if (!task.IsCompletedSuccessfully)
                    return -1;
                System.Diagnostics.Debug.Assert(other.IsCompleted, "sync path completes inline");
                if (sendTask.IsFaulted)
                    sendTask.GetAwaiter().GetResult();
                return task.Result + other.Result;
            }
        }
        """);

    [Fact]
    public Task Flags_after_an_early_exit_that_does_not_always_exit() => Verify.VerifyAnalyzerAsync(Usings + """
        class Reader
        {
            int Read(Task<int> task, bool log)
            {
                if (!task.IsCompleted)
                {
                    if (log) return -1;
                }
                return {|AP2001:task.Result|};
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_stored_awaiter_or_nameof() => Verify.VerifyAnalyzerAsync(Usings + """
        class Jobs
        {
            string Run(Task<int> t)
            {
                var awaiter = t.GetAwaiter();
                if (awaiter.IsCompleted) { awaiter.GetResult(); }
                return nameof(t.Result);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_other_Result_and_Wait_members() => Verify.VerifyAnalyzerAsync(Usings + """
        class Outcome { public int Result { get; set; } public void Wait() { } }
        class Jobs
        {
            int Run(Outcome o, SemaphoreSlim gate) { o.Wait(); return o.Result; }
        }
        """);

    // ---- Fix ----

    [Fact]
    public Task Fix_awaits_Result_in_an_async_method() => Verify.VerifyCodeFixAsync(Usings + """
        class CatalogClient
        {
            private readonly HttpClient _http = new();
            public async Task<int> LengthAsync(string url)
            {
                // the body length
                return {|AP2001:_http.GetStringAsync(url).Result|}.Length; // trailing comment
            }
        }
        """, Usings + """
        class CatalogClient
        {
            private readonly HttpClient _http = new();
            public async Task<int> LengthAsync(string url)
            {
                // the body length
                return (await _http.GetStringAsync(url)).Length; // trailing comment
            }
        }
        """);

    [Fact]
    public Task Fix_awaits_Wait_GetResult_and_keeps_ConfigureAwait() => Verify.VerifyCodeFixAsync(Usings + """
        class Jobs
        {
            async Task<int> Run(Task a, Task<int> b)
            {
                {|AP2001:a.Wait()|};
                return {|AP2001:b.ConfigureAwait(false).GetAwaiter().GetResult()|};
            }
        }
        """, Usings + """
        class Jobs
        {
            async Task<int> Run(Task a, Task<int> b)
            {
                await a;
                return await b.ConfigureAwait(false);
            }
        }
        """);

    [Fact]
    public Task Fix_forwards_the_token_of_Wait_to_WaitAsync() => Verify.VerifyCodeFixAsync(Usings + """
        class Jobs
        {
            async Task Run(Task work, Task[] all, CancellationToken ct)
            {
                {|AP2001:work.Wait(ct)|};
                {|AP2001:Task.WaitAll(all, ct)|};
            }
        }
        """, Usings + """
        class Jobs
        {
            async Task Run(Task work, Task[] all, CancellationToken ct)
            {
                await work.WaitAsync(ct);
                await Task.WhenAll(all).WaitAsync(ct);
            }
        }
        """);

    [Fact]
    public Task Fix_turns_WaitAll_into_WhenAll_and_unused_WaitAny_into_WhenAny() => Verify.VerifyCodeFixAsync(Usings + """
        class Jobs
        {
            async Task Run(Task a, Task b, Task c, Task d)
            {
                {|AP2001:Task.WaitAll(a, b)|};
                {|AP2001:Task.WaitAny(c, d)|};
            }
        }
        """, Usings + """
        class Jobs
        {
            async Task Run(Task a, Task b, Task c, Task d)
            {
                await Task.WhenAll(a, b);
                await Task.WhenAny(c, d);
            }
        }
        """);

    [Fact]
    public Task Fix_awaits_in_an_async_lambda() => Verify.VerifyCodeFixAsync(Usings + """
        class Jobs
        {
            Func<Task<int>> Make(Func<Task<string>> load) => async () => {|AP2001:load().Result|}.Length;
        }
        """, Usings + """
        class Jobs
        {
            Func<Task<int>> Make(Func<Task<string>> load) => async () => (await load()).Length;
        }
        """);

    [Fact]
    public Task Fix_makes_void_Main_async_Task() => new Verify.Test
    {
        OutputKind = OutputKind.ConsoleApplication,
        EditorConfig = "asyncperf.AP2001.include_tools = true", // entry points are tool code: quiet by default (CodeContextTests)
        TestCode = """
            using System;
            using System.Net.Http;

            static class Program
            {
                static void Main(string[] args)
                {
                    using var http = new HttpClient();
                    Console.WriteLine({|AP2001:http.GetStringAsync(args[0]).Result|});
                    Console.WriteLine({|AP2001:http.GetStringAsync(args[1]).Result|});
                }
            }
            """,
        FixedCode = """
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;

            static class Program
            {
                static async Task Main(string[] args)
                {
                    using var http = new HttpClient();
                    Console.WriteLine(await http.GetStringAsync(args[0]));
                    Console.WriteLine(await http.GetStringAsync(args[1]));
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Fix_makes_int_Main_async_Task_of_int() => new Verify.Test
    {
        OutputKind = OutputKind.ConsoleApplication,
        EditorConfig = "asyncperf.AP2001.include_tools = true", // entry points are tool code: quiet by default (CodeContextTests)
        TestCode = Usings + """
            static class Program
            {
                static int Main() => {|AP2001:RunAsync().GetAwaiter().GetResult()|};
                static Task<int> RunAsync() => Task.FromResult(Environment.ProcessorCount);
            }
            """,
        FixedCode = Usings + """
            static class Program
            {
                static async Task<int> Main() => await RunAsync();
                static Task<int> RunAsync() => Task.FromResult(Environment.ProcessorCount);
            }
            """,
    }.RunAsync();

    [Fact]
    public Task NoFix_in_a_synchronous_method() => Verify.VerifyCodeFixAsync(Usings + """
        class Jobs
        {
            public int Run(Task<int> t, SemaphoreSlim gate) => {|AP2001:t.Result|};
        }
        """, Usings + """
        class Jobs
        {
            public int Run(Task<int> t, SemaphoreSlim gate) => t.Result;
        }
        """);

    [Fact]
    public Task NoFix_for_timeouts_used_WaitAny_or_inside_lock() => Verify.VerifyCodeFixAsync(Usings + """
        class Jobs
        {
            private readonly object _gate = new();
            async Task<int> Run(Task a, Task<int> b)
            {
                {|AP2001:a.Wait(1000)|};
                var index = {|AP2001:Task.WaitAny(a, b)|};
                lock (_gate) { return {|AP2001:b.Result|} + index; }
            }
        }
        """, Usings + """
        class Jobs
        {
            private readonly object _gate = new();
            async Task<int> Run(Task a, Task<int> b)
            {
                a.Wait(1000);
                var index = Task.WaitAny(a, b);
                lock (_gate) { return b.Result + index; }
            }
        }
        """);

    [Fact]
    public Task NoFix_for_Wait_with_a_token_where_the_target_lacks_WaitAsync() => new Verify.Test
    {
        References = Verifiers.TestReferences.NetStandard20,
        TestCode = """
            using System.Threading;
            using System.Threading.Tasks;
            class Jobs
            {
                async Task Run(Task work, CancellationToken ct)
                {
                    {|AP2001:work.Wait(ct)|};
                    await Task.Yield();
                }
            }
            """,
        FixedCode = """
            using System.Threading;
            using System.Threading.Tasks;
            class Jobs
            {
                async Task Run(Task work, CancellationToken ct)
                {
                    work.Wait(ct);
                    await Task.Yield();
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task FixAll_fixes_nested_and_sibling_diagnostics_in_several_documents()
    {
        var test = new Verify.Test();
        test.Sources.Add(Usings + """
            class A
            {
                async Task<int> Run(Func<Task<Task<int>>> load, Task<int> b) => {|AP2001:{|AP2001:load().Result|}.Result|} + {|AP2001:b.Result|};
            }
            """);
        test.Sources.Add(Usings + """
            class B
            {
                async Task Run(Task a, Task b) { {|AP2001:a.Wait()|}; {|AP2001:b.Wait()|}; }
            }
            """);
        test.FixedSources = new()
        {
            Usings + """
            class A
            {
                async Task<int> Run(Func<Task<Task<int>>> load, Task<int> b) => await await load() + await b;
            }
            """,
            Usings + """
            class B
            {
                async Task Run(Task a, Task b) { await a; await b; }
            }
            """,
        };
        return test.RunAsync();
    }

    [Fact]
    public Task Option_severity_none_in_editorconfig_silences_the_rule() => new Verify.Test
    {
        EditorConfig = "dotnet_diagnostic.AP2001.severity = none",
        TestCode = Usings + "class Jobs { int Run(Task<int> t) => t.Result; }",
    }.RunAsync();

    [Fact]
    public Task Option_category_severity_applies_to_the_rule() => new Verify.Test
    {
        EditorConfig = "dotnet_analyzer_diagnostic.category-AsyncPerf.Blocking.severity = none",
        TestCode = Usings + "class Jobs { int Run(Task<int> t) => t.Result; }",
    }.RunAsync();

    // ---- Robustness ----

    [Fact]
    public Task Robust_on_incomplete_code_typed_in_an_IDE() => new Verify.Test
    {
        AllowCompilerErrors = true,
        TestCode = Usings + """
            class Jobs
            {
                int Run(Task<int> t, Missing m)
                {
                    var a = m.Result;
                    var b = t.GetAwaiter().
                    var c = Task.WaitAll(
                    return {|AP2001:t.Result|}
            """,
    }.RunAsync();

    [Fact]
    public Task Robust_on_error_types_and_missing_members() => new Verify.Test
    {
        AllowCompilerErrors = true,
        TestCode = Usings + """
            class Jobs
            {
                int Run(Unknown<int> t, Task<int> ok) => t.Result + t.GetAwaiter().GetResult() + ok.Missing.Result;
                void Wait(Task t) => Task.WaitAll(t.Nope);
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Flags_in_top_level_statements_and_fixes_there() => new Verify.Test
    {
        OutputKind = OutputKind.ConsoleApplication,
        EditorConfig = "asyncperf.AP2001.include_tools = true", // entry points are tool code: quiet by default (CodeContextTests)
        TestCode = """
            using System.Net.Http;
            using var http = new HttpClient();
            var body = {|AP2001:http.GetStringAsync("https://localhost/").Result|};
            System.Console.WriteLine(body);
            """,
        FixedCode = """
            using System.Net.Http;
            using var http = new HttpClient();
            var body = await http.GetStringAsync("https://localhost/");
            System.Console.WriteLine(body);
            """,
    }.RunAsync();

    [Fact]
    public Task Flags_in_primary_constructor_types_file_scoped_namespaces_and_async_iterators() => Verify.VerifyCodeFixAsync(Usings + """
        namespace Orders;

        sealed class OrderFeed(HttpClient http)
        {
            public async IAsyncEnumerable<int> Lengths(IEnumerable<string> urls)
            {
                foreach (var url in urls)
                {
                    yield return {|AP2001:http.GetStringAsync(url).Result|}.Length;
                }
            }

            public Task<string>[] Pending { get; } = [];
            public string First => {|AP2001:Pending[0].Result|};
        }
        """, Usings + """
        namespace Orders;

        sealed class OrderFeed(HttpClient http)
        {
            public async IAsyncEnumerable<int> Lengths(IEnumerable<string> urls)
            {
                foreach (var url in urls)
                {
                    yield return (await http.GetStringAsync(url)).Length;
                }
            }

            public Task<string>[] Pending { get; } = [];
            public string First => {|AP2001:Pending[0].Result|};
        }
        """);

    // ---- Fix 2: make a private/internal synchronous method async together with its callers ----

    private const string MakeAsync = "AP2001.Await"; // one key for both fixes: only one is ever offered per diagnostic

    [Fact]
    public Task MakeAsync_converts_a_private_method_and_awaits_it_at_every_call_site() => new Verify.Test
    {
        CodeActionEquivalenceKey = MakeAsync,
        TestCode = Usings + """
            class PriceService
            {
                private readonly HttpClient _http = new();

                public async Task<int> CountAsync(string sku)
                {
                    var body = LoadPrices(sku);
                    return body.Length + LoadPrices("all").Length;
                }

                // Loads the price sheet of one SKU.
                private string LoadPrices(string sku)
                {
                    return {|AP2001:_http.GetStringAsync("/prices/" + sku).Result|}; // blocks today
                }
            }
            """,
        FixedCode = Usings + """
            class PriceService
            {
                private readonly HttpClient _http = new();

                public async Task<int> CountAsync(string sku)
                {
                    var body = await LoadPricesAsync(sku);
                    return body.Length + (await LoadPricesAsync("all")).Length;
                }

                // Loads the price sheet of one SKU.
                private async Task<string> LoadPricesAsync(string sku)
                {
                    return await _http.GetStringAsync("/prices/" + sku); // blocks today
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task MakeAsync_awaits_every_wait_of_the_method_and_FixAll_agrees() => new Verify.Test
    {
        CodeActionEquivalenceKey = MakeAsync,
        TestCode = Usings + """
            class Sync
            {
                internal void Refresh(Task a, Task<int> b, Task c)
                {
                    {|AP2001:a.Wait()|};
                    Console.WriteLine({|AP2001:b.Result|});
                    {|AP2001:Task.WaitAll(a, c)|};
                }

                private int Read(Task<int> t) => {|AP2001:t.GetAwaiter().GetResult()|};

                public async Task RunAsync(Task a, Task<int> b)
                {
                    Refresh(a, b, a);
                    this.Refresh(a, b, a);
                    Console.WriteLine(Read(b) + nameof(Read).Length);
                }
            }
            """,
        FixedCode = Usings + """
            class Sync
            {
                internal async Task RefreshAsync(Task a, Task<int> b, Task c)
                {
                    await a;
                    Console.WriteLine(await b);
                    await Task.WhenAll(a, c);
                }

                private async Task<int> ReadAsync(Task<int> t) => await t;

                public async Task RunAsync(Task a, Task<int> b)
                {
                    await RefreshAsync(a, b, a);
                    await this.RefreshAsync(a, b, a);
                    Console.WriteLine(await ReadAsync(b) + nameof(ReadAsync).Length);
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task MakeAsync_adds_the_tasks_import_and_keeps_the_name_when_the_Async_name_is_taken() => new Verify.Test
    {
        CodeActionEquivalenceKey = MakeAsync,
        TestCode = """
            class Loader
            {
                private string Load(System.Threading.Tasks.Task<string> t) => {|AP2001:t.Result|};

                private void LoadAsync() { }

                public async System.Threading.Tasks.Task<string> RunAsync(System.Threading.Tasks.Task<string> t) => Load(t);
            }
            """,
        FixedCode = """
            using System.Threading.Tasks;

            class Loader
            {
                private async Task<string> Load(System.Threading.Tasks.Task<string> t) => await t;

                private void LoadAsync() { }

                public async System.Threading.Tasks.Task<string> RunAsync(System.Threading.Tasks.Task<string> t) => await Load(t);
            }
            """,
    }.RunAsync();

    [Fact]
    public Task MakeAsync_is_not_offered_where_the_result_would_not_compile_or_would_change_an_API() => Verify.VerifyCodeFixAsync(Usings + """
        interface IReader { int Read(Task<int> t); }

        class Jobs : IReader
        {
            private readonly object _gate = new();

            public int Public(Task<int> t) => {|AP2001:t.Result|};
            private int CalledFromSync(Task<int> t) => {|AP2001:t.Result|};
            private int UsedAsDelegate(Task<int> t) => {|AP2001:t.Result|};
            private int WithOut(Task<int> t, out int x) { x = 1; return {|AP2001:t.Result|}; }
            private Task<int> ReturnsTask(Task<int> t) => Task.FromResult({|AP2001:t.Result|});
            private int CalledInLock(Task<int> t) => {|AP2001:t.Result|};
            private int Recursive(Task<int> t, int n) => n == 0 ? {|AP2001:t.Result|} : Recursive(t, n - 1);
            private int InLambda(Task<int> t) { Func<int> f = () => {|AP2001:t.Result|}; return f(); }
            private IEnumerable<int> Iterator(Task<int> t) { yield return {|AP2001:t.Result|}; }
            int IReader.Read(Task<int> t) => {|AP2001:t.Result|};

            public int Sync(Task<int> t) => CalledFromSync(t);

            public async Task<int> RunAsync(Task<int> t)
            {
                Func<Task<int>, int> f = UsedAsDelegate;
                lock (_gate) { f(t); CalledInLock(t); }
                await Task.Yield();
                return WithOut(t, out _) + ReturnsTask(t).Id + Recursive(t, 2) + InLambda(t) + Iterator(t).Count();
            }
        }
        """, Usings + """
        interface IReader { int Read(Task<int> t); }

        class Jobs : IReader
        {
            private readonly object _gate = new();

            public int Public(Task<int> t) => t.Result;
            private int CalledFromSync(Task<int> t) => t.Result;
            private int UsedAsDelegate(Task<int> t) => t.Result;
            private int WithOut(Task<int> t, out int x) { x = 1; return t.Result; }
            private Task<int> ReturnsTask(Task<int> t) => Task.FromResult(t.Result);
            private int CalledInLock(Task<int> t) => t.Result;
            private int Recursive(Task<int> t, int n) => n == 0 ? t.Result : Recursive(t, n - 1);
            private int InLambda(Task<int> t) { Func<int> f = () => t.Result; return f(); }
            private IEnumerable<int> Iterator(Task<int> t) { yield return t.Result; }
            int IReader.Read(Task<int> t) => t.Result;

            public int Sync(Task<int> t) => CalledFromSync(t);

            public async Task<int> RunAsync(Task<int> t)
            {
                Func<Task<int>, int> f = UsedAsDelegate;
                lock (_gate) { f(t); CalledInLock(t); }
                await Task.Yield();
                return WithOut(t, out _) + ReturnsTask(t).Id + Recursive(t, 2) + InLambda(t) + Iterator(t).Count();
            }
        }
        """);

    [Fact]
    public Task MakeAsync_is_not_offered_for_internal_methods_visible_to_another_assembly() => Verify.VerifyCodeFixAsync(Usings + """
        [assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Other")]

        class Jobs
        {
            internal int Load(Task<int> t) => {|AP2001:t.Result|};
            public async Task<int> RunAsync(Task<int> t) { await Task.Yield(); return Load(t); }
        }
        """, Usings + """
        [assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Other")]

        class Jobs
        {
            internal int Load(Task<int> t) => t.Result;
            public async Task<int> RunAsync(Task<int> t) { await Task.Yield(); return Load(t); }
        }
        """);

    [Fact]
    public Task DoesNotFlag_Result_after_a_successful_Wait_with_a_timeout() => Verify.VerifyAnalyzerAsync(Usings + """
        class Engine
        {
            int Run(Task<int> t, Task<int> u, CancellationToken ct)
            {
                if (t.Wait(TimeSpan.FromSeconds(1), ct))
                {
                    return t.Result;
                }

                if (!u.Wait(100)) throw new TimeoutException();
                var both = Task.WaitAll(new Task[] { t, u }, 100) ? t.Result + u.Result : 0;
                return u.Result + both + {|AP2001:t.Result|};
            }
        }
        """);

    // ---- Timed waits whose answer is used ----

    [Fact]
    public Task DoesNotFlag_a_timed_Wait_whose_answer_is_tested_returned_or_asserted() => Verify.VerifyAnalyzerAsync(Usings + """
        static class Should
        {
            public static void ShouldBeFalse(this bool actual) { if (actual) throw new InvalidOperationException(); }
        }

        class HedgingProbe
        {
            bool IsStillRunning(Task attempt, CancellationToken ct)
            {
                attempt.Wait(20, ct).ShouldBeFalse();
                if (!attempt.Wait(TimeSpan.FromMilliseconds(50))) { return true; }
                var settled = Task.WaitAll(new[] { attempt }, 100);
                return !settled && attempt.Wait(10);
            }

            Func<bool> Poll(Task attempt) => () => attempt.Wait(5);
        }
        """);

    [Fact]
    public Task Flags_a_timed_Wait_whose_answer_is_discarded_or_whose_timeout_is_infinite() => Verify.VerifyAnalyzerAsync(Usings + """
        class HedgingProbe
        {
            int Run(Task attempt, Task[] attempts, CancellationToken ct)
            {
                {|AP2001:attempt.Wait(1000)|};
                _ = {|AP2001:attempt.Wait(1000, ct)|};
                {|AP2001:Task.WaitAll(attempts, TimeSpan.FromSeconds(1))|};
                var forever = {|AP2001:attempt.Wait(Timeout.Infinite)|};
                if ({|AP2001:attempt.Wait(Timeout.InfiniteTimeSpan)|}) { return 1; }
                Action later = () => {|AP2001:attempt.Wait(10)|};
                return {|AP2001:Task.WaitAny(attempts, 100)|};
            }
        }
        """);

    // ---- Completion callbacks ----

    [Fact]
    public Task DoesNotFlag_the_task_parameter_of_a_function_pointer_continuation() => Verify.VerifyAnalyzerAsync(Usings + """
        using System.Runtime.CompilerServices;

        abstract class ResultSink { public abstract void Set(object? value); }

        readonly unsafe struct SinkContinuation
        {
            private readonly delegate*<Task, ResultSink, void> _continuation;
            public SinkContinuation(delegate*<Task, ResultSink, void> continuation) => _continuation = continuation;
            public void Invoke(Task task, ResultSink sink) => _continuation(task, sink);
        }

        static class RowReader
        {
            public static void WhenFinished(Task task, ResultSink sink, SinkContinuation continuation) =>
                task.ContinueWith(t => continuation.Invoke(t, sink));

            public static unsafe void ReadInt(ValueTask<int> pending, ResultSink sink)
            {
                WhenFinished(pending.AsTask(), sink, new(&Complete));

                static void Complete(Task task, ResultSink sink) =>
                    sink.Set(new ValueTask<int>(Unsafe.As<Task<int>>(task)).Result);
            }

            public static unsafe void ReadText(Task<string> pending, ResultSink sink) =>
                WhenFinished(pending, sink, new SinkContinuation(&CompleteText));

            private static void CompleteText(Task task, ResultSink sink) =>
                sink.Set(((Task<string>)task).GetAwaiter().GetResult());
        }
        """);

    [Fact]
    public Task Flags_the_task_parameter_of_a_function_pointer_target_that_is_also_called_directly() => Verify.VerifyAnalyzerAsync(Usings + """
        abstract class ResultSink { public abstract void Set(object? value); }

        readonly unsafe struct SinkContinuation
        {
            private readonly delegate*<Task, ResultSink, void> _continuation;
            public SinkContinuation(delegate*<Task, ResultSink, void> continuation) => _continuation = continuation;
        }

        readonly unsafe struct SinkAction
        {
            public SinkAction(delegate*<Task, ResultSink, void> action) { }
        }

        static class RowReader
        {
            public static unsafe SinkContinuation ReadText(HttpClient http, ResultSink sink)
            {
                CompleteText(http.GetStringAsync("/rows"), sink);
                return new SinkContinuation(&CompleteText);
            }

            public static unsafe SinkAction ReadNumber() => new SinkAction(&CompleteNumber);

            public static unsafe SinkContinuation ReadDate() => new SinkContinuation(&CompleteDate);

            private static void CompleteText(Task task, ResultSink sink) =>
                sink.Set({|AP2001:((Task<string>)task).Result|});

            private static void CompleteNumber(Task task, ResultSink sink) =>
                sink.Set({|AP2001:((Task<int>)task).Result|});

            public static void CompleteDate(Task task, ResultSink sink) =>
                sink.Set({|AP2001:((Task<DateTime>)task).Result|});
        }
        """);

    [Fact]
    public Task DoesNotFlag_the_antecedent_of_a_method_group_or_lambda_continuation() => Verify.VerifyAnalyzerAsync(Usings + """
        static class TaskCallbacks
        {
            public static void OnCompleted<T>(Task<T> task, Action<Task<T>> onCompleted) =>
                task.ContinueWith(onCompleted, TaskScheduler.Default);
        }

        class PriceFeed
        {
            private readonly HttpClient _http = new();
            private string _last = "";

            public void Refresh(string sku)
            {
                _http.GetStringAsync("/prices/" + sku).ContinueWith(Remember);
                TaskCallbacks.OnCompleted(_http.GetStringAsync("/stock/" + sku), done => _last = done.GetAwaiter().GetResult());
                _http.GetStringAsync("/rates").ContinueWith((previous, state) => _last = previous.Result + state, sku);
            }

            private void Remember(Task<string> previous) => _last = previous.Result;
        }
        """);

    [Fact]
    public Task Flags_a_task_parameter_whose_function_is_not_only_a_continuation() => Verify.VerifyAnalyzerAsync(Usings + """
        class PriceFeed
        {
            private readonly HttpClient _http = new();
            private string _last = "";

            public void Refresh(string sku, Task<string> other, Task<string>[] pending)
            {
                _http.GetStringAsync("/prices/" + sku).ContinueWith(Remember);
                Remember(_http.GetStringAsync("/fallback/" + sku));
                _http.GetStringAsync("/rates").ContinueWith(_ => _last = {|AP2001:other.Result|});
                var lengths = pending.Select(Measure).ToList();
                var names = pending.Select(p => {|AP2001:p.Result|}).ToList();
                _http.GetStringAsync("/stock").ContinueWith(previous =>
                {
                    previous = other;
                    _last = {|AP2001:previous.Result|};
                });
            }

            private void Remember(Task<string> previous) => _last = {|AP2001:previous.Result|};

            private static int Measure(Task<string> page) => {|AP2001:page.Result|}.Length;
        }
        """);

    // ---- Try* fast paths ----

    [Fact]
    public Task DoesNotFlag_Result_of_a_Try_fast_path_that_returns_a_nullable_task() => Verify.VerifyAnalyzerAsync(Usings + """
        class RowReader
        {
            private static readonly Task<bool> s_true = Task.FromResult(true);
            private readonly HttpClient _http = new();
            private int _buffered;

            public bool Read() => TryReadBuffered()?.Result ?? ReadSlow();

            public bool Peek() => TryPeekBuffered()?.GetAwaiter().GetResult() ?? false;

            private Task<bool>? TryReadBuffered() => _buffered-- > 0 ? s_true : null;

            private ValueTask<bool>? TryPeekBuffered() => _buffered > 0 ? new ValueTask<bool>(true) : null;

            private bool ReadSlow() => false;
        }
        """);

    [Fact]
    public Task Flags_Result_of_a_Try_method_with_a_non_nullable_task_or_a_nullable_task_not_named_Try() => Verify.VerifyAnalyzerAsync(Usings + """
        class RowReader
        {
            private readonly HttpClient _http = new();

            public string Read(string url) => {|AP2001:TryDownload(url).Result|};

            public string? Cached(string url) => GetPending(url)?{|AP2001:.Result|};

            public string? Trying(string url) => Tryout(url)?{|AP2001:.Result|};

            private Task<string> TryDownload(string url) => _http.GetStringAsync(url);

            private Task<string>? GetPending(string url) => url.Length > 0 ? _http.GetStringAsync(url) : null;

            private Task<string>? Tryout(string url) => url.Length > 0 ? _http.GetStringAsync(url) : null;
        }
        """);

    [Fact]
    public Task DoesNotFlag_Result_after_Wait_with_a_token_in_a_try_whose_catches_always_exit() => Verify.VerifyAnalyzerAsync(Usings + """
        using System.Runtime.ExceptionServices;

        class PessimisticTimeout
        {
            int Run(Func<CancellationToken, int> action, CancellationToken ct)
            {
                var work = Task.Run(() => action(ct), ct);
                try
                {
                    {|AP2001:work.Wait(ct)|};
                }
                catch (AggregateException ex) when (ex.InnerExceptions.Count == 1)
                {
                    ExceptionDispatchInfo.Capture(ex.InnerException!).Throw();
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException();
                }

                return work.Result;
            }
        }
        """);

    [Fact]
    public Task Flags_Result_after_a_try_whose_catch_swallows_the_failed_Wait() => Verify.VerifyAnalyzerAsync(Usings + """
        class PessimisticTimeout
        {
            int Run(Func<CancellationToken, int> action, CancellationToken ct)
            {
                var work = Task.Run(() => action(ct), ct);
                try
                {
                    {|AP2001:work.Wait(ct)|};
                }
                catch (OperationCanceledException)
                {
                    Console.WriteLine("timed out");
                }

                return {|AP2001:work.Result|};
            }
        }
        """);
}
