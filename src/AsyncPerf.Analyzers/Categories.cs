namespace AsyncPerf;

/// <summary>Categories users bulk-configure: dotnet_analyzer_diagnostic.category-AsyncPerf.Blocking.severity = error.</summary>
internal static class Categories
{
    public const string Concurrency = "AsyncPerf.Concurrency";
    public const string Blocking = "AsyncPerf.Blocking";
    public const string Cancellation = "AsyncPerf.Cancellation";
    public const string Pooling = "AsyncPerf.Pooling";
    public const string Memory = "AsyncPerf.Memory";
}
