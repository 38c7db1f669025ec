using AsyncPerf.Benchmarks.Cost;
using AsyncPerf.Benchmarks.Fix;

namespace AsyncPerf.Benchmarks;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var command = args.Length == 0 ? "help" : args[0];
        var rest = args.Skip(1).ToArray();
        switch (command)
        {
            case "cost":
                return await CostRunner.RunAsync(rest).ConfigureAwait(false);
            case "scenarios":
                return await Scenarios.RunAsync(rest).ConfigureAwait(false);
            case "bdn":
                return MicroBenchmarks.Run(rest);
            case "serve":
                return await LoopbackServer.ServeAsync(rest).ConfigureAwait(false);
            case "async-void-child":
                return await Scenarios.AsyncVoidChildAsync(rest).ConfigureAwait(false);
            default:
                Console.WriteLine("""
                    AsyncPerf benchmarks (never run in CI). Commands:
                      cost       [--lines 100000] [--warmup 2] [--runs 5] [--ours path/AsyncPerf.Analyzers.dll] [--all-peers] [--out file.md]
                      scenarios  [ap1001 ap2001 ap4001 ap5002 ap5003 ap5004 ap1003 ap3003 ap4003 (default) | ap1002 ap1004 ap3001 ap3004 ap4002] [--reps 3] [--seconds 5] [--out file.md]
                      bdn        [BenchmarkDotNet arguments, e.g. --filter *LinearLookup*]
                      serve      (internal: the loopback server child process)
                      async-void-child before|after  (internal: the AP1002 scenario's child process)
                    See docs/performance.md.
                    """);
                return string.Equals(command, "help", StringComparison.Ordinal) ? 0 : 2;
        }
    }
}
