using AsyncPerf.Tests.Verifiers;
using Xunit;
using Verify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Blocking.BlockingCallInAsyncCodeAnalyzer, AsyncPerf.CodeFixes.Rules.Blocking.BlockingCallInAsyncCodeCodeFix>;

namespace AsyncPerf.Tests.Rules.Blocking;

public class BlockingCallInAsyncCodeTests
{
    private const string Usings = """
        using System;
        using System.Data.Common;
        using System.Diagnostics;
        using System.IO;
        using System.Net.Http;
        using System.Text.Json;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    // ---- Flags: one test per family of the table ----

    [Fact]
    public Task Flags_Thread_Sleep_with_a_message_naming_Task_Delay() => Verify.VerifyAnalyzerAsync(Usings + """
        class Poller
        {
            async Task PollAsync()
            {
                await Task.Yield();
                Thread.Sleep(100);
            }
        }
        """,
        Verify.Diagnostic("AP2002").WithSpan(14, 9, 14, 26).WithMessage("'Thread.Sleep' blocks the thread inside async code; await 'Task.Delay' instead"));

    [Fact]
    public Task Flags_File_whole_file_calls() => Verify.VerifyAnalyzerAsync(Usings + """
        class Settings
        {
            async Task CopyAsync(string from, string to, string log)
            {
                var text = {|AP2002:File.ReadAllText(from)|};
                var bytes = {|AP2002:File.ReadAllBytes(from)|};
                var lines = {|AP2002:File.ReadAllLines(from)|};
                {|AP2002:File.WriteAllText(to, text)|};
                {|AP2002:File.WriteAllBytes(to, bytes)|};
                {|AP2002:File.WriteAllLines(to, lines)|};
                {|AP2002:File.AppendAllText(log, "copied")|};
                await Task.CompletedTask;
            }
        }
        """);

    [Fact]
    public Task Flags_stream_and_reader_writer_calls_on_files_and_network_streams() => Verify.VerifyAnalyzerAsync(Usings + """
        class Transfer
        {
            async Task RunAsync(Stream network, string path, byte[] buffer)
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.Asynchronous);
                var n = {|AP2002:network.Read(buffer, 0, buffer.Length)|};
                {|AP2002:network.Write(buffer, 0, n)|};
                {|AP2002:network.Flush()|};
                {|AP2002:file.CopyTo(network)|};
                using var reader = new StreamReader(path);
                var first = {|AP2002:reader.ReadLine()|};
                var rest = {|AP2002:reader.ReadToEnd()|};
                using var writer = new StreamWriter(network);
                {|AP2002:writer.WriteLine(first)|};
                {|AP2002:writer.Write(rest)|};
                {|AP2002:writer.Flush()|};
                await Task.CompletedTask;
            }
        }
        """);

    [Fact]
    public Task Flags_ado_net_calls() => Verify.VerifyAnalyzerAsync(Usings + """
        class OrderRepository
        {
            async Task<int> CountAsync(DbConnection connection)
            {
                {|AP2002:connection.Open()|};
                using var transaction = connection.BeginTransaction();
                using var command = connection.CreateCommand();
                command.CommandText = "select count(*) from orders";
                var count = (int){|AP2002:command.ExecuteScalar()|}!;
                {|AP2002:command.ExecuteNonQuery()|};
                using var reader = {|AP2002:command.ExecuteReader()|};
                while ({|AP2002:reader.Read()|})
                {
                }

                {|AP2002:reader.NextResult()|};
                {|AP2002:transaction.Commit()|};
                {|AP2002:transaction.Rollback()|};
                await Task.CompletedTask;
                return count;
            }
        }
        """);

    [Fact]
    public Task Flags_semaphore_http_process_and_json_on_streams() => Verify.VerifyAnalyzerAsync(Usings + """
        class Worker
        {
            private readonly SemaphoreSlim _gate = new(1);
            private readonly HttpClient _http = new();

            async Task<Order?> RunAsync(HttpRequestMessage request, Process process, Stream body)
            {
                {|AP2002:_gate.Wait()|};
                if ({|AP2002:_gate.Wait(100)|})
                {
                    _gate.Release();
                }

                using var response = {|AP2002:_http.Send(request)|};
                using var content = {|AP2002:response.Content.ReadAsStream()|};
                {|AP2002:process.WaitForExit()|};
                {|AP2002:JsonSerializer.Serialize(body, new Order())|};
                await Task.CompletedTask;
                return {|AP2002:JsonSerializer.Deserialize<Order>(content)|};
            }
        }

        class Order { }
        """);

    [Fact]
    public Task Flags_inside_async_lambdas_and_async_local_functions() => Verify.VerifyAnalyzerAsync(Usings + """
        class Jobs
        {
            void Start(string path)
            {
                Func<Task> job = async () =>
                {
                    {|AP2002:Thread.Sleep(10)|};
                    await Task.Yield();
                };
                _ = Task.Run(async () => await File.WriteAllTextAsync(path, {|AP2002:File.ReadAllText(path)|}));

                async Task LocalAsync()
                {
                    await Task.Yield();
                    {|AP2002:Thread.Sleep(10)|};
                }

                _ = job();
                _ = LocalAsync();
            }
        }
        """);

    [Fact]
    public Task Flags_derived_stream_types_and_async_iterators() => Verify.VerifyAnalyzerAsync(Usings + """
        using System.Collections.Generic;
        using System.IO.Pipes;
        using System.Net.Sockets;

        class Pipes
        {
            async IAsyncEnumerable<int> ReadAllAsync(NamedPipeClientStream pipe, NetworkStream socket, byte[] buffer)
            {
                yield return {|AP2002:pipe.Read(buffer, 0, buffer.Length)|};
                yield return {|AP2002:socket.Read(buffer, 0, buffer.Length)|};
                await Task.Yield();
            }
        }
        """);

    // ---- Not flagged ----

    [Fact]
    public Task Does_not_flag_synchronous_methods() => Verify.VerifyAnalyzerAsync(Usings + """
        class Legacy
        {
            string Load(string path)
            {
                Thread.Sleep(10);
                return File.ReadAllText(path);
            }

            Task<string> NotAsync(string path) => Task.FromResult(File.ReadAllText(path));
        }
        """);

    [Fact]
    public Task Does_not_flag_in_memory_streams_readers_and_writers() => Verify.VerifyAnalyzerAsync(Usings + """
        using System.Text;

        class Serializer
        {
            async Task<string> RunAsync(byte[] bytes, UnmanagedMemoryStream unmanaged, byte[] buffer)
            {
                var memory = new MemoryStream();
                memory.Write(bytes, 0, bytes.Length);
                memory.Flush();
                memory.Read(buffer, 0, buffer.Length);
                Stream asStream = new MemoryStream(bytes);
                asStream.Read(buffer, 0, buffer.Length);
                unmanaged.Read(buffer, 0, buffer.Length);
                new MemoryStream(bytes).CopyTo(memory);

                using var reader = new StreamReader(new MemoryStream(bytes));
                reader.ReadToEnd();
                using var overLocal = new StreamReader(memory);
                overLocal.ReadLine();
                using var writer = new StreamWriter(memory, Encoding.UTF8);
                writer.WriteLine("x");
                writer.Flush();

                var text = new StringReader("a\nb");
                text.ReadLine();
                text.ReadToEnd();
                var builder = new StringWriter();
                builder.Write("x");
                builder.WriteLine("y");
                builder.Flush();

                JsonSerializer.Serialize(memory, 42);
                var value = JsonSerializer.Deserialize<int>(new MemoryStream(bytes));
                await Task.Yield();
                return builder.ToString() + value;
            }
        }
        """);

    [Fact]
    public Task Does_not_flag_console_json_to_string_and_calls_without_an_async_twin() => Verify.VerifyAnalyzerAsync(Usings + """
        class Cli
        {
            async Task<string?> RunAsync(Stream network, TextWriter log, Process process)
            {
                var line = Console.ReadLine();
                Console.Out.WriteLine("ready");
                Console.Error.Flush();
                Console.In.ReadLine();
                var json = JsonSerializer.Serialize(new { A = 1 });
                var back = JsonSerializer.Deserialize<int>("1");
                log.Write(42);                         // TextWriter.Write(int) has no WriteAsync(int)
                network.Write(new byte[1].AsSpan());   // span overloads have no awaitable twin with the same parameters
                var exited = process.WaitForExit(1000); // WaitForExit(int) has no async twin
                await Task.Yield();
                return line + json + back + exited;
            }
        }
        """);

    [Fact]
    public Task Does_not_flag_Task_WaitAll_or_Wait_which_are_AP2001() => Verify.VerifyAnalyzerAsync(Usings + """
        class Jobs
        {
            async Task RunAsync(Task a, Task b)
            {
                Task.WaitAll(a, b);
                a.Wait();
                await b;
            }
        }
        """);

    [Fact]
    public Task Does_not_flag_inside_a_non_async_lambda_within_an_async_method() => Verify.VerifyAnalyzerAsync(Usings + """
        using System.Linq;

        class Importer
        {
            async Task<int> ImportAsync(string[] paths)
            {
                var lengths = paths.Select(p => File.ReadAllText(p).Length).ToArray();
                Action pause = () => Thread.Sleep(10);
                await Task.Run(() => File.ReadAllBytes(paths[0]));
                pause();
                return lengths.Sum();
            }
        }
        """);

    [Fact]
    public Task Does_not_flag_inside_lock_blocks() => Verify.VerifyAnalyzerAsync(Usings + """
        class Journal
        {
            private readonly object _sync = new();

            async Task AppendAsync(string path, string line)
            {
                lock (_sync)
                {
                    File.AppendAllText(path, line);
                }

                await Task.Yield();
            }
        }
        """);

    [Fact]
    public Task Does_not_flag_the_synchronous_branch_of_the_dual_sync_async_pattern() => Verify.VerifyAnalyzerAsync(Usings + """
        class Connector
        {
            async ValueTask WriteMessage(Stream stream, byte[] message, bool async, CancellationToken ct)
            {
                if (async)
                    await stream.WriteAsync(message, 0, message.Length, ct);
                else
                    stream.Write(message, 0, message.Length);

                var useAsync = async;
                if (!useAsync)
                {
                    stream.Flush();
                }
                else
                {
                    await stream.FlushAsync(ct);
                }
            }
        }
        """);

    [Fact]
    public Task Does_not_flag_when_the_target_framework_lacks_the_async_overload() => new Verify.Test
    {
        References = TestReferences.NetStandard20,
        TestCode = """
            using System.IO;
            using System.Threading.Tasks;

            class Legacy
            {
                async Task<string> LoadAsync(string path)
                {
                    await Task.Yield();
                    return File.ReadAllText(path); // File.ReadAllTextAsync does not exist on netstandard2.0
                }
            }
            """,
    }.RunAsync();

    private const string DataReaderTest = """
        using System.Data.Common;
        using System.Threading.Tasks;

        public class ReaderTests
        {
            [Xunit.Fact]
            public async Task Sync_read_after_async_execute(DbCommand command)
            {
                await using var reader = await command.ExecuteReaderAsync();
                Xunit.Assert.True(READ);
            }
        }
        """;

    [Fact]
    public Task Does_not_flag_test_projects_which_call_sync_apis_on_purpose() => new Verify.Test
    {
        AdditionalReferences = { TestReferences.Xunit[0], TestReferences.Xunit[1] },
        TestCode = DataReaderTest.Replace("READ", "reader.Read()"),
    }.RunAsync();

    [Fact]
    public Task Option_include_tests_reports_in_test_projects() => new Verify.Test
    {
        AdditionalReferences = { TestReferences.Xunit[0], TestReferences.Xunit[1] },
        EditorConfig = "asyncperf.AP2002.include_tests = true",
        TestCode = DataReaderTest.Replace("READ", "{|AP2002:reader.Read()|}"),
        FixedCode = DataReaderTest.Replace("READ", "await reader.ReadAsync()"),
    }.RunAsync();

    // ---- Options ----

    [Fact]
    public Task Excluded_option_silences_a_table_entry() => new Verify.Test
    {
        EditorConfig = "asyncperf.AP2002.excluded = System.IO.File.ReadAllText, System.Threading.Thread.Sleep",
        TestCode = Usings + """
            class Loader
            {
                async Task<string> LoadAsync(string path)
                {
                    Thread.Sleep(1);
                    var bytes = {|AP2002:File.ReadAllBytes(path)|};
                    await Task.Yield();
                    return File.ReadAllText(path) + bytes.Length;
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Extra_pairs_option_adds_entries_and_their_fix() => new Verify.Test
    {
        EditorConfig = "asyncperf.AP2002.extra_pairs = Shop.Inventory.Reserve->ReserveAsync, malformed entry, Shop.Inventory.->X",
        TestCode = """
            using System.Threading;
            using System.Threading.Tasks;

            namespace Shop
            {
                public class Inventory
                {
                    public bool Reserve(string sku) => true;
                    public Task<bool> ReserveAsync(string sku, CancellationToken ct = default) => Task.FromResult(true);
                    public void Release(string sku) { }
                    public Task ReleaseAsync(string sku) => Task.CompletedTask;
                }

                class Checkout
                {
                    async Task<bool> RunAsync(Inventory inventory, CancellationToken ct)
                    {
                        inventory.Release("a"); // not in the table
                        await Task.Yield();
                        return {|AP2002:inventory.Reserve("b")|};
                    }
                }
            }
            """,
        FixedCode = """
            using System.Threading;
            using System.Threading.Tasks;

            namespace Shop
            {
                public class Inventory
                {
                    public bool Reserve(string sku) => true;
                    public Task<bool> ReserveAsync(string sku, CancellationToken ct = default) => Task.FromResult(true);
                    public void Release(string sku) { }
                    public Task ReleaseAsync(string sku) => Task.CompletedTask;
                }

                class Checkout
                {
                    async Task<bool> RunAsync(Inventory inventory, CancellationToken ct)
                    {
                        inventory.Release("a"); // not in the table
                        await Task.Yield();
                        return await inventory.ReserveAsync("b", ct);
                    }
                }
            }
            """,
    }.RunAsync();

    // ---- Fix ----

    [Fact]
    public Task Fix_turns_Thread_Sleep_into_Task_Delay_with_the_token_keeping_comments() => Verify.VerifyCodeFixAsync(Usings + """
        class Poller
        {
            async Task PollAsync(CancellationToken cancellationToken)
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    // back off before the next poll
                    {|AP2002:Thread.Sleep(TimeSpan.FromSeconds(1))|}; // one second
                    await Task.Yield();
                }
            }
        }
        """, Usings + """
        class Poller
        {
            async Task PollAsync(CancellationToken cancellationToken)
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    // back off before the next poll
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken); // one second
                    await Task.Yield();
                }
            }
        }
        """);

    [Fact]
    public Task Fix_adds_the_threading_tasks_import_for_Task_Delay() => Verify.VerifyCodeFixAsync("""
        using System.Threading;

        class Poller
        {
            async System.Threading.Tasks.Task PollAsync()
            {
                {|AP2002:Thread.Sleep(5)|};
            }
        }
        """, """
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            async System.Threading.Tasks.Task PollAsync()
            {
                await Task.Delay(5);
            }
        }
        """);

    [Fact]
    public Task Fix_awaits_file_and_stream_calls_and_keeps_results() => Verify.VerifyCodeFixAsync(Usings + """
        class Settings
        {
            async Task<int> CopyAsync(string from, Stream network, byte[] buffer, CancellationToken ct)
            {
                var text = {|AP2002:File.ReadAllText(from)|}.Trim();
                var n = {|AP2002:network.Read(buffer, 0, buffer.Length)|} + text.Length;
                {|AP2002:network.Flush()|};
                return n;
            }
        }
        """, Usings + """
        class Settings
        {
            async Task<int> CopyAsync(string from, Stream network, byte[] buffer, CancellationToken ct)
            {
                var text = (await File.ReadAllTextAsync(from, ct)).Trim();
                var n = await network.ReadAsync(buffer, 0, buffer.Length, ct) + text.Length;
                await network.FlushAsync(ct);
                return n;
            }
        }
        """);

    [Fact]
    public Task Fix_keeps_the_bool_of_SemaphoreSlim_Wait_with_a_timeout() => Verify.VerifyCodeFixAsync(Usings + """
        class Gate
        {
            private readonly SemaphoreSlim _sem = new(1);

            async Task RunAsync()
            {
                if ({|AP2002:_sem.Wait(100)|})
                {
                    try { await Task.Yield(); }
                    finally { _sem.Release(); }
                }
            }
        }
        """, Usings + """
        class Gate
        {
            private readonly SemaphoreSlim _sem = new(1);

            async Task RunAsync()
            {
                if (await _sem.WaitAsync(100))
                {
                    try { await Task.Yield(); }
                    finally { _sem.Release(); }
                }
            }
        }
        """);

    [Fact]
    public Task Fix_forwards_the_lambda_token_innermost_first_and_keeps_named_arguments() => Verify.VerifyCodeFixAsync(Usings + """
        using System.Collections.Generic;

        class Exporter
        {
            async Task ExportAsync(IEnumerable<string> paths, CancellationToken outer)
            {
                await Parallel.ForEachAsync(paths, outer, async (path, token) =>
                {
                    var lines = {|AP2002:File.ReadAllLines(path: path)|};
                    await Task.Yield();
                });
            }
        }
        """, Usings + """
        using System.Collections.Generic;

        class Exporter
        {
            async Task ExportAsync(IEnumerable<string> paths, CancellationToken outer)
            {
                await Parallel.ForEachAsync(paths, outer, async (path, token) =>
                {
                    var lines = await File.ReadAllLinesAsync(path: path, cancellationToken: token);
                    await Task.Yield();
                });
            }
        }
        """);

    [Fact]
    public Task Fix_uses_the_exact_overload_when_no_token_is_in_scope() => Verify.VerifyCodeFixAsync(Usings + """
        class Repository
        {
            async Task<object?> LoadAsync(DbCommand command)
            {
                await Task.Yield();
                return {|AP2002:command.ExecuteScalar()|};
            }
        }
        """, Usings + """
        class Repository
        {
            async Task<object?> LoadAsync(DbCommand command)
            {
                await Task.Yield();
                return await command.ExecuteScalarAsync();
            }
        }
        """);

    [Fact]
    public Task Fix_awaits_process_exit_with_its_optional_token() => Verify.VerifyCodeFixAsync(Usings + """
        class Runner
        {
            async Task RunAsync(Process process)
            {
                await Task.Yield();
                {|AP2002:process.WaitForExit()|};
            }
        }
        """, Usings + """
        class Runner
        {
            async Task RunAsync(Process process)
            {
                await Task.Yield();
                await process.WaitForExitAsync();
            }
        }
        """);

    [Fact]
    public Task Fix_is_not_offered_when_the_async_overload_returns_a_different_type() => Verify.VerifyCodeFixAsync(Usings + """
        class Reader
        {
            async Task<Order?> ReadAsync(Stream network)
            {
                await Task.Yield();
                // DeserializeAsync returns ValueTask<Order?>: awaiting it gives the same type, so this one is fixable
                return {|AP2002:JsonSerializer.Deserialize<Order>(network)|};
            }
        }

        class Order { }
        """, Usings + """
        class Reader
        {
            async Task<Order?> ReadAsync(Stream network)
            {
                await Task.Yield();
                // DeserializeAsync returns ValueTask<Order?>: awaiting it gives the same type, so this one is fixable
                return await JsonSerializer.DeserializeAsync<Order>(network);
            }
        }

        class Order { }
        """);

    [Fact]
    public Task FixAll_fixes_every_call_in_the_document() => Verify.VerifyCodeFixAsync(Usings + """
        class Backup
        {
            async Task RunAsync(string from, string to, CancellationToken ct)
            {
                var data = {|AP2002:File.ReadAllBytes(from)|};
                {|AP2002:File.WriteAllBytes(to, data)|};
                {|AP2002:Thread.Sleep(10)|}; {|AP2002:Thread.Sleep(20)|};
            }

            async Task OtherAsync(Stream s, byte[] b)
            {
                await Task.Yield();
                {|AP2002:s.Write(b, 0, b.Length)|};
            }
        }
        """, Usings + """
        class Backup
        {
            async Task RunAsync(string from, string to, CancellationToken ct)
            {
                var data = await File.ReadAllBytesAsync(from, ct);
                await File.WriteAllBytesAsync(to, data, ct);
                await Task.Delay(10, ct);
                await Task.Delay(20, ct);
            }

            async Task OtherAsync(Stream s, byte[] b)
            {
                await Task.Yield();
                await s.WriteAsync(b, 0, b.Length);
            }
        }
        """);

    [Fact]
    public Task Fix_is_offered_in_expression_bodied_async_lambdas() => Verify.VerifyCodeFixAsync(Usings + """
        class Jobs
        {
            Func<string, Task<string>> Load => async path => {|AP2002:File.ReadAllText(path)|};
        }
        """, Usings + """
        class Jobs
        {
            Func<string, Task<string>> Load => async path => await File.ReadAllTextAsync(path);
        }
        """);

    [Fact]
    public Task Does_not_throw_on_incomplete_code() => new Verify.Test
    {
        AllowCompilerErrors = true,
        TestCode = Usings + """
            class Broken
            {
                async Task RunAsync(Unknown u)
                {
                    u.Read(;
                    Thread.Sleep(
                    File.ReadAllText(
                }
            }
            """,
    }.RunAsync();
}
