using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPerf.Benchmarks.Cost;

/// <summary>A named set of analyzers: ours or one peer package.</summary>
internal sealed record AnalyzerPackage(string Name, IReadOnlyList<DiagnosticAnalyzer> Analyzers, IReadOnlyList<string> Notes);

/// <summary>
/// Finds the C# analyzers in our assembly (by reflection: rules are added all the time) and in the peers' NuGet
/// package folders. Each folder gets its own AssemblyLoadContext; Microsoft.CodeAnalysis* and the framework always
/// come from the host, as in the compiler.
/// </summary>
internal static class AnalyzerLoader
{
    /// <summary>
    /// Our analyzers: from the project reference, or from one or more AsyncPerf.Analyzers.dll builds (e.g. one per
    /// rule branch). With several builds, the first analyzer found for a rule ID wins, so the same rule is never measured twice.
    /// </summary>
    public static AnalyzerPackage Ours(IReadOnlyList<string> dllPaths)
    {
        var notes = new List<string>();
        if (dllPaths.Count == 0)
        {
            var assembly = typeof(AsyncPerf.DiagnosticIds).Assembly;
            notes.Add($"AsyncPerf.Analyzers from the project reference ({assembly.Location})");
            return new AnalyzerPackage("AsyncPerf", Instantiate(new[] { assembly }, notes), notes);
        }

        var covered = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<DiagnosticAnalyzer>();
        foreach (var dllPath in dllPaths)
        {
            var full = Path.GetFullPath(dllPath);
            var assembly = new FolderLoadContext(Path.GetDirectoryName(full)!).LoadFromAssemblyPath(full);
            var taken = new List<string>();
            foreach (var analyzer in Instantiate(new[] { assembly }, notes))
            {
                var ids = analyzer.SupportedDiagnostics.Select(d => d.Id).Distinct(StringComparer.Ordinal).ToList();
                if (ids.All(covered.Contains))
                {
                    continue;
                }

                covered.UnionWith(ids);
                result.Add(analyzer);
                taken.AddRange(ids);
            }

            notes.Add($"{full}: {string.Join(",", taken)}");
        }

        return new AnalyzerPackage("AsyncPerf", result.OrderBy(a => a.GetType().FullName, StringComparer.Ordinal).ToList(), notes);
    }

    /// <summary>The peer packages referenced by the project (their paths are baked in at build time).</summary>
    public static IEnumerable<(string Name, string Folder)> PeerPackageFolders()
    {
        foreach (var attribute in typeof(AnalyzerLoader).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>())
        {
            if (attribute.Key.StartsWith("Peer:", StringComparison.Ordinal) && !string.IsNullOrEmpty(attribute.Value))
            {
                yield return (attribute.Key.Substring("Peer:".Length), attribute.Value);
            }
        }
    }

    public static AnalyzerPackage Peer(string name, string packageFolder)
    {
        var notes = new List<string>();
        var folder = AnalyzerFolder(packageFolder);
        notes.Add($"{name}: {folder}");
        var context = new FolderLoadContext(folder);
        var assemblies = new List<Assembly>();
        foreach (var dll in Directory.EnumerateFiles(folder, "*.dll").Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(dll).Contains("CodeFix", StringComparison.OrdinalIgnoreCase))
            {
                continue; // fixers need Workspaces; only analyzers are measured
            }

            try
            {
                assemblies.Add(context.LoadFromAssemblyPath(dll));
            }
            catch (Exception ex) when (ex is BadImageFormatException or FileLoadException)
            {
                notes.Add($"LOAD FAILURE {Path.GetFileName(dll)}: {ex.Message}");
            }
        }

        return new AnalyzerPackage(name, Instantiate(assemblies, notes), notes);
    }

    /// <summary>
    /// The analyzers/dotnet/cs folder, or analyzers/cs, or, for packages with roslynX.Y folders, the highest one not
    /// newer than the host Roslyn (what the SDK picks).
    /// </summary>
    private static string AnalyzerFolder(string packageFolder)
    {
        var host = typeof(Compilation).Assembly.GetName().Version!;
        foreach (var root in new[] { Path.Combine(packageFolder, "analyzers", "dotnet"), Path.Combine(packageFolder, "analyzers") })
        {
            if (!Directory.Exists(root))
            {
                continue;
            }

            var roslyn = Directory.EnumerateDirectories(root, "roslyn*")
                .Select(d => (Dir: d, Version: Version.TryParse(Path.GetFileName(d).Substring("roslyn".Length), out var v) ? v : null))
                .Where(x => x.Version is not null && x.Version <= new Version(host.Major, host.Minor))
                .OrderByDescending(x => x.Version)
                .Select(x => x.Dir)
                .FirstOrDefault();
            var baseDir = roslyn ?? root;
            var cs = Path.Combine(baseDir, "cs");
            if (Directory.Exists(cs) && Directory.EnumerateFiles(cs, "*.dll").Any())
            {
                return cs;
            }

            if (Directory.EnumerateFiles(baseDir, "*.dll").Any())
            {
                return baseDir;
            }
        }

        throw new DirectoryNotFoundException($"No analyzer folder in {packageFolder}");
    }

    private static List<DiagnosticAnalyzer> Instantiate(IEnumerable<Assembly> assemblies, List<string> notes)
    {
        var result = new List<DiagnosticAnalyzer>();
        foreach (var assembly in assemblies)
        {
            Type?[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException ex)
            {
                types = ex.Types;
                notes.Add($"{assembly.GetName().Name}: some types did not load ({ex.LoaderExceptions.FirstOrDefault()?.Message})");
            }

            foreach (var type in types)
            {
                if (type is null || type.IsAbstract || !typeof(DiagnosticAnalyzer).IsAssignableFrom(type))
                {
                    continue;
                }

                var attribute = type.GetCustomAttribute<DiagnosticAnalyzerAttribute>();
                if (attribute is null || !attribute.Languages.Contains(LanguageNames.CSharp))
                {
                    continue;
                }

                try
                {
                    result.Add((DiagnosticAnalyzer)Activator.CreateInstance(type, nonPublic: true)!);
                }
                catch (Exception ex)
                {
                    notes.Add($"cannot create {type.FullName}: {ex.GetBaseException().Message}");
                }
            }
        }

        return result.OrderBy(a => a.GetType().FullName, StringComparer.Ordinal).ToList();
    }

    private sealed class FolderLoadContext : AssemblyLoadContext
    {
        private readonly string _folder;

        public FolderLoadContext(string folder)
            : base("analyzers:" + folder, isCollectible: false) => _folder = folder;

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            var name = assemblyName.Name ?? "";
            if (name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) || name.StartsWith("System.", StringComparison.Ordinal)
                || name is "System" or "mscorlib" or "netstandard")
            {
                return null; // the host's
            }

            var path = Path.Combine(_folder, name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
