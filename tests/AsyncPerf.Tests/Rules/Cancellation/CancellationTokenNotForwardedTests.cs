using AsyncPerf.CodeFixes.Rules.Cancellation;
using AsyncPerf.Tests.Verifiers;
using Xunit;
using Verify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Cancellation.CancellationTokenNotForwardedAnalyzer, AsyncPerf.CodeFixes.Rules.Cancellation.CancellationTokenNotForwardedCodeFix>;

namespace AsyncPerf.Tests.Rules.Cancellation;

public class CancellationTokenNotForwardedTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    // ---- Flags ----

    [Fact]
    public Task Flags_overload_with_a_token_not_used() => Verify.VerifyAnalyzerAsync(Usings + """
        class Poller
        {
            async Task PollAsync(HttpClient http, CancellationToken ct)
            {
                await [|Task.Delay(1000)|];
                var body = await [|http.GetStringAsync("/status")|];
            }
        }
        """);

    [Fact]
    public Task Flags_with_a_message_that_names_the_token_and_the_call() => Verify.VerifyAnalyzerAsync(Usings + """
        class Poller
        {
            async Task PollAsync(CancellationToken ct)
            {
                await Task.Delay(1000);
            }
        }
        """,
        Verify.Diagnostic("AP3001").WithSpan(11, 15, 11, 31).WithMessage("Pass 'ct' to 'Task.Delay': without it the call cannot be cancelled"));

    [Fact]
    public Task Flags_optional_token_parameter_left_out() => Verify.VerifyAnalyzerAsync(Usings + """
        class Store
        {
            Task SaveAsync(string name, CancellationToken cancellationToken = default) => Task.CompletedTask;

            async Task RunAsync(CancellationToken ct)
            {
                await [|SaveAsync("a")|];
            }
        }
        """);

    [Fact]
    public Task Flags_explicit_None_and_default() => Verify.VerifyAnalyzerAsync(Usings + """
        class Store
        {
            async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
            {
                await stream.ReadAsync(buffer, 0, 1, [|CancellationToken.None|]);
                await stream.ReadAsync(buffer, 0, 1, [|default|]);
                await stream.ReadAsync(buffer, 0, 1, [|default(CancellationToken)|]);
                await stream.ReadAsync(buffer, 0, 1, [|new CancellationToken()|]);
            }
        }
        """);

    [Fact]
    public Task Flags_calls_inside_lambdas() => Verify.VerifyAnalyzerAsync(Usings + """
        class Fetcher
        {
            async Task<string[]> FetchAllAsync(HttpClient http, IEnumerable<string> urls, CancellationToken ct)
            {
                var tasks = new List<Task<string>>();
                foreach (var url in urls)
                {
                    tasks.Add([|Task.Run(async () => await [|http.GetStringAsync(url)|])|]);
                }

                Func<Task> later = () => [|Task.Delay(10)|];
                await later();
                return await Task.WhenAll(tasks);
            }
        }
        """);

    [Fact]
    public Task Flags_nullable_token_parameter() => Verify.VerifyAnalyzerAsync(Usings + """
        class Poller
        {
            async Task PollAsync(CancellationToken? ct)
            {
                await Task.Delay(1000);
            }
        }
        """,
        Verify.Diagnostic("AP3001").WithSpan(11, 15, 11, 31).WithMessage("Pass 'ct.GetValueOrDefault()' to 'Task.Delay': without it the call cannot be cancelled"));

    [Fact]
    public Task Flags_local_token_source_and_RequestAborted() => Verify.VerifyAnalyzerAsync(Usings + """
        using Microsoft.AspNetCore.Http;

        class Handler
        {
            async Task HandleAsync(HttpContext context)
            {
                await [|Task.Delay(10)|];
            }

            async Task TimedAsync()
            {
                await Task.Delay(1);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await [|Task.Delay(10)|];
            }
        }
        """);

    [Fact]
    public Task Flags_await_foreach_without_WithCancellation() => Verify.VerifyAnalyzerAsync(Usings + """
        class Reader
        {
            async Task<int> CountAsync(IAsyncEnumerable<int> source, CancellationToken ct)
            {
                var n = 0;
                await foreach (var item in [|source|])
                {
                    n++;
                }

                await foreach (var item in source.WithCancellation(ct))
                {
                    n++;
                }

                await foreach (var item in source.ConfigureAwait(false).WithCancellation([|CancellationToken.None|]))
                {
                    n++;
                }

                return n;
            }
        }
        """);

    [Fact]
    public Task Flags_outer_token_inside_a_lambda_with_its_own_token() => Verify.VerifyAnalyzerAsync(Usings + """
        class Crawler
        {
            async Task CrawlAsync(HttpClient http, string[] urls, CancellationToken ct)
            {
                await Parallel.ForEachAsync(urls, ct, async (url, token) =>
                {
                    await http.GetStringAsync(url, [|ct|]);
                    await http.GetStringAsync(url, token);
                });
            }
        }
        """);

    [Fact]
    public Task Flags_extension_method_overload() => Verify.VerifyAnalyzerAsync(Usings + """
        static class QueryExtensions
        {
            public static Task<List<T>> ToListAsync<T>(this IEnumerable<T> source) => Task.FromResult(new List<T>(source));
            public static Task<List<T>> ToListAsync<T>(this IEnumerable<T> source, CancellationToken cancellationToken) => Task.FromResult(new List<T>(source));
        }

        class Repository
        {
            async Task<int> CountAsync(int[] ids, CancellationToken ct)
            {
                var list = await [|ids.ToListAsync()|];
                return list.Count;
            }
        }
        """);

    // ---- Does not flag ----

    [Fact]
    public Task Does_not_flag_a_call_that_passes_a_token() => Verify.VerifyAnalyzerAsync(Usings + """
        class Poller
        {
            async Task PollAsync(HttpClient http, CancellationToken ct)
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                await Task.Delay(1000, ct);
                await http.GetStringAsync("/status", linked.Token);
            }
        }
        """);

    [Fact]
    public Task Does_not_flag_an_outer_token_combined_with_the_lambda_token() => Verify.VerifyAnalyzerAsync(Usings + """
        class Crawler
        {
            async Task CrawlAsync(string[] urls, CancellationToken ct)
            {
                await Parallel.ForEachAsync(urls, ct, async (url, token) =>
                {
                    using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, token);
                    await Task.Delay(1, both.Token);
                });
            }
        }
        """);

    [Fact]
    public Task Does_not_flag_without_a_token_in_scope() => Verify.VerifyAnalyzerAsync(Usings + """
        class Poller
        {
            async Task PollAsync(HttpClient http)
            {
                await Task.Delay(1000);
                await Task.Delay(1000, CancellationToken.None);
            }
        }
        """);

    [Fact]
    public Task Does_not_flag_explicit_None_in_finally() => Verify.VerifyAnalyzerAsync(Usings + """
        class Uploader
        {
            async Task UploadAsync(Stream target, CancellationToken ct)
            {
                try
                {
                    await target.WriteAsync(new byte[1], ct);
                }
                finally
                {
                    await target.FlushAsync(CancellationToken.None);
                    await Task.Delay(10, default);
                }
            }
        }
        """);

    [Fact]
    public Task Does_not_flag_inside_catch_OperationCanceledException() => Verify.VerifyAnalyzerAsync(Usings + """
        class Uploader
        {
            async Task UploadAsync(Stream target, CancellationToken ct)
            {
                try
                {
                    await target.WriteAsync(new byte[1], ct);
                }
                catch (TaskCanceledException)
                {
                    await Task.Delay(10, default);
                }
                catch (OperationCanceledException)
                {
                    await target.FlushAsync(CancellationToken.None);
                    await target.FlushAsync();
                }
            }
        }
        """);

    [Fact]
    public Task Does_not_flag_explicit_None_in_DisposeAsync() => Verify.VerifyAnalyzerAsync(Usings + """
        sealed class Connection : IAsyncDisposable
        {
            private readonly Stream _stream = Stream.Null;

            public async ValueTask DisposeAsync()
            {
                using var cts = new CancellationTokenSource();
                await _stream.FlushAsync(CancellationToken.None);
                await _stream.DisposeAsync();
            }
        }
        """);

    [Fact]
    public Task Flags_explicit_None_in_other_catch_blocks_and_missing_token_in_finally() => Verify.VerifyAnalyzerAsync(Usings + """
        class Uploader
        {
            async Task UploadAsync(Stream target, CancellationToken ct)
            {
                try
                {
                    await target.WriteAsync(new byte[1], ct);
                }
                catch (IOException)
                {
                    await target.FlushAsync([|CancellationToken.None|]);
                }
                finally
                {
                    await [|target.FlushAsync()|];
                }
            }
        }
        """);

    [Fact]
    public Task Does_not_flag_in_static_lambdas_or_expression_trees() => Verify.VerifyAnalyzerAsync(Usings + """
        using System.Linq.Expressions;

        class Scheduler
        {
            async Task RunAsync(CancellationToken ct)
            {
                Func<Task> work = static () => Task.Delay(10);
                Expression<Func<Task>> tree = () => Task.Delay(10);
                await work();
            }
        }
        """);

    [Fact]
    public Task Does_not_flag_a_token_passed_as_the_receiver_of_an_extension_method() => Verify.VerifyAnalyzerAsync(Usings + """
        static class TokenExtensions
        {
            public static Task<T> AsTask<T>(this CancellationToken token) => Task.FromCanceled<T>(token);
            public static Task<T> AsTask<T>(this CancellationToken token, CancellationToken other) => Task.FromCanceled<T>(token);
        }

        class Engine
        {
            async Task<int> RunAsync(Task<int> work, CancellationToken ct)
            {
                using var timeout = new CancellationTokenSource(1000);
                var first = await Task.WhenAny(work, timeout.Token.AsTask<int>());
                return await first;
            }
        }
        """);

    [Fact]
    public Task Does_not_flag_synchronous_calls_that_only_store_or_record_a_token() => Verify.VerifyAnalyzerAsync(Usings + """
        class Context { public CancellationToken Token; }

        class Pool
        {
            public Context Get() => Get(CancellationToken.None);
            public Context Get(CancellationToken token) => new Context { Token = token };
        }

        class Reloader
        {
            public void AddReloadToken(CancellationToken token) { }
            public void Start(string name, bool attemptCancellation, CancellationToken token = default) { }
        }

        class Engine
        {
            void Complete(TaskCompletionSource<int> source, Pool pool, Reloader reloader, CancellationToken ct)
            {
                source.TrySetCanceled();
                source.TrySetCanceled(CancellationToken.None);
                var context = pool.Get(CancellationToken.None);
                reloader.AddReloadToken(default);
                reloader.Start("copy", attemptCancellation: false);
                ct.Register(() => source.TrySetCanceled(CancellationToken.None));
            }
        }
        """);

    [Fact]
    public Task Flags_synchronous_waits_that_can_take_the_token() => Verify.VerifyAnalyzerAsync(Usings + """
        using System.Collections.Concurrent;

        class Worker
        {
            void Drain(SemaphoreSlim gate, BlockingCollection<int> queue, ManualResetEventSlim ready, HttpClient http, CancellationToken ct)
            {
                [|gate.Wait()|];
                [|ready.Wait()|];
                var item = [|queue.Take()|];
                foreach (var next in [|queue.GetConsumingEnumerable()|])
                {
                }

                using var response = [|http.Send(new HttpRequestMessage(HttpMethod.Get, "/"))|];
                gate.Wait(ct);
            }
        }
        """);

    [Fact]
    public Task Does_not_flag_when_no_overload_takes_a_token() => Verify.VerifyAnalyzerAsync(Usings + """
        class Worker
        {
            async Task RunAsync(Task[] tasks, CancellationToken ct)
            {
                await Task.WhenAll(tasks);
                await Task.Yield();
                ct.ThrowIfCancellationRequested();
            }
        }
        """);

    [Fact]
    public Task Does_not_flag_an_overload_missing_on_the_target_framework() => new Verify.Test
    {
        References = TestReferences.NetStandard20,
        TestCode = Usings + """
            class Worker
            {
                async Task<string> ReadAsync(HttpContent content, CancellationToken ct)
                {
                    return await content.ReadAsStringAsync();
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Does_not_flag_an_overload_the_caller_cannot_access() => Verify.VerifyAnalyzerAsync(Usings + """
        class Repository
        {
            public Task SaveAsync(string name) => Task.CompletedTask;
            private Task SaveAsync(string name, CancellationToken cancellationToken) => Task.CompletedTask;
        }

        class Service
        {
            async Task RunAsync(Repository repository, CancellationToken ct)
            {
                await repository.SaveAsync("a");
            }
        }
        """);

    [Fact]
    public Task Does_not_flag_iterator_called_with_a_token_in_await_foreach() => Verify.VerifyAnalyzerAsync(Usings + """
        using System.Runtime.CompilerServices;

        class Reader
        {
            async IAsyncEnumerable<int> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
            {
                await Task.Delay(1, cancellationToken);
                yield return 1;
            }

            async Task RunAsync(CancellationToken ct)
            {
                await foreach (var item in ReadAsync(ct))
                {
                }
            }
        }
        """);

    // ---- Fix ----

    [Fact]
    public Task Fix_passes_the_token() => Verify.VerifyCodeFixAsync(Usings + """
        class Poller
        {
            async Task PollAsync(HttpClient http, Stream stream, CancellationToken ct)
            {
                // keep me
                await [|Task.Delay(1000)|]; // and me
                await stream.ReadAsync(new byte[1], 0, 1, [|CancellationToken.None|]);
            }
        }
        """, Usings + """
        class Poller
        {
            async Task PollAsync(HttpClient http, Stream stream, CancellationToken ct)
            {
                // keep me
                await Task.Delay(1000, ct); // and me
                await stream.ReadAsync(new byte[1], 0, 1, ct);
            }
        }
        """);

    [Fact]
    public Task Fix_uses_GetValueOrDefault_for_a_nullable_token() => Verify.VerifyCodeFixAsync(Usings + """
        class Poller
        {
            async Task PollAsync(CancellationToken? ct)
            {
                await [|Task.Delay(1000)|];
            }
        }
        """, Usings + """
        class Poller
        {
            async Task PollAsync(CancellationToken? ct)
            {
                await Task.Delay(1000, ct.GetValueOrDefault());
            }
        }
        """);

    [Fact]
    public Task Fix_keeps_named_arguments() => Verify.VerifyCodeFixAsync(Usings + """
        class Store
        {
            Task SaveAsync(string name, int retries = 1, bool overwrite = false, CancellationToken cancellationToken = default) => Task.CompletedTask;

            async Task RunAsync(CancellationToken ct)
            {
                await [|SaveAsync(name: "a", overwrite: true)|];
                await [|SaveAsync("b")|];
            }
        }
        """, Usings + """
        class Store
        {
            Task SaveAsync(string name, int retries = 1, bool overwrite = false, CancellationToken cancellationToken = default) => Task.CompletedTask;

            async Task RunAsync(CancellationToken ct)
            {
                await SaveAsync(name: "a", overwrite: true, cancellationToken: ct);
                await SaveAsync("b", cancellationToken: ct);
            }
        }
        """);

    [Fact]
    public Task Fix_inserts_a_token_in_the_middle_for_Parallel_ForEachAsync() => Verify.VerifyCodeFixAsync(Usings + """
        class Crawler
        {
            async Task CrawlAsync(string[] urls, CancellationToken ct)
            {
                await [|Parallel.ForEachAsync(urls, async (url, token) => await Task.Delay(1, token))|];
            }
        }
        """, Usings + """
        class Crawler
        {
            async Task CrawlAsync(string[] urls, CancellationToken ct)
            {
                await Parallel.ForEachAsync(urls, ct, async (url, token) => await Task.Delay(1, token));
            }
        }
        """);

    [Fact]
    public Task Fix_in_lambda_passes_the_lambda_token_first() => Verify.VerifyCodeFixAsync(Usings + """
        class Crawler
        {
            async Task CrawlAsync(HttpClient http, string[] urls, CancellationToken ct)
            {
                await Parallel.ForEachAsync(urls, ct, async (url, token) =>
                {
                    await [|http.GetStringAsync(url)|];
                    await http.GetStringAsync(url, [|ct|]);
                });
            }
        }
        """, Usings + """
        class Crawler
        {
            async Task CrawlAsync(HttpClient http, string[] urls, CancellationToken ct)
            {
                await Parallel.ForEachAsync(urls, ct, async (url, token) =>
                {
                    await http.GetStringAsync(url, token);
                    await http.GetStringAsync(url, token);
                });
            }
        }
        """);

    [Fact]
    public Task Fix_offers_one_action_per_token_second_is_the_outer_one() => new Verify.Test
    {
        TestCode = Usings + """
            class Worker
            {
                async Task RunAsync(CancellationToken ct)
                {
                    using var cts = new CancellationTokenSource(1000);
                    await [|Task.Delay(10)|];
                    await [|Task.Delay(20)|];
                }
            }
            """,
        FixedCode = Usings + """
            class Worker
            {
                async Task RunAsync(CancellationToken ct)
                {
                    using var cts = new CancellationTokenSource(1000);
                    await Task.Delay(10, ct);
                    await Task.Delay(20, ct);
                }
            }
            """,
        CodeActionEquivalenceKey = CancellationTokenNotForwardedCodeFix.EquivalenceKey(2),
    }.RunAsync();

    [Fact]
    public Task Fix_in_nested_lambdas_offers_inner_then_outer_lambda_token() => new Verify.Test
    {
        TestCode = Usings + """
            class Crawler
            {
                async Task CrawlAsync(string[] urls, CancellationToken ct)
                {
                    await Parallel.ForEachAsync(urls, ct, async (url, token) =>
                    {
                        using var perItem = CancellationTokenSource.CreateLinkedTokenSource(token);
                        await [|Task.Delay(1)|];
                    });
                }
            }
            """,
        FixedCode = Usings + """
            class Crawler
            {
                async Task CrawlAsync(string[] urls, CancellationToken ct)
                {
                    await Parallel.ForEachAsync(urls, ct, async (url, token) =>
                    {
                        using var perItem = CancellationTokenSource.CreateLinkedTokenSource(token);
                        await Task.Delay(1, token);
                    });
                }
            }
            """,
        CodeActionEquivalenceKey = CancellationTokenNotForwardedCodeFix.EquivalenceKey(2),
    }.RunAsync();

    [Fact]
    public Task Fix_with_token_source_local_prefers_it_over_the_parameter() => Verify.VerifyCodeFixAsync(Usings + """
        class Worker
        {
            async Task RunAsync(CancellationToken ct)
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                cts.CancelAfter(1000);
                await [|Task.Delay(10)|];
            }
        }
        """, Usings + """
        class Worker
        {
            async Task RunAsync(CancellationToken ct)
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                cts.CancelAfter(1000);
                await Task.Delay(10, cts.Token);
            }
        }
        """);

    [Fact]
    public Task Fix_passes_RequestAborted_in_a_controller() => Verify.VerifyCodeFixAsync(Usings + """
        using Microsoft.AspNetCore.Mvc;

        public class OrdersController : ControllerBase
        {
            [HttpGet]
            public async Task<IActionResult> Get()
            {
                await [|Task.Delay(10)|];
                return Ok();
            }
        }
        """, Usings + """
        using Microsoft.AspNetCore.Mvc;

        public class OrdersController : ControllerBase
        {
            [HttpGet]
            public async Task<IActionResult> Get()
            {
                await Task.Delay(10, HttpContext.RequestAborted);
                return Ok();
            }
        }
        """);

    [Fact]
    public Task Fix_adds_WithCancellation() => Verify.VerifyCodeFixAsync(Usings + """
        class Reader
        {
            async Task RunAsync(IAsyncEnumerable<int> source, CancellationToken ct)
            {
                await foreach (var item in [|source|])
                {
                }

                await foreach (var item in [|source.ConfigureAwait(false)|])
                {
                }
            }
        }
        """, Usings + """
        class Reader
        {
            async Task RunAsync(IAsyncEnumerable<int> source, CancellationToken ct)
            {
                await foreach (var item in source.WithCancellation(ct))
                {
                }

                await foreach (var item in source.ConfigureAwait(false).WithCancellation(ct))
                {
                }
            }
        }
        """);

    [Fact]
    public Task Fix_adds_the_using_that_WithCancellation_needs() => Verify.VerifyCodeFixAsync("""
        using System.Collections.Generic;
        using System.Threading;

        class Reader
        {
            async System.Threading.Tasks.Task RunAsync(IAsyncEnumerable<int> source, CancellationToken ct)
            {
                await foreach (var item in [|source|])
                {
                }
            }
        }
        """, """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        class Reader
        {
            async System.Threading.Tasks.Task RunAsync(IAsyncEnumerable<int> source, CancellationToken ct)
            {
                await foreach (var item in source.WithCancellation(ct))
                {
                }
            }
        }
        """);

    [Fact]
    public Task Fix_uses_the_extension_method_overload() => Verify.VerifyCodeFixAsync(Usings + """
        static class QueryExtensions
        {
            public static Task<List<T>> ToListAsync<T>(this IEnumerable<T> source) => Task.FromResult(new List<T>(source));
            public static Task<List<T>> ToListAsync<T>(this IEnumerable<T> source, CancellationToken cancellationToken) => Task.FromResult(new List<T>(source));
        }

        class Repository
        {
            async Task<int> CountAsync(int[] ids, CancellationToken ct)
            {
                var list = await [|ids.ToListAsync()|];
                return list.Count;
            }
        }
        """, Usings + """
        static class QueryExtensions
        {
            public static Task<List<T>> ToListAsync<T>(this IEnumerable<T> source) => Task.FromResult(new List<T>(source));
            public static Task<List<T>> ToListAsync<T>(this IEnumerable<T> source, CancellationToken cancellationToken) => Task.FromResult(new List<T>(source));
        }

        class Repository
        {
            async Task<int> CountAsync(int[] ids, CancellationToken ct)
            {
                var list = await ids.ToListAsync(ct);
                return list.Count;
            }
        }
        """);

    [Fact]
    public Task FixAll_fixes_nested_calls_and_several_in_one_document() => Verify.VerifyCodeFixAsync(Usings + """
        class Poller
        {
            Task<int> CountAsync(Task<int> inner, CancellationToken cancellationToken = default) => inner;

            async Task<int> PollAsync(HttpClient http, CancellationToken ct)
            {
                await [|Task.Delay(1)|];
                await [|Task.Delay(2)|];
                return await [|CountAsync([|CountAsync(Task.FromResult(1))|])|];
            }
        }
        """, Usings + """
        class Poller
        {
            Task<int> CountAsync(Task<int> inner, CancellationToken cancellationToken = default) => inner;

            async Task<int> PollAsync(HttpClient http, CancellationToken ct)
            {
                await Task.Delay(1, ct);
                await Task.Delay(2, ct);
                return await CountAsync(CountAsync(Task.FromResult(1), ct), ct);
            }
        }
        """);

    // ---- Robustness ----

    [Fact]
    public Task Does_not_throw_on_incomplete_code() => new Verify.Test
    {
        AllowCompilerErrors = true,
        TestCode = Usings + """
            class Broken
            {
                async Task RunAsync(CancellationToken ct, IAsyncEnumerable<int> source)
                {
                    await Task.Delay(;
                    await foreach (var x in )
                    {
                    }
                    await Unknown.CallAsync();
                    await source.Nope();
                    Func<CancellationToken, Task> f = async t => await UnknownAsync();
                }
            }
            """,
    }.RunAsync();
}
