using System.Reflection;
using System.Text;
using AsyncPerf.CodeFixes.Rules.Blocking;
using AsyncPerf.Rules.Blocking;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPerf.Tests.Meta;

/// <summary>Everything the package ships, found by reflection: analyzers, fixers, descriptors.</summary>
internal static class RuleCatalog
{
    public static IReadOnlyList<DiagnosticAnalyzer> Analyzers { get; } =
        typeof(SyncOverAsyncAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToList();

    public static IReadOnlyList<CodeFixProvider> CodeFixes { get; } =
        typeof(SyncOverAsyncCodeFix).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t) && t.GetCustomAttribute<ExportCodeFixProviderAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
            .ToList();

    /// <summary>Every descriptor in the catalog class (Descriptors), whether or not an analyzer reports it yet.</summary>
    public static IReadOnlyList<DiagnosticDescriptor> Descriptors { get; } =
        typeof(SyncOverAsyncAnalyzer).Assembly.GetType("AsyncPerf.Descriptors")!
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .OrderBy(d => d.Id, StringComparer.Ordinal)
            .ToList();

    public static IReadOnlySet<string> FixableIds { get; } = CodeFixes.SelectMany(f => f.FixableDiagnosticIds).ToHashSet(StringComparer.Ordinal);

    public static IReadOnlySet<string> ReportedIds { get; } = Analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);

    /// <summary>rules.md as the catalog says it must read.</summary>
    public static string RenderRulesMarkdown()
    {
        var builder = new StringBuilder();
        builder.Append("# AsyncPerf rules\n\n");
        builder.Append("Generated from the descriptor catalog by `RulesMarkdownTests` (run the tests with `ASYNCPERF_UPDATE_RULES=1` to rewrite it).\n");
        builder.Append("Severity is the default; change it per rule or per category in `.editorconfig` (see [docs/configuration.md](docs/configuration.md)).\n\n");
        builder.Append("| ID | Title | Category | Default severity | Code fix | Docs |\n");
        builder.Append("|----|-------|----------|------------------|----------|------|\n");
        foreach (var descriptor in Descriptors)
        {
            builder.Append($"| {descriptor.Id} | {descriptor.Title} | {descriptor.Category} | {descriptor.DefaultSeverity} | {(FixableIds.Contains(descriptor.Id) ? "yes" : "no")} | [{descriptor.Id}](docs/rules/{descriptor.Id}.md) |\n");
        }

        return builder.ToString();
    }
}
