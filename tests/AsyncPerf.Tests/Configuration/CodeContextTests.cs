using AsyncPerf.Infrastructure;
using AsyncPerf.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Xunit;
using BlockingVerify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Blocking.BlockingCallInAsyncCodeAnalyzer, AsyncPerf.CodeFixes.Rules.Blocking.BlockingCallInAsyncCodeCodeFix>;
using SyncOverAsyncVerify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Blocking.SyncOverAsyncAnalyzer, AsyncPerf.CodeFixes.Rules.Blocking.SyncOverAsyncCodeFix>;
using AsyncVoidVerify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Concurrency.AsyncVoidDelegateAnalyzer, AsyncPerf.CodeFixes.Rules.Concurrency.AsyncVoidDelegateCodeFix>;

namespace AsyncPerf.Tests.Configuration;

/// <summary>
/// The context model (Infrastructure/CodeContext.cs): what kind of code a file or member is, decided from the build,
/// refined per file and per member; and the per-rule gate (CodeScope) with its include_* options. AP2002 stands for the
/// throughput rules (production code only by default), AP1002 for the correctness rules (everywhere), AP2001 for a
/// correctness rule that leaves entry points out.
/// </summary>
public class CodeContextTests
{
    /// <summary>A blocking file read inside an async method: AP2002 in production code.</summary>
    private const string BlockingInAsync = """
        using System.IO;
        using System.Threading.Tasks;

        public class ReportStore
        {
            public async Task<int> LoadAsync(string path)
            {
                await Task.Yield();
                return {|AP2002:File.ReadAllText(path)|}.Length;
            }
        }
        """;

    private static string Unmarked(string source) => source.Replace("{|AP2002:", string.Empty).Replace("|}", string.Empty);

    private static Task BlockingAsync(string source, Action<BlockingVerify.Test> configure)
    {
        var test = new BlockingVerify.Test { TestCode = source };
        configure(test);
        return test.RunAsync();
    }

    // ---- Project kind: from the build ----

    [Fact]
    public Task Production_code_is_reported() => BlockingAsync(BlockingInAsync, _ => { });

    [Fact]
    public Task DoesNotFlag_when_the_build_says_IsTestProject() => BlockingAsync(Unmarked(BlockingInAsync), t =>
        t.GlobalConfigs.Add("is_global = true\nbuild_property.IsTestProject = true\n"));

    [Fact]
    public Task Flags_when_IsTestProject_is_false() => BlockingAsync(BlockingInAsync, t =>
        t.GlobalConfigs.Add("is_global = true\nbuild_property.IsTestProject = false\n"));

    [Fact]
    public Task DoesNotFlag_in_a_project_that_references_a_test_framework() => BlockingAsync(Unmarked(BlockingInAsync), t =>
        t.Libraries = TestLibrary.Xunit);

    [Theory]
    [InlineData("Orders.Tests")]
    [InlineData("Orders.UnitTests")]
    [InlineData("Orders.Api.IntegrationTests")]
    [InlineData("Orders.Benchmarks")]
    [InlineData("Orders.TestUtilities")]
    public Task DoesNotFlag_in_an_assembly_named_like_a_test_project(string assemblyName) => BlockingAsync(Unmarked(BlockingInAsync), t =>
        t.AssemblyName = assemblyName);

    [Theory]
    [InlineData("Orders.Contest")]
    [InlineData("Orders.Latest")]
    [InlineData("Testimonials.Api")]
    [InlineData("Orders.TestData.Api")]
    public Task Flags_in_an_assembly_whose_name_only_contains_test(string assemblyName) => BlockingAsync(BlockingInAsync, t =>
        t.AssemblyName = assemblyName);

    [Theory]
    [InlineData("Orders.Samples")]
    [InlineData("Orders.Sample.Web")]
    [InlineData("Polly.Snippets")]
    [InlineData("Payments.Examples")]
    [InlineData("Chat_Demo")]
    public Task DoesNotFlag_in_a_sample_assembly(string assemblyName) => BlockingAsync(Unmarked(BlockingInAsync), t =>
        t.AssemblyName = assemblyName);

