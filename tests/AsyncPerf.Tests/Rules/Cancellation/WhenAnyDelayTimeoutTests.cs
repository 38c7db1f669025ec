using Microsoft.CodeAnalysis;
using Xunit;
using Verify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Cancellation.WhenAnyDelayTimeoutAnalyzer, AsyncPerf.CodeFixes.Rules.Cancellation.WhenAnyDelayTimeoutCodeFix>;

namespace AsyncPerf.Tests.Rules.Cancellation;

public class WhenAnyDelayTimeoutTests
{
    private const string Usings = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    // ---- Flags ----

    [Fact]
    public Task Flags_with_a_message_that_names_the_work() => Verify.VerifyAnalyzerAsync(Usings + """
        class PriceService
        {
            async Task<decimal> GetPriceAsync(Task<decimal> lookup)
            {
                if (await Task.WhenAny(lookup, Task.Delay(500)) == lookup)
                {
                    return await lookup;
                }

                return 0m;
            }
        }
        """,
        Verify.Diagnostic("AP3003").WithSpan(8, 19, 8, 56)
            .WithMessage("Use 'lookup.WaitAsync(timeout)' for this timeout: with WhenAny the delay's timer keeps running after the work wins, and the work keeps running after the timeout"));

    [Fact]
    public Task Flags_every_comparison_shape() => Verify.VerifyAnalyzerAsync(Usings + """
        class Shapes
        {
            async Task RunAsync(Task work, TimeSpan timeout, CancellationToken ct)
            {
                if (work != await {|AP3003:Task.WhenAny(work, Task.Delay(timeout, ct))|}) { }
                var delay = Task.Delay(100);
                if (await {|AP3003:Task.WhenAny(delay, work)|}.ConfigureAwait(false) == delay) { }
                var winner = await {|AP3003:Task.WhenAny(new[] { work, Task.Delay(100) })|};
                var timedOut = winner != work;
                bool finished = (await {|AP3003:Task.WhenAny(work, Task.Delay(100))|}) == work;
            }
        }
        """);

    // ---- Does not flag ----

    [Fact]
    public Task DoesNotFlag_WhenAny_without_a_delay_or_without_a_comparison() => Verify.VerifyAnalyzerAsync(Usings + """
        class Shapes
        {
            async Task RunAsync(Task first, Task second, Task work)
            {
                var winner = await Task.WhenAny(first, second);
                if (winner == first) { }
                await Task.WhenAny(work, Task.Delay(100));
                var any = await Task.WhenAny(work, Task.Delay(100));
                Console.WriteLine(any.IsCompleted);
                var both = Task.WhenAny(Task.Delay(1), Task.Delay(2));
                await work.WaitAsync(TimeSpan.FromSeconds(1));
            }
        }
        """);

    // ---- Fix ----

    [Fact]
    public Task Fix_if_equals_work_with_else_and_int_milliseconds() => Verify.VerifyCodeFixAsync(Usings + """
        class PriceService
        {
            async Task<decimal> GetPriceAsync(Task<decimal> lookup)
            {
                decimal price;
                // Give the price service half a second.
                if (await [|Task.WhenAny(lookup, Task.Delay(500))|] == lookup)
                {
                    price = await lookup; // the real price
                }
                else
                {
                    price = -1m; // unknown
                }

                return price;
            }
        }
        """, Usings + """
        class PriceService
        {
            async Task<decimal> GetPriceAsync(Task<decimal> lookup)
            {
                decimal price;
                // Give the price service half a second.
                try
                {
                    await lookup.WaitAsync(TimeSpan.FromMilliseconds(500));
                    price = await lookup; // the real price
                }
                catch (TimeoutException exception) when (exception != lookup.Exception?.InnerException)
                {
                    price = -1m; // unknown
                }

                return price;
            }
        }
        """);

