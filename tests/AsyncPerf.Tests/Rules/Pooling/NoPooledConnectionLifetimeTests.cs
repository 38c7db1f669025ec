using Microsoft.CodeAnalysis;
using Xunit;
using Verify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Pooling.NoPooledConnectionLifetimeAnalyzer, AsyncPerf.CodeFixes.Rules.Pooling.NoPooledConnectionLifetimeCodeFix>;

namespace AsyncPerf.Tests.Rules.Pooling;

public class NoPooledConnectionLifetimeTests
{
    private const string Usings = """
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;

        """;

    private const string DiUsings = Usings + """
        using Microsoft.Extensions.DependencyInjection;

        """;

    // ---- Flags ----

    [Fact]
    public Task Flags_static_field_with_the_default_handler() => Verify.VerifyAnalyzerAsync(Usings + """
        static class PaymentGateway
        {
            private static readonly HttpClient s_http = {|AP4002:new HttpClient()|};
            private static readonly HttpClient s_shortForm = {|AP4002:new()|};
            public static Task<string> StatusAsync() => s_http.GetStringAsync("https://payments.example.com/status");
        }
        """);

    [Fact]
    public Task Flags_with_a_message_that_says_what_to_set() => Verify.VerifyAnalyzerAsync(Usings + """
        static class PaymentGateway
        {
            private static readonly HttpClient s_http = new HttpClient();
        }
        """,
        Verify.Diagnostic("AP4002").WithSpan(7, 49, 7, 65)
            .WithMessage("Set SocketsHttpHandler.PooledConnectionLifetime on this long-lived HttpClient: otherwise its connections live forever and never see DNS changes"));

    [Fact]
    public Task Flags_static_property_and_static_assignments() => Verify.VerifyAnalyzerAsync(Usings + """
        class CatalogClient
        {
            public static HttpClient Shared { get; } = {|AP4002:new HttpClient { BaseAddress = new Uri("https://catalog.example.com/") }|};
            private static HttpClient? s_lazy;
            private static HttpClient s_configured;
            static CatalogClient() => s_configured = {|AP4002:new HttpClient(new HttpClientHandler { AllowAutoRedirect = false })|};
            public static HttpClient Lazy => s_lazy ??= {|AP4002:new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 20 })|};
        }
        """);

    [Fact]
    public Task Flags_a_client_registered_as_a_singleton() => Verify.VerifyAnalyzerAsync(DiUsings + """
        static class Registration
        {
            public static void AddPayments(IServiceCollection services)
            {
                services.AddSingleton({|AP4002:new HttpClient()|});
                services.AddSingleton<HttpClient>(_ => {|AP4002:new HttpClient { Timeout = TimeSpan.FromSeconds(10) }|});
            }
        }
        """);

    // ---- Does not flag ----

    [Fact]
    public Task DoesNotFlag_a_SocketsHttpHandler_with_PooledConnectionLifetime() => Verify.VerifyAnalyzerAsync(Usings + """
        static class PaymentGateway
        {
            private static readonly HttpClient s_http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        }
        """);

