using Microsoft.CodeAnalysis;
using Xunit;
using Verify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Data.BufferedResponseAnalyzer, AsyncPerf.CodeFixes.Rules.Data.BufferedResponseCodeFix>;

namespace AsyncPerf.Tests.Rules.Data;

public class BufferedResponseTests
{
    private const string Usings = """
        using System;
        using System.IO;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    // ---- Flags ----

    [Fact]
    public Task Flags_GetAsync_read_with_ReadAsStreamAsync() => Verify.VerifyAnalyzerAsync(Usings + """
        class Exporter
        {
            async Task<long> MeasureAsync(HttpClient client, string url, CancellationToken ct)
            {
                using var response = await {|AP5002:client.GetAsync(url, ct)|};
                using var body = await response.Content.ReadAsStreamAsync(ct);
                return body.Length;
            }
        }
        """);

    [Fact]
    public Task Flags_with_a_message_that_names_the_call() => Verify.VerifyAnalyzerAsync(Usings + """
        class Exporter
        {
            async Task SaveAsync(HttpClient client, string url, Stream target)
            {
                var response = await client.GetAsync(url);
                await response.Content.CopyToAsync(target);
            }
        }
        """,
        Verify.Diagnostic("AP5002").WithSpan(10, 30, 10, 50)
            .WithMessage("'GetAsync' buffers the whole response body in memory before it is read as a stream; pass HttpCompletionOption.ResponseHeadersRead"));

    [Fact]
    public Task Flags_SendAsync_ConfigureAwait_content_local_and_inline_content() => Verify.VerifyAnalyzerAsync(Usings + """
        class Exporter
        {
            async Task SaveAsync(HttpClient client, HttpRequestMessage request, Uri uri, Stream target, CancellationToken ct)
            {
                using (var response = await {|AP5002:client.SendAsync(request, ct)|}.ConfigureAwait(false))
                {
                    var content = response.Content;
                    await content.CopyToAsync(target).ConfigureAwait(false);
                }

                using var stream = await (await {|AP5002:client.GetAsync(uri)|}).Content.ReadAsStreamAsync();
                await stream.CopyToAsync(target);
            }
        }
        """);

    [Fact]
    public Task Flags_in_a_lambda_and_a_derived_client() => Verify.VerifyAnalyzerAsync(Usings + """
        class ApiClient : HttpClient { }

