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
    public Task Flags_a_public_field_even_when_this_type_uses_it_with_timeouts() => Verify.VerifyAnalyzerAsync(Usings + """
        public class Feed
        {
            public readonly HttpClient Http = new HttpClient { {|AP3004:Timeout = Timeout.InfiniteTimeSpan|} };

            public async Task<string> PollAsync(string url)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                return await Http.GetStringAsync(url, cts.Token);
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
