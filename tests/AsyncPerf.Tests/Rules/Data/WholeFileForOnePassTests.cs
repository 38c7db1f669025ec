using AsyncPerf.Tests.Verifiers;
using Xunit;
using Verify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Data.WholeFileForOnePassAnalyzer, AsyncPerf.CodeFixes.Rules.Data.WholeFileForOnePassCodeFix>;

namespace AsyncPerf.Tests.Rules.Data;

public class WholeFileForOnePassTests
{
    private const string Usings = """
        using System;
        using System.IO;
        using System.Text;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    // ---- Flags ----

    [Fact]
    public Task Flags_foreach_over_ReadAllLines_with_a_message() => Verify.VerifyAnalyzerAsync(Usings + """
        class Importer
        {
            int Count(string path)
            {
                var n = 0;
                foreach (var line in File.ReadAllLines(path))
                {
                    if (line.Length > 0) n++;
                }
                return n;
            }
        }
        """,
        Verify.Diagnostic("AP5004").WithSpan(11, 30, 11, 53)
            .WithMessage("'File.ReadAllLines' loads the whole file to iterate it once; stream the lines with 'File.ReadLines'"));

    [Fact]
    public Task Flags_await_ReadAllLinesAsync_and_a_local_used_only_by_the_loop() => Verify.VerifyAnalyzerAsync(Usings + """
        class Importer
        {
            async Task<int> CountAsync(string path, string other, CancellationToken ct)
            {
                var n = 0;
                foreach (var line in {|AP5004:await File.ReadAllLinesAsync(path, ct)|})
                {
                    n += line.Length;
                }
                var lines = {|AP5004:File.ReadAllLines(other, Encoding.UTF8)|};
                foreach (string line in lines)
                {
                    n++;
                }
                return n;
            }
        }
        """);

    [Fact]
    public Task Flags_only_the_sync_form_on_netstandard20() => new Verify.Test
    {
        References = TestReferences.NetStandard20,
        TestCode = Usings + """
            class Importer
            {
                int Count(string path)
                {
                    var n = 0;
                    foreach (var line in {|AP5004:File.ReadAllLines(path)|}) n += line.Length;
                    return n;
                }
            }
            """,
    }.RunAsync();

    // ---- Does not flag ----

    [Fact]
    public Task DoesNotFlag_when_the_array_is_indexed_counted_or_iterated_twice() => Verify.VerifyAnalyzerAsync(Usings + """
        class Importer
        {
            int Run(string a, string b, string c)
            {
                var n = 0;
                var first = File.ReadAllLines(a);
                foreach (var line in first) n++;
                n += first.Length;

                var second = File.ReadAllLines(b);
                foreach (var line in second) n++;
                foreach (var line in second) n--;

                var third = File.ReadAllLines(c);
                n += third[0].Length;
                return n;
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_other_reads_and_loops() => Verify.VerifyAnalyzerAsync(Usings + """
        using System.Linq;

        class Importer
        {
            async Task<int> RunAsync(string path)
            {
                var n = 0;
                foreach (var line in File.ReadLines(path)) n++;
                await foreach (var line in File.ReadLinesAsync(path)) n++;
                n += File.ReadAllLines(path).Count(l => l.Length > 0);
                foreach (var ch in File.ReadAllText(path)) n++;
                foreach (var b in File.ReadAllBytes(path)) n++;
                return n;
            }
        }
        """);

    // ---- Fix ----

    [Fact]
    public Task Fix_streams_the_lines_and_keeps_comments() => Verify.VerifyCodeFixAsync(Usings + """
        class Importer
        {
            int Count(string path)
            {
                var n = 0;
                // one pass
                foreach (var line in {|AP5004:File.ReadAllLines(path /* csv */)|}) // rows
                {
                    n++;
                }
                return n;
            }
        }
        """, Usings + """
        class Importer
        {
            int Count(string path)
            {
                var n = 0;
                // one pass
                foreach (var line in File.ReadLines(path /* csv */)) // rows
                {
                    n++;
                }
                return n;
            }
        }
        """);

    [Fact]
    public Task FixAll_async_direct_and_through_locals() => Verify.VerifyCodeFixAsync(Usings + """
        class Importer
        {
            async Task<int> CountAsync(string a, string b, string c, CancellationToken ct)
            {
                var n = 0;
                foreach (var line in {|AP5004:await File.ReadAllLinesAsync(a, ct)|})
                {
                    n += line.Length;
                }
                string[] rows = {|AP5004:File.ReadAllLines(b, Encoding.UTF8)|};
                foreach (var row in rows) n++;
                var entries = {|AP5004:await File.ReadAllLinesAsync(c, Encoding.UTF8, ct)|};
                foreach (var entry in entries) n++;
                return n;
            }
        }
        """, Usings + """
        class Importer
        {
            async Task<int> CountAsync(string a, string b, string c, CancellationToken ct)
            {
                var n = 0;
                await foreach (var line in File.ReadLinesAsync(a, ct))
                {
                    n += line.Length;
                }
                var rows = File.ReadLines(b, Encoding.UTF8);
                foreach (var row in rows) n++;
                var entries = File.ReadLinesAsync(c, Encoding.UTF8, ct);
                await foreach (var entry in entries) n++;
                return n;
            }
        }
        """);

    [Fact]
    public Task NoFix_when_the_loop_touches_the_same_path_the_local_is_declared_earlier_or_ConfigureAwait_is_used() => Verify.VerifyCodeFixAsync(Usings + """
        class Importer
        {
            async Task RewriteAsync(string path, string other)
            {
                foreach (var line in {|AP5004:File.ReadAllLines(path)|})
                {
                    File.AppendAllText(path, line);
                }
                var lines = {|AP5004:File.ReadAllLines(other)|};
                File.Delete(other);
                foreach (var line in lines) Console.WriteLine(line);
                foreach (var line in {|AP5004:await File.ReadAllLinesAsync(other).ConfigureAwait(false)|}) Console.WriteLine(line);
            }
        }
        """, Usings + """
        class Importer
        {
            async Task RewriteAsync(string path, string other)
            {
                foreach (var line in {|AP5004:File.ReadAllLines(path)|})
                {
                    File.AppendAllText(path, line);
                }
                var lines = {|AP5004:File.ReadAllLines(other)|};
                File.Delete(other);
                foreach (var line in lines) Console.WriteLine(line);
                foreach (var line in {|AP5004:await File.ReadAllLinesAsync(other).ConfigureAwait(false)|}) Console.WriteLine(line);
            }
        }
        """);

    [Fact]
    public Task Fix_with_using_static_File() => Verify.VerifyCodeFixAsync("""
        using static System.IO.File;

        class Importer
        {
            int Count(string path)
            {
                var n = 0;
                foreach (var line in {|AP5004:ReadAllLines(path)|}) n += line.Length;
                return n;
            }
        }
        """, """
        using static System.IO.File;

        class Importer
        {
            int Count(string path)
            {
                var n = 0;
                foreach (var line in ReadLines(path)) n += line.Length;
                return n;
            }
        }
        """);

    [Fact]
    public Task DoesNotThrow_on_incomplete_code() => new Verify.Test
    {
        AllowCompilerErrors = true,
        TestCode = Usings + """
            class Broken
            {
                async Task Run(string path)
                {
                    foreach (var line in File.ReadAllLines()) { }
                    foreach (var line in await File.ReadAllLinesAsync(path, )) { }
                    var lines = File.ReadAllLines(
                    foreach (var line in lines
                }
            }
            """,
    }.RunAsync();
}