        class Exporter
        {
            Func<string, Stream, Task> Save(ApiClient client) => async (url, target) =>
            {
                using var response = await {|AP5002:client.GetAsync(url)|};
                await response.Content.CopyToAsync(target);
            };
        }
        """);

    // ---- Does not flag ----

    [Fact]
    public Task DoesNotFlag_with_ResponseHeadersRead_or_an_explicit_option() => Verify.VerifyAnalyzerAsync(Usings + """
        class Exporter
        {
            async Task SaveAsync(HttpClient client, string url, HttpRequestMessage request, Stream target, CancellationToken ct)
            {
                using var first = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
                await first.Content.CopyToAsync(target);
                using var second = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                await second.Content.CopyToAsync(target);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_when_the_content_is_read_as_a_string_or_bytes() => Verify.VerifyAnalyzerAsync(Usings + """
        class Exporter
        {
            async Task<string> ReadAsync(HttpClient client, string url, Stream target)
            {
                using var first = await client.GetAsync(url);
                var text = await first.Content.ReadAsStringAsync();
                using var second = await client.GetAsync(url);
                var bytes = await second.Content.ReadAsByteArrayAsync();
                using var third = await client.GetAsync(url);
                await third.Content.CopyToAsync(target);
                var again = await third.Content.ReadAsStringAsync();
                using var fourth = await client.GetAsync(url);
                var content = fourth.Content;
                await content.LoadIntoBufferAsync();
                await content.CopyToAsync(target);
                return text + bytes.Length + again;
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_GetStreamAsync() => Verify.VerifyAnalyzerAsync(Usings + """
        class Exporter
        {
            async Task SaveAsync(HttpClient client, string url, Stream target, CancellationToken ct)
            {
                using var body = await client.GetStreamAsync(url, ct);
                await body.CopyToAsync(target, ct);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_when_the_content_is_not_read_or_the_call_is_not_awaited() => Verify.VerifyAnalyzerAsync(Usings + """
        class Exporter
        {
            async Task<bool> PingAsync(HttpClient client, string url)
            {
                using var response = await client.GetAsync(url);
                return response.IsSuccessStatusCode;
            }

            Task<HttpResponseMessage> Forward(HttpClient client, string url) => client.GetAsync(url);
        }
        """);

    [Fact]
    public Task DoesNotFlag_incomplete_code() => new Verify.Test
    {
        AllowCompilerErrors = true,
        TestCode = Usings + """
            class Exporter
            {
                async Task SaveAsync(HttpClient client, Stream target)
                {
                    using var response = await client.GetAsync(UnknownUrl);
                    await response.Content.CopyToAsync(
                    var other = await client.GetAsync(;
                }
            }
            """,
    }.RunAsync();

    // ---- Fix ----

    [Fact]
    public Task Fix_adds_the_option_before_the_token_and_keeps_comments() => Verify.VerifyCodeFixAsync(Usings + """
        class Exporter
        {
            async Task SaveAsync(HttpClient client, string url, HttpRequestMessage request, Stream target, CancellationToken ct)
            {
                // the export can be large
                using var response = await {|AP5002:client.GetAsync(url, ct)|}; // streamed
                await response.Content.CopyToAsync(target, ct);
                using (var sent = await {|AP5002:client.SendAsync(request)|}.ConfigureAwait(false))
                {
                    await sent.Content.CopyToAsync(target, ct);
                }
            }
        }
        """, Usings + """
        class Exporter
        {
            async Task SaveAsync(HttpClient client, string url, HttpRequestMessage request, Stream target, CancellationToken ct)
            {
                // the export can be large
                using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct); // streamed
                await response.Content.CopyToAsync(target, ct);
                using (var sent = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false))
                {
                    await sent.Content.CopyToAsync(target, ct);
                }
            }
        }
        """);

    [Fact]
    public Task Fix_adds_using_to_an_undisposed_response() => Verify.VerifyCodeFixAsync(Usings + """
        class Exporter
        {
            async Task<long> SaveAsync(HttpClient client, Uri uri, Stream target)
            {
                // download
                var response = await {|AP5002:client.GetAsync(uri)|};
                response.EnsureSuccessStatusCode();
                var body = await response.Content.ReadAsStreamAsync();
                await body.CopyToAsync(target);
                return target.Length;
            }
        }
        """, Usings + """
        class Exporter
        {
            async Task<long> SaveAsync(HttpClient client, Uri uri, Stream target)
            {
                // download
                using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead);
                response.EnsureSuccessStatusCode();
                var body = await response.Content.ReadAsStreamAsync();
                await body.CopyToAsync(target);
                return target.Length;
            }
        }
        """);

    [Fact]
    public Task Fix_names_the_option_when_the_call_uses_named_arguments() => Verify.VerifyCodeFixAsync(Usings + """
        class Exporter
        {
            async Task SaveAsync(HttpClient client, string url, Stream target, CancellationToken ct)
            {
                using var response = await {|AP5002:client.GetAsync(url, cancellationToken: ct)|};
                await response.Content.CopyToAsync(target, ct);
            }
        }
        """, Usings + """
        class Exporter
        {
            async Task SaveAsync(HttpClient client, string url, Stream target, CancellationToken ct)
            {
                using var response = await client.GetAsync(url, completionOption: HttpCompletionOption.ResponseHeadersRead, cancellationToken: ct);
                await response.Content.CopyToAsync(target, ct);
            }
        }
        """);

    [Fact]
    public Task Fix_adds_the_using_directive_when_missing() => Verify.VerifyCodeFixAsync("""
        using System.IO;
        using System.Threading.Tasks;

        class Exporter
        {
            async Task SaveAsync(System.Net.Http.HttpClient client, string url, Stream target)
            {
                using var response = await {|AP5002:client.GetAsync(url)|};
                await response.Content.CopyToAsync(target);
            }
        }
        """, """
        using System.IO;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Exporter
        {
            async Task SaveAsync(System.Net.Http.HttpClient client, string url, Stream target)
            {
                using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
                await response.Content.CopyToAsync(target);
            }
        }
        """);

    [Fact]
    public Task FixAll_fixes_every_call_in_the_document() => Verify.VerifyCodeFixAsync(Usings + """
        class Exporter
        {
            async Task SaveAsync(HttpClient client, string a, string b, Stream target, CancellationToken ct)
            {
                var first = await {|AP5002:client.GetAsync(a, ct)|};
                await first.Content.CopyToAsync(target, ct);
                using var second = await {|AP5002:client.GetAsync(b)|};
                await second.Content.CopyToAsync(target, ct);
            }

            async Task CopyAsync(HttpClient client, HttpRequestMessage request, Stream target)
            {
                using var response = await {|AP5002:client.SendAsync(request)|};
                await response.Content.CopyToAsync(target);
            }
        }
        """, Usings + """
        class Exporter
        {
            async Task SaveAsync(HttpClient client, string a, string b, Stream target, CancellationToken ct)
            {
                using var first = await client.GetAsync(a, HttpCompletionOption.ResponseHeadersRead, ct);
                await first.Content.CopyToAsync(target, ct);
                using var second = await client.GetAsync(b, HttpCompletionOption.ResponseHeadersRead);
                await second.Content.CopyToAsync(target, ct);
            }

            async Task CopyAsync(HttpClient client, HttpRequestMessage request, Stream target)
            {
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                await response.Content.CopyToAsync(target);
            }
        }
        """);

    [Fact]
    public Task Fix_works_on_netstandard20() => new Verify.Test
    {
        References = Verifiers.TestReferences.NetStandard20,
        TestCode = Usings + """
            class Exporter
            {
                async Task SaveAsync(HttpClient client, string url, Stream target)
                {
                    var response = await {|AP5002:client.GetAsync(url)|};
                    var body = await response.Content.ReadAsStreamAsync();
                    await body.CopyToAsync(target);
                }
            }
            """,
        FixedCode = Usings + """
            class Exporter
            {
                async Task SaveAsync(HttpClient client, string url, Stream target)
                {
                    using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
                    var body = await response.Content.ReadAsStreamAsync();
                    await body.CopyToAsync(target);
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Fix_in_top_level_statements() => new Verify.Test
    {
        OutputKind = OutputKind.ConsoleApplication,
        EditorConfig = "asyncperf.AP5002.include_tools = true", // entry points are tool code: quiet by default (CodeContextTests)
        TestCode = Usings + """
            using var client = new HttpClient();
            var response = await {|AP5002:client.GetAsync(args[0])|};
            await response.Content.CopyToAsync(Console.OpenStandardOutput());
            """,
        FixedCode = Usings + """
            using var client = new HttpClient();
            using var response = await client.GetAsync(args[0], HttpCompletionOption.ResponseHeadersRead);
            await response.Content.CopyToAsync(Console.OpenStandardOutput());
            """,
    }.RunAsync();

    // ---- No fix ----

    [Fact]
    public Task NoFix_when_the_stream_or_the_response_leaves_the_method() => new Verify.Test
    {
        TestCode = Usings + """
            class Exporter
            {
                HttpResponseMessage _last;

                async Task<Stream> OpenAsync(HttpClient client, string url)
                {
                    var response = await {|AP5002:client.GetAsync(url)|};
                    return await response.Content.ReadAsStreamAsync();
                }

                async Task<StreamReader> OpenReaderAsync(HttpClient client, string url)
                {
                    var response = await {|AP5002:client.GetAsync(url)|};
                    var stream = await response.Content.ReadAsStreamAsync();
                    return new StreamReader(stream);
                }

                async Task KeepAsync(HttpClient client, string url, Stream target)
                {
                    var response = await {|AP5002:client.GetAsync(url)|};
                    _last = response;
                    await response.Content.CopyToAsync(target);
                }
            }
            """,
        FixedCode = Usings + """
            class Exporter
            {
                HttpResponseMessage _last;

                async Task<Stream> OpenAsync(HttpClient client, string url)
                {
                    var response = await client.GetAsync(url);
                    return await response.Content.ReadAsStreamAsync();
                }

                async Task<StreamReader> OpenReaderAsync(HttpClient client, string url)
                {
                    var response = await client.GetAsync(url);
                    var stream = await response.Content.ReadAsStreamAsync();
                    return new StreamReader(stream);
                }

                async Task KeepAsync(HttpClient client, string url, Stream target)
                {
                    var response = await client.GetAsync(url);
                    _last = response;
                    await response.Content.CopyToAsync(target);
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task NoFix_for_an_inline_response_or_a_switch_section() => new Verify.Test
    {
        TestCode = Usings + """
            class Exporter
            {
                async Task SaveAsync(HttpClient client, string url, Stream target, int mode)
                {
                    await (await {|AP5002:client.GetAsync(url)|}).Content.CopyToAsync(target);
                    switch (mode)
                    {
                        case 1:
                            var response = await {|AP5002:client.GetAsync(url)|};
                            await response.Content.CopyToAsync(target);
                            break;
                    }
                }
            }
            """,
        FixedCode = Usings + """
            class Exporter
            {
                async Task SaveAsync(HttpClient client, string url, Stream target, int mode)
                {
                    await (await client.GetAsync(url)).Content.CopyToAsync(target);
                    switch (mode)
                    {
                        case 1:
                            var response = await client.GetAsync(url);
                            await response.Content.CopyToAsync(target);
                            break;
                    }
                }
            }
            """,
    }.RunAsync();
}
