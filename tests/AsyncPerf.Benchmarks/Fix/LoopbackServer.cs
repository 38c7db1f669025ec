using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AsyncPerf.Benchmarks.Fix;

/// <summary>
/// A Kestrel server on 127.0.0.1 in a child process (so its allocations and thread pool do not mix with the
/// measured client). It counts concurrent connections, exits when its parent exits or after a maximum lifetime,
/// and is killed (by its process id) when disposed.
/// </summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly Process _process;

    private LoopbackServer(Process process, int port)
    {
        _process = process;
        Port = port;
        Client = new HttpClient { BaseAddress = BaseAddress };
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary>A client for control requests (stats); never the measured one.</summary>
    private HttpClient Client { get; }

    public static LoopbackServer Start()
    {
        var info = ChildProcess("serve");
        info.RedirectStandardOutput = true;
        info.ArgumentList.Add("--parent");
        info.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start the loopback server");
        while (true)
        {
            var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the loopback server exited");
            if (line.StartsWith("PORT ", StringComparison.Ordinal))
            {
                return new LoopbackServer(process, int.Parse(line.AsSpan(5), CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>
    /// This program as a child process: the app host runs it directly, <c>dotnet</c> needs the assembly first. (The
    /// app host's name has no extension on Linux, so the name is compared whole: "AsyncPerf.Benchmarks" would lose
    /// ".Benchmarks" as an extension.)
    /// </summary>
    internal static ProcessStartInfo ChildProcess(params string[] args)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(host) { UseShellExecute = false };
        var name = Path.GetFileName(host);
        if (!name.Equals("AsyncPerf.Benchmarks", StringComparison.Ordinal) && !name.Equals("AsyncPerf.Benchmarks.exe", StringComparison.OrdinalIgnoreCase))
        {
            info.ArgumentList.Add(typeof(LoopbackServer).Assembly.Location);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    public async Task<ServerStats> StatsAsync()
    {
        var json = await Client.GetStringAsync("stats").ConfigureAwait(false);
        return JsonSerializer.Deserialize<ServerStats>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    public Task ResetAsync() => Client.GetStringAsync("reset");

    public void Dispose()
    {
        Client.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    // ---------------------------------------------------------------- the server side ("serve" command)

    private static int s_current;
    private static int s_peak;
    private static long s_total;
    private static byte[]? s_json;

    public static async Task<int> ServeAsync(string[] args)
    {
        var parent = 0;
        var lifetimeSeconds = 1800;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--parent": parent = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--lifetime": lifetimeSeconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
            }
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxConcurrentConnections = null;
            kestrel.Limits.MaxResponseBufferSize = null;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(next => async connection =>
            {
                var now = Interlocked.Increment(ref s_current);
                Interlocked.Increment(ref s_total);
                int peak;
                while (now > (peak = Volatile.Read(ref s_peak)) && Interlocked.CompareExchange(ref s_peak, now, peak) != peak)
                {
                }

                try
                {
                    await next(connection).ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Decrement(ref s_current);
                }
            }));
        });
        var app = builder.Build();
        MapRoutes(app);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Urls.First();
        Console.WriteLine("PORT " + new Uri(address).Port.ToString(CultureInfo.InvariantCulture));
        Console.Out.Flush();

        // Stop by ourselves: when the parent is gone, or after the maximum lifetime.
        var deadline = DateTime.UtcNow.AddSeconds(lifetimeSeconds);
        while (DateTime.UtcNow < deadline && (parent == 0 || IsAlive(parent)))
        {
            await Task.Delay(1000).ConfigureAwait(false);
        }

        await app.StopAsync().ConfigureAwait(false);
        return 0;
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static int Query(HttpContext context, string name, int fallback) =>
        int.TryParse(context.Request.Query[name], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private static void MapRoutes(WebApplication app)
    {
        app.MapGet("/stats", () => Results.Json(new ServerStats(Volatile.Read(ref s_current), Volatile.Read(ref s_peak), Interlocked.Read(ref s_total))));
        app.MapGet("/reset", () =>
        {
            Volatile.Write(ref s_peak, Volatile.Read(ref s_current));
            Interlocked.Exchange(ref s_total, 0);
            return "ok";
        });
        app.MapGet("/tiny", () => "ok");

        // The id of the connection the request came on (AP4002: how long the client keeps one connection).
        app.MapGet("/conn", (HttpContext context) => context.Connection.Id);

        // The handler waits ms milliseconds: the fixed form awaits, the others block a thread-pool thread.
        app.MapGet("/async", async (HttpContext context) =>
        {
            await Task.Delay(Query(context, "ms", 20)).ConfigureAwait(false);
            return "ok";
        });
        app.MapGet("/block-result", (HttpContext context) =>
        {
            Task.Delay(Query(context, "ms", 20)).Wait(); // AP2001 on purpose
            return "ok";
        });
        app.MapGet("/block-sleep", (HttpContext context) =>
        {
            Thread.Sleep(Query(context, "ms", 20)); // AP2002 on purpose (in a sync handler the server calls from the pool)
            return "ok";
        });

        // A large body: mb megabytes of bytes, written in 64 KB chunks with a Content-Length.
        app.MapGet("/bytes", async (HttpContext context) =>
        {
            long length = Query(context, "mb", 50) * 1024L * 1024L;
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = length;
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'x');
            for (long sent = 0; sent < length; sent += chunk.Length)
            {
                var n = (int)Math.Min(chunk.Length, length - sent);
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, n), context.RequestAborted).ConfigureAwait(false);
            }
        });

        // A ~mb megabyte JSON array of Item (built once, cached).
        app.MapGet("/json", async (HttpContext context) =>
        {
            var body = s_json ??= BuildJson(Query(context, "mb", 50));
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        });
    }

    public static byte[] BuildJson(int megabytes)
    {
        var target = megabytes * 1024L * 1024L;
        var sb = new StringBuilder("[");
        for (var i = 0; sb.Length < target; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(CultureInfo.InvariantCulture, $"{{\"id\":{i},\"name\":\"item number {i}\",\"amount\":{i % 1000}.25,\"tags\":[\"a{i % 7}\",\"b{i % 11}\"]}}");
        }

        sb.Append(']');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}

internal sealed record ServerStats(int Current, int Peak, long Total);

internal sealed record Item(int Id, string Name, decimal Amount, string[] Tags);
