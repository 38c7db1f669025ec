using Xunit;
using Verify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Concurrency.SemaphoreReleaseNotInFinallyAnalyzer, AsyncPerf.CodeFixes.Rules.Concurrency.SemaphoreReleaseNotInFinallyCodeFix>;

namespace AsyncPerf.Tests.Rules.Concurrency;

public class SemaphoreReleaseNotInFinallyTests
{
    private const string Usings = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    // ---- Flags ----

    [Fact]
    public Task Flags_await_WaitAsync_with_a_plain_Release() => Verify.VerifyAnalyzerAsync(Usings + """
        class TokenCache
        {
            private readonly SemaphoreSlim _gate = new(1, 1);
            private string? _token;

            async Task<string> GetAsync(Func<Task<string>> fetch, CancellationToken ct)
            {
                {|AP1004:await _gate.WaitAsync(ct)|};
                _token ??= await fetch();
                _gate.Release();
                return _token;
            }
        }
        """);

    [Fact]
    public Task Flags_with_a_message_that_names_the_semaphore() => Verify.VerifyAnalyzerAsync(Usings + """
        class Counter
        {
            private readonly SemaphoreSlim _lock = new(1, 1);
            private int _count;

            void Increment()
            {
                _lock.Wait();
                _count++;
                _lock.Release();
            }
        }
        """,
        Verify.Diagnostic("AP1004").WithSpan(11, 9, 11, 21)
            .WithMessage("Release '_lock' in the finally block of a try that starts right after the acquire: an exception in between leaks the permit and later callers wait forever"));

    [Fact]
    public Task Flags_ConfigureAwait_local_and_parameter_semaphores() => Verify.VerifyAnalyzerAsync(Usings + """
        class Jobs
        {
            async Task RunAsync(SemaphoreSlim throttle, Func<Task> job)
            {
                {|AP1004:await throttle.WaitAsync().ConfigureAwait(false)|};
                await job();
                throttle.Release();
            }

            async Task RunLocalAsync(Func<Task> job)
            {
                using var local = new SemaphoreSlim(2);
                {|AP1004:await local.WaitAsync()|};
                await job();
                local.Release();
            }
        }
        """);

    [Fact]
    public Task Flags_a_release_in_a_try_that_does_not_start_right_after_the_acquire() => Verify.VerifyAnalyzerAsync(Usings + """
        class Importer
        {
            private readonly SemaphoreSlim _gate = new(1, 1);

            async Task ImportAsync(string path, Func<string, Task> load)
            {
                {|AP1004:await _gate.WaitAsync()|};
                var full = System.IO.Path.GetFullPath(path);
                try
                {
                    await load(full);
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        """);

    [Fact]
    public Task Flags_an_acquire_inside_the_try_whose_finally_releases() => Verify.VerifyAnalyzerAsync(Usings + """
        class Importer
        {
            private readonly SemaphoreSlim _gate = new(1, 1);

            async Task ImportAsync(Func<Task> load, CancellationToken ct)
            {
                try
                {
                    {|AP1004:await _gate.WaitAsync(ct)|};
                    await load();
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        """);

    [Fact]
    public Task Flags_if_WaitAsync_timeout_with_release_in_the_true_branch() => Verify.VerifyAnalyzerAsync(Usings + """
        class Poller
        {
            private readonly SemaphoreSlim _gate = new(1, 1);

            async Task<bool> TryPollAsync(Func<Task> poll)
            {
                if ({|AP1004:await _gate.WaitAsync(TimeSpan.FromSeconds(1))|})
                {
                    await poll();
                    _gate.Release();
                    return true;
                }

                return false;
            }
        }
        """);

    [Fact]
    public Task Flags_a_negated_wait_that_returns_early() => Verify.VerifyAnalyzerAsync(Usings + """
        class Poller
        {
            private readonly SemaphoreSlim _gate = new(1, 1);

            async Task<bool> TryPollAsync(Func<Task> poll)
            {
                if (!{|AP1004:await _gate.WaitAsync(100)|})
                {
                    return false;
                }

                await poll();
                _gate.Release();
                return true;
            }
        }
        """);

