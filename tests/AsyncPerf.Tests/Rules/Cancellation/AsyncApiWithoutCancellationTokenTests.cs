using AsyncPerf.Tests.Verifiers;
using Xunit;
using Verify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Cancellation.AsyncApiWithoutCancellationTokenAnalyzer, AsyncPerf.CodeFixes.Rules.Cancellation.AsyncApiWithoutCancellationTokenCodeFix>;
using VerifyAP3001 = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Cancellation.CancellationTokenNotForwardedAnalyzer, AsyncPerf.CodeFixes.Rules.Cancellation.CancellationTokenNotForwardedCodeFix>;

namespace AsyncPerf.Tests.Rules.Cancellation;

public class AsyncApiWithoutCancellationTokenTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    private const string Before = Usings + """
        public class PriceClient
        {
            private readonly HttpClient _http = new HttpClient();

            /// <summary>Gets the price.</summary>
            public async Task<string> {|AP3002:GetPriceAsync|}(string sku)
            {
                // the price list
                await Task.Delay(10);
                var items = new[] { sku };
                await Parallel.ForEachAsync(items, async (item, token) => await Task.Delay(1, token));
                return await _http.GetStringAsync("/prices/" + sku, CancellationToken.None);
            }
        }
        """;

    private const string After = Usings + """
        public class PriceClient
        {
            private readonly HttpClient _http = new HttpClient();

            /// <summary>Gets the price.</summary>
            public async Task<string> GetPriceAsync(string sku, CancellationToken cancellationToken = default)
            {
                // the price list
                await Task.Delay(10, cancellationToken);
                var items = new[] { sku };
                await Parallel.ForEachAsync(items, cancellationToken, async (item, token) => await Task.Delay(1, token));
                return await _http.GetStringAsync("/prices/" + sku, cancellationToken);
            }
        }
        """;

    // ---- Flags ----

    [Fact]
    public Task Flags_public_and_protected_methods() => Verify.VerifyAnalyzerAsync(Usings + """
        public class Worker
        {
            public Task [|RunAsync|]() => Task.Delay(10);

            protected async ValueTask [|StepAsync|](int n) => await Task.Delay(n);

            protected internal async Task<int> [|CountAsync|](Stream stream) => await stream.ReadAsync(new byte[4], 0, 4);

            internal Task InternalAsync() => Task.Delay(10);

            private Task PrivateAsync() => Task.Delay(10);

            public void Sync() => Task.Delay(10).Wait();
        }
        """);

    [Fact]
    public Task Flags_with_a_message_that_names_the_method() => Verify.VerifyAnalyzerAsync(Usings + """
        public class Worker
        {
            public Task RunAsync() => Task.Delay(10);
        }
        """,
        Verify.Diagnostic("AP3002").WithSpan(9, 17, 9, 25)
            .WithMessage("'RunAsync' calls cancellable operations but its callers cannot cancel it; add a CancellationToken parameter"));

    [Fact]
    public Task Flags_async_iterator_and_calls_in_lambdas_and_await_foreach() => Verify.VerifyAnalyzerAsync(Usings + """
        public class Feed
        {
            public async IAsyncEnumerable<int> [|ReadAsync|]()
            {
                await Task.Delay(1);
                yield return 1;
            }

            public Task [|LaterAsync|]() => Task.Run(() => { });

            public async Task [|DrainAsync|](IAsyncEnumerable<int> source)
            {
                await foreach (var item in source)
                {
                }
            }
        }
        """);

    // ---- Does not flag ----

    [Fact]
    public Task Does_not_flag_a_method_with_a_token_or_without_cancellable_calls() => Verify.VerifyAnalyzerAsync(Usings + """
        public class Worker
        {
            public Task RunAsync(CancellationToken ct) => Task.Delay(10, ct);
            public Task RunNullableAsync(CancellationToken? ct) => Task.Delay(10);
            public Task<int> NothingAsync() => Task.FromResult(1);
            public async Task YieldAsync(Task[] tasks) { await Task.WhenAll(tasks); await Task.Yield(); }
            public async Task StaticLambdaAsync() { Func<Task> f = static () => Task.Delay(1); await f(); }
        }
        """);

    [Fact]
    public Task Does_not_flag_overrides_and_interface_implementations() => Verify.VerifyAnalyzerAsync(Usings + """
        public interface IJob { Task RunAsync(); }
        public abstract class JobBase { public abstract Task StepAsync(); public virtual Task [|NextAsync|]() => Task.Delay(1); }

        public class Job : JobBase, IJob, IAsyncDisposable
        {
            public Task RunAsync() => Task.Delay(10);
            Task IJobExplicit.RunAsync() => Task.Delay(10);
            public override Task StepAsync() => Task.Delay(10);
            public override Task NextAsync() => Task.Delay(10);
            public async ValueTask DisposeAsync() => await Task.Delay(10);
        }

        public interface IJobExplicit { Task RunAsync(); }
        """.Replace("public class Job : JobBase, IJob,", "public class Job : JobBase, IJob, IJobExplicit,"));

    [Fact]
    public Task Does_not_flag_event_handlers_and_Main() => new Verify.Test
    {
        OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication,
        TestCode = Usings + """
            public class Program
            {
                public static async Task Main(string[] args) => await Task.Delay(10);

                public async Task OnClickedAsync(object sender, EventArgs e) => await Task.Delay(10);
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Does_not_flag_xunit_test_methods() => new Verify.Test
    {
        AdditionalReferences = { TestReferences.Xunit[0], TestReferences.Xunit[1] },
        TestCode = Usings + """
            using Xunit;

            public class PriceTests
            {
                [Fact]
                public async Task Fetches() => await Task.Delay(10);

                [Theory]
                [InlineData(1)]
                public async Task FetchesMany(int n) => await Task.Delay(n);
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Does_not_flag_NUnit_and_MSTest_test_methods() => Verify.VerifyAnalyzerAsync(Usings + """
        namespace NUnit.Framework
        {
            public sealed class TestAttribute : Attribute { }
            public sealed class TestCaseAttribute : Attribute { public TestCaseAttribute(params object[] args) { } }
        }

        namespace Microsoft.VisualStudio.TestTools.UnitTesting
        {
            public class TestMethodAttribute : Attribute { }
            public sealed class DataTestMethodAttribute : TestMethodAttribute { }
        }

        public class NUnitTests
        {
            [NUnit.Framework.Test]
            public async Task Fetches() => await Task.Delay(10);

            [NUnit.Framework.TestCase(1)]
            public async Task FetchesMany(int n) => await Task.Delay(n);
        }

        public class MSTests
        {
            [Microsoft.VisualStudio.TestTools.UnitTesting.TestMethod]
            public async Task Fetches() => await Task.Delay(10);

            [Microsoft.VisualStudio.TestTools.UnitTesting.DataTestMethod]
            public async Task FetchesMany() => await Task.Delay(1);
        }
        """);

    [Fact]
    public Task Does_not_flag_public_methods_of_types_not_visible_outside_the_assembly() => Verify.VerifyAnalyzerAsync(Usings + """
        internal static class RetrySnippets
        {
            public static async Task Usage() => await Task.Delay(10);

            public class NestedExample
            {
                public async Task RunAsync() => await Task.Delay(10);
            }
        }

        static class ResponseExtensions
        {
            public static async Task<string> ReadBodyAsync(this Stream stream) => await new StreamReader(stream).ReadToEndAsync();
        }

        public class CatalogClient
        {
            public async Task [|RefreshAsync|]() => await Task.Delay(10);

            private class Cache
            {
                public async Task LoadAsync() => await Task.Delay(10);
            }

            protected internal class Page
            {
                public async Task [|NextAsync|]() => await Task.Delay(10);
            }
        }
        """);

    [Fact]
    public Task Does_not_flag_test_methods_whose_framework_does_not_resolve() => new Verify.Test
    {
        AllowCompilerErrors = true,
        TestCode = Usings + """
            public class OrderEndpointTests
            {
                [Fact]
                public async Task Lists_orders() => await Task.Delay(10);

                [Test, TestCase(3)]
                public async Task Pages_orders(int page) => await Task.Delay(page);

                [TestMethodAttribute]
                public async Task Cancels_an_order() => await Task.Delay(10);

                [OneTimeSetUp]
                public async Task StartServerAsync() => await Task.Delay(10);

                [Retry(3)]
                public async Task [|WarmUpAsync|]() => await Task.Delay(10);
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Does_not_flag_benchmark_methods_whose_package_does_not_resolve() => new Verify.Test
    {
        AllowCompilerErrors = true,
        TestCode = Usings + """
            public class RetryPipelineBenchmark
            {
                private readonly HttpClient _http = new HttpClient();

                [GlobalSetup]
                public async Task SetupAsync() => await Task.Delay(10);

                [Benchmark(Baseline = true)]
                public Task<string> FetchWithRetry() => _http.GetStringAsync("/health");

                [BenchmarkAttribute]
                public Task<string> FetchWithoutRetry() => _http.GetStringAsync("/health");

                [IterationSetup, IterationCleanup]
                public async Task ResetAsync() => await Task.Delay(1);

                [GlobalCleanupAttribute]
                public async Task CleanupAsync() => await Task.Delay(10);

                public Task<string> [|FetchOnceAsync|]() => _http.GetStringAsync("/health");
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Flags_a_method_whose_resolved_Test_attribute_is_not_a_test_framework_s() => Verify.VerifyAnalyzerAsync(Usings + """
        namespace Shop.Diagnostics
        {
            public sealed class TestAttribute : Attribute { }
        }

        public class SelfCheck
        {
            [Shop.Diagnostics.Test]
            public async Task [|PingAsync|]() => await Task.Delay(10);
        }
        """);

    [Fact]
    public Task Does_not_flag_public_helpers_of_a_test_project() => new Verify.Test
    {
        AdditionalReferences = { TestReferences.Xunit[0], TestReferences.Xunit[1] },
        TestCode = Usings + """
            public static class DatabaseFixtureHelpers
            {
                public static async Task<string> ReadAllAsync(Stream stream)
                {
                    using var reader = new StreamReader(stream);
                    return await reader.ReadToEndAsync();
                }

                public static async Task WaitForServerAsync(HttpClient http) => await http.GetStringAsync("/health");
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Does_not_flag_public_helpers_of_a_benchmark_project() => Verify.VerifyAnalyzerAsync(Usings + """
        namespace BenchmarkDotNet.Attributes
        {
            public sealed class BenchmarkAttribute : Attribute { }
        }

        public static class BenchmarkHelpers
        {
            public static async ValueTask RunPipelineAsync(HttpClient http) => await http.GetStringAsync("/health");
        }
        """);

    [Fact]
    public Task Does_not_flag_excluded_methods() => new Verify.Test
    {
        EditorConfig = "asyncperf.AP3002.excluded_methods = Worker.RunAsync, Legacy*, Other.Ns.Tool.GoAsync",
        TestCode = Usings + """
            public class Worker
            {
                public Task RunAsync() => Task.Delay(10);
                public Task LegacyFetchAsync() => Task.Delay(10);
                public Task [|StepAsync|]() => Task.Delay(10);
            }

            namespace Other.Ns
            {
                public class Tool
                {
                    public Task GoAsync() => Task.Delay(10);
                    public Task [|RunAsync|]() => Task.Delay(10);
                    public Task [|StopAsync|]() => Task.Delay(10);
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Does_not_flag_when_RequestAborted_is_in_scope() => Verify.VerifyAnalyzerAsync(Usings + """
        using Microsoft.AspNetCore.Http;

        public class Endpoint
        {
            public async Task HandleAsync(HttpContext context) => await Task.Delay(10);
        }
        """);

    [Fact]
    public Task Does_not_flag_controller_actions_where_RequestAborted_is_in_scope() => Verify.VerifyAnalyzerAsync(Usings + """
        using Microsoft.AspNetCore.Mvc;

        public class OrdersController : ControllerBase
        {
            [HttpGet]
            public async Task<IActionResult> Get()
            {
                await Task.Delay(10);
                return Ok();
            }
        }
        """);

    [Fact]
    public Task Does_not_flag_when_the_only_calls_are_in_catch_OperationCanceledException() => Verify.VerifyAnalyzerAsync(Usings + """
        public class Worker
        {
            public async Task RunAsync(Task work)
            {
                try
                {
                    await work;
                }
                catch (OperationCanceledException)
                {
                    await Task.Delay(10);
                }
            }
        }
        """);

    [Fact]
    public Task AP3001_does_not_report_the_same_calls_before_the_fix() => VerifyAP3001.VerifyAnalyzerAsync(Before.Replace("{|AP3002:GetPriceAsync|}", "GetPriceAsync"));

    [Fact]
    public Task AP3001_reports_nothing_after_the_fix() => VerifyAP3001.VerifyAnalyzerAsync(After);

    // ---- Fix ----

    [Fact]
    public Task Fix_adds_the_parameter_and_passes_it_to_every_cancellable_call() => Verify.VerifyCodeFixAsync(Before, After);

    [Fact]
    public Task Fix_adds_the_parameter_before_params_and_uses_named_arguments() => Verify.VerifyCodeFixAsync(Usings + """
        public class Store
        {
            Task SaveAsync(string name, bool overwrite = false, CancellationToken cancellationToken = default) => Task.CompletedTask;

            public async Task [|SaveAllAsync|](bool overwrite, params string[] names)
            {
                foreach (var name in names)
                {
                    await SaveAsync(name: name, overwrite: overwrite);
                }
            }
        }
        """, Usings + """
        public class Store
        {
            Task SaveAsync(string name, bool overwrite = false, CancellationToken cancellationToken = default) => Task.CompletedTask;

            public async Task SaveAllAsync(bool overwrite, CancellationToken cancellationToken = default, params string[] names)
            {
                foreach (var name in names)
                {
                    await SaveAsync(name: name, overwrite: overwrite, cancellationToken: cancellationToken);
                }
            }
        }
        """);

    [Fact]
    public Task Fix_adds_EnumeratorCancellation_on_an_async_iterator_and_WithCancellation() => Verify.VerifyCodeFixAsync(Usings + """
        public class Feed
        {
            public async IAsyncEnumerable<int> [|ReadAsync|](IAsyncEnumerable<int> source)
            {
                await foreach (var item in source)
                {
                    await Task.Delay(1);
                    yield return item;
                }
            }
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Net.Http;
        using System.Runtime.CompilerServices;
        using System.Threading;
        using System.Threading.Tasks;
        public class Feed
        {
            public async IAsyncEnumerable<int> ReadAsync(IAsyncEnumerable<int> source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
            {
                await foreach (var item in source.WithCancellation(cancellationToken))
                {
                    await Task.Delay(1, cancellationToken);
                    yield return item;
                }
            }
        }
        """);

    [Fact]
    public Task Fix_picks_another_name_when_cancellationToken_is_taken_and_adds_the_using() => Verify.VerifyCodeFixAsync("""
        public class Worker
        {
            private readonly object cancellationToken = new object();

            public System.Threading.Tasks.Task [|RunAsync|]() => System.Threading.Tasks.Task.Delay(cancellationToken.GetHashCode());
        }
        """, """
        using System.Threading;

        public class Worker
        {
            private readonly object cancellationToken = new object();

            public System.Threading.Tasks.Task RunAsync(CancellationToken cancellationToken2 = default) => System.Threading.Tasks.Task.Delay(cancellationToken.GetHashCode(), cancellationToken2);
        }
        """);

    [Fact]
    public Task FixAll_fixes_several_methods_in_one_document() => Verify.VerifyCodeFixAsync(Usings + """
        public class Worker
        {
            public Task [|FirstAsync|]() => Task.Delay(1);

            public async Task [|SecondAsync|](Stream stream)
            {
                await stream.FlushAsync();
                await Task.Run(async () => await stream.FlushAsync());
            }
        }
        """, Usings + """
        public class Worker
        {
            public Task FirstAsync(CancellationToken cancellationToken = default) => Task.Delay(1, cancellationToken);

            public async Task SecondAsync(Stream stream, CancellationToken cancellationToken = default)
            {
                await stream.FlushAsync(cancellationToken);
                await Task.Run(async () => await stream.FlushAsync(cancellationToken), cancellationToken);
            }
        }
        """);

    // ---- Robustness ----

    [Fact]
    public Task Does_not_throw_on_incomplete_code() => new Verify.Test
    {
        AllowCompilerErrors = true,
        TestCode = Usings + """
            public class Broken
            {
                public async Task RunAsync(
                {
                    await Task.Delay(;
                }

                public async Task<Unknown> OtherAsync() => await Unknown.CallAsync();

                public async Task ThirdAsync(int x) { await foreach (var y in ) { } }
            }
            """,
    }.RunAsync();
}
