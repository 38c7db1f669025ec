using System.Text;

namespace AsyncPerf.Benchmarks.Cost;

/// <summary>
/// Writes a deterministic corpus of realistic server-side C#: per "domain" a record, a repository (file I/O, JSON),
/// a service (HttpClient, LINQ, loops, bounded fan-out), an ASP.NET Core controller and a static helper class.
/// A few percent of the method slots get one of the anti-patterns the AsyncPerf rules (and their peers) look for,
/// so every rule has something to report and its "found something" path is measured too.
/// The same seed and line target always produce the same text.
/// </summary>
internal static class CorpusGenerator
{
    private static readonly string[] Domains =
    {
        "Order", "Customer", "Invoice", "Product", "Shipment", "Payment", "Account", "Ticket", "Booking", "Report",
        "Warehouse", "Supplier", "Contract", "Employee", "Project", "Document", "Message", "Review", "Coupon", "Device",
    };

    /// <summary>Share of method slots that get an anti-pattern.</summary>
    public const double AntiPatternRate = 0.04;

    public static IReadOnlyList<(string Path, string Text)> Generate(int targetLines, int seed = 20261123)
    {
        var random = new Random(seed);
        var files = new List<(string, string)>();
        var lines = 0;
        for (var index = 0; lines < targetLines; index++)
        {
            var domain = Domains[index % Domains.Length];
            var name = domain + index.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
            var text = GenerateFile(name, index, random);
            files.Add(($"Corpus/{domain}/{name}.cs", text));
            lines += CountLines(text);
        }

        files.Add(("Corpus/Shared.cs", SharedFile));
        return files;
    }

    public static int CountLines(string text)
    {
        var count = 1;
        foreach (var c in text)
        {
            if (c == '\n')
            {
                count++;
            }
        }

        return count;
    }