    [Fact]
    public Task Flags_in_a_sample_when_include_samples_is_true() => BlockingAsync(BlockingInAsync, t =>
    {
        t.AssemblyName = "Orders.Samples";
        t.EditorConfig = "asyncperf.AP2002.include_samples = true";
    });

    [Fact]
    public Task DoesNotFlag_in_a_project_that_declares_itself_a_tool() => BlockingAsync(Unmarked(BlockingInAsync), t =>
        t.GlobalConfigs.Add("is_global = true\nbuild_property.AsyncPerfCodeKind = Tool\n"));

    [Fact]
    public Task Flags_in_a_tool_when_include_tools_is_true() => BlockingAsync(BlockingInAsync, t =>
    {
        t.GlobalConfigs.Add("is_global = true\nbuild_property.AsyncPerfCodeKind = tool\n");
        t.EditorConfig = "asyncperf.AP2002.include_tools = true";
    });

    [Fact]
    public Task Flags_in_a_test_project_when_include_tests_is_true() => BlockingAsync(BlockingInAsync, t =>
    {
        t.Libraries = TestLibrary.Xunit;
        t.EditorConfig = "asyncperf.AP2002.include_tests = true";
    });

    // ---- Per file: .editorconfig ----

    [Fact]
    public Task DoesNotFlag_a_file_marked_as_test_code_in_a_production_project() => BlockingAsync(Unmarked(BlockingInAsync), t =>
        t.EditorConfig = "asyncperf.code_kind = test");

    [Fact]
    public Task Flags_a_file_marked_as_production_code_in_a_test_project() => BlockingAsync(BlockingInAsync, t =>
    {
        t.Libraries = TestLibrary.Xunit;
        t.EditorConfig = "asyncperf.code_kind = production";
    });

    [Fact]
    public Task An_unknown_code_kind_is_ignored() => BlockingAsync(BlockingInAsync, t =>
        t.EditorConfig = "asyncperf.code_kind = backend");

    [Fact]
    public Task The_file_setting_wins_over_the_project_setting() => BlockingAsync(BlockingInAsync, t =>
    {
        t.GlobalConfigs.Add("is_global = true\nbuild_property.AsyncPerfCodeKind = sample\n");
        t.EditorConfig = "asyncperf.code_kind = production";
    });

    [Fact]
    public async Task Only_the_marked_file_is_quiet()
    {
        var test = new BlockingVerify.Test
        {
            EditorConfig = "[Test1.cs]\nasyncperf.code_kind = test\n",
        };
        test.Sources.Add(BlockingInAsync);
        test.Sources.Add(Unmarked(BlockingInAsync).Replace("class ReportStore", "class ArchiveStore"));
        await test.RunAsync();
    }

    // ---- Per member: entry points and test methods ----

    [Fact]
    public Task DoesNotFlag_in_top_level_statements() => BlockingAsync("""
        using System.IO;

        var text = File.ReadAllText("orders.csv");
        await System.Threading.Tasks.Task.Delay(1);
        System.Console.WriteLine(text.Length);
        """, t => t.OutputKind = OutputKind.ConsoleApplication);

    [Fact]
    public Task Flags_in_a_lambda_of_top_level_statements_that_runs_per_request() => BlockingAsync("""
        using System;
        using System.IO;
        using System.Threading.Tasks;

        Func<string, Task<int>> handler = async path =>
        {
            await Task.Yield();
            return {|AP2002:File.ReadAllText(path)|}.Length;
        };
        Console.WriteLine(await handler("orders.csv"));
        """, t => t.OutputKind = OutputKind.ConsoleApplication);

