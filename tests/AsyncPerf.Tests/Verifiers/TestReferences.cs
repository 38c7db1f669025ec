using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;

namespace AsyncPerf.Tests.Verifiers;

/// <summary>Reference-assembly sets, all offline.</summary>
public static class TestReferences
{
    private static readonly ConcurrentDictionary<string, IReadOnlyList<MetadataReference>> s_cache = new();

    /// <summary>.NET 10 plus ASP.NET Core, from the reference packs of the SDK that runs the tests (the default).</summary>
    public static IReadOnlyList<MetadataReference> Net10 => s_cache.GetOrAdd("net10", _ => FromRefPacks());

    /// <summary>netstandard2.0 (no Task.WaitAsync, no Parallel.ForEachAsync, no SocketsHttpHandler).</summary>
    public static IReadOnlyList<MetadataReference> NetStandard20 => s_cache.GetOrAdd("netstandard2.0", _ => Basic.Reference.Assemblies.NetStandard20.References.All.ToList());

    /// <summary>.NET 8.</summary>
    public static IReadOnlyList<MetadataReference> Net80 => s_cache.GetOrAdd("net8.0", _ => Basic.Reference.Assemblies.Net80.References.All.ToList());

    /// <summary>xunit's own assemblies, to make a compilation look like a test project.</summary>
    public static IReadOnlyList<MetadataReference> Xunit => s_cache.GetOrAdd("xunit", _ => new MetadataReference[]
    {
        MetadataReference.CreateFromFile(typeof(global::Xunit.FactAttribute).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(global::Xunit.Assert).Assembly.Location),
    });

    /// <summary>
    /// The real packages' assemblies for <paramref name="libraries"/>, from this test project's own output (it references them).
    /// Their dependencies that the .NET and ASP.NET Core reference packs already hold (Microsoft.Extensions.*) come from the packs.
    /// </summary>
    public static IEnumerable<MetadataReference> Libraries(TestLibrary libraries)
    {
        foreach (var (library, patterns) in s_libraryAssemblies)
        {
            if ((libraries & library) != 0)
            {
                foreach (var reference in s_cache.GetOrAdd("lib:" + library, _ => FromOutput(patterns)))
                {
                    yield return reference;
                }
            }
        }
    }

    private static readonly (TestLibrary Library, string[] Patterns)[] s_libraryAssemblies =
    [
        (TestLibrary.Xunit, ["xunit.core.dll", "xunit.assert.dll", "xunit.abstractions.dll"]),
        (TestLibrary.EfCore, ["Microsoft.EntityFrameworkCore.dll", "Microsoft.EntityFrameworkCore.Abstractions.dll", "Microsoft.EntityFrameworkCore.Relational.dll"]),
        (TestLibrary.EfCoreSqlite, ["Microsoft.EntityFrameworkCore.Sqlite.dll"]),
        (TestLibrary.Dapper, ["Dapper.dll"]),
        (TestLibrary.Redis, ["StackExchange.Redis.dll"]),
        (TestLibrary.Mongo, ["MongoDB.Driver.dll", "MongoDB.Bson.dll"]),
        (TestLibrary.AzureBlobs, ["Azure.Storage.Blobs.dll", "Azure.Storage.Common.dll", "Azure.Core.dll"]),
        (TestLibrary.Sqlite, ["Microsoft.Data.Sqlite.dll"]),
    ];

    private static IReadOnlyList<MetadataReference> FromOutput(string[] fileNames) =>
        fileNames.Select(name => Path.Combine(AppContext.BaseDirectory, name))
            .Select(path => File.Exists(path) ? MetadataReference.CreateFromFile(path) : throw new FileNotFoundException("A test library is not in the test output; add its package to AsyncPerf.Tests.csproj.", path))
            .ToList();

    private static IReadOnlyList<MetadataReference> FromRefPacks()
    {
        var runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var version = Path.GetFileName(runtimeDirectory);
        var dotnetRoot = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        var references = new List<MetadataReference>();
        foreach (var pack in new[] { "Microsoft.NETCore.App.Ref", "Microsoft.AspNetCore.App.Ref" })
        {
            var directory = FindRefDirectory(Path.Combine(dotnetRoot, "packs", pack), version);
            if (directory is null)
            {
                // No reference pack next to this runtime: fall back to the runtime's own assemblies.
                var shared = Path.Combine(dotnetRoot, "shared", pack.Replace(".Ref", string.Empty), version);
                directory = Directory.Exists(shared) ? shared : null;
            }

            if (directory is null)
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(directory, "*.dll"))
            {
                if (IsManagedAssembly(file))
                {
                    references.Add(MetadataReference.CreateFromFile(file));
                }
            }
        }

        return references;
    }

    private static string? FindRefDirectory(string packRoot, string runtimeVersion)
    {
        if (!Directory.Exists(packRoot))
        {
            return null;
        }

        var versionDirectory = Directory.Exists(Path.Combine(packRoot, runtimeVersion))
            ? Path.Combine(packRoot, runtimeVersion)
            : Directory.GetDirectories(packRoot).OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault();
        if (versionDirectory is null)
        {
            return null;
        }

        var refDirectory = Path.Combine(versionDirectory, "ref");
        return Directory.Exists(refDirectory) ? Directory.GetDirectories(refDirectory).OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault() : null;
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new System.Reflection.PortableExecutable.PEReader(stream);
            return reader.HasMetadata;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