    private static string GenerateFile(string t, int index, Random random)
    {
        var lower = char.ToLowerInvariant(t[0]) + t.Substring(1);
        var sb = new StringBuilder();
        sb.Append($$"""
            using System;
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using System.IO;
            using System.Linq;
            using System.Net.Http;
            using System.Net.Http.Json;
            using System.Text;
            using System.Text.Json;
            using System.Threading;
            using System.Threading.Channels;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Mvc;
            using Microsoft.Extensions.Logging;

            namespace Corpus.Domain{{index}};

            public sealed record {{t}}(int Id, string Name, decimal Amount, DateTime CreatedAt, IReadOnlyList<string> Tags);

            public sealed record {{t}}Summary(int Count, decimal Total, decimal Max, string? Newest);

            public interface I{{t}}Repository
            {
                Task<{{t}}?> FindAsync(int id, CancellationToken cancellationToken);
                Task<IReadOnlyList<{{t}}>> ListAsync(CancellationToken cancellationToken);
                Task SaveAsync({{t}} item, CancellationToken cancellationToken);
            }

            public sealed class {{t}}Repository : I{{t}}Repository
            {
                private readonly string _root;
                private readonly ConcurrentDictionary<int, {{t}}> _cache = new();
                private readonly ILogger<{{t}}Repository> _logger;
                private readonly object _gate = new();
                private int _writes;

                public {{t}}Repository(string root, ILogger<{{t}}Repository> logger)
                {
                    _root = root;
                    _logger = logger;
                }

                private string PathOf(int id) => Path.Combine(_root, "{{lower}}", id.ToString() + ".json");

                public async Task<{{t}}?> FindAsync(int id, CancellationToken cancellationToken)
                {
                    if (_cache.TryGetValue(id, out var cached))
                    {
                        return cached;
                    }

                    var path = PathOf(id);
                    if (!File.Exists(path))
                    {
                        _logger.LogDebug("{{t}} {Id} not found", id);
                        return null;
                    }

                    await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
                    var item = await JsonSerializer.DeserializeAsync<{{t}}>(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                    if (item is not null)
                    {
                        _cache[id] = item;
                    }

                    return item;
                }

                public async Task<IReadOnlyList<{{t}}>> ListAsync(CancellationToken cancellationToken)
                {
                    var result = new List<{{t}}>();
                    foreach (var file in Directory.EnumerateFiles(Path.Combine(_root, "{{lower}}"), "*.json"))
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        await using var stream = File.OpenRead(file);
                        var item = await JsonSerializer.DeserializeAsync<{{t}}>(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                        if (item is not null)
                        {
                            result.Add(item);
                        }
                    }

                    return result.OrderBy(x => x.Id).ToList();
                }

                public async Task SaveAsync({{t}} item, CancellationToken cancellationToken)
                {
                    var path = PathOf(item.Id);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    await using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
                    {
                        await JsonSerializer.SerializeAsync(stream, item, cancellationToken: cancellationToken).ConfigureAwait(false);
                    }

                    _cache[item.Id] = item;
                    lock (_gate)
                    {
                        _writes++;
                    }
                }

            """);
        var methodCount = 3 + random.Next(4);
        for (var k = 0; k < methodCount; k++)
        {
            sb.Append(Maybe(random, k, t) ?? RepositoryMethod(random.Next(4), k, t));
        }

        sb.Append($$"""
            }

            public sealed class {{t}}Service
            {
                private readonly HttpClient _http;
                private readonly I{{t}}Repository _repository;
                private readonly ILogger<{{t}}Service> _logger;

                public {{t}}Service(HttpClient http, I{{t}}Repository repository, ILogger<{{t}}Service> logger)
                {
                    _http = http;
                    _repository = repository;
                    _logger = logger;
                }

                public async Task<{{t}}?> FindAsync(int id, CancellationToken cancellationToken)
                {
                    var local = await _repository.FindAsync(id, cancellationToken).ConfigureAwait(false);
                    if (local is not null)
                    {
                        return local;
                    }

                    using var response = await _http.GetAsync($"api/{{lower}}/{id}", HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode)
                    {
                        _logger.LogWarning("GET {{lower}} {Id} returned {Status}", id, response.StatusCode);
                        return null;
                    }

                    var remote = await response.Content.ReadFromJsonAsync<{{t}}>(cancellationToken).ConfigureAwait(false);
                    if (remote is not null)
                    {
                        await _repository.SaveAsync(remote, cancellationToken).ConfigureAwait(false);
                    }

                    return remote;
                }

            """);
        methodCount = 6 + random.Next(5);
        for (var k = 0; k < methodCount; k++)
        {
            sb.Append(Maybe(random, 100 + k, t) ?? ServiceMethod(random.Next(8), 100 + k, t, lower));
        }

        sb.Append($$"""
            }

            [ApiController]
            [Route("api/{{lower}}")]
            public sealed class {{t}}Controller : ControllerBase
            {
                private readonly {{t}}Service _service;
                private readonly I{{t}}Repository _repository;

                public {{t}}Controller({{t}}Service service, I{{t}}Repository repository)
                {
                    _service = service;
                    _repository = repository;
                }

                [HttpGet("{id:int}")]
                public async Task<ActionResult<{{t}}>> Get(int id, CancellationToken cancellationToken)
                {
                    var item = await _service.FindAsync(id, cancellationToken);
                    return item is null ? NotFound() : Ok(item);
                }

                [HttpGet]
                public async Task<ActionResult<IReadOnlyList<{{t}}>>> List([FromQuery] int skip, [FromQuery] int take, CancellationToken cancellationToken)
                {
                    if (take <= 0 || take > 500)
                    {
                        return BadRequest("take must be between 1 and 500");
                    }

                    var all = await _repository.ListAsync(cancellationToken);
                    return Ok(all.Skip(skip).Take(take).ToList());
                }

                [HttpPost]
                public async Task<IActionResult> Post([FromBody] {{t}} item, CancellationToken cancellationToken)
                {
                    if (string.IsNullOrWhiteSpace(item.Name))
                    {
                        ModelState.AddModelError(nameof(item.Name), "required");
                        return ValidationProblem(ModelState);
                    }

                    await _repository.SaveAsync(item, cancellationToken);
                    return CreatedAtAction(nameof(Get), new { id = item.Id }, item);
                }

            """);
        methodCount = 2 + random.Next(3);
        for (var k = 0; k < methodCount; k++)
        {
            sb.Append(Maybe(random, 200 + k, t) ?? ControllerMethod(random.Next(3), 200 + k, t));
        }

        sb.Append($$"""
            }

            public static class {{t}}Calculations
            {
            """);
        sb.Append('\n');
        methodCount = 4 + random.Next(5);
        for (var k = 0; k < methodCount; k++)
        {
            sb.Append(Maybe(random, 300 + k, t, staticOnly: true) ?? HelperMethod(random.Next(5), 300 + k, t));
        }

        sb.Append("}\n");
        return sb.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private static string? Maybe(Random random, int k, string t, bool staticOnly = false)
    {
        if (random.NextDouble() >= AntiPatternRate)
        {
            return null;
        }

        var choice = random.Next(staticOnly ? StaticAntiPatterns : AntiPatterns);
        return AntiPattern(choice, k, t, staticOnly ? "static " : "");
    }

    private const int AntiPatterns = 14;
    private const int StaticAntiPatterns = 14;

    // The anti-patterns: every one needs only an HttpClient in scope (a static one for static classes).
    private static string AntiPattern(int choice, int k, string t, string @static)
    {
        var http = @static.Length > 0 ? "SharedHttp.Client" : "_http";
        if (@static.Length == 0)
        {
            // Instance classes may not have _http (repository, controller): use the shared one too.
            http = "SharedHttp.Client";
        }

        return choice switch
        {
            // AP2001: sync over async.
            0 => $$"""
                    public {{@static}}IReadOnlyList<{{t}}> LoadAll{{k}}()
                    {
                        var items = {{http}}.GetFromJsonAsync<List<{{t}}>>("api/items/{{k}}").Result;
                        return items ?? new List<{{t}}>();
                    }


                """,
            1 => $$"""
                    public {{@static}}int Count{{k}}(string url)
                    {
                        var response = {{http}}.GetAsync(url).GetAwaiter().GetResult();
                        response.Content.LoadIntoBufferAsync().Wait();
                        return (int)response.StatusCode;
                    }


                """,
            // AP2002: blocking call inside async code.
            2 => $$"""
                    public {{@static}}async Task<string> Poll{{k}}Async(string path, CancellationToken cancellationToken)
                    {
                        for (var attempt = 0; attempt < 3; attempt++)
                        {
                            if (System.IO.File.Exists(path))
                            {
                                return System.IO.File.ReadAllText(path);
                            }

                            Thread.Sleep(250);
                        }

                        return await {{http}}.GetStringAsync("api/poll/{{k}}", cancellationToken).ConfigureAwait(false);
                    }


                """,
            // AP1001: unbounded fan-out.
            3 => $$"""
                    public {{@static}}async Task<int> FetchAll{{k}}Async(IReadOnlyList<int> ids, CancellationToken cancellationToken)
                    {
                        var responses = await Task.WhenAll(ids.Select(id => {{http}}.GetAsync($"api/{{t}}/{id}", cancellationToken))).ConfigureAwait(false);
                        var ok = responses.Count(r => r.IsSuccessStatusCode);
                        foreach (var response in responses)
                        {
                            response.Dispose();
                        }

                        return ok;
                    }


                """,
            // AP3001: token not forwarded.
            4 => $$"""
                    public {{@static}}async Task<string> Describe{{k}}Async(int id, CancellationToken cancellationToken)
                    {
                        var text = await {{http}}.GetStringAsync($"api/{{t}}/{id}/description").ConfigureAwait(false);
                        await Task.Delay(10).ConfigureAwait(false);
                        return text.Trim();
                    }


                """,
            // AP4001: HttpClient per call.
            5 => $$"""
                    public {{@static}}async Task<bool> Ping{{k}}Async(Uri endpoint, CancellationToken cancellationToken)
                    {
                        using var client = new HttpClient();
                        using var response = await client.GetAsync(endpoint, cancellationToken).ConfigureAwait(false);
                        return response.IsSuccessStatusCode;
                    }


                """,
            // AP5001: linear lookup in a loop.
            6 => $$"""
                    public {{@static}}List<string> Missing{{k}}(List<string> known, IEnumerable<string> incoming)
                    {
                        var missing = new List<string>();
                        foreach (var name in incoming)
                        {
                            if (!known.Contains(name))
                            {
                                missing.Add(name);
                            }
                        }

                        return missing;
                    }


                """,
            // AP5002: buffered response read as a stream.
            7 => $$"""
                    public {{@static}}async Task<long> Download{{k}}Async(string url, string target, CancellationToken cancellationToken)
                    {
                        using var response = await {{http}}.GetAsync(url, cancellationToken).ConfigureAwait(false);
                        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                        await using var file = System.IO.File.Create(target);
                        await body.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                        return file.Length;
                    }


                """,
            // AP5003: JSON through a string.
            8 => $$"""
                    public {{@static}}async Task<List<{{t}}>?> Query{{k}}Async(string url, CancellationToken cancellationToken)
                    {
                        using var response = await {{http}}.GetAsync(url, cancellationToken).ConfigureAwait(false);
                        var json = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                        return JsonSerializer.Deserialize<List<{{t}}>>(json);
                    }


                """,
            // AP5004: whole file for one pass.
            9 => $$"""
                    public {{@static}}int CountErrors{{k}}(string logPath)
                    {
                        var errors = 0;
                        foreach (var line in System.IO.File.ReadAllLines(logPath))
                        {
                            if (line.Contains("ERROR", StringComparison.Ordinal))
                            {
                                errors++;
                            }
                        }

                        return errors;
                    }


                """,
            // AP3003: WhenAny + Delay as a timeout.
            10 => $$"""
                    public {{@static}}async Task<string?> TryGet{{k}}Async(string url, CancellationToken cancellationToken)
                    {
                        var request = {{http}}.GetStringAsync(url, cancellationToken);
                        var winner = await Task.WhenAny(request, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken)).ConfigureAwait(false);
                        return winner == request ? await request.ConfigureAwait(false) : null;
                    }


                """,
            // AP4003: FileStream without async mode used asynchronously.
            11 => $$"""
                    public {{@static}}async Task<int> ReadHeader{{k}}Async(string path, CancellationToken cancellationToken)
                    {
                        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read);
                        var buffer = new byte[512];
                        return await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                    }


                """,
            // AP1003: unbounded channel.
            12 => $$"""
                    public {{@static}}Channel<{{t}}> CreateQueue{{k}}() => Channel.CreateUnbounded<{{t}}>(new UnboundedChannelOptions { SingleReader = true });


                """,
            // AP1002: async void lambda.
            _ => $$"""
                    public {{@static}}void Notify{{k}}(List<{{t}}> items)
                    {
                        items.ForEach(async item => await {{http}}.PostAsJsonAsync("api/notify", item).ConfigureAwait(false));
                    }


                """,
        };
    }

    private static string RepositoryMethod(int choice, int k, string t) => choice switch
    {
        0 => $$"""
                public async Task<int> CountLines{{k}}Async(string name, CancellationToken cancellationToken)
                {
                    var count = 0;
                    await foreach (var line in File.ReadLinesAsync(Path.Combine(_root, name), cancellationToken).ConfigureAwait(false))
                    {
                        if (line.Length > {{k % 7}} && !line.StartsWith('#'))
                        {
                            count++;
                        }
                    }

                    return count;
                }


            """,
        1 => $$"""
                public IReadOnlyList<{{t}}> Cached{{k}}(decimal minimum)
                {
                    var result = new List<{{t}}>(_cache.Count);
                    foreach (var pair in _cache)
                    {
                        if (pair.Value.Amount >= minimum && pair.Value.Tags.Count > 0)
                        {
                            result.Add(pair.Value);
                        }
                    }

                    result.Sort((a, b) => b.Amount.CompareTo(a.Amount));
                    return result;
                }


            """,
        2 => $$"""
                public async Task Export{{k}}Async(string target, CancellationToken cancellationToken)
                {
                    var items = await ListAsync(cancellationToken).ConfigureAwait(false);
                    await using var writer = new StreamWriter(target, append: false, Encoding.UTF8);
                    foreach (var item in items)
                    {
                        await writer.WriteLineAsync($"{item.Id};{item.Name};{item.Amount};{item.CreatedAt:O}".AsMemory(), cancellationToken).ConfigureAwait(false);
                    }
                }


            """,
        _ => $$"""
                public bool Evict{{k}}(int olderThanDays)
                {
                    var limit = DateTime.UtcNow.AddDays(-olderThanDays - {{k % 5}});
                    var evicted = false;
                    foreach (var id in _cache.Where(p => p.Value.CreatedAt < limit).Select(p => p.Key).ToList())
                    {
                        evicted |= _cache.TryRemove(id, out _);
                    }

                    return evicted;
                }


            """,
    };

    private static string ServiceMethod(int choice, int k, string t, string lower) => choice switch
    {
        0 => $$"""
                public async Task<IReadOnlyList<{{t}}>> GetPage{{k}}Async(int page, CancellationToken cancellationToken)
                {
                    var url = $"api/{{lower}}/page/{page}?size={{k % 50 + 10}}";
                    var items = await _http.GetFromJsonAsync<List<{{t}}>>(url, cancellationToken).ConfigureAwait(false);
                    if (items is null)
                    {
                        return Array.Empty<{{t}}>();
                    }

                    return items.Where(x => x.Amount > {{k}}m).OrderBy(x => x.CreatedAt).ThenBy(x => x.Name, StringComparer.Ordinal).ToList();
                }


            """,
        1 => $$"""
                public async Task<bool> Publish{{k}}Async({{t}} item, CancellationToken cancellationToken)
                {
                    using var response = await _http.PostAsJsonAsync("api/{{lower}}/publish", item, cancellationToken).ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode)
                    {
                        var problem = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>(cancellationToken).ConfigureAwait(false);
                        _logger.LogError("Publish failed: {Problem}", problem?.GetValueOrDefault("title"));
                        return false;
                    }

                    return true;
                }


            """,
        2 => $$"""
                public async Task<int> Refresh{{k}}Async(IEnumerable<int> ids, CancellationToken cancellationToken)
                {
                    using var gate = new SemaphoreSlim({{k % 8 + 4}});
                    var tasks = ids.Select(async id =>
                    {
                        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                        try
                        {
                            var item = await FindAsync(id, cancellationToken).ConfigureAwait(false);
                            return item is null ? 0 : 1;
                        }
                        finally
                        {
                            gate.Release();
                        }
                    }).ToList();
                    var results = await Task.WhenAll(tasks).ConfigureAwait(false);
                    return results.Sum();
                }


            """,
        3 => $$"""
                public async Task<{{t}}Summary> Summarize{{k}}Async(CancellationToken cancellationToken)
                {
                    var all = await _repository.ListAsync(cancellationToken).ConfigureAwait(false);
                    if (all.Count == 0)
                    {
                        return new {{t}}Summary(0, 0m, 0m, null);
                    }

                    var total = 0m;
                    var max = decimal.MinValue;
                    {{t}}? newest = null;
                    foreach (var item in all)
                    {
                        total += item.Amount;
                        max = Math.Max(max, item.Amount);
                        if (newest is null || item.CreatedAt > newest.CreatedAt)
                        {
                            newest = item;
                        }
                    }

                    return new {{t}}Summary(all.Count, total, max, newest?.Name);
                }


            """,
        4 => $$"""
                public async IAsyncEnumerable<{{t}}> Stream{{k}}Async([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
                {
                    await using var stream = await _http.GetStreamAsync("api/{{lower}}/stream", cancellationToken).ConfigureAwait(false);
                    await foreach (var item in JsonSerializer.DeserializeAsyncEnumerable<{{t}}>(stream, cancellationToken: cancellationToken).ConfigureAwait(false))
                    {
                        if (item is not null)
                        {
                            yield return item;
                        }
                    }
                }


            """,
        5 => $$"""
                public async Task<Dictionary<string, decimal>> TotalsByTag{{k}}Async(CancellationToken cancellationToken)
                {
                    var all = await _repository.ListAsync(cancellationToken).ConfigureAwait(false);
                    return all
                        .SelectMany(item => item.Tags.Select(tag => (tag, item.Amount)))
                        .GroupBy(x => x.tag, StringComparer.OrdinalIgnoreCase)
                        .ToDictionary(g => g.Key, g => g.Sum(x => x.Amount), StringComparer.OrdinalIgnoreCase);
                }


            """,
        6 => $$"""
                public async Task<string> Retry{{k}}Async(string path, CancellationToken cancellationToken)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try
                        {
                            return await _http.GetStringAsync(path, cancellationToken).ConfigureAwait(false);
                        }
                        catch (HttpRequestException ex) when (attempt < {{k % 3 + 2}})
                        {
                            _logger.LogWarning(ex, "Attempt {Attempt} failed", attempt);
                            await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken).ConfigureAwait(false);
                        }
                    }
                }


            """,
        _ => $$"""
                public async Task<int> Import{{k}}Async(ChannelReader<{{t}}> reader, CancellationToken cancellationToken)
                {
                    var imported = 0;
                    await foreach (var item in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                    {
                        await _repository.SaveAsync(item with { Name = item.Name.Trim() }, cancellationToken).ConfigureAwait(false);
                        imported++;
                    }

                    return imported;
                }


            """,
    };

    private static string ControllerMethod(int choice, int k, string t) => choice switch
    {
        0 => $$"""
                [HttpGet("summary/{{k}}")]
                public async Task<ActionResult<{{t}}Summary>> Summary{{k}}(CancellationToken cancellationToken)
                {
                    var all = await _repository.ListAsync(cancellationToken);
                    var summary = new {{t}}Summary(all.Count, all.Sum(x => x.Amount), all.Count == 0 ? 0m : all.Max(x => x.Amount), all.OrderByDescending(x => x.CreatedAt).FirstOrDefault()?.Name);
                    return Ok(summary);
                }


            """,
        1 => $$"""
                [HttpGet("search/{{k}}")]
                public async Task<IActionResult> Search{{k}}([FromQuery] string? q, CancellationToken cancellationToken)
                {
                    if (string.IsNullOrEmpty(q))
                    {
                        return BadRequest();
                    }

                    var all = await _repository.ListAsync(cancellationToken);
                    var hits = all.Where(x => x.Name.Contains(q, StringComparison.OrdinalIgnoreCase) || x.Tags.Any(tag => string.Equals(tag, q, StringComparison.OrdinalIgnoreCase))).Take(50).ToList();
                    return hits.Count == 0 ? NoContent() : Ok(hits);
                }


            """,
        _ => $$"""
                [HttpDelete("{id:int}/cache/{{k}}")]
                public IActionResult Evict{{k}}(int id)
                {
                    if (id <= 0)
                    {
                        return BadRequest();
                    }

                    HttpContext.Response.Headers["X-Evicted"] = id.ToString();
                    return NoContent();
                }


            """,
    };

    private static string HelperMethod(int choice, int k, string t) => choice switch
    {
        0 => $$"""
                public static decimal WeightedAverage{{k}}(IReadOnlyList<{{t}}> items)
                {
                    decimal sum = 0, weight = 0;
                    for (var i = 0; i < items.Count; i++)
                    {
                        var w = items[i].Tags.Count + 1;
                        sum += items[i].Amount * w;
                        weight += w;
                    }

                    return weight == 0 ? 0 : sum / weight;
                }


            """,
        1 => $$"""
                public static string ToCsv{{k}}(IEnumerable<{{t}}> items)
                {
                    var sb = new StringBuilder();
                    sb.AppendLine("id;name;amount;created");
                    foreach (var item in items)
                    {
                        sb.Append(item.Id).Append(';').Append(item.Name.Replace(";", ",", StringComparison.Ordinal)).Append(';');
                        sb.Append(item.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(';');
                        sb.AppendLine(item.CreatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                    }

                    return sb.ToString();
                }


            """,
        2 => $$"""
                public static Dictionary<int, List<{{t}}>> BucketByMonth{{k}}(IEnumerable<{{t}}> items)
                {
                    var buckets = new Dictionary<int, List<{{t}}>>();
                    foreach (var item in items)
                    {
                        var key = item.CreatedAt.Year * 100 + item.CreatedAt.Month;
                        if (!buckets.TryGetValue(key, out var list))
                        {
                            list = new List<{{t}}>();
                            buckets[key] = list;
                        }

                        list.Add(item);
                    }

                    return buckets;
                }


            """,
        3 => $$"""
                public static IEnumerable<{{t}}> Deduplicate{{k}}(IEnumerable<{{t}}> items)
                {
                    var seen = new HashSet<int>();
                    foreach (var item in items)
                    {
                        if (seen.Add(item.Id))
                        {
                            yield return item;
                        }
                    }
                }


            """,
        _ => $$"""
                public static ({{t}}? Min, {{t}}? Max) Range{{k}}(IReadOnlyCollection<{{t}}> items)
                {
                    if (items.Count == 0)
                    {
                        return (null, null);
                    }

                    var ordered = items.OrderBy(x => x.Amount).ToArray();
                    return (ordered[0], ordered[^1]);
                }


            """,
    };

    private const string SharedFile = """
        using System;
        using System.Net.Http;

        namespace Corpus;

        public static class SharedHttp
        {
            public static readonly HttpClient Client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
            {
                BaseAddress = new Uri("https://api.example.test/"),
            };
        }

        """;
}
