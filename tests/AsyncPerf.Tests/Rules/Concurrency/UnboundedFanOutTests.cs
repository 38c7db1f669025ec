using AsyncPerf.Tests.Verifiers;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;
using Verify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Concurrency.UnboundedFanOutAnalyzer, AsyncPerf.CodeFixes.Rules.Concurrency.UnboundedFanOutCodeFix>;

namespace AsyncPerf.Tests.Rules.Concurrency;

public class UnboundedFanOutTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    private const string Semaphore = "AP1001.SemaphoreSlim";
    private const string ForEachAsync = "AP1001.ParallelForEachAsync";

    // ---- Flags ----

    [Fact]
    public Task Flags_WhenAll_over_a_Select_projection() => Verify.VerifyAnalyzerAsync(Usings + """
        class Crawler
        {
            async Task<string[]> FetchAllAsync(HttpClient http, IEnumerable<string> urls, CancellationToken ct)
            {
                return await Task.WhenAll({|AP1001:urls.Select(url => http.GetStringAsync(url, ct))|});
            }
        }
        """);

    [Fact]
    public Task Flags_with_a_message_that_names_the_collection_and_the_limit() => Verify.VerifyAnalyzerAsync(Usings + """
        class Crawler
        {
            async Task FetchAllAsync(HttpClient http, List<string> urls)
            {
                await Task.WhenAll(urls.Select(u => http.GetStringAsync(u)));
            }
        }
        """,
        Verify.Diagnostic("AP1001").WithSpan(11, 28, 11, 68)
            .WithMessage("Throttle the tasks started here, one per 'urls' item: run at most 16 at a time with SemaphoreSlim or Parallel.ForEachAsync"));

    [Fact]
    public Task Flags_ToArray_ToList_index_select_and_method_groups() => Verify.VerifyAnalyzerAsync(Usings + """
        class Importer
        {
            Task<int> ImportAsync(string row) => Task.FromResult(row.Length);
            Task<int> ImportAtAsync(string row, int index) => Task.FromResult(index);

            async Task RunAsync(string[] rows)
            {
                await Task.WhenAll({|AP1001:rows.Select(r => ImportAsync(r)).ToArray()|});
                await Task.WhenAll({|AP1001:rows.Select(r => ImportAsync(r)).ToList()|});
                await Task.WhenAll({|AP1001:rows.Select((r, i) => ImportAtAsync(r, i))|});
                await Task.WhenAll({|AP1001:rows.Select(ImportAsync)|});
                await Task.WhenAll({|AP1001:rows.Where(r => r.Length > 0).Select(async r => await ImportAsync(r))|});
            }
        }
        """);

    [Fact]
    public Task Flags_a_variable_holding_the_projection() => Verify.VerifyAnalyzerAsync(Usings + """
        class Importer
        {
            Task ImportAsync(string row) => Task.CompletedTask;

            async Task RunAsync(IReadOnlyList<string> rows)
            {
                var tasks = rows.Select(r => ImportAsync(r)).ToList();
                Console.WriteLine("started");
                await Task.WhenAll({|AP1001:tasks|});
            }
        }
        """);

    [Fact]
    public Task Flags_WhenAny_and_WaitAll() => Verify.VerifyAnalyzerAsync(Usings + """
        class Mirror
        {
            Task<string> PingAsync(string host) => Task.FromResult(host);

            async Task<string> FastestAsync(string[] hosts)
            {
                var first = await Task.WhenAny({|AP1001:hosts.Select(h => PingAsync(h))|});
                return await first;
            }

            void PingAll(string[] hosts)
            {
                Task.WaitAll({|AP1001:hosts.Select(h => PingAsync(h)).ToArray()|});
            }
        }
        """);

    [Fact]
    public Task Flags_a_list_filled_in_a_foreach_loop() => Verify.VerifyAnalyzerAsync(Usings + """
        class Notifier
        {
            Task SendAsync(string user, CancellationToken ct) => Task.CompletedTask;

            async Task NotifyAsync(IEnumerable<string> users, CancellationToken ct)
            {
                var tasks = new List<Task>();
                foreach (var user in users)
                {
                    tasks.Add(SendAsync(user, ct));
                }

                await Task.WhenAll({|AP1001:tasks|});
            }
        }
        """);

    [Fact]
    public Task Flags_lists_and_arrays_filled_in_for_and_while_loops() => Verify.VerifyAnalyzerAsync(Usings + """
        class Notifier
        {
            Task<bool> SendAsync(string user) => Task.FromResult(true);

            async Task NotifyAsync(string[] users, Queue<string> pending)
            {
                var sends = new Task<bool>[users.Length];
                for (var i = 0; i < users.Length; i++)
                {
                    sends[i] = SendAsync(users[i]);
                }

                await Task.WhenAll({|AP1001:sends|});

                var drains = new List<Task<bool>>(pending.Count);
                while (pending.Count > 0)
                {
                    drains.Add(SendAsync(pending.Dequeue()));
                }

                Task.WaitAll({|AP1001:drains.ToArray()|});
            }
        }
        """);

    [Fact]
    public Task Flags_Task_Run_and_StartNew_per_element() => Verify.VerifyAnalyzerAsync(Usings + """
        class Thumbnails
        {
            static byte[] Resize(byte[] image) => image;

            async Task RunAsync(List<byte[]> images)
            {
                await Task.WhenAll({|AP1001:images.Select(i => Task.Run(() => Resize(i)))|});

                var tasks = new List<Task<byte[]>>();
                foreach (var image in images)
                {
                    tasks.Add(Task.Factory.StartNew(() => Resize(image)));
                }

                await Task.WhenAll({|AP1001:tasks|});
            }
        }
        """);

    [Fact]
    public Task Flags_a_literal_collection_larger_than_max_unbounded() => Verify.VerifyAnalyzerAsync(Usings + """
        class Warmup
        {
            Task LoadAsync(int shard) => Task.CompletedTask;

            Task RunAsync() =>
                Task.WhenAll({|AP1001:Enumerable.Range(0, 64).Select(s => LoadAsync(s))|});

            Task RunAllAsync() =>
                Task.WhenAll({|AP1001:new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17 }.Select(s => LoadAsync(s))|});
        }
        """);

    [Fact]
    public Task Flags_constant_counts_just_above_max_concurrency() => Verify.VerifyAnalyzerAsync(Usings + """
        class LoadTest
        {
            async Task HammerAsync(HttpClient http)
            {
                var requests = Enumerable.Repeat("/health", 17).Select(path => http.GetStringAsync(path)).ToArray();
                await Task.WhenAny({|AP1001:requests|});

                var workers = new List<Task>();
                for (int i = 0; i < 17; i++)
                {
                    workers.Add(Task.Run(() => http.GetStringAsync("/health")));
                }

                await Task.WhenAll({|AP1001:workers|});
            }
        }
        """);

    [Fact]
    public Task Flags_a_chunk_larger_than_max_unbounded() => Verify.VerifyAnalyzerAsync(Usings + """
        class Importer
        {
            Task ImportAsync(string row) => Task.CompletedTask;

            async Task RunAsync(string[] rows)
            {
                foreach (var batch in rows.Chunk(500))
                {
                    await Task.WhenAll({|AP1001:batch.Select(r => ImportAsync(r))|});
                }
            }
        }
        """);

    [Fact]
    public Task Flags_inside_async_lambdas_and_top_level_statements() => new Verify.Test
    {
        OutputKind = OutputKind.ConsoleApplication,
        EditorConfig = "asyncperf.AP1001.include_tools = true", // entry points are tool code: quiet by default (CodeContextTests)
        TestCode = Usings + """
            using var http = new HttpClient();
            await Task.WhenAll({|AP1001:args.Select(a => http.GetStringAsync(a))|});
            Func<string[], Task> all = async urls => await Task.WhenAll({|AP1001:urls.Select(u => http.GetStringAsync(u))|});
            """,
    }.RunAsync();

    [Fact]
    public Task Flags_a_small_literal_local_that_is_reassigned_and_a_nested_collection() => Verify.VerifyAnalyzerAsync(Usings + """
        class Orders
        {
            Task ShipAsync(string line) => Task.CompletedTask;
            string[] Load() => new string[0];

            async Task RunAsync(List<string[]> orders)
            {
                var lines = new[] { "a", "b" };
                lines = Load();
                await Task.WhenAll({|AP1001:lines.Select(l => ShipAsync(l))|});

                foreach (var order in orders)
                {
                    await Task.WhenAll({|AP1001:order.Select(l => ShipAsync(l))|});
                }
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_generated_code() => Verify.VerifyAnalyzerAsync("""
        // <auto-generated/>
        """ + "\n" + Usings + """
        class Generated
        {
            Task ShipAsync(string line) => Task.CompletedTask;

            Task RunAsync(string[] lines) => Task.WhenAll(lines.Select(l => ShipAsync(l)));
        }
        """);

    // ---- Does not flag ----

    [Fact]
    public Task DoesNotFlag_a_fixed_set_of_tasks() => Verify.VerifyAnalyzerAsync(Usings + """
        class Dashboard
        {
            Task<int> OrdersAsync() => Task.FromResult(1);
            Task<int> UsersAsync() => Task.FromResult(2);
            Task<int> StockAsync() => Task.FromResult(3);

            async Task RunAsync()
            {
                var a = OrdersAsync();
                var b = UsersAsync();
                var c = StockAsync();
                await Task.WhenAll(a, b, c);
                await Task.WhenAll(new[] { a, b, c });
                await Task.WhenAll([a, b, c]);
                await Task.WhenAll(new List<Task<int>> { a, b, c });
                Task.WaitAll(a, b, c);
                var tasks = new List<Task<int>>();
                tasks.Add(OrdersAsync());
                tasks.Add(UsersAsync());
                await Task.WhenAll(tasks);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_small_constant_collections() => Verify.VerifyAnalyzerAsync(Usings + """
        class Warmup
        {
            Task LoadAsync(int shard) => Task.CompletedTask;
            Task LoadAsync(string region) => Task.CompletedTask;

            async Task RunAsync(IEnumerable<string> many)
            {
                await Task.WhenAll(Enumerable.Range(0, 4).Select(s => LoadAsync(s)));
                await Task.WhenAll(Enumerable.Range(1, 8).Select(s => LoadAsync(s)).ToArray());
                await Task.WhenAll(new[] { "eu", "us", "ap" }.Select(r => LoadAsync(r)));
                string[] regions = ["eu", "us"];
                await Task.WhenAll(regions.Select(r => LoadAsync(r)));
                var shards = new List<int> { 1, 2, 3 };
                await Task.WhenAll(shards.Select(s => LoadAsync(s)));
                await Task.WhenAll(many.Take(5).Select(r => LoadAsync(r)));
                await Task.WhenAll(shards.GetRange(0, 2).Select(s => LoadAsync(s)));

                var tasks = new List<Task>();
                for (var i = 0; i < 3; i++)
                {
                    tasks.Add(LoadAsync(i));
                }

                await Task.WhenAll(tasks);

                var fixedArray = new Task[4];
                foreach (var region in many)
                {
                    fixedArray[0] = LoadAsync(region);
                }

                await Task.WhenAll(fixedArray);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_constant_counts_up_to_max_concurrency_by_default() => Verify.VerifyAnalyzerAsync(Usings + """
        class LoadTest
        {
            async Task HammerAsync(HttpClient http)
            {
                var requests = Enumerable.Repeat("/health", 10).Select(path => http.GetStringAsync(path)).ToArray();
                await Task.WhenAny(requests);

                var workers = new List<Task>();
                for (int i = 0; i < 10; i++)
                {
                    workers.Add(Task.Run(() => http.GetStringAsync("/health")));
                }

                await Task.WhenAll(workers);
                await Task.WhenAll(Enumerable.Range(0, 16).Select(i => http.GetStringAsync("/item/" + i)));
                await Task.WhenAll(new Task[16]);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_projection_that_already_throttles() => Verify.VerifyAnalyzerAsync(Usings + """
        class Crawler
        {
            private readonly SemaphoreSlim _gate = new(4);

            async Task<string[]> FetchAllAsync(HttpClient http, IEnumerable<string> urls, CancellationToken ct)
            {
                return await Task.WhenAll(urls.Select(async url =>
                {
                    await _gate.WaitAsync(ct);
                    try
                    {
                        return await http.GetStringAsync(url, ct);
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }));
            }

            async Task FetchInLoopAsync(HttpClient http, IEnumerable<string> urls)
            {
                var tasks = new List<Task>();
                foreach (var url in urls)
                {
                    await _gate.WaitAsync();
                    tasks.Add(Task.Run(async () =>
                    {
                        try { await http.GetStringAsync(url); }
                        finally { _gate.Release(); }
                    }));
                }

                await Task.WhenAll(tasks);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_projection_throttled_by_a_configured_type() => new Verify.Test
    {
        TestCode = Usings + """
            class Budget
            {
                public Task AcquireAsync() => Task.CompletedTask;
            }

            class Crawler
            {
                private readonly Budget _budget = new();

                Task FetchAllAsync(HttpClient http, IEnumerable<string> urls) =>
                    Task.WhenAll(urls.Select(async url =>
                    {
                        await _budget.AcquireAsync();
                        await http.GetStringAsync(url);
                    }));
            }
            """,
        EditorConfig = "asyncperf.AP1001.throttle_types = Budget",
    }.RunAsync();

    [Fact]
    public Task Flags_a_projection_throttled_by_an_unconfigured_type() => Verify.VerifyAnalyzerAsync(Usings + """
        class Budget
        {
            public Task AcquireAsync() => Task.CompletedTask;
        }

        class Crawler
        {
            private readonly Budget _budget = new();

            Task FetchAllAsync(HttpClient http, IEnumerable<string> urls) =>
                Task.WhenAll({|AP1001:urls.Select(async url =>
                {
                    await _budget.AcquireAsync();
                    await http.GetStringAsync(url);
                })|});
        }
        """);

    [Fact]
    public Task DoesNotFlag_batches() => Verify.VerifyAnalyzerAsync(Usings + """
        class Importer
        {
            Task ImportAsync(string row) => Task.CompletedTask;
            Task ImportBatchAsync(string[] rows) => Task.CompletedTask;

            async Task RunAsync(string[] rows, int batchSize)
            {
                foreach (var batch in rows.Chunk(8))
                {
                    await Task.WhenAll(batch.Select(r => ImportAsync(r)));
                }

                var batches = rows.Chunk(batchSize).ToList();
                foreach (var batch in batches)
                {
                    var tasks = new List<Task>();
                    foreach (var row in batch)
                    {
                        tasks.Add(ImportAsync(row));
                    }

                    await Task.WhenAll(tasks);
                }

                await Task.WhenAll(rows.Chunk(4).Select(chunk => ImportBatchAsync(chunk)));
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_inside_Parallel_ForEachAsync_bodies() => Verify.VerifyAnalyzerAsync(Usings + """
        class Orders
        {
            Task ShipAsync(string line, CancellationToken ct) => Task.CompletedTask;

            Task RunAsync(IEnumerable<string[]> orders, CancellationToken ct) =>
                Parallel.ForEachAsync(orders, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (order, token) =>
                {
                    await Task.WhenAll(order.Select(line => ShipAsync(line, token)));
                });
        }
        """);

    [Fact]
    public Task DoesNotFlag_tasks_that_are_not_started_per_element() => Verify.VerifyAnalyzerAsync(Usings + """
        class Jobs
        {
            record Job(Task Completion, string Name);

            async Task RunAsync(List<Job> jobs, List<TaskCompletionSource<int>> sources, List<Task> started)
            {
                await Task.WhenAll(jobs.Select(j => j.Completion));
                await Task.WhenAll(sources.Select(s => s.Task));
                await Task.WhenAll(jobs.Select(j => Task.FromResult(j.Name)));
                await Task.WhenAll(started);
                await Task.WhenAll(started.Select(t => t));

                var copies = new List<Task>();
                foreach (var job in jobs)
                {
                    copies.Add(job.Completion);
                }

                await Task.WhenAll(copies);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_hand_made_throttling_in_the_loop() => Verify.VerifyAnalyzerAsync(Usings + """
        class Notifier
        {
            Task SendAsync(string user) => Task.CompletedTask;

            async Task NotifyAsync(IEnumerable<string> users)
            {
                var running = new List<Task>();
                foreach (var user in users)
                {
                    if (running.Count >= 10)
                    {
                        running.Remove(await Task.WhenAny(running));
                    }

                    running.Add(SendAsync(user));
                }

                await Task.WhenAll(running);
            }

            async Task NotifyInBatchesAsync(IEnumerable<string> users)
            {
                var batch = new List<Task>();
                foreach (var user in users)
                {
                    batch.Add(SendAsync(user));
                    if (batch.Count == 10)
                    {
                        await Task.WhenAll(batch);
                        batch.Clear();
                    }
                }

                await Task.WhenAll(batch);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_subscribers_notified_through_their_own_callback() => Verify.VerifyAnalyzerAsync(Usings + """
        using Microsoft.AspNetCore.Components;

        class BasketState
        {
            private readonly HashSet<ChangeSubscription> _subscriptions = new();
            private readonly Dictionary<string, List<StatusListener>> _listeners = new();
            private readonly List<Func<Task>> _handlers = new();
            private readonly List<Watcher> _watchers = new();
            private readonly List<ComponentSubscription> _components = new();

            Task NotifyChangedAsync() => Task.WhenAll(_subscriptions.Select(s => s.NotifyAsync()));

            async Task NotifyStatusAsync(string buyer)
            {
                if (_listeners.TryGetValue(buyer, out var listeners))
                {
                    await Task.WhenAll(listeners.Select(async l => await l.NotifyAsync().ConfigureAwait(false)));
                }

                await Task.WhenAll(_handlers.Select(h => h()));
                await Task.WhenAll(_handlers.Select(h => h.Invoke()));
                await Task.WhenAll(_watchers.Select(w => w.OnChanged()));
                await Task.WhenAll(_components.Select(c => c.Callback.InvokeAsync()));
                await Task.WhenAll(_components.Select(c => c.RefreshAsync()));

                var pending = new List<Task>();
                foreach (var subscription in _subscriptions)
                {
                    pending.Add(subscription.NotifyAsync());
                }

                await Task.WhenAll(pending);
            }

            private sealed class ChangeSubscription(Func<Task> callback)
            {
                public Task NotifyAsync() => callback();
            }

            private class StatusListener
            {
                private readonly Func<Task> _onStatus;

                public StatusListener(Func<Task> onStatus) => _onStatus = onStatus;

                public async Task NotifyAsync()
                {
                    await this._onStatus.Invoke();
                }
            }

            private record Watcher(Func<Task> OnChanged);

            private sealed class ComponentSubscription(EventCallback callback)
            {
                public EventCallback Callback => callback;

                public Task RefreshAsync() => callback.InvokeAsync();
            }
        }
        """);

    [Fact]
    public Task Flags_per_item_work_that_is_not_the_elements_own_callback() => Verify.VerifyAnalyzerAsync(Usings + """
        class Notifier
        {
            private readonly HttpClient _http = new();
            private readonly Func<string, Task> _send = _ => Task.CompletedTask;

            async Task RunAsync(List<Customer> customers, List<Subscriber> subscribers, List<IListener> listeners, List<Channel> channels)
            {
                await Task.WhenAll({|AP1001:customers.Select(c => c.NotifyAsync(_http))|});
                await Task.WhenAll({|AP1001:customers.Select(c => _send(c.Email))|});
                await Task.WhenAll({|AP1001:subscribers.Select(s => s.NotifyAsync())|});
                await Task.WhenAll({|AP1001:subscribers.Select(s => s.PingAsync())|});
                await Task.WhenAll({|AP1001:listeners.Select(l => l.NotifyAsync())|});
                await Task.WhenAll({|AP1001:channels.Select(c => c.Owner.Callback())|});
            }
        }

        record Customer(string Email)
        {
            public Task NotifyAsync(HttpClient http) => http.PostAsync("/mail/" + Email, null);
        }

        class Subscriber(Func<Task> callback)
        {
            public virtual Task NotifyAsync() => callback();

            public async Task PingAsync()
            {
                await Task.Delay(1);
                await callback();
            }
        }

        interface IListener
        {
            Task NotifyAsync();
        }

        record Owner(Func<Task> Callback);

        record Channel(Owner Owner);
        """);

    [Fact]
    public Task DoesNotFlag_test_projects_which_start_tasks_together_on_purpose() => new Verify.Test
    {
        AdditionalReferences = { TestReferences.Xunit[0], TestReferences.Xunit[1] },
        TestCode = TestProjectCode.Replace("TASKS", "connections.Select(c => c.OpenAsync())"),
    }.RunAsync();

    [Fact]
    public Task Option_include_tests_reports_in_test_projects() => new Verify.Test
    {
        AdditionalReferences = { TestReferences.Xunit[0], TestReferences.Xunit[1] },
        EditorConfig = "asyncperf.AP1001.include_tests = true",
        TestCode = TestProjectCode.Replace("TASKS", "{|AP1001:connections.Select(c => c.OpenAsync())|}"),
    }.RunAsync();

    private const string TestProjectCode = Usings + """
        using System.Data.Common;

        public class PoolTests
        {
            [Xunit.Fact]
            public async Task Connections_open_concurrently(List<DbConnection> connections)
            {
                await Task.WhenAll(TASKS);
            }
        }
        """;

    [Fact]
    public Task DoesNotFlag_incomplete_code() => new Verify.Test
    {
        AllowCompilerErrors = true,
        TestCode = Usings + """
            class Broken
            {
                async Task RunAsync(string[] items)
                {
                    await Task.WhenAll(items.Select(x => Missing(x)));
                    await Task.WhenAll(items.Select());
                    await Task.WhenAll(;
                    var tasks = new List<Task>();
                    foreach (var x in items) tasks.Add(Missing(x));
                    await Task.WhenAll(tasks);
                }
            }
            """,
    }.RunAsync();

    // ---- Options ----

    [Fact]
    public Task Option_max_unbounded_raises_the_constant_count_that_is_not_reported() => new Verify.Test
    {
        TestCode = Usings + """
            class Warmup
            {
                Task LoadAsync(int shard) => Task.CompletedTask;

                async Task RunAsync(string[] rows)
                {
                    await Task.WhenAll(Enumerable.Range(0, 32).Select(s => LoadAsync(s)));
                    await Task.WhenAll({|AP1001:Enumerable.Range(0, 33).Select(s => LoadAsync(s))|});
                }
            }
            """,
        EditorConfig = "asyncperf.AP1001.max_unbounded = 32",
    }.RunAsync();

    [Fact]
    public Task Option_max_unbounded_zero_reports_even_small_literals() => new Verify.Test
    {
        TestCode = Usings + """
            class Warmup
            {
                Task LoadAsync(int shard) => Task.CompletedTask;

                Task RunAsync() => Task.WhenAll({|AP1001:Enumerable.Range(0, 2).Select(s => LoadAsync(s))|});
            }
            """,
        EditorConfig = "asyncperf.AP1001.max_unbounded = 0",
    }.RunAsync();

    [Fact]
    public Task Option_max_concurrency_also_lowers_the_unreported_constant_count_when_max_unbounded_is_unset() => new Verify.Test
    {
        TestCode = Usings + """
            class Warmup
            {
                Task LoadAsync(int shard) => Task.CompletedTask;

                async Task RunAsync()
                {
                    await Task.WhenAll(Enumerable.Range(0, 4).Select(s => LoadAsync(s)));
                    await Task.WhenAll({|AP1001:Enumerable.Repeat(1, 10).Select(s => LoadAsync(s))|});
                }
            }
            """,
        EditorConfig = "asyncperf.AP1001.max_concurrency = 4",
    }.RunAsync();

    [Fact]
    public Task Option_max_concurrency_is_named_in_the_message() => new Verify.Test
    {
        TestCode = Usings + """
            class Crawler
            {
                Task FetchAllAsync(HttpClient http, string[] urls) => Task.WhenAll(urls.Select(u => http.GetStringAsync(u)));
            }
            """,
        EditorConfig = "asyncperf.AP1001.max_concurrency = 4",
        ExpectedDiagnostics =
        {
            Verify.Diagnostic("AP1001").WithSpan(9, 72, 9, 112)
                .WithMessage("Throttle the tasks started here, one per 'urls' item: run at most 4 at a time with SemaphoreSlim or Parallel.ForEachAsync"),
        },
    }.RunAsync();

    // ---- Fix 1: SemaphoreSlim ----

    [Fact]
    public Task Fix_semaphore_wraps_the_projection_and_keeps_the_results() => new Verify.Test
    {
        CodeActionEquivalenceKey = Semaphore,
        TestCode = Usings + """
            class Crawler
            {
                async Task<string[]> FetchAllAsync(HttpClient http, IEnumerable<string> urls, CancellationToken ct)
                {
                    // One request per URL.
                    var pages = await Task.WhenAll({|AP1001:urls.Select(url => http.GetStringAsync(url, ct))|} /* all of them */);
                    return pages;
                }
            }
            """,
        FixedCode = Usings + """
            class Crawler
            {
                async Task<string[]> FetchAllAsync(HttpClient http, IEnumerable<string> urls, CancellationToken ct)
                {
                    using var throttle = new SemaphoreSlim(16);
                    // One request per URL.
                    var pages = await Task.WhenAll(urls.Select(async url =>
                    {
                        await throttle.WaitAsync(ct);
                        try
                        {
                            return await http.GetStringAsync(url, ct);
                        }
                        finally
                        {
                            throttle.Release();
                        }
                    }) /* all of them */);
                    return pages;
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Fix_semaphore_on_an_async_block_lambda_a_method_group_and_WaitAll() => new Verify.Test
    {
        CodeActionEquivalenceKey = Semaphore,
        TestCode = Usings + """
            class Importer
            {
                Task<int> ImportAsync(string row) => Task.FromResult(row.Length);

                async Task<int> RunAsync(string[] rows)
                {
                    var counts = await Task.WhenAll({|AP1001:rows.Select(async r =>
                    {
                        var n = await ImportAsync(r);
                        return n * 2;
                    })|});
                    await Task.WhenAll({|AP1001:rows.Select(ImportAsync)|}).ConfigureAwait(false);
                    return counts.Sum();
                }

                void RunSync(string[] rows)
                {
                    Task.WaitAll({|AP1001:rows.Select(r => ImportAsync(r)).ToArray()|});
                }
            }
            """,
        FixedCode = Usings + """
            class Importer
            {
                Task<int> ImportAsync(string row) => Task.FromResult(row.Length);

                async Task<int> RunAsync(string[] rows)
                {
                    using var throttle = new SemaphoreSlim(16);
                    var counts = await Task.WhenAll(rows.Select(async r =>
                    {
                        await throttle.WaitAsync();
                        try
                        {
                            var n = await ImportAsync(r);
                            return n * 2;
                        }
                        finally
                        {
                            throttle.Release();
                        }
                    }));
                    using var throttle2 = new SemaphoreSlim(16);
                    await Task.WhenAll(rows.Select(async row =>
                    {
                        await throttle2.WaitAsync();
                        try
                        {
                            return await ImportAsync(row);
                        }
                        finally
                        {
                            throttle2.Release();
                        }
                    })).ConfigureAwait(false);
                    return counts.Sum();
                }

                void RunSync(string[] rows)
                {
                    using var throttle = new SemaphoreSlim(16);
                    Task.WaitAll(rows.Select(async r =>
                    {
                        await throttle.WaitAsync();
                        try
                        {
                            return await ImportAsync(r);
                        }
                        finally
                        {
                            throttle.Release();
                        }
                    }).ToArray());
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Fix_semaphore_in_a_loop_wraps_the_added_task() => new Verify.Test
    {
        CodeActionEquivalenceKey = Semaphore,
        TestCode = Usings + """
            class Notifier
            {
                Task<bool> SendAsync(string user, CancellationToken ct) => Task.FromResult(true);

                async Task<bool[]> NotifyAsync(IEnumerable<string> users, CancellationToken ct)
                {
                    var tasks = new List<Task<bool>>();
                    foreach (var user in users)
                    {
                        var name = user.Trim();
                        tasks.Add(SendAsync(name, ct)); // fire
                    }

                    return await Task.WhenAll({|AP1001:tasks|});
                }
            }
            """,
        FixedCode = Usings + """
            class Notifier
            {
                Task<bool> SendAsync(string user, CancellationToken ct) => Task.FromResult(true);

                async Task<bool[]> NotifyAsync(IEnumerable<string> users, CancellationToken ct)
                {
                    var tasks = new List<Task<bool>>();
                    using var throttle = new SemaphoreSlim(16);
                    foreach (var user in users)
                    {
                        var name = user.Trim();
                        tasks.Add(Task.Run(async () =>
                        {
                            await throttle.WaitAsync(ct);
                            try
                            {
                                return await SendAsync(name, ct);
                            }
                            finally
                            {
                                throttle.Release();
                            }
                        }, ct)); // fire
                    }

                    return await Task.WhenAll(tasks);
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Fix_semaphore_FixAll_gives_each_fan_out_its_own_semaphore() => new Verify.Test
    {
        CodeActionEquivalenceKey = Semaphore,
        TestCode = Usings + """
            class Sync
            {
                Task PushAsync(int id) => Task.CompletedTask;
                Task PullAsync(int id) => Task.CompletedTask;

                async Task RunAsync(List<int> ids)
                {
                    await Task.WhenAll({|AP1001:ids.Select(id => PushAsync(id))|});
                    await Task.WhenAll({|AP1001:ids.Select(id => PullAsync(id))|});
                }

                async Task OtherAsync(List<int> ids)
                {
                    await Task.WhenAll({|AP1001:ids.Select(id => PullAsync(id))|});
                }
            }
            """,
        FixedCode = Usings + """
            class Sync
            {
                Task PushAsync(int id) => Task.CompletedTask;
                Task PullAsync(int id) => Task.CompletedTask;

                async Task RunAsync(List<int> ids)
                {
                    using var throttle = new SemaphoreSlim(16);
                    await Task.WhenAll(ids.Select(async id =>
                    {
                        await throttle.WaitAsync();
                        try
                        {
                            await PushAsync(id);
                        }
                        finally
                        {
                            throttle.Release();
                        }
                    }));
                    using var throttle2 = new SemaphoreSlim(16);
                    await Task.WhenAll(ids.Select(async id =>
                    {
                        await throttle2.WaitAsync();
                        try
                        {
                            await PullAsync(id);
                        }
                        finally
                        {
                            throttle2.Release();
                        }
                    }));
                }

                async Task OtherAsync(List<int> ids)
                {
                    using var throttle = new SemaphoreSlim(16);
                    await Task.WhenAll(ids.Select(async id =>
                    {
                        await throttle.WaitAsync();
                        try
                        {
                            await PullAsync(id);
                        }
                        finally
                        {
                            throttle.Release();
                        }
                    }));
                }
            }
            """,
    }.RunAsync();

    // ---- Fix 2: Parallel.ForEachAsync ----

    [Fact]
    public Task Fix_parallel_replaces_WhenAll_whose_result_is_unused() => new Verify.Test
    {
        CodeActionEquivalenceKey = ForEachAsync,
        TestCode = Usings + """
            class Notifier
            {
                Task SendAsync(string user, CancellationToken ct) => Task.CompletedTask;

                async Task NotifyAsync(IEnumerable<string> users, CancellationToken ct)
                {
                    // Tell everyone.
                    await Task.WhenAll({|AP1001:users.Select(u => SendAsync(u, ct))|});
                    await Task.WhenAll({|AP1001:users.Where(u => u.Length > 0).Select(async u =>
                    {
                        await SendAsync(u, ct);
                        await SendAsync(u + "!", ct);
                    }).ToList()|}).ConfigureAwait(false);
                }
            }
            """,
        FixedCode = Usings + """
            class Notifier
            {
                Task SendAsync(string user, CancellationToken ct) => Task.CompletedTask;

                async Task NotifyAsync(IEnumerable<string> users, CancellationToken ct)
                {
                    // Tell everyone.
                    await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (u, token) => await SendAsync(u, token));
                    await Parallel.ForEachAsync(users.Where(u => u.Length > 0), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (u, token2) =>
                    {
                        await SendAsync(u, token2);
                        await SendAsync(u + "!", token2);
                    }).ConfigureAwait(false);
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Fix_uses_max_concurrency_and_a_CancellationTokenSource_in_scope() => new Verify.Test
    {
        CodeActionEquivalenceKey = Semaphore,
        EditorConfig = "asyncperf.AP1001.max_concurrency = 4",
        TestCode = Usings + """
            class Crawler
            {
                async Task<string[]> FetchAllAsync(HttpClient http, string[] urls)
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    var tasks = urls.Select(u => http.GetStringAsync(u, cts.Token)).ToList();
                    return await Task.WhenAll({|AP1001:tasks|});
                }
            }
            """,
        FixedCode = Usings + """
            class Crawler
            {
                async Task<string[]> FetchAllAsync(HttpClient http, string[] urls)
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    using var throttle = new SemaphoreSlim(4);
                    var tasks = urls.Select(async u =>
                    {
                        await throttle.WaitAsync(cts.Token);
                        try
                        {
                            return await http.GetStringAsync(u, cts.Token);
                        }
                        finally
                        {
                            throttle.Release();
                        }
                    }).ToList();
                    return await Task.WhenAll(tasks);
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Fix_parallel_uses_max_concurrency_and_works_without_a_token() => new Verify.Test
    {
        CodeActionEquivalenceKey = ForEachAsync,
        EditorConfig = "asyncperf.AP1001.max_concurrency = 4",
        TestCode = Usings + """
            class Mailer
            {
                Task SendAsync(string to) => Task.CompletedTask;

                async Task SendAllAsync(string[] recipients)
                {
                    await Task.WhenAll({|AP1001:recipients.Select(SendAsync)|});
                }
            }
            """,
        FixedCode = Usings + """
            class Mailer
            {
                Task SendAsync(string to) => Task.CompletedTask;

                async Task SendAllAsync(string[] recipients)
                {
                    await Parallel.ForEachAsync(recipients, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (to, token) => await SendAsync(to));
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Fix_semaphore_on_netstandard20() => new Verify.Test
    {
        CodeActionEquivalenceKey = Semaphore,
        References = Verifiers.TestReferences.NetStandard20,
        TestCode = Usings + """
            class Crawler
            {
                async Task<string[]> FetchAllAsync(HttpClient http, IEnumerable<string> urls)
                {
                    return await Task.WhenAll({|AP1001:urls.Select(url => http.GetStringAsync(url))|});
                }
            }
            """,
        FixedCode = Usings + """
            class Crawler
            {
                async Task<string[]> FetchAllAsync(HttpClient http, IEnumerable<string> urls)
                {
                    using var throttle = new SemaphoreSlim(16);
                    return await Task.WhenAll(urls.Select(async url =>
                    {
                        await throttle.WaitAsync();
                        try
                        {
                            return await http.GetStringAsync(url);
                        }
                        finally
                        {
                            throttle.Release();
                        }
                    }));
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Fix_in_top_level_statements() => new Verify.Test
    {
        OutputKind = OutputKind.ConsoleApplication,
        EditorConfig = "asyncperf.AP1001.include_tools = true", // entry points are tool code: quiet by default (CodeContextTests)
        CodeActionEquivalenceKey = Semaphore,
        TestCode = Usings + """
            using var http = new HttpClient();
            var pages = await Task.WhenAll({|AP1001:args.Select(a => http.GetStringAsync(a))|});
            Console.WriteLine(pages.Length);
            """,
        FixedCode = Usings + """
            using var http = new HttpClient();
            using var throttle = new SemaphoreSlim(16);
            var pages = await Task.WhenAll(args.Select(async a =>
            {
                await throttle.WaitAsync();
                try
                {
                    return await http.GetStringAsync(a);
                }
                finally
                {
                    throttle.Release();
                }
            }));
            Console.WriteLine(pages.Length);
            """,
    }.RunAsync();

    // ---- No fix ----

    [Fact]
    public Task NoFix_for_WhenAny() => VerifyNoFixAsync(Usings + """
        class Mirror
        {
            Task<string> PingAsync(string host) => Task.FromResult(host);

            async Task<string> FastestAsync(string[] hosts)
            {
                var first = await Task.WhenAny({|AP1001:hosts.Select(h => PingAsync(h))|});
                return await first;
            }
        }
        """);

    [Fact]
    public Task NoFix_when_the_combined_task_is_returned_instead_of_awaited() => VerifyNoFixAsync(Usings + """
        class Crawler
        {
            Task<string[]> FetchAllAsync(HttpClient http, string[] urls) => Task.WhenAll({|AP1001:urls.Select(u => http.GetStringAsync(u))|});

            Task PushAllAsync(HttpClient http, string[] urls)
            {
                var all = Task.WhenAll({|AP1001:urls.Select(u => http.GetStringAsync(u))|});
                return all;
            }
        }
        """);

    [Fact]
    public Task NoFix_when_the_loop_task_reads_a_for_counter_or_awaits() => VerifyNoFixAsync(Usings + """
        class Notifier
        {
            Task SendAsync(string user) => Task.CompletedTask;
            Task<string> NameAsync(int id) => Task.FromResult("");

            async Task NotifyAsync(string[] users, int[] ids)
            {
                var tasks = new List<Task>();
                for (var i = 0; i < users.Length; i++)
                {
                    tasks.Add(SendAsync(users[i]));
                }

                await Task.WhenAll({|AP1001:tasks|});

                var more = new List<Task>();
                foreach (var id in ids)
                {
                    more.Add(SendAsync(await NameAsync(id)));
                }

                await Task.WhenAll({|AP1001:more|});
            }
        }
        """);

    [Fact]
    public Task NoFix_when_the_loop_task_would_evaluate_a_call_later() => VerifyNoFixAsync(Usings + """
        class Notifier
        {
            Task<bool> SendAsync(string user) => Task.FromResult(true);

            async Task DrainAsync(Queue<string> pending)
            {
                var drains = new List<Task<bool>>();
                while (pending.Count > 0)
                {
                    drains.Add(SendAsync(pending.Dequeue()));
                }

                await Task.WhenAll({|AP1001:drains|});
            }

            async Task CreateAsync(List<string> names)
            {
                var tasks = new List<Task<bool>>();
                foreach (var name in names)
                {
                    tasks.Add(SendAsync(name.ToUpperInvariant()));
                }

                await Task.WhenAll({|AP1001:tasks|});
            }
        }
        """);

    [Fact]
    public Task NoFix_when_the_wait_is_inside_an_expression_lambda_or_the_selector_is_a_statement_lambda() => VerifyNoFixAsync(Usings + """
        class Crawler
        {
            Task<int> CountAsync(string s) => Task.FromResult(s.Length);

            void Setup(HttpClient http)
            {
                Func<string[], Task> all = async urls => await Task.WhenAll({|AP1001:urls.Select(u => http.GetStringAsync(u))|});
            }

            async Task<int[]> CountAllAsync(string[] items)
            {
                return await Task.WhenAll({|AP1001:items.Select(i =>
                {
                    var trimmed = i.Trim();
                    return CountAsync(trimmed);
                })|});
            }
        }
        """);

    // ---- Which fixes are offered ----

    [Fact]
    public async Task Offers_both_fixes_with_distinct_keys_when_results_are_unused()
    {
        var keys = await OfferedKeysAsync(Usings + """
            class Mailer
            {
                Task SendAsync(string to, CancellationToken ct) => Task.CompletedTask;

                async Task SendAllAsync(string[] recipients, CancellationToken ct)
                {
                    await Task.WhenAll(recipients.Select(r => SendAsync(r, ct)));
                }
            }
            """);
        Assert.Equal(new[] { Semaphore, ForEachAsync }, keys);
    }

    [Fact]
    public async Task Offers_only_the_semaphore_when_results_are_used_with_an_index_or_without_Parallel_ForEachAsync()
    {
        Assert.Equal(new[] { Semaphore }, await OfferedKeysAsync(Usings + """
            class Crawler
            {
                async Task<int> FetchAllAsync(HttpClient http, string[] urls)
                {
                    var pages = await Task.WhenAll(urls.Select(u => http.GetStringAsync(u)));
                    return pages.Length;
                }
            }
            """));
        Assert.Equal(new[] { Semaphore }, await OfferedKeysAsync(Usings + """
            class Crawler
            {
                Task SaveAsync(string url, int index) => Task.CompletedTask;

                async Task SaveAllAsync(string[] urls)
                {
                    await Task.WhenAll(urls.Select((u, i) => SaveAsync(u, i)));
                }
            }
            """));
        Assert.Equal(new[] { Semaphore }, await OfferedKeysAsync(Usings + """
            class Crawler
            {
                Task SaveAsync(string url) => Task.CompletedTask;

                async Task SaveAllAsync(string[] urls)
                {
                    await Task.WhenAll(urls.Select(u => SaveAsync(u)));
                }
            }
            """, Verifiers.TestReferences.NetStandard20));
        Assert.Equal(new[] { Semaphore }, await OfferedKeysAsync(Usings + """
            class Crawler
            {
                Task SaveAsync(string url) => Task.CompletedTask;

                async Task SaveAllAsync(string[] urls)
                {
                    var tasks = new List<Task>();
                    foreach (var url in urls)
                    {
                        tasks.Add(SaveAsync(url));
                    }

                    await Task.WhenAll(tasks);
                }
            }
            """));
    }

    private static Task VerifyNoFixAsync(string source) => new Verify.Test { TestCode = source, FixedCode = source }.RunAsync();

    private static async Task<List<string?>> OfferedKeysAsync(string source, IReadOnlyList<MetadataReference>? references = null)
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject("TestProject", LanguageNames.CSharp)
            .WithMetadataReferences(references ?? Verifiers.TestReferences.Net10)
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable))
            .WithParseOptions(new CSharpParseOptions(LanguageVersion.Latest));
        var document = project.AddDocument("Test0.cs", source);
        var compilation = await document.Project.GetCompilationAsync();
        Assert.Empty(compilation!.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var diagnostics = await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new AsyncPerf.Rules.Concurrency.UnboundedFanOutAnalyzer())).GetAnalyzerDiagnosticsAsync();
        var diagnostic = Assert.Single(diagnostics);
        var keys = new List<string?>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => keys.Add(action.EquivalenceKey), CancellationToken.None);
        await new AsyncPerf.CodeFixes.Rules.Concurrency.UnboundedFanOutCodeFix().RegisterCodeFixesAsync(context);
        return keys;
    }
}