    [Fact]
    public Task Flags_an_early_release_on_one_path() => Verify.VerifyAnalyzerAsync(Usings + """
        class Cache
        {
            private readonly SemaphoreSlim _gate = new(1, 1);

            async Task<int> GetAsync(bool skip, Func<Task<int>> load)
            {
                {|AP1004:await _gate.WaitAsync()|};
                try
                {
                    if (skip)
                    {
                        _gate.Release();
                        return 0;
                    }

                    return await load();
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        """);

    [Fact]
    public Task Flags_inside_a_lambda() => Verify.VerifyAnalyzerAsync(Usings + """
        class Worker
        {
            private readonly SemaphoreSlim _gate = new(4);

            Func<Task> Make(Func<Task> work) => async () =>
            {
                {|AP1004:await _gate.WaitAsync()|};
                await work();
                _gate.Release();
            };
        }
        """);

    // ---- Does not flag ----

    [Fact]
    public Task DoesNotFlag_release_in_finally_of_the_try_right_after_the_acquire() => Verify.VerifyAnalyzerAsync(Usings + """
        class TokenCache
        {
            private readonly SemaphoreSlim _gate = new(1, 1);

            async Task RunAsync(Func<Task> work, CancellationToken ct)
            {
                await _gate.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    await work();
                }
                finally
                {
                    _gate.Release();
                }

                _gate.Wait();
                try
                {
                    work().GetAwaiter().GetResult();
                }
                catch (InvalidOperationException)
                {
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_if_WaitAsync_timeout_with_try_finally_in_the_true_branch() => Verify.VerifyAnalyzerAsync(Usings + """
        class Poller
        {
            private readonly SemaphoreSlim _gate = new(1, 1);

            async Task<bool> TryPollAsync(Func<Task> poll)
            {
                if (await _gate.WaitAsync(TimeSpan.FromSeconds(1)))
                {
                    try
                    {
                        await poll();
                        return true;
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }

                return false;
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_the_acquired_flag_pattern() => Verify.VerifyAnalyzerAsync(Usings + """
        class Importer
        {
            private readonly SemaphoreSlim _gate = new(1, 1);

            async Task ImportAsync(Func<Task> load, CancellationToken ct)
            {
                var acquired = false;
                try
                {
                    await _gate.WaitAsync(ct);
                    acquired = true;
                    await load();
                }
                finally
                {
                    if (acquired)
                    {
                        _gate.Release();
                    }
                }
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_lease_released_in_another_method() => Verify.VerifyAnalyzerAsync(Usings + """
        sealed class Lease : IDisposable
        {
            private readonly SemaphoreSlim _gate;

            private Lease(SemaphoreSlim gate) => _gate = gate;

            public static async Task<Lease> AcquireAsync(SemaphoreSlim gate, CancellationToken ct)
            {
                await gate.WaitAsync(ct);
                return new Lease(gate);
            }

            public void Dispose() => _gate.Release();
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_release_inside_a_lambda_or_of_another_semaphore() => Verify.VerifyAnalyzerAsync(Usings + """
        class Pipeline
        {
            private readonly SemaphoreSlim _first = new(1, 1);
            private readonly SemaphoreSlim _second = new(1, 1);

            async Task<Action> StartAsync()
            {
                await _first.WaitAsync();
                await _second.WaitAsync();
                try
                {
                    return () => _first.Release();
                }
                finally
                {
                    _second.Release();
                }
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_other_types_named_WaitAsync_or_a_wait_used_as_a_value() => Verify.VerifyAnalyzerAsync(Usings + """
        class Gate
        {
            public Task WaitAsync() => Task.CompletedTask;
            public void Release() { }
        }

        class User
        {
            private readonly Gate _gate = new();
            private readonly SemaphoreSlim _sem = new(1, 1);

            async Task RunAsync(Func<Task> work)
            {
                await _gate.WaitAsync();
                await work();
                _gate.Release();

                var acquired = await _sem.WaitAsync(10);
                await work();
                if (acquired)
                {
                    _sem.Release();
                }
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_incomplete_code() => new Verify.Test
    {
        AllowCompilerErrors = true,
        TestCode = Usings + """
            class Broken
            {
                async Task RunAsync(SemaphoreSlim gate)
                {
                    await gate.WaitAsync(
                    gate.Release();
                    await missing.WaitAsync();
                    missing.Release();
                }
            }
            """,
    }.RunAsync();

    // ---- Fix ----

    [Fact]
    public Task Fix_wraps_the_statements_between_acquire_and_release_in_try_finally() => Verify.VerifyCodeFixAsync(Usings + """
        class TokenCache
        {
            private readonly SemaphoreSlim _gate = new(1, 1);
            private string? _token;

            async Task<string> GetAsync(Func<Task<string>> fetch, CancellationToken ct)
            {
                // one refresh at a time
                {|AP1004:await _gate.WaitAsync(ct)|};
                // refresh when empty
                _token ??= await fetch(); // network call
                _gate.Release(); // done
                return _token;
            }
        }
        """, Usings + """
        class TokenCache
        {
            private readonly SemaphoreSlim _gate = new(1, 1);
            private string? _token;

            async Task<string> GetAsync(Func<Task<string>> fetch, CancellationToken ct)
            {
                // one refresh at a time
                await _gate.WaitAsync(ct);
                try
                {
                    // refresh when empty
                    _token ??= await fetch(); // network call
                }
                finally
                {
                    _gate.Release(); // done
                }

                return _token;
            }
        }
        """);

    [Fact]
    public Task Fix_in_a_synchronous_method() => Verify.VerifyCodeFixAsync(Usings + """
        class Counter
        {
            private readonly SemaphoreSlim _lock = new(1, 1);
            private int _count;

            void Increment()
            {
                {|AP1004:_lock.Wait()|};
                _count++;
                _lock.Release();
            }
        }
        """, Usings + """
        class Counter
        {
            private readonly SemaphoreSlim _lock = new(1, 1);
            private int _count;

            void Increment()
            {
                _lock.Wait();
                try
                {
                    _count++;
                }
                finally
                {
                    _lock.Release();
                }
            }
        }
        """);

    [Fact]
    public Task Fix_inside_the_true_branch_of_if_WaitAsync() => Verify.VerifyCodeFixAsync(Usings + """
        class Poller
        {
            private readonly SemaphoreSlim _gate = new(1, 1);

            async Task<bool> TryPollAsync(Func<Task> poll)
            {
                if ({|AP1004:await _gate.WaitAsync(TimeSpan.FromSeconds(1))|})
                {
                    await poll();
                    _gate.Release();
                    return true;
                }

                return false;
            }
        }
        """, Usings + """
        class Poller
        {
            private readonly SemaphoreSlim _gate = new(1, 1);

            async Task<bool> TryPollAsync(Func<Task> poll)
            {
                if (await _gate.WaitAsync(TimeSpan.FromSeconds(1)))
                {
                    try
                    {
                        await poll();
                    }
                    finally
                    {
                        _gate.Release();
                    }

                    return true;
                }

                return false;
            }
        }
        """);

    [Fact]
    public Task Fix_after_a_negated_wait_that_returns_early() => Verify.VerifyCodeFixAsync(Usings + """
        class Poller
        {
            private readonly SemaphoreSlim _gate = new(1, 1);

            async Task<bool> TryPollAsync(Func<Task> poll)
            {
                if (!{|AP1004:await _gate.WaitAsync(100)|})
                {
                    return false;
                }

                await poll();
                _gate.Release();
                return true;
            }
        }
        """, Usings + """
        class Poller
        {
            private readonly SemaphoreSlim _gate = new(1, 1);

            async Task<bool> TryPollAsync(Func<Task> poll)
            {
                if (!await _gate.WaitAsync(100))
                {
                    return false;
                }

                try
                {
                    await poll();
                }
                finally
                {
                    _gate.Release();
                }

                return true;
            }
        }
        """);

    [Fact]
    public Task Fix_moves_statements_before_an_existing_try_into_it() => Verify.VerifyCodeFixAsync(Usings + """
        class Importer
        {
            private readonly SemaphoreSlim _gate = new(1, 1);

            async Task ImportAsync(string path, Func<string, Task> load)
            {
                {|AP1004:await _gate.WaitAsync()|};
                var full = System.IO.Path.GetFullPath(path);
                try
                {
                    await load(full);
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        """, Usings + """
        class Importer
        {
            private readonly SemaphoreSlim _gate = new(1, 1);

            async Task ImportAsync(string path, Func<string, Task> load)
            {
                await _gate.WaitAsync();
                try
                {
                    var full = System.IO.Path.GetFullPath(path);
                    await load(full);
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        """);

    [Fact]
    public Task Fix_moves_an_acquire_out_of_the_try() => Verify.VerifyCodeFixAsync(Usings + """
        class Importer
        {
            private readonly SemaphoreSlim _gate = new(1, 1);

            async Task ImportAsync(Func<Task> load, CancellationToken ct)
            {
                // serialize imports
                try
                {
                    {|AP1004:await _gate.WaitAsync(ct)|};
                    await load();
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        """, Usings + """
        class Importer
        {
            private readonly SemaphoreSlim _gate = new(1, 1);

            async Task ImportAsync(Func<Task> load, CancellationToken ct)
            {
                // serialize imports
                await _gate.WaitAsync(ct);
                try
                {
                    await load();
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        """);

    [Fact]
    public Task FixAll_fixes_every_pair_in_the_document() => Verify.VerifyCodeFixAsync(Usings + """
        class Jobs
        {
            private readonly SemaphoreSlim _gate = new(1, 1);

            async Task RunTwiceAsync(Func<Task> job)
            {
                {|AP1004:await _gate.WaitAsync()|};
                await job();
                _gate.Release();

                {|AP1004:await _gate.WaitAsync()|};
                await job();
                _gate.Release();
            }

            void Run(Action job)
            {
                {|AP1004:_gate.Wait()|};
                job();
                _gate.Release();
            }
        }
        """, Usings + """
        class Jobs
        {
            private readonly SemaphoreSlim _gate = new(1, 1);

            async Task RunTwiceAsync(Func<Task> job)
            {
                await _gate.WaitAsync();
                try
                {
                    await job();
                }
                finally
                {
                    _gate.Release();
                }

                await _gate.WaitAsync();
                try
                {
                    await job();
                }
                finally
                {
                    _gate.Release();
                }
            }

            void Run(Action job)
            {
                _gate.Wait();
                try
                {
                    job();
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        """);

    // ---- No fix ----

    private const string EarlyRelease = Usings + """
        class Cache
        {
            private readonly SemaphoreSlim _gate = new(1, 1);

            async Task<int> GetAsync(bool skip, Func<Task<int>> load)
            {
                {|AP1004:await _gate.WaitAsync()|};
                if (skip)
                {
                    _gate.Release();
                    return 0;
                }

                await load();
                _gate.Release();
                return 1;
            }
        }
        """;

    [Fact]
    public Task NoFix_when_an_early_release_would_run_twice() => Verify.VerifyCodeFixAsync(EarlyRelease, EarlyRelease);

    [Fact]
    public Task NoFix_when_a_local_declared_in_between_is_used_after_the_release() => new Verify.Test
    {
        TestCode = Usings + """
            class Cache
            {
                private readonly SemaphoreSlim _gate = new(1, 1);

                async Task<int> GetAsync(Func<Task<int>> load)
                {
                    {|AP1004:await _gate.WaitAsync()|};
                    var value = await load();
                    _gate.Release();
                    return value;
                }
            }
            """,
        FixedCode = Usings + """
            class Cache
            {
                private readonly SemaphoreSlim _gate = new(1, 1);

                async Task<int> GetAsync(Func<Task<int>> load)
                {
                    {|AP1004:await _gate.WaitAsync()|};
                    var value = await load();
                    _gate.Release();
                    return value;
                }
            }
            """,
    }.RunAsync();
}
