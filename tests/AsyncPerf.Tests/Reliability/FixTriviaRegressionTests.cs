using Xunit;
using VerifyAP4003 = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Pooling.FileStreamWithoutAsyncModeAnalyzer, AsyncPerf.CodeFixes.Rules.Pooling.FileStreamWithoutAsyncModeCodeFix>;

namespace AsyncPerf.Tests.Reliability;

/// <summary>Regressions found by the reliability tests (FixAllScopeTests on the generated corpus).</summary>
public class FixTriviaRegressionTests
{
    private const string GlobalUsings = """
        global using System;
        global using System.IO;
        global using System.Threading.Tasks;

        """;

    // Found by FixAll_at_every_scope_equals_fixing_one_at_a_time: with the usings only global (ImplicitUsings), each
    // AP4003 fix inserted a blank line after a file's leading comment, so one-at-a-time and FixAll disagreed (the import
    // adder added a using the simplifier removed again; InitializerHelpers.CleanUpAsync now restores the header's trivia).
    [Fact]
    public Task AP4003_fix_leaves_the_file_header_alone_when_the_usings_are_global() => new VerifyAP4003.Test
    {
        Sources =
        {
            """
            // header comment
            namespace Archive;

            class Store
            {
                public async Task SaveAsync(string path, byte[] data)
                {
                    using var file = {|AP4003:File.Create(path)|};
                    await file.WriteAsync(data);
                }

                public async Task CopyAsync(string path, byte[] data)
                {
                    using var copy = {|AP4003:File.Create(path + ".bak")|};
                    await copy.WriteAsync(data);
                }
            }
            """,
            GlobalUsings,
        },
        FixedSources = new()
        {
            """
            // header comment
            namespace Archive;

            class Store
            {
                public async Task SaveAsync(string path, byte[] data)
                {
                    using var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.Asynchronous);
                    await file.WriteAsync(data);
                }

                public async Task CopyAsync(string path, byte[] data)
                {
                    using var copy = new FileStream(path + ".bak", FileMode.Create, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.Asynchronous);
                    await copy.WriteAsync(data);
                }
            }
            """,
            GlobalUsings,
        },
    }.RunAsync();
}