    [Fact]
    public Task Fix_not_equals_work_that_throws_keeps_the_rest_outside_the_try() => Verify.VerifyCodeFixAsync(Usings + """
        class Inventory
        {
            async Task<int> CountAsync(Task<int> count, TimeSpan timeout)
            {
                if (await [|Task.WhenAny(count, Task.Delay(timeout))|] != count)
                {
                    throw new TimeoutException("The stock count took too long.");
                }

                return await count;
            }
        }
        """, Usings + """
        class Inventory
        {
            async Task<int> CountAsync(Task<int> count, TimeSpan timeout)
            {
                try
                {
                    await count.WaitAsync(timeout);
                }
                catch (TimeoutException exception) when (exception != count.Exception?.InnerException)
                {
                    throw new TimeoutException("The stock count took too long.");
                }

                return await count;
            }
        }
        """);

    [Fact]
    public Task Fix_completed_task_in_a_local_and_a_TimeSpan_delay() => Verify.VerifyCodeFixAsync(Usings + """
        class Cache
        {
            async Task<string?> ReadAsync(Task<string> load)
            {
                var completed = await [|Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(2)))|];
                if (completed == load)
                {
                    return await load;
                }
                else
                {
                    Console.WriteLine("cache timeout");
                    return null;
                }
            }
        }
        """, Usings + """
        class Cache
        {
            async Task<string?> ReadAsync(Task<string> load)
            {
                try
                {
                    await load.WaitAsync(TimeSpan.FromSeconds(2));
                }
                catch (TimeoutException exception) when (exception != load.Exception?.InnerException)
                {
                    Console.WriteLine("cache timeout");
                    return null;
                }

                return await load;
            }
        }
        """);

    [Fact]
    public Task Fix_delay_in_a_local_with_a_token_forwards_the_token() => Verify.VerifyCodeFixAsync(Usings + """
        class Sync
        {
            async Task<bool> PushAsync(Func<Task> push, CancellationToken cancellationToken)
            {
                var delay = Task.Delay(30000, cancellationToken);
                var work = push();
                // showcase-style comment on the WhenAny statement
                var winner = await [|Task.WhenAny(work, delay)|].ConfigureAwait(false);
                if (winner == delay)
                {
                    Console.WriteLine("push timed out");
                    return false;
                }

                await work.ConfigureAwait(false);
                return true;
            }
        }
        """, Usings + """
        class Sync
        {
            async Task<bool> PushAsync(Func<Task> push, CancellationToken cancellationToken)
            {
                var work = push();
                // showcase-style comment on the WhenAny statement
                try
                {
                    await work.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException exception) when (exception != work.Exception?.InnerException)
                {
                    Console.WriteLine("push timed out");
                    return false;
                }

                await work.ConfigureAwait(false);
                return true;
            }
        }
        """);

    [Fact]
    public Task Fix_int_milliseconds_variable_becomes_FromMilliseconds() => Verify.VerifyCodeFixAsync(Usings + """
        class Probe
        {
            async Task<bool> IsAliveAsync(Task<bool> ping, int timeoutMs)
            {
                var alive = false;
                if (await [|Task.WhenAny(ping, Task.Delay(timeoutMs))|] == ping)
                    alive = await ping;
                return alive;
            }
        }
        """, Usings + """
        class Probe
        {
            async Task<bool> IsAliveAsync(Task<bool> ping, int timeoutMs)
            {
                var alive = false;
                try
                {
                    await ping.WaitAsync(TimeSpan.FromMilliseconds(timeoutMs));
                    alive = await ping;
                }
                catch (TimeoutException exception) when (exception != ping.Exception?.InnerException)
                {
                }
                return alive;
            }
        }
        """);

    [Fact]
    public Task Fix_picks_a_catch_variable_name_that_is_free() => Verify.VerifyCodeFixAsync(Usings + """
        class Probe
        {
            async Task RunAsync(Task work, Exception exception)
            {
                if (await [|Task.WhenAny(work, Task.Delay(100))|] != work)
                {
                    Console.WriteLine(exception.Message);
                }

                await work;
            }
        }
        """, Usings + """
        class Probe
        {
            async Task RunAsync(Task work, Exception exception)
            {
                try
                {
                    await work.WaitAsync(TimeSpan.FromMilliseconds(100));
                }
                catch (TimeoutException timeoutException) when (timeoutException != work.Exception?.InnerException)
                {
                    Console.WriteLine(exception.Message);
                }

                await work;
            }
        }
        """);

