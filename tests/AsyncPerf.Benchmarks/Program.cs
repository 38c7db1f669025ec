using AsyncPerf.Benchmarks.Cost;

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
            default:
                Console.WriteLine("""
                    AsyncPerf benchmarks (never run in CI). Commands:
                      cost       [--lines 100000] [--warmup 2] [--runs 5] [--ours path/AsyncPerf.Analyzers.dll] [--all-peers] [--out file.md]
                    See docs/performance.md.
                    """);
                return command == "help" ? 0 : 2;
        }
    }
}
