namespace AsyncPerf.Rules.Blocking;

/// <summary>One curated sync → async pair: <c>Type.Method</c> blocks, <c>Type.AsyncMethod</c> (or <c>AsyncType.AsyncMethod</c>) awaits.</summary>
/// <param name="TypeName">Metadata name of the type that declares the blocking method (derived types match too).</param>
/// <param name="Method">The blocking method.</param>
/// <param name="AsyncMethod">The awaitable equivalent, with the same parameters (a trailing CancellationToken may be added).</param>
/// <param name="InMemoryReceiverIsSafe">The call does not block when the receiver (or the stream argument) is in memory.</param>
/// <param name="AsyncTypeName">When the async form lives on another type (Thread.Sleep → Task.Delay).</param>
internal sealed record BlockingPair(string TypeName, string Method, string AsyncMethod, bool InMemoryReceiverIsSafe = false, string? AsyncTypeName = null);

/// <summary>
/// The curated table of AP2002. Deliberately not "any method with an Async twin": name matching is what makes
/// VSTHRD103 and CA1849 noisy (NUnit Assert.That → ThatAsync, EF AddRange → AddRangeAsync).
/// docs/rules/AP2002.md lists the same table; users extend it with asyncperf.AP2002.extra_pairs.
/// </summary>
internal static class BlockingCallTable
{
    public static readonly ImmutableArray<BlockingPair> BuiltIn = ImmutableArray.Create(
        new BlockingPair("System.Threading.Thread", "Sleep", "Delay", AsyncTypeName: "System.Threading.Tasks.Task"),

        new BlockingPair("System.IO.File", "ReadAllText", "ReadAllTextAsync"),
        new BlockingPair("System.IO.File", "ReadAllBytes", "ReadAllBytesAsync"),
        new BlockingPair("System.IO.File", "ReadAllLines", "ReadAllLinesAsync"),
        new BlockingPair("System.IO.File", "WriteAllText", "WriteAllTextAsync"),
        new BlockingPair("System.IO.File", "WriteAllBytes", "WriteAllBytesAsync"),
        new BlockingPair("System.IO.File", "WriteAllLines", "WriteAllLinesAsync"),
        new BlockingPair("System.IO.File", "AppendAllText", "AppendAllTextAsync"),
        new BlockingPair("System.IO.File", "AppendAllLines", "AppendAllLinesAsync"),

        new BlockingPair("System.IO.Stream", "Read", "ReadAsync", InMemoryReceiverIsSafe: true),
        new BlockingPair("System.IO.Stream", "Write", "WriteAsync", InMemoryReceiverIsSafe: true),
        new BlockingPair("System.IO.Stream", "Flush", "FlushAsync", InMemoryReceiverIsSafe: true),
        new BlockingPair("System.IO.Stream", "CopyTo", "CopyToAsync", InMemoryReceiverIsSafe: true),
        new BlockingPair("System.IO.TextReader", "ReadToEnd", "ReadToEndAsync", InMemoryReceiverIsSafe: true),
        new BlockingPair("System.IO.TextReader", "ReadLine", "ReadLineAsync", InMemoryReceiverIsSafe: true),
        new BlockingPair("System.IO.TextWriter", "Write", "WriteAsync", InMemoryReceiverIsSafe: true),
        new BlockingPair("System.IO.TextWriter", "WriteLine", "WriteLineAsync", InMemoryReceiverIsSafe: true),
        new BlockingPair("System.IO.TextWriter", "Flush", "FlushAsync", InMemoryReceiverIsSafe: true),

        new BlockingPair("System.Data.Common.DbConnection", "Open", "OpenAsync"),
        new BlockingPair("System.Data.Common.DbCommand", "ExecuteReader", "ExecuteReaderAsync"),
        new BlockingPair("System.Data.Common.DbCommand", "ExecuteNonQuery", "ExecuteNonQueryAsync"),
        new BlockingPair("System.Data.Common.DbCommand", "ExecuteScalar", "ExecuteScalarAsync"),
        new BlockingPair("System.Data.Common.DbDataReader", "Read", "ReadAsync"),
        new BlockingPair("System.Data.Common.DbDataReader", "NextResult", "NextResultAsync"),
        new BlockingPair("System.Data.Common.DbTransaction", "Commit", "CommitAsync"),
        new BlockingPair("System.Data.Common.DbTransaction", "Rollback", "RollbackAsync"),

        new BlockingPair("System.Threading.SemaphoreSlim", "Wait", "WaitAsync"),
        new BlockingPair("System.Net.Http.HttpClient", "Send", "SendAsync"),
        new BlockingPair("System.Net.Http.HttpContent", "ReadAsStream", "ReadAsStreamAsync"),
        new BlockingPair("System.Diagnostics.Process", "WaitForExit", "WaitForExitAsync"),
        new BlockingPair("System.Text.Json.JsonSerializer", "Serialize", "SerializeAsync", InMemoryReceiverIsSafe: true),
        new BlockingPair("System.Text.Json.JsonSerializer", "Deserialize", "DeserializeAsync", InMemoryReceiverIsSafe: true));

    /// <summary>
    /// Parses <c>asyncperf.AP2002.extra_pairs = Namespace.Type.Method->MethodAsync; ...</c>.
    /// Malformed entries are ignored.
    /// </summary>
    public static ImmutableArray<BlockingPair> ParseExtraPairs(ImmutableArray<string> entries)
    {
        var builder = ImmutableArray.CreateBuilder<BlockingPair>();
        foreach (var entry in entries)
        {
            var arrow = entry.IndexOf("->", StringComparison.Ordinal);
            if (arrow <= 0)
            {
                continue;
            }

            var source = entry.Substring(0, arrow).Trim();
            var asyncMethod = entry.Substring(arrow + 2).Trim();
            var dot = source.LastIndexOf('.');
            if (dot <= 0 || dot == source.Length - 1 || asyncMethod.Length == 0 || asyncMethod.IndexOf('.') >= 0)
            {
                continue;
            }

            builder.Add(new BlockingPair(source.Substring(0, dot), source.Substring(dot + 1), asyncMethod));
        }

        return builder.ToImmutable();
    }
}
