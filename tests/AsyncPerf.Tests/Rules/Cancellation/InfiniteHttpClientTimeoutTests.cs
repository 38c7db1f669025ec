using AsyncPerf.Tests.Meta;
using Microsoft.CodeAnalysis;
using Xunit;
using Verify = AsyncPerf.Tests.Verifiers.CSharpAnalyzerVerifier<AsyncPerf.Rules.Cancellation.InfiniteHttpClientTimeoutAnalyzer>;

namespace AsyncPerf.Tests.Rules.Cancellation;

public class InfiniteHttpClientTimeoutTests
{
    private const string Usings = """
        using System;
        using System.IO;
        using System.Net.Http;
        using System.Net.Http.Json;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    // ---- Flags ----

    [Fact]
    public Task Flags_InfiniteTimeSpan_in_an_initializer_with_a_message_that_names_the_value() => Verify.VerifyAnalyzerAsync(Usings + """
        class ReportClient
        {
            private static readonly HttpClient s_http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };

            public Task<string> GetAsync(string url) => s_http.GetStringAsync(url);
        }
        """,
        Verify.Diagnostic("AP3004").WithSpan(9, 66, 9, 100)
            .WithMessage("'Timeout.InfiniteTimeSpan' gives this HttpClient an infinite timeout: a server that never answers holds the connection forever; set a finite Timeout or cancel each request with CancelAfter"));

    [Fact]
    public Task Flags_assignments_of_MaxValue_FromMilliseconds_minus_one_and_new_TimeSpan() => Verify.VerifyAnalyzerAsync(Usings + """
        class Clients
        {
            public HttpClient Client { get; } = new HttpClient();

            void Configure(HttpClient a, HttpClient b, HttpClient c)
            {
                {|AP3004:a.Timeout = TimeSpan.MaxValue|};
                {|AP3004:b.Timeout = TimeSpan.FromMilliseconds(-1)|};
                {|AP3004:c.Timeout = TimeSpan.FromMilliseconds(Timeout.Infinite)|};
                {|AP3004:Client.Timeout = new TimeSpan(0, 0, 0, 0, -1)|};
            }
        }
        """);

    [Fact]
    public Task Flags_a_local_client_used_without_a_token() => Verify.VerifyAnalyzerAsync(Usings + """
        class Exporter
        {
            async Task<string> ExportAsync(string url)
            {
                using var http = new HttpClient { {|AP3004:Timeout = Timeout.InfiniteTimeSpan|} };
                return await http.GetStringAsync(url);
            }
        }
        """);

    [Fact]
    public Task Flags_when_the_token_source_has_no_delay() => Verify.VerifyAnalyzerAsync(Usings + """
        class Exporter
        {
            async Task<string> ExportAsync(string url)
            {
                using var cts = new CancellationTokenSource();
                using var http = new HttpClient();
                {|AP3004:http.Timeout = Timeout.InfiniteTimeSpan|};
                return await http.GetStringAsync(url, cts.Token);
            }
        }
        """);

    [Fact]
    public Task Flags_when_one_of_the_calls_has_no_timeout() => Verify.VerifyAnalyzerAsync(Usings + """
        class Exporter
        {
            async Task<string> ExportAsync(string url)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                using var http = new HttpClient { {|AP3004:Timeout = Timeout.InfiniteTimeSpan|} };
                var first = await http.GetStringAsync(url, cts.Token);
                return first + await http.GetStringAsync(url + "/more");
            }
        }
        """);

    [Fact]
    public Task Flags_a_client_that_escapes_the_method() => Verify.VerifyAnalyzerAsync(Usings + """
        class Factory
        {
            HttpClient Create()
            {
                var http = new HttpClient { {|AP3004:Timeout = Timeout.InfiniteTimeSpan|} };
                return http;
            }
        }
        """);

    [Fact]
    public Task Flags_a_private_field_used_by_one_method_without_a_timeout() => Verify.VerifyAnalyzerAsync(Usings + """
        class Feed
        {
            private readonly HttpClient _http = new HttpClient();

            public Feed() => {|AP3004:_http.Timeout = Timeout.InfiniteTimeSpan|};

            public async Task<string> PollAsync(string url)
            {
                using var cts = new CancellationTokenSource();
                cts.CancelAfter(5000);
                return await _http.GetStringAsync(url, cts.Token);
            }

            public Task<string> PeekAsync(string url) => _http.GetStringAsync(url);
        }
        """);

    [Fact]
    public Task Flags_a_public_field_when_the_type_s_token_source_has_no_delay() => Verify.VerifyAnalyzerAsync(Usings + """
        public class Feed
        {
            public readonly HttpClient Http = new HttpClient { {|AP3004:Timeout = Timeout.InfiniteTimeSpan|} };

            public async Task<string> PollAsync(string url, CancellationToken cancellationToken)
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                return await Http.GetStringAsync(url, cts.Token);
            }
        }
        """);

    [Fact]
    public Task Flags_a_client_handed_to_a_service_that_only_forwards_the_caller_s_token() => Verify.VerifyAnalyzerAsync(Usings + """
        public class CatalogService
        {
            private readonly HttpClient _http;

            public CatalogService(HttpClient http)
            {
                _http = http;
                {|AP3004:http.Timeout = Timeout.InfiniteTimeSpan|};
            }

            public Task<string> GetItemAsync(int id, CancellationToken cancellationToken) =>
                _http.GetStringAsync("/catalog/" + id, cancellationToken);
        }
        """);

    [Fact]
    public Task Flags_when_the_type_s_token_sources_have_no_delay() => Verify.VerifyAnalyzerAsync(Usings + """
        public class StreamingClient
        {
            private readonly CancellationTokenSource _shutdown = new CancellationTokenSource();

            public StreamingClient(HttpClient http)
            {
                {|AP3004:http.Timeout = Timeout.InfiniteTimeSpan|};
                Http = http;
            }

            public HttpClient Http { get; }

            public async Task<string> ReadAsync(string url, CancellationToken cancellationToken)
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
                linked.CancelAfter(Timeout.Infinite);
                linked.CancelAfter(-1);
                using var never = new CancellationTokenSource(Timeout.InfiniteTimeSpan);
                return await Http.GetStringAsync(url, linked.Token);
            }

            public void Stop() => _shutdown.Cancel();
        }
        """);

    [Fact]
    public Task Flags_when_only_another_type_times_its_requests() => Verify.VerifyAnalyzerAsync(Usings + """
        public class ClientFactory
        {
            public HttpClient Create() => new HttpClient { {|AP3004:Timeout = Timeout.InfiniteTimeSpan|} };

            private sealed class Deadline
            {
                public CancellationToken Start(TimeSpan timeout) => new CancellationTokenSource(timeout).Token;
            }
        }

        public class ReportDownloader
        {
            public async Task<string> DownloadAsync(HttpClient http, string url)
            {
                using var cts = new CancellationTokenSource();
                cts.CancelAfter(TimeSpan.FromSeconds(30));
                return await http.GetStringAsync(url, cts.Token);
            }
        }
        """);

    [Fact]
    public Task Flags_a_client_configured_for_IHttpClientFactory() => Verify.VerifyAnalyzerAsync(Usings + """
        using Microsoft.Extensions.DependencyInjection;

        static class Registration
        {
            public static void AddClients(IServiceCollection services) =>
                services.AddHttpClient("reports", client => {|AP3004:client.Timeout = Timeout.InfiniteTimeSpan|});
        }
        """);

    [Fact]
    public Task Flags_a_private_field_of_a_type_with_nested_types_whose_uses_it_cannot_all_see() => Verify.VerifyAnalyzerAsync(Usings + """
        class Feed
        {
            private readonly HttpClient _http = new HttpClient { {|AP3004:Timeout = Timeout.InfiniteTimeSpan|} };

            public async Task<string> PollAsync(string url)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                return await _http.GetStringAsync(url, cts.Token);
            }

            private sealed class Poller
            {
                public Task<string> PeekAsync(Feed feed, string url) => feed._http.GetStringAsync(url);

                public void Configure(HttpClient client) => {|AP3004:client.Timeout = TimeSpan.MaxValue|};
            }
        }
        """);

    [Fact]
    public Task Flags_in_top_level_statements() => new Verify.Test
    {
        OutputKind = OutputKind.ConsoleApplication,
        EditorConfig = "asyncperf.AP3004.include_tools = true", // entry points are tool code: quiet by default (CodeContextTests)
        TestCode = Usings + """
            var http = new HttpClient { {|AP3004:Timeout = Timeout.InfiniteTimeSpan|} };
            Console.WriteLine(await http.GetStringAsync(args[0]));
            """,
    }.RunAsync();

    // ---- Does not flag ----

    [Fact]
    public Task DoesNotFlag_a_finite_timeout() => Verify.VerifyAnalyzerAsync(Usings + """
        class Clients
        {
            private static readonly HttpClient s_http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };

            void Configure(HttpClient http, TimeSpan configured)
            {
                http.Timeout = TimeSpan.FromMilliseconds(100);
                http.Timeout = configured;
                var other = TimeSpan.MaxValue;
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_local_client_whose_calls_pass_a_token_from_CancelAfter() => Verify.VerifyAnalyzerAsync(Usings + """
        class Exporter
        {
            async Task<string> ExportAsync(string url, CancellationToken cancellationToken)
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                cts.CancelAfter(TimeSpan.FromSeconds(30));
                using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan, BaseAddress = new Uri("https://reports.example.com/") };
                http.DefaultRequestHeaders.Add("X-Client", "exporter");
                var head = await http.GetStringAsync(url, cts.Token);
                using var response = await http.GetAsync(url + "/body", cts.Token);
                return head + await response.Content.ReadAsStringAsync(cts.Token);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_local_client_whose_calls_pass_a_token_from_a_source_created_with_a_delay() => Verify.VerifyAnalyzerAsync(Usings + """
        class Exporter
        {
            async Task<int[]?> ExportAsync(string url)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                var http = new HttpClient();
                http.Timeout = Timeout.InfiniteTimeSpan;
                return await http.GetFromJsonAsync<int[]>(url, cts.Token);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_client_used_for_ResponseHeadersRead_streaming() => Verify.VerifyAnalyzerAsync(Usings + """
        class EventStream
        {
            async Task ListenAsync(string url, Func<string, Task> onEvent, CancellationToken cancellationToken)
            {
                using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
                using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    await onEvent(line);
                }
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_private_field_used_only_with_timed_tokens_or_streaming() => Verify.VerifyAnalyzerAsync(Usings + """
        class Feed
        {
            private readonly HttpClient _http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            private HttpClient Streaming { get; } = new HttpClient();

            public Feed() => Streaming.Timeout = TimeSpan.MaxValue;

            public async Task<string> PollAsync(string url)
            {
                using var cts = new CancellationTokenSource();
                cts.CancelAfter(5000);
                return await _http.GetStringAsync(url, cts.Token);
            }

            public async Task<Stream> OpenAsync(string url, CancellationToken cancellationToken)
            {
                var response = await Streaming.SendAsync(new HttpRequestMessage(HttpMethod.Get, url), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                return await response.Content.ReadAsStreamAsync(cancellationToken);
            }

            public void Dispose()
            {
                _http.Dispose();
                Streaming.Dispose();
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_wrapped_client_when_the_type_times_each_request_with_CancelAfter() => Verify.VerifyAnalyzerAsync(Usings + """
        public class RestApiClient : IDisposable
        {
            public RestApiClient(HttpClient httpClient, TimeSpan? timeout = null)
            {
                HttpClient = httpClient;
                DefaultTimeout = timeout ?? httpClient.Timeout;
                // Each request gets its own timeout below; the client's would cap them all.
                httpClient.Timeout = Timeout.InfiniteTimeSpan;
            }

            public HttpClient HttpClient { get; }

            public TimeSpan? DefaultTimeout { get; set; }

            public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken = default)
            {
                var token = WithTimeout(cancellationToken, DefaultTimeout, out var timeoutSource);
                try
                {
                    return await HttpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
                }
                finally
                {
                    timeoutSource?.Dispose();
                }
            }

            private static CancellationToken WithTimeout(CancellationToken original, TimeSpan? timeout, out CancellationTokenSource? source)
            {
                source = null;
                if (timeout is null)
                {
                    return original;
                }

                source = CancellationTokenSource.CreateLinkedTokenSource(original);
                source.CancelAfter(timeout.Value);
                return source.Token;
            }

            public void Dispose() => HttpClient.Dispose();
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_public_client_of_a_type_that_times_its_requests() => Verify.VerifyAnalyzerAsync(Usings + """
        public class Feed
        {
            public readonly HttpClient Http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };

            public async Task<string> PollAsync(string url)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                return await Http.GetStringAsync(url, cts.Token);
            }
        }
        """);

    [Fact]
    public Task Flags_a_private_field_of_a_partial_type_used_without_a_token_in_another_file() => new Verify.Test
    {
        Sources =
        {
            Usings + """
                public partial class CatalogClient
                {
                    private readonly HttpClient _http = new HttpClient { {|AP3004:Timeout = Timeout.InfiniteTimeSpan|} };

                    public async Task<string> GetAsync(string id)
                    {
                        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                        return await _http.GetStringAsync("/items/" + id, deadline.Token);
                    }
                }
                """,
            Usings + """
                public partial class CatalogClient
                {
                    public Task<string> ListAsync() => this._http.GetStringAsync("/items");
                }
                """,
        },
    }.RunAsync();

    [Fact]
    public Task DoesNotFlag_a_private_field_of_a_partial_type_whose_requests_in_every_file_are_timed() => new Verify.Test
    {
        Sources =
        {
            Usings + """
                public partial class CatalogClient
                {
                    private readonly HttpClient _http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };

                    public async Task<string> GetAsync(string id)
                    {
                        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                        return await _http.GetStringAsync("/items/" + id, deadline.Token);
                    }
                }
                """,
            Usings + """
                public partial class CatalogClient
                {
                    public async Task<string> ListAsync()
                    {
                        using var deadline = new CancellationTokenSource();
                        deadline.CancelAfter(TimeSpan.FromSeconds(5));
                        return await this._http.GetStringAsync("/items", deadline.Token);
                    }
                }
                """,
        },
    }.RunAsync();

    [Fact]
    public Task DoesNotFlag_a_client_built_in_one_partial_part_when_another_creates_timed_token_sources() => new Verify.Test
    {
        Sources =
        {
            Usings + """
                public partial class ApiClient
                {
                    public ApiClient(ApiClientOptions options)
                    {
                        Options = options;
                        HttpClient = CreateClient();

                        HttpClient CreateClient()
                        {
                            var handler = new HttpClientHandler { AllowAutoRedirect = false };
                            var client = new HttpClient(handler) { BaseAddress = options.BaseUrl };
                            // Options.Timeout is applied per request in SendCoreAsync.
                            client.Timeout = Timeout.InfiniteTimeSpan;
                            return client;
                        }
                    }

                    internal HttpClient HttpClient { get; }

                    public ApiClientOptions Options { get; }
                }

                public sealed class ApiClientOptions
                {
                    public Uri? BaseUrl { get; set; }

                    public TimeSpan? Timeout { get; set; }
                }
                """,
            Usings + """
                public partial class ApiClient
                {
                    private static readonly TimeSpan s_defaultTimeout = TimeSpan.FromSeconds(100);

                    public async Task<string> SendCoreAsync(HttpRequestMessage message, CancellationToken cancellationToken)
                    {
                        using var timeoutSource = new CancellationTokenSource(Options.Timeout ?? s_defaultTimeout);
                        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken);
                        var token = linked.Token;
                        using var response = await HttpClient.SendAsync(message, token);
                        return await response.Content.ReadAsStringAsync(token);
                    }
                }
                """,
        },
    }.RunAsync();

    [Fact]
    public Task DoesNotFlag_a_private_field_whose_requests_take_a_token_timed_by_a_helper_of_the_type() => Verify.VerifyAnalyzerAsync(Usings + """
        class InventoryClient
        {
            private readonly HttpClient _http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            private readonly TimeSpan _requestTimeout = TimeSpan.FromSeconds(20);

            public async Task<string> GetStockAsync(string sku, CancellationToken cancellationToken)
            {
                using var deadline = StartDeadline(cancellationToken);
                return await _http.GetStringAsync("/stock/" + sku, deadline.Token);
            }

            private CancellationTokenSource StartDeadline(CancellationToken cancellationToken)
            {
                var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                source.CancelAfter(_requestTimeout);
                return source;
            }
        }
        """);

    [Fact]
    public Task Flags_a_private_field_whose_requests_take_the_caller_s_token_when_nothing_in_the_type_times_it() => Verify.VerifyAnalyzerAsync(Usings + """
        class InventoryClient
        {
            private readonly HttpClient _http = new HttpClient { {|AP3004:Timeout = Timeout.InfiniteTimeSpan|} };

            public Task<string> GetStockAsync(string sku, CancellationToken cancellationToken) =>
                _http.GetStringAsync("/stock/" + sku, cancellationToken);
        }
        """);

    [Fact]
    public Task DoesNotFlag_the_Timeout_of_another_type() => Verify.VerifyAnalyzerAsync(Usings + """
        class Options
        {
            public TimeSpan Timeout { get; set; }
        }

        class Setup
        {
            void Configure(Options options) => options.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
        }
        """);

    [Fact]
    public Task DoesNotFlag_or_throw_on_incomplete_code() => new Verify.Test
    {
        AllowCompilerErrors = true,
        TestCode = Usings + """
            class Broken
            {
                void Configure(HttpClient http)
                {
                    http.Timeout = ;
                    http.Timeout = Timeout.Missing;
                    var x = new HttpClient { Timeout = };
                    unknown.Timeout = Timeout.InfiniteTimeSpan;
                }
            }
            """,
    }.RunAsync();

    // ---- No fix ----

    [Fact]
    public void No_code_fix_is_offered() => Assert.DoesNotContain("AP3004", RuleCatalog.FixableIds);
}