    [Fact]
    public Task Flags_in_a_local_function_of_top_level_statements() => BlockingAsync("""
        using System;
        using System.IO;
        using System.Threading.Tasks;

        Console.WriteLine(await CountAsync("orders.csv"));

        async Task<int> CountAsync(string path)
        {
            await Task.Yield();
            return {|AP2002:File.ReadAllText(path)|}.Length;
        }
        """, t => t.OutputKind = OutputKind.ConsoleApplication);

    [Fact]
    public Task DoesNotFlag_in_Main_of_an_executable() => BlockingAsync("""
        using System.IO;
        using System.Threading.Tasks;

        public static class Program
        {
            public static async Task Main(string[] args)
            {
                await Task.Yield();
                System.Console.WriteLine(File.ReadAllText(args[0]).Length);
            }
        }
        """, t => t.OutputKind = OutputKind.ConsoleApplication);

    [Fact]
    public Task Flags_a_method_named_Main_in_a_library() => BlockingAsync("""
        using System.IO;
        using System.Threading.Tasks;

        public static class Importer
        {
            public static async Task Main(string path)
            {
                await Task.Yield();
                System.Console.WriteLine({|AP2002:File.ReadAllText(path)|}.Length);
            }
        }
        """, _ => { });

    [Fact]
    public Task Flags_in_Main_when_include_tools_is_true() => BlockingAsync("""
        using System.IO;
        using System.Threading.Tasks;

        public static class Program
        {
            public static async Task Main(string[] args)
            {
                await Task.Yield();
                System.Console.WriteLine({|AP2002:File.ReadAllText(args[0])|}.Length);
            }
        }
        """, t =>
    {
        t.OutputKind = OutputKind.ConsoleApplication;
        t.EditorConfig = "asyncperf.AP2002.include_tools = true";
    });

    [Fact]
    public Task DoesNotFlag_a_test_method_whose_framework_does_not_resolve() => BlockingAsync("""
        using System.IO;
        using System.Threading.Tasks;

        public class ReportTests
        {
            [Fact]
            public async Task Loads_the_report()
            {
                await Task.Yield();
                System.Console.WriteLine(File.ReadAllText("report.csv").Length);
            }
        }
        """, t => t.AllowCompilerErrors = true);

    [Fact]
    public Task Flags_a_method_with_the_programs_own_Test_attribute() => BlockingAsync("""
        using System;
        using System.IO;
        using System.Threading.Tasks;

        [AttributeUsage(AttributeTargets.Method)]
        public sealed class TestAttribute : Attribute { }

        public class Diagnostics
        {
            [Test]
            public async Task<int> SelfCheckAsync()
            {
                await Task.Yield();
                return {|AP2002:File.ReadAllText("health.txt")|}.Length;
            }
        }
        """, _ => { });

    // ---- Correctness rules report everywhere ----

    [Fact]
    public Task A_correctness_rule_reports_in_a_test_project() => new AsyncVoidVerify.Test
    {
        TestCode = """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            public class OrderTests
            {
                public void Sends_all(List<int> ids)
                {
                    ids.ForEach({|AP1002:async id =>|} await Task.Delay(id));
                }
            }
            """,
        Libraries = TestLibrary.Xunit,
    }.RunAsync();

    [Fact]
    public Task A_correctness_rule_can_be_turned_off_in_tests() => new AsyncVoidVerify.Test
    {
        TestCode = """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            public class OrderTests
            {
                public void Sends_all(List<int> ids)
                {
                    ids.ForEach(async id => await Task.Delay(id));
                }
            }
            """,
        Libraries = TestLibrary.Xunit,
        EditorConfig = "asyncperf.AP1002.include_tests = false",
    }.RunAsync();

    [Fact]
    public Task AP2001_reports_in_a_test_project() => new SyncOverAsyncVerify.Test
    {
        TestCode = """
            using System.Threading.Tasks;

            public class OrderTests
            {
                public int Loads(Task<int> pending) => {|AP2001:pending.Result|};
            }
            """,
        Libraries = TestLibrary.Xunit,
    }.RunAsync();

