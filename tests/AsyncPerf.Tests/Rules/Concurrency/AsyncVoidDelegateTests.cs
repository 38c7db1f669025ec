using AsyncPerf.Tests.Verifiers;
using Xunit;
using Verify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Concurrency.AsyncVoidDelegateAnalyzer, AsyncPerf.CodeFixes.Rules.Concurrency.AsyncVoidDelegateCodeFix>;

namespace AsyncPerf.Tests.Rules.Concurrency;

public class AsyncVoidDelegateTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    // ---- Flags ----

    [Fact]
    public Task Flags_Parallel_ForEach_and_Parallel_For_with_an_async_body() => Verify.VerifyAnalyzerAsync(Usings + """
        class Thumbnailer
        {
            async Task RunAsync(List<string> paths, Func<string, Task> render)
            {
                Parallel.ForEach(paths, {|AP1002:async path =>|} await render(path));
                Parallel.For(0, paths.Count, {|AP1002:async i =>|} { await render(paths[i]); });
            }
        }
        """);

    [Fact]
    public Task Flags_with_a_message_that_names_the_call_and_the_remedy() => Verify.VerifyAnalyzerAsync(Usings + """
        class Thumbnailer
        {
            void Run(List<string> paths, Func<string, Task> render)
            {
                Parallel.ForEach(paths, async path => await render(path));
            }
        }
        """,
        Verify.Diagnostic("AP1002").WithSpan(9, 33, 9, 46)
            .WithMessage("Nothing awaits the async lambda passed to 'Parallel.ForEach': it becomes async void, so Parallel.ForEach returns before the bodies finish and their exceptions crash the process; use 'await Parallel.ForEachAsync'"));

    [Fact]
    public Task Flags_List_ForEach_and_Array_ForEach() => Verify.VerifyAnalyzerAsync(Usings + """
        class Mailer
        {
            async Task SendAllAsync(List<string> to, string[] cc, Func<string, Task> send)
            {
                to.ForEach({|AP1002:async address =>|} await send(address));
                Array.ForEach(cc, {|AP1002:async (string address) =>|} { await send(address); });
            }
        }
        """);

    [Fact]
    public Task Flags_any_Action_parameter_and_async_anonymous_methods() => Verify.VerifyAnalyzerAsync(Usings + """
        class Scheduler
        {
            public void Every(TimeSpan period, Action tick) { }
            public void OnItem<T>(Action<T> handle) { }

            void Start(Func<Task> poll)
            {
                Every(TimeSpan.FromSeconds(5), {|AP1002:async () =>|} await poll());
                OnItem<int>({|AP1002:async delegate (int id)|} { await poll(); });
                var thread = new Thread({|AP1002:async () =>|} await poll());
            }
        }
        """);

    [Fact]
    public Task Flags_Task_Factory_StartNew_without_Unwrap() => Verify.VerifyAnalyzerAsync(Usings + """
        class Worker
        {
            async Task StartAsync(Func<Task> loop, Func<Task<int>> count)
            {
                await Task.Factory.StartNew(async () => await loop());
                Task<Task<int>> counting = Task.Factory.StartNew(async () => await count(), TaskCreationOptions.LongRunning);
                await counting;
            }
        }
        """,
        Verify.Diagnostic("AP1002").WithSpan(9, 37, 9, 48)
            .WithMessage("Nothing awaits the async lambda passed to 'TaskFactory.StartNew': StartNew returns a Task<Task> that completes at the lambda's first await and drops its exceptions; use 'Task.Run', which unwraps it, or call 'Unwrap()'"),
        Verify.Diagnostic("AP1002").WithSpan(10, 58, 10, 69));

    // ---- Does not flag ----

    [Fact]
    public Task DoesNotFlag_event_subscriptions_and_event_handler_shaped_delegates() => Verify.VerifyAnalyzerAsync(Usings + """
        class Window
        {
            public event EventHandler? Loaded;
            public event EventHandler<UnhandledExceptionEventArgs>? Failed;

            public void AddHandler(EventHandler handler) { }

            void Wire(Func<Task> load)
            {
                Loaded += async (s, e) => await load();
                Failed += async (sender, args) => await load();
                AddHandler(async (s, e) => await load());
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_task_returning_delegates_and_unwrapped_StartNew() => Verify.VerifyAnalyzerAsync(Usings + """
        class Worker
        {
            public void Enqueue(Func<Task> work) { }

            async Task RunAsync(List<string> items, Func<string, Task> handle)
            {
                await Task.Run(async () => await handle("a"));
                Enqueue(async () => await handle("b"));
                await Task.Factory.StartNew(async () => await handle("c")).Unwrap();
                await TaskExtensions.Unwrap(Task.Factory.StartNew(async () => await handle("d")));
                await Parallel.ForEachAsync(items, async (item, ct) => await handle(item));
                Func<string, Task> stored = async item => await handle(item);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_synchronous_lambdas() => Verify.VerifyAnalyzerAsync(Usings + """
        class Worker
        {
            void Run(List<string> items, Action<string> handle)
            {
                Parallel.ForEach(items, item => handle(item));
                items.ForEach(item => handle(item));
                Task.Factory.StartNew(() => handle("x"));
            }
        }
        """);

    [Fact]
    public Task DoesNotCrash_on_incomplete_code() => new Verify.Test
    {
        AllowCompilerErrors = true,
        TestCode = Usings + """
            class Broken
            {
                async Task RunAsync(List<string> items)
                {
                    Parallel.ForEach(items, {|AP1002:async x =>|} );
                    Missing.ForEach(async x => await Task.Delay(1));
                    items.ForEach(async (x, y) => await Task.Delay(1));
                }
            }
            """,
    }.RunAsync();

    // ---- Fix ----

    [Fact]
    public Task Fix_Parallel_ForEach_becomes_awaited_ForEachAsync_with_the_token() => Verify.VerifyCodeFixAsync(Usings + """
        class Thumbnailer
        {
            async Task RunAsync(List<string> paths, Func<string, Task> render)
            {
                // render every page
                Parallel.ForEach(paths, {|AP1002:async path =>|}
                {
                    await render(path); // slow
                });
            }
        }
        """, Usings + """
        class Thumbnailer
        {
            async Task RunAsync(List<string> paths, Func<string, Task> render)
            {
                // render every page
                await Parallel.ForEachAsync(paths, async (path, cancellationToken) =>
                {
                    await render(path); // slow
                });
            }
        }
        """);

    [Fact]
    public Task Fix_keeps_ParallelOptions_and_typed_parameters_and_avoids_taken_names() => Verify.VerifyCodeFixAsync(Usings + """
        class Thumbnailer
        {
            async Task RunAsync(IEnumerable<string> paths, Func<string, CancellationToken, Task> render, CancellationToken cancellationToken)
            {
                var options = new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken };
                Parallel.ForEach(paths, options, {|AP1002:async (string path) =>|} await render(path, cancellationToken));
            }
        }
        """, Usings + """
        class Thumbnailer
        {
            async Task RunAsync(IEnumerable<string> paths, Func<string, CancellationToken, Task> render, CancellationToken cancellationToken)
            {
                var options = new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken };
                await Parallel.ForEachAsync(paths, options, async (string path, CancellationToken ct) => await render(path, cancellationToken));
            }
        }
        """);

    [Fact]
    public Task Fix_Parallel_For_becomes_awaited_ForAsync() => Verify.VerifyCodeFixAsync(Usings + """
        class Thumbnailer
        {
            async Task RunAsync(string[] paths, Func<string, Task> render)
            {
                Parallel.For(0, paths.Length, {|AP1002:async i =>|} await render(paths[i]));
            }
        }
        """, Usings + """
        class Thumbnailer
        {
            async Task RunAsync(string[] paths, Func<string, Task> render)
            {
                await Parallel.ForAsync(0, paths.Length, async (i, cancellationToken) => await render(paths[i]));
            }
        }
        """);

    [Fact]
    public Task Fix_List_ForEach_becomes_a_foreach_loop_that_awaits() => Verify.VerifyCodeFixAsync(Usings + """
        class Mailer
        {
            async Task SendAllAsync(List<string> recipients, Func<string, Task> send)
            {
                // one at a time
                recipients.ForEach({|AP1002:async address =>|}
                {
                    if (address.Length == 0)
                    {
                        return; // skip blanks
                    }

                    await send(address);
                });
            }
        }
        """, Usings + """
        class Mailer
        {
            async Task SendAllAsync(List<string> recipients, Func<string, Task> send)
            {
                // one at a time
                foreach (var address in recipients)
                {
                    if (address.Length == 0)
                    {
                        continue; // skip blanks
                    }

                    await send(address);
                }
            }
        }
        """);

    [Fact]
    public Task Fix_expression_bodies_and_Array_ForEach() => Verify.VerifyCodeFixAsync(Usings + """
        class Mailer
        {
            async Task SendAllAsync(List<string> to, string[] cc, Func<string, Task> send)
            {
                to.ForEach({|AP1002:async address =>|} await send(address));
                Array.ForEach(cc, {|AP1002:async (string copy) =>|} await send(copy));
            }
        }
        """, Usings + """
        class Mailer
        {
            async Task SendAllAsync(List<string> to, string[] cc, Func<string, Task> send)
            {
                foreach (var address in to)
                {
                    await send(address);
                }
                foreach (string copy in cc)
                {
                    await send(copy);
                }
            }
        }
        """);

    [Fact]
    public Task Fix_StartNew_becomes_Task_Run() => Verify.VerifyCodeFixAsync(Usings + """
        class Worker
        {
            private Task? _loop;

            async Task StartAsync(Func<Task> loop)
            {
                await Task.Factory.StartNew({|AP1002:async () =>|} await loop());
                _loop = Task.Factory.StartNew({|AP1002:async () =>|} await loop(), CancellationToken.None);
            }

            Task Start(Func<Task> loop) => Task.Factory.StartNew({|AP1002:async () =>|} await loop());
        }
        """, Usings + """
        class Worker
        {
            private Task? _loop;

            async Task StartAsync(Func<Task> loop)
            {
                await Task.Run(async () => await loop());
                _loop = Task.Run(async () => await loop(), CancellationToken.None);
            }

            Task Start(Func<Task> loop) => Task.Run(async () => await loop());
        }
        """);

    [Fact]
    public Task FixAll_fixes_every_lambda_in_the_document() => Verify.VerifyCodeFixAsync(Usings + """
        class Pipeline
        {
            async Task RunAsync(List<string> items, Func<string, Task> handle)
            {
                items.ForEach({|AP1002:async item =>|} await handle(item));
                Parallel.ForEach(items, {|AP1002:async item =>|} await handle(item));
                Task.Factory.StartNew({|AP1002:async () =>|} await handle("done"));
            }
        }
        """, Usings + """
        class Pipeline
        {
            async Task RunAsync(List<string> items, Func<string, Task> handle)
            {
                foreach (var item in items)
                {
                    await handle(item);
                }

                await Parallel.ForEachAsync(items, async (item, cancellationToken) => await handle(item));
                Task.Run(async () => await handle("done"));
            }
        }
        """);

    // ---- No fix ----

    private const string SynchronousCallers = Usings + """
        class Legacy
        {
            void Run(List<string> items, Func<string, Task> handle)
            {
                Parallel.ForEach(items, {|AP1002:async item =>|} await handle(item));
                items.ForEach({|AP1002:async item =>|} await handle(item));
            }
        }
        """;

    [Fact]
    public Task NoFix_in_a_method_that_is_not_async() => Verify.VerifyCodeFixAsync(SynchronousCallers, SynchronousCallers);

    private const string NoRewriteKnown = Usings + """
        class Scheduler
        {
            public void Every(TimeSpan period, Action tick) { }

            async Task StartAsync(Func<Task> poll)
            {
                Every(TimeSpan.FromSeconds(5), {|AP1002:async () =>|} await poll());
                Task<Task> started = Task.Factory.StartNew({|AP1002:async () =>|} await poll());
                var later = Task.Factory.StartNew({|AP1002:async () =>|} await poll(), TaskCreationOptions.LongRunning);
                await started;
                await later;
            }
        }
        """;

    [Fact]
    public Task NoFix_for_other_Action_parameters_or_StartNew_results_whose_type_matters() => Verify.VerifyCodeFixAsync(NoRewriteKnown, NoRewriteKnown);

    private const string NameClashAndNestedReturn = Usings + """
        class Mailer
        {
            async Task SendAllAsync(List<string> recipients, Func<string, Task> send)
            {
                var address = "postmaster";
                recipients.ForEach({|AP1002:async address =>|} await send(address));
                recipients.ForEach({|AP1002:async r =>|}
                {
                    foreach (var c in r)
                    {
                        if (c == '@')
                        {
                            return;
                        }
                    }

                    await send(r);
                });
                await send(address);
            }
        }
        """;

    private const string InsideLock = Usings + """
        class Mailer
        {
            private readonly object _sync = new();

            async Task SendAllAsync(List<string> recipients, Func<string, Task> send)
            {
                await Task.Yield();
                lock (_sync)
                {
                    recipients.ForEach({|AP1002:async r =>|} await send(r));
                }
            }
        }
        """;

    [Fact]
    public Task NoFix_inside_a_lock() => Verify.VerifyCodeFixAsync(InsideLock, InsideLock);

    [Fact]
    public Task NoFix_when_names_clash_or_a_return_sits_in_a_nested_loop() => Verify.VerifyCodeFixAsync(NameClashAndNestedReturn, NameClashAndNestedReturn);

    private const string OldFramework = """
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Thumbnailer
        {
            async Task RunAsync(List<string> paths)
            {
                Parallel.ForEach(paths, {|AP1002:async path =>|} await Task.Delay(path.Length));
            }
        }
        """;

    [Fact]
    public Task NoFix_when_Parallel_ForEachAsync_does_not_exist() => new Verify.Test
    {
        References = TestReferences.NetStandard20,
        TestCode = OldFramework,
        FixedCode = OldFramework,
    }.RunAsync();
}
