using System.Diagnostics;
using System.Globalization;

namespace AsyncPerf.Benchmarks.Fix;

/// <summary>What one run of one variant measured.</summary>
internal sealed class Sample
{
    public double WallMs { get; set; }

    public long AllocatedBytes { get; set; }

    public long PeakHeapBytes { get; set; }

    public long ThreadPoolWorkItems { get; set; }

    public Dictionary<string, double> Extra { get; } = new(StringComparer.Ordinal);

    internal Stopwatch Clock { get; } = new();

    internal long Allocated0 { get; private set; }

    internal long Items0 { get; private set; }

    /// <summary>Starts (or restarts) the measurement: call after per-run setup such as starting a server.</summary>
    public void StartClock()
    {
        Items0 = ThreadPool.CompletedWorkItemCount;
        Allocated0 = GC.GetTotalAllocatedBytes(precise: true);
        Clock.Restart();
    }
}

/// <summary>
/// Runs an async action and measures wall time, bytes allocated by this process (GC.GetTotalAllocatedBytes(precise)),
/// the peak managed heap above the starting point (sampled every millisecond on a dedicated thread) and the thread-pool
/// work items completed.
/// </summary>
internal static class Measure
{
    public static async Task<Sample> RunAsync(Func<Sample, Task> action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var sample = new Sample();
        var baseline = GC.GetTotalMemory(false);
        long peak = baseline;
        using var stop = new ManualResetEventSlim();
        var sampler = new Thread(() =>
        {
            while (!stop.Wait(1))
            {
                var now = GC.GetTotalMemory(false);
                if (now > Volatile.Read(ref peak))
                {
                    Volatile.Write(ref peak, now);
                }
            }
        })
        { IsBackground = true, Name = "peak heap sampler" };
        sampler.Start();
        sample.StartClock();
        await action(sample).ConfigureAwait(false);
        sample.WallMs = sample.Clock.Elapsed.TotalMilliseconds;
        sample.AllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - sample.Allocated0;
        sample.ThreadPoolWorkItems = ThreadPool.CompletedWorkItemCount - sample.Items0;
        var last = GC.GetTotalMemory(false);
        stop.Set();
        sampler.Join();
        sample.PeakHeapBytes = Math.Max(Volatile.Read(ref peak), last) - baseline;
        return sample;
    }

    public static string Mb(double bytes) => Math.Abs(bytes) < 1024 * 1024
        ? (bytes / 1024).ToString("F1", CultureInfo.InvariantCulture) + " KB"
        : (bytes / (1024 * 1024)).ToString("F1", CultureInfo.InvariantCulture) + " MB";

    public static string Ms(double ms) => ms.ToString(ms < 10 ? "F2" : "F0", CultureInfo.InvariantCulture) + " ms";

    public static double Median(IEnumerable<double> values) => Cost.CostRunner.Median(values.ToList());
}