    [Fact]
    public Task Fix_keeps_the_work_branch_in_a_block_when_its_locals_would_clash() => Verify.VerifyCodeFixAsync(Usings + """
        class Report
        {
            async Task<int> RunAsync(Task<int[]> rows)
            {
                if (await [|Task.WhenAny(rows, Task.Delay(1000))|] == rows)
                {
                    var read = await rows;
                    var total = 0;
                    foreach (var row in read) total += row;
                    Console.WriteLine(total);
                }
                else
                {
                    return -1;
                }

                foreach (var total in new[] { 1, 2 }) Console.WriteLine(total);
                return 0;
            }
        }
        """, Usings + """
        class Report
        {
            async Task<int> RunAsync(Task<int[]> rows)
            {
                try
                {
                    await rows.WaitAsync(TimeSpan.FromSeconds(1));
                }
                catch (TimeoutException exception) when (exception != rows.Exception?.InnerException)
                {
                    return -1;
                }

                {
                    var read = await rows;
                    var total = 0;
                    foreach (var row in read) total += row;
                    Console.WriteLine(total);
                }

                foreach (var total in new[] { 1, 2 }) Console.WriteLine(total);
                return 0;
            }
        }
        """);

    [Fact]
    public Task Fix_in_top_level_statements() => new Verify.Test
    {
        OutputKind = OutputKind.ConsoleApplication,
        EditorConfig = "asyncperf.AP3003.include_tools = true", // entry points are tool code: quiet by default (CodeContextTests)
        TestCode = Usings + """
            var work = Task.Run(() => 42);
            var winner = await [|Task.WhenAny(work, Task.Delay(250))|];
            if (winner != work)
            {
                return 1;
            }

            Console.WriteLine(await work);
            return 0;
            """,
        FixedCode = Usings + """
            var work = Task.Run(() => 42);
            try
            {
                await work.WaitAsync(TimeSpan.FromMilliseconds(250));
            }
            catch (TimeoutException exception) when (exception != work.Exception?.InnerException)
            {
                return 1;
            }

            Console.WriteLine(await work);
            return 0;
            """,
    }.RunAsync();

    [Fact]
    public Task FixAll_fixes_every_timeout_in_the_document_including_nested_ones() => Verify.VerifyCodeFixAsync(Usings + """
        class Dashboard
        {
            async Task<string> LoadAsync(Task<string> header, Task<string> body, CancellationToken ct)
            {
                var text = "";
                if (await [|Task.WhenAny(header, Task.Delay(1000, ct))|] == header)
                {
                    text = await header;
                    if (await [|Task.WhenAny(body, Task.Delay(2000, ct))|] == body)
                    {
                        text += await body;
                    }
                }

                var retry = await [|Task.WhenAny(body, Task.Delay(3000))|];
                if (retry != body)
                {
                    return text;
                }

                return text + await body;
            }
        }
        """, Usings + """
        class Dashboard
        {
            async Task<string> LoadAsync(Task<string> header, Task<string> body, CancellationToken ct)
            {
                var text = "";
                try
                {
                    await header.WaitAsync(TimeSpan.FromSeconds(1), ct);
                    text = await header;
                    try
                    {
                        await body.WaitAsync(TimeSpan.FromSeconds(2), ct);
                        text += await body;
                    }
                    catch (TimeoutException exception) when (exception != body.Exception?.InnerException)
                    {
                    }
                }
                catch (TimeoutException exception) when (exception != header.Exception?.InnerException)
                {
                }

                try
                {
                    await body.WaitAsync(TimeSpan.FromSeconds(3));
                }
                catch (TimeoutException exception) when (exception != body.Exception?.InnerException)
                {
                    return text;
                }

                return text + await body;
            }
        }
        """);

