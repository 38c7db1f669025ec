using Microsoft.CodeAnalysis;
using Xunit;
using Verify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Blocking.SyncOverAsyncAnalyzer, AsyncPerf.CodeFixes.Rules.Blocking.SyncOverAsyncCodeFix>;

namespace AsyncPerf.Tests.Configuration;

/// <summary>The suppression mechanisms and the AsyncPerfMode presets documented in docs/configuration.md work.</summary>
public class SuppressionAndPresetTests
{
    private const string Usings = "using System.Diagnostics.CodeAnalysis;\nusing System.Threading.Tasks;\n";

    private static string Preset(string mode) => File.ReadAllText(Meta.RepositoryFiles.PathOf("src", "AsyncPerf.Package", "buildTransitive", "config", $"asyncperf.{mode}.globalconfig"));

    [Fact]
    public Task Pragma_suppresses() => Verify.VerifyAnalyzerAsync(Usings + """
        class Jobs
        {
        #pragma warning disable AP2001 // legacy sync facade
            int Run(Task<int> t) => t.Result;
        #pragma warning restore AP2001
            int Other(Task<int> t) => {|AP2001:t.Result|};
        }
        """);

    [Fact]
    public Task SuppressMessage_attribute_suppresses() => Verify.VerifyAnalyzerAsync(Usings + """
        class Jobs
        {
            [SuppressMessage("AsyncPerf.Blocking", "AP2001:Sync-over-async", Justification = "Sync facade kept for v1 callers")]
            int Run(Task<int> t) => t.Result;
            int Other(Task<int> t) => {|AP2001:t.Result|};
        }
        """);

    [Fact]
    public Task GlobalSuppressions_file_suppresses()
    {
        var test = new Verify.Test();
        test.Sources.Add(Usings + """
            namespace Orders;
            class Jobs
            {
                int Run(Task<int> t) => t.Result;
                int Other(Task<int> t) => {|AP2001:t.Result|};
            }
            """);
        test.Sources.Add("""
            using System.Diagnostics.CodeAnalysis;
            [assembly: SuppressMessage("AsyncPerf.Blocking", "AP2001:Sync-over-async", Justification = "Legacy", Scope = "member", Target = "~M:Orders.Jobs.Run(System.Threading.Tasks.Task{System.Int32})~System.Int32")]
            """);
        return test.RunAsync();
    }

    [Fact]
    public Task Preset_None_turns_the_rules_off()
    {
        var test = new Verify.Test { TestCode = Usings + "class Jobs { int Run(Task<int> t) => t.Result; }" };
        test.GlobalConfigs.Add(Preset("none"));
        return test.RunAsync();
    }

    [Fact]
    public Task Preset_None_loses_to_the_users_editorconfig()
    {
        var test = new Verify.Test
        {
            TestCode = Usings + "class Jobs { int Run(Task<int> t) => {|AP2001:t.Result|}; }",
            EditorConfig = "dotnet_diagnostic.AP2001.severity = warning",
        };
        test.GlobalConfigs.Add(Preset("none"));
        return test.RunAsync();
    }

    [Fact]
    public Task Preset_Minimal_keeps_AP2001_as_a_warning()
    {
        var test = new Verify.Test { TestCode = Usings + "class Jobs { int Run(Task<int> t) => t.Result; }" };
        test.ExpectedDiagnostics.Add(Verify.Diagnostic("AP2001").WithSpan(3, 38, 3, 46).WithSeverity(DiagnosticSeverity.Warning));
        test.GlobalConfigs.Add(Preset("minimal"));
        return test.RunAsync();
    }

    [Fact]
    public Task Preset_Strict_reports_as_warning_and_category_editorconfig_wins()
    {
        var test = new Verify.Test
        {
            TestCode = Usings + "class Jobs { int Run(Task<int> t) => t.Result; }",
            EditorConfig = "dotnet_analyzer_diagnostic.category-AsyncPerf.Blocking.severity = error",
        };
        test.ExpectedDiagnostics.Add(Verify.Diagnostic("AP2001").WithSpan(3, 38, 3, 46).WithSeverity(DiagnosticSeverity.Error));
        test.GlobalConfigs.Add(Preset("strict"));
        return test.RunAsync();
    }
}
