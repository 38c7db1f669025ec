using Microsoft.CodeAnalysis;
using Xunit;
using Verify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Pooling.FileStreamWithoutAsyncModeAnalyzer, AsyncPerf.CodeFixes.Rules.Pooling.FileStreamWithoutAsyncModeCodeFix>;

namespace AsyncPerf.Tests.Rules.Pooling;

public class FileStreamWithoutAsyncModeTests
{
    private const string Usings = """
        using System;
        using System.IO;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    // ---- Flags ----

    [Fact]
    public Task Flags_new_FileStream_read_with_ReadAsync() => Verify.VerifyAnalyzerAsync(Usings + """
        class InvoiceStore
        {
            async Task<int> ReadHeaderAsync(string path, byte[] buffer, CancellationToken ct)
            {
                using var file = {|AP4003:new FileStream(path, FileMode.Open, FileAccess.Read)|};
                return await file.ReadAsync(buffer, 0, buffer.Length, ct);
            }
        }
        """);

    [Fact]
    public Task Flags_with_a_message_that_names_the_stream_and_the_call() => Verify.VerifyAnalyzerAsync(Usings + """
        class InvoiceStore
        {
            async Task SaveAsync(string path, byte[] pdf)
            {
                await using var file = File.Create(path);
                await file.WriteAsync(pdf);
            }
        }
        """,
        Verify.Diagnostic("AP4003").WithSpan(9, 32, 9, 49)
            .WithMessage("'file' is opened without FileOptions.Asynchronous but used with 'WriteAsync': open it with FileOptions.Asynchronous"));

    [Fact]
    public Task Flags_File_OpenRead_OpenWrite_and_Open() => Verify.VerifyAnalyzerAsync(Usings + """
        class Backup
        {
            async Task CopyAsync(string from, string to, string log)
            {
                using var source = {|AP4003:File.OpenRead(from)|};
                using var target = {|AP4003:File.OpenWrite(to)|};
                using var journal = {|AP4003:File.Open(log, FileMode.Append)|};
                await source.CopyToAsync(target);
                await journal.FlushAsync();
            }
        }
        """);

    [Fact]
    public Task Flags_stream_that_is_the_destination_of_CopyToAsync() => Verify.VerifyAnalyzerAsync(Usings + """
        class Downloader
        {
            async Task SaveAsync(Stream body, string path)
            {
                using (var file = {|AP4003:new FileStream(path, FileMode.Create)|})
                {
                    await body.CopyToAsync(file);
                }
            }
        }
        """);

    [Fact]
    public Task Flags_useAsync_false_FileOptions_without_Asynchronous_and_FileStreamOptions_without_it() => Verify.VerifyAnalyzerAsync(Usings + """
        class Exporter
        {
            async Task ExportAsync(string a, string b, string c, ReadOnlyMemory<byte> data)
            {
                using var first = {|AP4003:new FileStream(a, FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: false)|};
                using var second = {|AP4003:new FileStream(b, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.SequentialScan)|};
                using var third = {|AP4003:new FileStream(c, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write })|};
                await first.WriteAsync(data);
                await second.WriteAsync(data);
                await third.WriteAsync(data);
            }
        }
        """);

    [Fact]
    public Task Flags_inside_an_async_lambda_and_top_level_statements() => new Verify.Test
    {
        OutputKind = OutputKind.ConsoleApplication,
        EditorConfig = "asyncperf.AP4003.include_tools = true", // entry points are tool code: quiet by default (CodeContextTests)
        TestCode = Usings + """
            using var input = {|AP4003:File.OpenRead(args[0])|};
            await input.CopyToAsync(Console.OpenStandardOutput());
            Func<string, Task> touch = async path =>
            {
                using var file = {|AP4003:File.Create(path)|};
                await file.FlushAsync();
            };
            """,
    }.RunAsync();

    // ---- Does not flag ----

    [Fact]
    public Task DoesNotFlag_when_the_stream_is_only_used_synchronously() => Verify.VerifyAnalyzerAsync(Usings + """
        class InvoiceStore
        {
            int ReadHeader(string path, byte[] buffer)
            {
                using var file = File.OpenRead(path);
                return file.Read(buffer, 0, buffer.Length);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_when_opened_with_FileOptions_Asynchronous() => Verify.VerifyAnalyzerAsync(Usings + """
        class InvoiceStore
        {
            async Task SaveAsync(string path, byte[] pdf)
            {
                using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous | FileOptions.WriteThrough);
                await file.WriteAsync(pdf);
                using var copy = File.Create(path + ".bak", 4096, FileOptions.Asynchronous);
                await copy.WriteAsync(pdf);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_when_opened_with_useAsync_true() => Verify.VerifyAnalyzerAsync(Usings + """
        class InvoiceStore
        {
            async Task SaveAsync(string path, byte[] pdf)
            {
                using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true);
                await file.WriteAsync(pdf);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_FileStreamOptions_with_Asynchronous() => Verify.VerifyAnalyzerAsync(Usings + """
        class InvoiceStore
        {
            async Task SaveAsync(string path, byte[] pdf)
            {
                using var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Options = FileOptions.Asynchronous });
                await file.WriteAsync(pdf);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_when_the_mode_is_not_a_constant() => Verify.VerifyAnalyzerAsync(Usings + """
        class InvoiceStore
        {
            async Task SaveAsync(string path, byte[] pdf, FileOptions options, FileStreamOptions streamOptions)
            {
                using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096, options);
                await file.WriteAsync(pdf);
                using var other = new FileStream(path, streamOptions);
                await other.WriteAsync(pdf);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_stream_opened_from_a_handle() => Verify.VerifyAnalyzerAsync(Usings + """
        using Microsoft.Win32.SafeHandles;
        class InvoiceStore
        {
            async Task SaveAsync(SafeFileHandle handle, byte[] pdf)
            {
                using var file = new FileStream(handle, FileAccess.Write);
                await file.WriteAsync(pdf);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_stream_that_is_not_held_in_a_local() => Verify.VerifyAnalyzerAsync(Usings + """
        class InvoiceStore
        {
            private FileStream? _log;
            async Task OpenAsync(string path, byte[] header)
            {
                _log = File.OpenWrite(path);
                await _log.WriteAsync(header);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_incomplete_code() => new Verify.Test
    {
        AllowCompilerErrors = true,
        TestCode = Usings + """
            class InvoiceStore
            {
                async Task SaveAsync(string path, byte[] pdf)
                {
                    using var file = new FileStream(path, FileMode.);
                    await file.WriteAsync(
                    using var other = File.OpenRead(UnknownPath);
                    await other.ReadAsync(pdf, 0,
                }
            }
            """,
    }.RunAsync();

    // ---- Fix ----

    [Fact]
    public Task Fix_adds_FileOptions_Asynchronous_and_the_defaults_of_the_short_constructor() => Verify.VerifyCodeFixAsync(Usings + """
        class Downloader
        {
            async Task SaveAsync(Stream body, string path, string log)
            {
                // the body is copied as it arrives
                using var file = {|AP4003:new FileStream(path, FileMode.Create)|};
                using var journal = {|AP4003:new FileStream(log, FileMode.Append)|};
                await body.CopyToAsync(file);
                await journal.FlushAsync();
            }
        }
        """, Usings + """
        class Downloader
        {
            async Task SaveAsync(Stream body, string path, string log)
            {
                // the body is copied as it arrives
                using var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 4096, FileOptions.Asynchronous);
                using var journal = new FileStream(log, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.Asynchronous);
                await body.CopyToAsync(file);
                await journal.FlushAsync();
            }
        }
        """);

    [Fact]
    public Task Fix_keeps_a_given_buffer_size() => Verify.VerifyCodeFixAsync(Usings + """
        class Downloader
        {
            async Task SaveAsync(Stream body, string path)
            {
                using var file = {|AP4003:new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 81920)|};
                await body.CopyToAsync(file);
            }
        }
        """, Usings + """
        class Downloader
        {
            async Task SaveAsync(Stream body, string path)
            {
                using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
                await body.CopyToAsync(file);
            }
        }
        """);

    [Fact]
    public Task Fix_rewrites_File_helpers_to_the_FileStream_constructor_with_their_defaults() => Verify.VerifyCodeFixAsync(Usings + """
        class Backup
        {
            async Task CopyAsync(string from, string to, string log, string temp)
            {
                using var source = {|AP4003:File.OpenRead(from)|};
                using var target = {|AP4003:File.OpenWrite(to)|};
                using var journal = {|AP4003:File.Open(log, FileMode.Append, FileAccess.Write)|};
                using var scratch = {|AP4003:File.Create(temp)|};
                await source.CopyToAsync(target);
                await journal.FlushAsync();
                await scratch.FlushAsync();
            }
        }
        """, Usings + """
        class Backup
        {
            async Task CopyAsync(string from, string to, string log, string temp)
            {
                using var source = new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.Asynchronous);
                using var target = new FileStream(to, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
                using var journal = new FileStream(log, FileMode.Append, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
                using var scratch = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.Asynchronous);
                await source.CopyToAsync(target);
                await journal.FlushAsync();
                await scratch.FlushAsync();
            }
        }
        """);

    [Fact]
    public Task Fix_adds_the_flag_to_existing_options_and_turns_useAsync_on() => Verify.VerifyCodeFixAsync(Usings + """
        class Exporter
        {
            async Task ExportAsync(string a, string b, string c, string d, ReadOnlyMemory<byte> data)
            {
                using var first = {|AP4003:new FileStream(a, FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: false)|};
                using var second = {|AP4003:new FileStream(b, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.SequentialScan)|};
                using var third = {|AP4003:File.Create(c, 4096, FileOptions.None)|};
                using var fourth = {|AP4003:File.Create(d, 4096, FileOptions.WriteThrough | FileOptions.SequentialScan)|};
                await first.WriteAsync(data);
                await second.WriteAsync(data);
                await third.WriteAsync(data);
                await fourth.WriteAsync(data);
            }
        }
        """, Usings + """
        class Exporter
        {
            async Task ExportAsync(string a, string b, string c, string d, ReadOnlyMemory<byte> data)
            {
                using var first = new FileStream(a, FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true);
                using var second = new FileStream(b, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.SequentialScan | FileOptions.Asynchronous);
                using var third = File.Create(c, 4096, FileOptions.Asynchronous);
                using var fourth = File.Create(d, 4096, (FileOptions.WriteThrough | FileOptions.SequentialScan) | FileOptions.Asynchronous);
                await first.WriteAsync(data);
                await second.WriteAsync(data);
                await third.WriteAsync(data);
                await fourth.WriteAsync(data);
            }
        }
        """);

    [Fact]
    public Task Fix_sets_Options_in_FileStreamOptions() => Verify.VerifyCodeFixAsync(Usings + """
        class Exporter
        {
            async Task ExportAsync(string a, string b, ReadOnlyMemory<byte> data)
            {
                using var first = {|AP4003:new FileStream(a, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write })|};
                using var second = {|AP4003:new FileStream(b, new FileStreamOptions
                {
                    Mode = FileMode.Create,
                    Access = FileAccess.Write,
                    Options = FileOptions.WriteThrough,
                })|};
                await first.WriteAsync(data);
                await second.WriteAsync(data);
            }
        }
        """, Usings + """
        class Exporter
        {
            async Task ExportAsync(string a, string b, ReadOnlyMemory<byte> data)
            {
                using var first = new FileStream(a, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Options = FileOptions.Asynchronous });
                using var second = new FileStream(b, new FileStreamOptions
                {
                    Mode = FileMode.Create,
                    Access = FileAccess.Write,
                    Options = FileOptions.WriteThrough | FileOptions.Asynchronous,
                });
                await first.WriteAsync(data);
                await second.WriteAsync(data);
            }
        }
        """);

    [Fact]
    public Task Fix_sets_Options_in_FileStreamOptions_passed_to_File_Open() => Verify.VerifyCodeFixAsync(Usings + """
        class Exporter
        {
            async Task ExportAsync(string path, ReadOnlyMemory<byte> data)
            {
                await using var file = {|AP4003:File.Open(path, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Options = FileOptions.None })|};
                await file.WriteAsync(data);
            }
        }
        """, Usings + """
        class Exporter
        {
            async Task ExportAsync(string path, ReadOnlyMemory<byte> data)
            {
                await using var file = File.Open(path, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Options = FileOptions.Asynchronous });
                await file.WriteAsync(data);
            }
        }
        """);

    [Fact]
    public Task Fix_adds_the_System_IO_using_when_missing() => Verify.VerifyCodeFixAsync("""
        using System.Threading.Tasks;

        class Uploader
        {
            async Task<byte[]> LoadAsync(string path)
            {
                var buffer = new byte[1024];
                using var file = {|AP4003:System.IO.File.OpenRead(path)|};
                await file.ReadAsync(buffer, 0, buffer.Length);
                return buffer;
            }
        }
        """, """
        using System.IO;
        using System.Threading.Tasks;

        class Uploader
        {
            async Task<byte[]> LoadAsync(string path)
            {
                var buffer = new byte[1024];
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.Asynchronous);
                await file.ReadAsync(buffer, 0, buffer.Length);
                return buffer;
            }
        }
        """);

    [Fact]
    public Task Fix_works_on_netstandard20() => new Verify.Test
    {
        References = Verifiers.TestReferences.NetStandard20,
        TestCode = Usings + """
            class Downloader
            {
                async Task SaveAsync(Stream body, string path)
                {
                    using (var file = {|AP4003:File.Create(path)|})
                    {
                        await body.CopyToAsync(file);
                    }
                }
            }
            """,
        FixedCode = Usings + """
            class Downloader
            {
                async Task SaveAsync(Stream body, string path)
                {
                    using (var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.Asynchronous))
                    {
                        await body.CopyToAsync(file);
                    }
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task NoFix_when_the_access_depends_on_a_mode_that_is_not_constant() => Verify.VerifyCodeFixAsync(Usings + """
        class Downloader
        {
            async Task SaveAsync(Stream body, string path, FileMode mode)
            {
                using var file = {|AP4003:new FileStream(path, mode)|};
                await body.CopyToAsync(file);
            }
        }
        """, Usings + """
        class Downloader
        {
            async Task SaveAsync(Stream body, string path, FileMode mode)
            {
                using var file = {|AP4003:new FileStream(path, mode)|};
                await body.CopyToAsync(file);
            }
        }
        """);

    [Fact]
    public Task NoFix_for_named_arguments_in_a_short_overload() => Verify.VerifyCodeFixAsync(Usings + """
        class Downloader
        {
            async Task SaveAsync(Stream body, string path)
            {
                using var file = {|AP4003:new FileStream(mode: FileMode.Create, path: path)|};
                await body.CopyToAsync(file);
            }
        }
        """, Usings + """
        class Downloader
        {
            async Task SaveAsync(Stream body, string path)
            {
                using var file = {|AP4003:new FileStream(mode: FileMode.Create, path: path)|};
                await body.CopyToAsync(file);
            }
        }
        """);

    // ---- FixAll ----

    [Fact]
    public Task FixAll_fixes_every_stream_in_the_document() => Verify.VerifyCodeFixAsync(Usings + """
        class Archive
        {
            async Task PackAsync(string[] inputs, string output)
            {
                using var target = {|AP4003:File.Create(output)|};
                foreach (var input in inputs)
                {
                    using var source = {|AP4003:File.OpenRead(input)|};
                    await source.CopyToAsync(target);
                }
            }

            async Task<int> PeekAsync(string path, byte[] buffer) { using var file = {|AP4003:File.OpenRead(path)|}; return await file.ReadAsync(buffer, 0, 4); }
        }
        """, Usings + """
        class Archive
        {
            async Task PackAsync(string[] inputs, string output)
            {
                using var target = new FileStream(output, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.Asynchronous);
                foreach (var input in inputs)
                {
                    using var source = new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.Asynchronous);
                    await source.CopyToAsync(target);
                }
            }

            async Task<int> PeekAsync(string path, byte[] buffer) { using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.Asynchronous); return await file.ReadAsync(buffer, 0, 4); }
        }
        """);
}