    [Fact]
    public Task AP2001_does_not_report_in_Main() => new SyncOverAsyncVerify.Test
    {
        TestCode = """
            using System.Threading.Tasks;

            public static class Program
            {
                public static void Main() => System.Console.WriteLine(LoadAsync().GetAwaiter().GetResult());

                private static Task<int> LoadAsync() => Task.Run(() => 42);
            }
            """,
        OutputKind = OutputKind.ConsoleApplication,
    }.RunAsync();

    // ---- The model itself ----

    [Theory]
    [InlineData("production", "Production")]
    [InlineData(" Test ", "Test")]
    [InlineData("TOOL", "Tool")]
    [InlineData("sample", "Sample")]
    [InlineData("tests", "None")]
    [InlineData("", "None")]
    [InlineData(null, "None")]
    public void Parses_kind_names(string? text, string expected) => Assert.Equal(expected, CodeContext.Parse(text).ToString());

    [Fact]
    public void Every_throughput_rule_is_production_only_and_every_correctness_rule_reports_in_tests()
    {
        foreach (var id in RulePolicies.RuleIds)
        {
            var kinds = RulePolicies.DefaultCodeKinds(id);
            Assert.True((kinds & CodeKinds.Production) != 0, id + " must report in production code");
        }

        foreach (var id in new[] { "AP1002", "AP1004", "AP2001" })
        {
            Assert.True((RulePolicies.DefaultCodeKinds(id) & CodeKinds.Test) != 0, id + " is about correctness: it keeps running in tests");
        }

        foreach (var id in new[] { "AP1001", "AP1003", "AP2002", "AP3001", "AP3002", "AP3003", "AP3004", "AP4001", "AP4002", "AP4003", "AP5001", "AP5002", "AP5003", "AP5004" })
        {
            Assert.True((RulePolicies.DefaultCodeKinds(id) & (CodeKinds.Test | CodeKinds.Sample)) == 0, id + " is about throughput: quiet in tests and samples by default");
        }
    }
}

/// <summary>The <see cref="TestLibrary"/> references compile code that uses each library (the real packages).</summary>
public class TestLibraryReferencesTests
{
    [Fact]
    public Task Every_library_compiles() => new BlockingVerify.Test
    {
        TestCode = """
            using System.Data.Common;
            using System.Threading.Tasks;
            using Azure.Storage.Blobs;
            using Dapper;
            using Microsoft.Data.Sqlite;
            using Microsoft.EntityFrameworkCore;
            using MongoDB.Driver;
            using StackExchange.Redis;

            public sealed class Order { public int Id { get; set; } }

            public sealed class ShopContext : DbContext
            {
                public DbSet<Order> Orders => Set<Order>();
                protected override void OnConfiguring(DbContextOptionsBuilder options) => options.UseSqlite("Data Source=shop.db");
            }

            public sealed class Stores
            {
                public async Task<int> CountAsync(ShopContext db, DbConnection connection, IDatabase redis, IMongoCollection<Order> orders, BlobContainerClient blobs)
                {
                    var inDb = await db.Orders.CountAsync();
                    var viaDapper = await connection.ExecuteScalarAsync<int>("select count(*) from Orders");
                    var cached = (int)await redis.StringGetAsync("orders:count");
                    var inMongo = (int)await orders.CountDocumentsAsync(FilterDefinition<Order>.Empty);
                    var exists = await blobs.ExistsAsync();
                    await using var sqlite = new SqliteConnection("Data Source=:memory:");
                    return inDb + viaDapper + cached + inMongo + (exists.Value ? 1 : 0);
                }
            }
            """,
        Libraries = TestLibrary.EfCore | TestLibrary.EfCoreSqlite | TestLibrary.Dapper | TestLibrary.Redis | TestLibrary.Mongo | TestLibrary.AzureBlobs | TestLibrary.Sqlite,
    }.RunAsync();
}