    [Fact]
    public Task Fix_keeps_the_blank_line_above_the_removed_winner_declaration() => Verify.VerifyCodeFixAsync(Usings + """
        class Dashboard
        {
            async Task<string> LoadAsync(Task<string> header, Task<string> body, CancellationToken ct)
            {
                var text = "";

                var retry = await [|Task.WhenAny(body, Task.Delay(3000))|];
                if (retry != body)
                {
                    return text;
                }

                return text + await body;
            }
        }
        """, Usings + """
        class Dashboard
        {
            async Task<string> LoadAsync(Task<string> header, Task<string> body, CancellationToken ct)
            {
                var text = "";

                try
                {
                    await body.WaitAsync(TimeSpan.FromSeconds(3));
                }
                catch (TimeoutException exception) when (exception != body.Exception?.InnerException)
                {
                    return text;
                }

                return text + await body;
            }
        }
        """);

    [Fact]
    public Task FixAll_two_timeouts_in_sequence() => Verify.VerifyCodeFixAsync(Usings + """
        class Dashboard
        {
            async Task<string> LoadAsync(Task<string> header, Task<string> body, CancellationToken ct)
            {
                var text = "";
                if (await [|Task.WhenAny(header, Task.Delay(1000, ct))|] == header)
                {
                    text = await header;
                }

                if (await [|Task.WhenAny(body, Task.Delay(3000))|] != body)
                {
                    return text;
                }

                return text + await body;
            }
        }
        """, Usings + """
        class Dashboard
        {
            async Task<string> LoadAsync(Task<string> header, Task<string> body, CancellationToken ct)
            {
                var text = "";
                try
                {
                    await header.WaitAsync(TimeSpan.FromSeconds(1), ct);
                    text = await header;
                }
                catch (TimeoutException exception) when (exception != header.Exception?.InnerException)
                {
                }

                try
                {
                    await body.WaitAsync(TimeSpan.FromSeconds(3));
                }
                catch (TimeoutException exception) when (exception != body.Exception?.InnerException)
                {
                    return text;
                }

                return text + await body;
            }
        }
        """);

    [Fact]
    public Task Fix_swapped_operands_and_an_if_that_is_not_in_a_block() => Verify.VerifyCodeFixAsync(Usings + """
        class Totals
        {
            async Task<int> SumAsync(Task<int>[] parts)
            {
                var sum = 0;
                foreach (var part in parts)
                    if (part == await [|Task.WhenAny(Task.Delay(250), part)|])
                        sum += await part;
                    else
                        return -1;
                return sum;
            }
        }
        """, Usings + """
        class Totals
        {
            async Task<int> SumAsync(Task<int>[] parts)
            {
                var sum = 0;
                foreach (var part in parts)
                {
                    try
                    {
                        await part.WaitAsync(TimeSpan.FromMilliseconds(250));
                    }
                    catch (TimeoutException exception) when (exception != part.Exception?.InnerException)
                    {
                        return -1;
                    }

                    sum += await part;
                }
                return sum;
            }
        }
        """);

    [Fact]
    public Task Fix_in_a_switch_section() => Verify.VerifyCodeFixAsync(Usings + """
        class Router
        {
            async Task<string> RouteAsync(int kind, Task<string> primary)
            {
                switch (kind)
                {
                    case 1:
                        if (await [|Task.WhenAny(primary, Task.Delay(TimeSpan.FromSeconds(1)))|] != primary)
                        {
                            return "fallback";
                        }

                        return await primary;
                    default:
                        return "none";
                }
            }
        }
        """, Usings + """
        class Router
        {
            async Task<string> RouteAsync(int kind, Task<string> primary)
            {
                switch (kind)
                {
                    case 1:
                        try
                        {
                            await primary.WaitAsync(TimeSpan.FromSeconds(1));
                        }
                        catch (TimeoutException exception) when (exception != primary.Exception?.InnerException)
                        {
                            return "fallback";
                        }

                        return await primary;
                    default:
                        return "none";
                }
            }
        }
        """);

