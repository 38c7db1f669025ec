namespace AsyncPerf.Tests.Verifiers;

/// <summary>Third-party libraries a test's sources compile against, from their real packages (<c>test.Libraries = TestLibrary.EfCore | TestLibrary.Dapper</c>).</summary>
[Flags]
public enum TestLibrary
{
    None = 0,

    /// <summary>xunit: makes the compilation a test project.</summary>
    Xunit = 1,

    /// <summary>Microsoft.EntityFrameworkCore (+ Relational) 10.</summary>
    EfCore = 2,

    /// <summary>Microsoft.EntityFrameworkCore.Sqlite 10 (use with <see cref="EfCore"/>).</summary>
    EfCoreSqlite = 4,

    Dapper = 8,

    /// <summary>StackExchange.Redis.</summary>
    Redis = 16,

    /// <summary>MongoDB.Driver.</summary>
    Mongo = 32,

    /// <summary>Azure.Storage.Blobs.</summary>
    AzureBlobs = 64,

    /// <summary>Microsoft.Data.Sqlite (ADO.NET).</summary>
    Sqlite = 128,
}
