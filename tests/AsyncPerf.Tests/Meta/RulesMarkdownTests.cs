using Xunit;

namespace AsyncPerf.Tests.Meta;

/// <summary>The catalog, rules.md, the docs pages and the release-tracking file agree.</summary>
public class RulesMarkdownTests
{
    [Fact]
    public void RulesMarkdown_matches_the_descriptor_catalog()
    {
        var path = RepositoryFiles.PathOf("rules.md");
        var expected = RuleCatalog.RenderRulesMarkdown();
        if (Environment.GetEnvironmentVariable("ASYNCPERF_UPDATE_RULES") == "1")
        {
            File.WriteAllText(path, expected);
        }

        var actual = File.ReadAllText(path).Replace("\r\n", "\n");
        Assert.True(expected == actual, "rules.md has drifted from the descriptors; run the tests with ASYNCPERF_UPDATE_RULES=1 to regenerate it.\n--- expected ---\n" + expected);
    }

    [Theory]
    [InlineData("strict")]
    [InlineData("minimal")]
    [InlineData("none")]
    public void Preset_global_configs_match_the_catalog(string mode)
    {
        var path = RepositoryFiles.PathOf("src", "AsyncPerf.Package", "buildTransitive", "config", $"asyncperf.{mode}.globalconfig");
        var expected = RuleCatalog.RenderPreset(mode);
        if (Environment.GetEnvironmentVariable("ASYNCPERF_UPDATE_RULES") == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.True(File.Exists(path) && File.ReadAllText(path).Replace("\r\n", "\n") == expected, $"{path} has drifted from the catalog; run the tests with ASYNCPERF_UPDATE_RULES=1.\n{expected}");
    }

    [Theory]
    [InlineData("recommended")]
    [InlineData("strict")]
    [InlineData("minimal")]
    public void Sdk_overlap_configs_match_the_policies(string mode)
    {
        var path = RepositoryFiles.PathOf("src", "AsyncPerf.Package", "buildTransitive", "config", $"asyncperf.{mode}.sdk-overlap.globalconfig");
        var expected = RuleCatalog.RenderSdkOverlap(mode);
        if (Environment.GetEnvironmentVariable("ASYNCPERF_UPDATE_RULES") == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.True(File.Exists(path) && File.ReadAllText(path).Replace("\r\n", "\n") == expected, $"{path} has drifted from RulePolicies; run the tests with ASYNCPERF_UPDATE_RULES=1.\n{expected}");
    }

    [Fact]
    public void Every_rule_has_a_policy()
    {
        var missing = RuleCatalog.Descriptors.Select(d => d.Id).Except(AsyncPerf.RulePolicies.RuleIds).ToList();
        Assert.True(missing.Count == 0, "Rules without a RulePolicies entry (code kinds, presets): " + string.Join(", ", missing));
    }

    [Fact]
    public void Minimal_preset_keeps_only_Warning_rules()
    {
        foreach (var id in RuleCatalog.MinimalPresetIds)
        {
            var descriptor = RuleCatalog.Descriptors.Single(d => d.Id == id);
            Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning, descriptor.DefaultSeverity);
        }
    }

    [Fact]
    public void Every_descriptor_is_reported_by_an_analyzer()
    {
        var orphans = RuleCatalog.Descriptors.Select(d => d.Id).Where(id => !RuleCatalog.ReportedIds.Contains(id)).ToList();
        Assert.True(orphans.Count == 0, "Descriptors no analyzer reports: " + string.Join(", ", orphans));
    }

    [Fact]
    public void Every_descriptor_has_a_docs_page_titled_like_it()
    {
        foreach (var descriptor in RuleCatalog.Descriptors)
        {
            var page = RepositoryFiles.PathOf("docs", "rules", descriptor.Id + ".md");
            Assert.True(File.Exists(page), $"{descriptor.Id} has no docs page at docs/rules/{descriptor.Id}.md");
            var firstLine = File.ReadLines(page).First();
            Assert.Equal($"# {descriptor.Id}: {descriptor.Title}", firstLine);
            Assert.EndsWith($"docs/rules/{descriptor.Id}.md", descriptor.HelpLinkUri, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_docs_page_has_the_sections_of_a_rule_page()
    {
        string[] sections = ["## Why", "## Flagged", "## Not flagged", "## Options", "## Suppress"];
        foreach (var descriptor in RuleCatalog.Descriptors)
        {
            var text = File.ReadAllText(RepositoryFiles.PathOf("docs", "rules", descriptor.Id + ".md"));
            foreach (var section in sections)
            {
                Assert.True(text.Contains(section, StringComparison.Ordinal), $"docs/rules/{descriptor.Id}.md lacks a '{section}' section");
            }

            Assert.True(text.Contains(descriptor.DefaultSeverity.ToString(), StringComparison.Ordinal), $"docs/rules/{descriptor.Id}.md does not state its default severity");
        }
    }

    [Fact]
    public void Every_descriptor_has_a_release_tracking_entry_with_its_category_and_severity()
    {
        var releases = File.ReadAllText(RepositoryFiles.PathOf("src", "AsyncPerf.Analyzers", "AnalyzerReleases.Unshipped.md"))
            + File.ReadAllText(RepositoryFiles.PathOf("src", "AsyncPerf.Analyzers", "AnalyzerReleases.Shipped.md"));
        foreach (var descriptor in RuleCatalog.Descriptors)
        {
            Assert.Contains($"{descriptor.Id} | {descriptor.Category} | {descriptor.DefaultSeverity} |", releases, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_reported_rule_has_a_showcase_example()
    {
        var showcase = string.Concat(Directory.EnumerateFiles(RepositoryFiles.PathOf("tests", "Showcase"), "*.cs", SearchOption.AllDirectories).Select(File.ReadAllText));
        foreach (var id in RuleCatalog.ReportedIds)
        {
            Assert.True(showcase.Contains(id, StringComparison.Ordinal), $"tests/Showcase has no example marked {id}");
        }
    }

    [Fact]
    public void Every_fixer_has_a_FixAll_provider()
    {
        foreach (var fixer in RuleCatalog.CodeFixes)
        {
            Assert.True(fixer.GetFixAllProvider() is not null, fixer.GetType().Name + " has no FixAll provider");
        }
    }

    [Fact]
    public void Every_option_on_a_rule_page_is_in_the_configuration_table_and_back()
    {
        var pattern = new System.Text.RegularExpressions.Regex(@"asyncperf\.(AP\d{4})\.([a-z_]+)");
        var onPages = RuleCatalog.Descriptors
            .Select(d => RepositoryFiles.PathOf("docs", "rules", d.Id + ".md"))
            .Where(File.Exists)
            .SelectMany(page => pattern.Matches(File.ReadAllText(page)).Select(m => m.Value))
            .ToHashSet(StringComparer.Ordinal);
        var configuration = File.ReadAllText(RepositoryFiles.PathOf("docs", "configuration.md"));
        var inTable = pattern.Matches(configuration).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        var implementedIds = RuleCatalog.Descriptors.Select(d => d.Id).ToHashSet();

        var missingFromTable = onPages.Except(inTable).ToList();
        var missingFromPages = inTable.Where(key => implementedIds.Contains(key.Split('.')[1])).Except(onPages).ToList();
        var unknownRules = inTable.Where(key => !implementedIds.Contains(key.Split('.')[1])).ToList();
        Assert.True(missingFromTable.Count == 0, "Options on rule pages but not in docs/configuration.md: " + string.Join(", ", missingFromTable));
        Assert.True(missingFromPages.Count == 0, "Options in docs/configuration.md but not on their rule page: " + string.Join(", ", missingFromPages));
        Assert.True(unknownRules.Count == 0, "Options in docs/configuration.md for rules that do not exist: " + string.Join(", ", unknownRules));
    }
}