    // ---- Reported without a fix ----

    [Fact]
    public Task NoFix_on_netstandard20_without_Task_WaitAsync() => new Verify.Test
    {
        References = Verifiers.TestReferences.NetStandard20,
        TestCode = Usings + """
            class PriceService
            {
                async Task<decimal> GetPriceAsync(Task<decimal> lookup)
                {
                    if (await [|Task.WhenAny(lookup, Task.Delay(500))|] == lookup)
                    {
                        return await lookup;
                    }

                    return 0m;
                }
            }
            """,
        FixedCode = Usings + """
            class PriceService
            {
                async Task<decimal> GetPriceAsync(Task<decimal> lookup)
                {
                    if (await [|Task.WhenAny(lookup, Task.Delay(500))|] == lookup)
                    {
                        return await lookup;
                    }

                    return 0m;
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task NoFix_for_shapes_it_cannot_rewrite_safely() => new Verify.Test
    {
        TestCode = Usings + """
            class Odd
            {
                async Task<int> RunAsync(Task<int> work, Func<Task<int>> start, TimeSpan timeout, CancellationToken ct)
                {
                    // A conditional expression, not an if statement.
                    var value = await [|Task.WhenAny(work, Task.Delay(100))|] == work ? await work : -1;

                    // The winner is compared twice.
                    var winner = await [|Task.WhenAny(work, Task.Delay(100))|];
                    if (winner == work) { value++; }
                    if (winner != work) { value--; }

                    // The work is not a variable: its result and exception are never observed.
                    var delay = Task.Delay(100);
                    if (await [|Task.WhenAny(start(), delay)|] == delay) { value = 0; }

                    // The delay starts before an await: the deadline covers more than the WhenAny.
                    var budget = Task.Delay(timeout);
                    await Task.Yield();
                    if (await [|Task.WhenAny(work, budget)|] == budget) { value = 0; }

                    // The delay's duration changes between the Delay and the WhenAny.
                    var ms = 100;
                    var late = Task.Delay(ms);
                    ms = 5;
                    if (await [|Task.WhenAny(work, late)|] == late) { value = ms; }

                    // A compound condition.
                    if (await [|Task.WhenAny(work, Task.Delay(100))|] == work && value > 0) { value = 1; }

                    // A TimeProvider overload.
                    if (await [|Task.WhenAny(work, Task.Delay(timeout, TimeProvider.System))|] == work) { value = 2; }

                    // The delay is shared by a loop.
                    var deadline = Task.Delay(timeout, ct);
                    for (var i = 0; i < 3; i++)
                    {
                        if (await [|Task.WhenAny(work, deadline)|] == deadline) { break; }
                    }

                    return value;
                }

                async System.Collections.Generic.IAsyncEnumerable<int> StreamAsync(Task<int> work)
                {
                    if (await [|Task.WhenAny(work, Task.Delay(100))|] == work)
                    {
                        yield return await work;
                    }
                }
            }
            """,
        FixedCode = Usings + """
            class Odd
            {
                async Task<int> RunAsync(Task<int> work, Func<Task<int>> start, TimeSpan timeout, CancellationToken ct)
                {
                    // A conditional expression, not an if statement.
                    var value = await [|Task.WhenAny(work, Task.Delay(100))|] == work ? await work : -1;

                    // The winner is compared twice.
                    var winner = await [|Task.WhenAny(work, Task.Delay(100))|];
                    if (winner == work) { value++; }
                    if (winner != work) { value--; }

                    // The work is not a variable: its result and exception are never observed.
                    var delay = Task.Delay(100);
                    if (await [|Task.WhenAny(start(), delay)|] == delay) { value = 0; }

                    // The delay starts before an await: the deadline covers more than the WhenAny.
                    var budget = Task.Delay(timeout);
                    await Task.Yield();
                    if (await [|Task.WhenAny(work, budget)|] == budget) { value = 0; }

                    // The delay's duration changes between the Delay and the WhenAny.
                    var ms = 100;
                    var late = Task.Delay(ms);
                    ms = 5;
                    if (await [|Task.WhenAny(work, late)|] == late) { value = ms; }

                    // A compound condition.
                    if (await [|Task.WhenAny(work, Task.Delay(100))|] == work && value > 0) { value = 1; }

                    // A TimeProvider overload.
                    if (await [|Task.WhenAny(work, Task.Delay(timeout, TimeProvider.System))|] == work) { value = 2; }

                    // The delay is shared by a loop.
                    var deadline = Task.Delay(timeout, ct);
                    for (var i = 0; i < 3; i++)
                    {
                        if (await [|Task.WhenAny(work, deadline)|] == deadline) { break; }
                    }

                    return value;
                }

                async System.Collections.Generic.IAsyncEnumerable<int> StreamAsync(Task<int> work)
                {
                    if (await [|Task.WhenAny(work, Task.Delay(100))|] == work)
                    {
                        yield return await work;
                    }
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task NoFix_when_the_work_branch_does_not_start_by_awaiting_the_work() => new Verify.Test
    {
        TestCode = Usings + """
            class Observers
            {
                async Task<int> IgnoresAFaultAsync(Task<int> work)
                {
                    // A faulted work still ran the first branch; WaitAsync would throw its exception instead.
                    if (await [|Task.WhenAny(work, Task.Delay(100))|] == work)
                    {
                        Console.WriteLine("done");
                    }
                    else
                    {
                        Console.WriteLine("slow");
                    }

                    return 0;
                }

                async Task<int> ReadsResultAsync(Task<int> work)
                {
                    // .Result throws an AggregateException where await throws the inner exception.
                    if (await [|Task.WhenAny(work, Task.Delay(100))|] != work)
                    {
                        return -1;
                    }

                    return work.Result;
                }

                async Task<int> LogsFirstAsync(Task<int> work)
                {
                    // The log line ran before the fault surfaced.
                    if (await [|Task.WhenAny(work, Task.Delay(100))|] == work)
                    {
                        Console.WriteLine("finished");
                        return await work;
                    }

                    return -1;
                }

                async Task LastStatementAsync(Task work)
                {
                    if (await [|Task.WhenAny(work, Task.Delay(100))|] != work)
                    {
                        Console.WriteLine("slow");
                    }
                }
            }
            """,
        FixedCode = Usings + """
            class Observers
            {
                async Task<int> IgnoresAFaultAsync(Task<int> work)
                {
                    // A faulted work still ran the first branch; WaitAsync would throw its exception instead.
                    if (await [|Task.WhenAny(work, Task.Delay(100))|] == work)
                    {
                        Console.WriteLine("done");
                    }
                    else
                    {
                        Console.WriteLine("slow");
                    }

                    return 0;
                }

                async Task<int> ReadsResultAsync(Task<int> work)
                {
                    // .Result throws an AggregateException where await throws the inner exception.
                    if (await [|Task.WhenAny(work, Task.Delay(100))|] != work)
                    {
                        return -1;
                    }

                    return work.Result;
                }

                async Task<int> LogsFirstAsync(Task<int> work)
                {
                    // The log line ran before the fault surfaced.
                    if (await [|Task.WhenAny(work, Task.Delay(100))|] == work)
                    {
                        Console.WriteLine("finished");
                        return await work;
                    }

                    return -1;
                }

                async Task LastStatementAsync(Task work)
                {
                    if (await [|Task.WhenAny(work, Task.Delay(100))|] != work)
                    {
                        Console.WriteLine("slow");
                    }
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
                async Task RunAsync(Task work)
                {
                    if (await Task.WhenAny(work, Task.Delay()) == work) { }
                    if (await Task.WhenAny(work, Task.Delay(100)) == ) { }
                    var winner = await Task.WhenAny(work, missing);
                    if (winner == work) { }
                }
            }
            """,
    }.RunAsync();
}