    [Fact]
    public Task DoesNotFlag_instance_fields_and_locals() => Verify.VerifyAnalyzerAsync(Usings + """
        class CatalogClient
        {
            private readonly HttpClient _http = new HttpClient();
            public async Task<string> LoadAsync(string url)
            {
                using var http = new HttpClient();
                return await http.GetStringAsync(url) + await _http.GetStringAsync(url);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_handler_it_cannot_see() => Verify.VerifyAnalyzerAsync(Usings + """
        class LoggingHandler : DelegatingHandler { }
        static class PaymentGateway
        {
            private static readonly HttpMessageHandler s_handler = new SocketsHttpHandler();
            private static readonly HttpClient s_fromField = new HttpClient(s_handler);
            private static readonly HttpClient s_custom = new HttpClient(new LoggingHandler { InnerHandler = new HttpClientHandler() });
        }
        """);

    [Fact]
    public Task DoesNotFlag_scoped_transient_and_AddHttpClient_registrations() => Verify.VerifyAnalyzerAsync(DiUsings + """
        static class Registration
        {
            public static void AddPayments(IServiceCollection services)
            {
                services.AddScoped(sp => new HttpClient { BaseAddress = new Uri("https://app.example.com/") });
                services.AddTransient(_ => new HttpClient());
                services.AddHttpClient("payments");
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_on_netstandard20_which_has_no_SocketsHttpHandler() => new Verify.Test
    {
        References = Verifiers.TestReferences.NetStandard20,
        TestCode = Usings + """
            static class PaymentGateway
            {
                private static readonly HttpClient s_http = new HttpClient();
            }
            """,
    }.RunAsync();

    [Fact]
    public Task DoesNotFlag_incomplete_code() => new Verify.Test
    {
        AllowCompilerErrors = true,
        TestCode = Usings + """
            static class PaymentGateway
            {
                private static readonly HttpClient s_http = new HttpClient(new UnknownHandler { PooledConnectionLifetime = });
                private static readonly HttpClient s_other = new HttpClient(
            }
            """,
    }.RunAsync();

    // ---- Fix ----

    [Fact]
    public Task Fix_adds_a_SocketsHttpHandler_with_a_two_minute_lifetime() => Verify.VerifyCodeFixAsync(Usings + """
        static class PaymentGateway
        {
            // one client for the whole process
            private static readonly HttpClient s_http = {|AP4002:new HttpClient()|};
            private static readonly HttpClient s_short = {|AP4002:new()|};
            private static readonly HttpClient s_configured = {|AP4002:new HttpClient { Timeout = TimeSpan.FromSeconds(30) }|};
        }
        """, Usings + """
        static class PaymentGateway
        {
            // one client for the whole process
            private static readonly HttpClient s_http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
            private static readonly HttpClient s_short = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
            private static readonly HttpClient s_configured = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = TimeSpan.FromSeconds(30) };
        }
        """);

    [Fact]
    public Task Fix_extends_an_existing_SocketsHttpHandler() => Verify.VerifyCodeFixAsync(Usings + """
        static class PaymentGateway
        {
            private static readonly HttpClient s_http = {|AP4002:new HttpClient(new SocketsHttpHandler
            {
                MaxConnectionsPerServer = 20,
                AutomaticDecompression = DecompressionMethods.All
            })|};
            private static readonly HttpClient s_plain = {|AP4002:new HttpClient(new SocketsHttpHandler(), disposeHandler: true)|};
        }
        """, Usings + """
        static class PaymentGateway
        {
            private static readonly HttpClient s_http = new HttpClient(new SocketsHttpHandler
            {
                MaxConnectionsPerServer = 20,
                AutomaticDecompression = DecompressionMethods.All,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2)
            });
            private static readonly HttpClient s_plain = new HttpClient(new SocketsHttpHandler() { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }, disposeHandler: true);
        }
        """);

    [Fact]
    public Task Fix_replaces_an_HttpClientHandler_whose_settings_SocketsHttpHandler_has() => Verify.VerifyCodeFixAsync(Usings + """
        static class PaymentGateway
        {
            private static readonly HttpClient s_http = {|AP4002:new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })|};
        }
        """, Usings + """
        static class PaymentGateway
        {
            private static readonly HttpClient s_http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
        }
        """);

    [Fact]
    public Task Fix_in_a_singleton_registration() => Verify.VerifyCodeFixAsync(DiUsings + """
        static class Registration
        {
            public static void AddPayments(IServiceCollection services) =>
                services.AddSingleton(_ => {|AP4002:new HttpClient { BaseAddress = new Uri("https://payments.example.com/") }|});
        }
        """, DiUsings + """
        static class Registration
        {
            public static void AddPayments(IServiceCollection services) =>
                services.AddSingleton(_ => new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { BaseAddress = new Uri("https://payments.example.com/") });
        }
        """);

    [Fact]
    public Task Fix_adds_the_usings_it_needs() => Verify.VerifyCodeFixAsync("""
        static class PaymentGateway
        {
            private static readonly System.Net.Http.HttpClient s_http = {|AP4002:new System.Net.Http.HttpClient()|};
        }
        """, """
        using System;
        using System.Net.Http;

        static class PaymentGateway
        {
            private static readonly System.Net.Http.HttpClient s_http = new System.Net.Http.HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
        }
        """);

    [Fact]
    public Task NoFix_for_an_HttpClientHandler_with_a_certificate_callback() => Verify.VerifyCodeFixAsync(Usings + """
        static class PaymentGateway
        {
            private static readonly HttpClient s_http = {|AP4002:new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator })|};
        }
        """, Usings + """
        static class PaymentGateway
        {
            private static readonly HttpClient s_http = {|AP4002:new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator })|};
        }
        """);

    // ---- FixAll ----

    [Fact]
    public Task FixAll_fixes_every_client_in_the_document() => Verify.VerifyCodeFixAsync(Usings + """
        static class Gateways
        {
            private static readonly HttpClient s_payments = {|AP4002:new HttpClient()|}, s_refunds = {|AP4002:new HttpClient(new SocketsHttpHandler())|};
            private static HttpClient? s_lazy;
            public static HttpClient Lazy => s_lazy ??= {|AP4002:new()|};
        }
        """, Usings + """
        static class Gateways
        {
            private static readonly HttpClient s_payments = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }), s_refunds = new HttpClient(new SocketsHttpHandler() { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
            private static HttpClient? s_lazy;
            public static HttpClient Lazy => s_lazy ??= new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
        }
        """);

    // ---- Options ----

    [Fact]
    public Task Option_lifetime_minutes_sets_the_lifetime_the_fix_writes() => new Verify.Test
    {
        EditorConfig = "asyncperf.AP4002.lifetime_minutes = 15",
        TestCode = Usings + """
            static class PaymentGateway
            {
                private static readonly HttpClient s_http = {|AP4002:new HttpClient()|};
            }
            """,
        FixedCode = Usings + """
            static class PaymentGateway
            {
                private static readonly HttpClient s_http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(15) });
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Option_lifetime_minutes_that_does_not_parse_falls_back_to_two() => new Verify.Test
    {
        EditorConfig = "asyncperf.AP4002.lifetime_minutes = soon",
        TestCode = Usings + """
            static class PaymentGateway
            {
                private static readonly HttpClient s_http = {|AP4002:new HttpClient()|};
            }
            """,
        FixedCode = Usings + """
            static class PaymentGateway
            {
                private static readonly HttpClient s_http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
            }
            """,
    }.RunAsync();
}
