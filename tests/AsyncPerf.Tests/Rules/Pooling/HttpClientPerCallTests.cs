using Microsoft.CodeAnalysis;
using Xunit;
using Verify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Pooling.HttpClientPerCallAnalyzer, AsyncPerf.CodeFixes.Rules.Pooling.HttpClientPerCallCodeFix>;

namespace AsyncPerf.Tests.Rules.Pooling;

public class HttpClientPerCallTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Net.Http;
        using System.Threading.Tasks;

        """;

    private const string DiUsings = Usings + """
        using Microsoft.Extensions.DependencyInjection;

        """;

    // ---- Flags ----

    [Fact]
    public Task Flags_a_using_local_created_per_call() => Verify.VerifyAnalyzerAsync(Usings + """
        class WeatherClient
        {
            public async Task<string> ForecastAsync(string city)
            {
                using var http = {|AP4001:new HttpClient()|};
                return await http.GetStringAsync($"https://weather.example.com/{city}");
            }
        }
        """);

    [Fact]
    public Task Flags_with_a_message_that_says_to_reuse_one_client() => Verify.VerifyAnalyzerAsync(Usings + """
        class WeatherClient
        {
            public Task<string> ForecastAsync(string city) => new HttpClient().GetStringAsync(city);
        }
        """,
        Verify.Diagnostic("AP4001").WithSpan(7, 55, 7, 71)
            .WithMessage("Reuse one HttpClient instead of creating one per call: each instance opens its own connections and leaves sockets in TIME_WAIT"));

    [Fact]
    public Task Flags_with_a_stronger_message_inside_a_loop() => Verify.VerifyAnalyzerAsync(Usings + """
        class PriceFeed
        {
            public async Task RefreshAsync(IEnumerable<string> urls)
            {
                foreach (var url in urls)
                {
                    using var http = new HttpClient();
                    await http.GetStringAsync(url);
                }
            }
        }
        """,
        Verify.Diagnostic("AP4001").WithSpan(11, 30, 11, 46)
            .WithMessage("Reuse one HttpClient instead of creating one per call inside a loop (a new client and connection on every iteration): each instance opens its own connections and leaves sockets in TIME_WAIT"));

    [Fact]
    public Task Flags_using_statement_handler_argument_initializer_and_target_typed_new() => Verify.VerifyAnalyzerAsync(Usings + """
        class InventoryClient
        {
            public async Task<string> StockAsync(string sku)
            {
                using (var http = {|AP4001:new HttpClient(new HttpClientHandler { UseCookies = false })|})
                {
                    return await http.GetStringAsync("https://stock.example.com/" + sku);
                }
            }

            public async Task<string> PriceAsync(string sku)
            {
                HttpClient http = {|AP4001:new() { Timeout = TimeSpan.FromSeconds(5) }|};
                return await http.GetStringAsync("https://prices.example.com/" + sku);
            }
        }
        """);

    [Fact]
    public Task Flags_in_lambdas_local_functions_and_expression_bodied_members() => Verify.VerifyAnalyzerAsync(Usings + """
        class Probes
        {
            public Func<string, Task<string>> Probe => url => {|AP4001:new HttpClient()|}.GetStringAsync(url);

            public async Task<int> PingAllAsync(string[] hosts)
            {
                async Task<int> PingAsync(string host)
                {
                    using var http = {|AP4001:new HttpClient()|};
                    return (await http.GetByteArrayAsync(host)).Length;
                }

                var total = 0;
                foreach (var host in hosts) total += await PingAsync(host);
                return total;
            }
        }
        """);

    [Fact]
    public Task Flags_an_async_iterator_and_a_primary_constructor_type() => Verify.VerifyAnalyzerAsync(Usings + """
        class FeedReader(string feedUrl)
        {
            public async IAsyncEnumerable<string> PagesAsync(int count)
            {
                for (var i = 0; i < count; i++)
                {
                    using var http = {|AP4001:new HttpClient()|};
                    yield return await http.GetStringAsync($"{feedUrl}?page={i}");
                }
            }
        }
        """);

    [Fact]
    public Task Flags_in_a_file_scoped_namespace_and_a_minimal_api_handler() => Verify.VerifyAnalyzerAsync(Usings + """
        using Microsoft.AspNetCore.Builder;
        namespace Orders.Api;

        static class Endpoints
        {
            public static void Map(WebApplication app) =>
                app.MapGet("/rates", async () =>
                {
                    using var http = {|AP4001:new HttpClient()|};
                    return await http.GetStringAsync("https://rates.example.com/eur");
                });
        }
        """);

    [Fact]
    public Task Flags_in_a_loop_in_top_level_statements() => new Verify.Test
    {
        OutputKind = OutputKind.ConsoleApplication,
        TestCode = Usings + """
            foreach (var url in args)
            {
                using var http = {|AP4001:new HttpClient()|};
                Console.WriteLine(await http.GetStringAsync(url));
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Flags_in_a_minimal_api_handler_declared_in_top_level_statements() => new Verify.Test
    {
        OutputKind = OutputKind.ConsoleApplication,
        TestCode = Usings + """
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;

            var app = WebApplication.CreateBuilder(args).Build();
            app.MapGet("/rates", async () =>
            {
                using var http = {|AP4001:new HttpClient()|};
                return await http.GetStringAsync("https://rates.example.com/eur");
            });
            app.Run();
            """,
    }.RunAsync();

    // ---- Does not flag ----

    [Fact]
    public Task DoesNotFlag_field_and_property_initializers() => Verify.VerifyAnalyzerAsync(Usings + """
        class CatalogClient
        {
            private static readonly HttpClient s_http = new HttpClient();
            private readonly HttpClient _http = new();
            public HttpClient Client { get; } = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        }
        """);

    [Fact]
    public Task DoesNotFlag_constructors() => Verify.VerifyAnalyzerAsync(Usings + """
        class CatalogClient
        {
            private readonly HttpClient _http;
            public CatalogClient(Uri baseAddress)
            {
                var http = new HttpClient();
                http.BaseAddress = baseAddress;
                _http = http;
                using var probe = new HttpClient();
                probe.GetAsync(baseAddress).Wait();
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_factory_methods_that_return_the_client() => Verify.VerifyAnalyzerAsync(Usings + """
        static class HttpClients
        {
            public static HttpClient Create(Uri baseAddress) => new HttpClient { BaseAddress = baseAddress };

            public static HttpClient CreateWithTimeout(TimeSpan timeout)
            {
                var http = new HttpClient();
                http.Timeout = timeout;
                return http;
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_client_stored_in_a_field_or_property() => Verify.VerifyAnalyzerAsync(Usings + """
        class CatalogClient
        {
            private HttpClient? _http;
            public HttpClient? Current { get; private set; }

            public void Reset()
            {
                _http = new HttpClient();
                var next = new HttpClient();
                Current = next;
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_lazy_initialisation_with_coalescing_assignment() => Verify.VerifyAnalyzerAsync(Usings + """
        class CatalogClient
        {
            private HttpClient? _http;
            private HttpClient Http => _http ??= new HttpClient();
            public Task<string> LoadAsync(string url) => Http.GetStringAsync(url);
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_client_passed_on_to_a_wrapper() => Verify.VerifyAnalyzerAsync(Usings + """
        class GitHubApi { public GitHubApi(HttpClient http) { } }
        class Setup
        {
            public GitHubApi Create() => new GitHubApi(new HttpClient());
            public GitHubApi CreateLocal()
            {
                var http = new HttpClient();
                return new GitHubApi(http);
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_lambdas_passed_to_dependency_injection_registration() => Verify.VerifyAnalyzerAsync(DiUsings + """
        static class Registration
        {
            public static void AddClients(IServiceCollection services)
            {
                services.AddSingleton(sp => new HttpClient());
                services.AddTransient<HttpClient>(_ => new HttpClient { Timeout = TimeSpan.FromSeconds(3) });
                services.AddSingleton<IProbe>(sp =>
                {
                    using var http = new HttpClient();
                    return new Probe(http.GetStringAsync("https://config.example.com").Result);
                });
                services.AddHttpClient("catalog").ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler());
            }
        }

        interface IProbe { }
        class Probe(string config) : IProbe { }
        """);

    [Fact]
    public Task DoesNotFlag_the_Blazor_WebAssembly_template_registration() => Verify.VerifyAnalyzerAsync(DiUsings + """
        static class Program
        {
            public static void Configure(IServiceCollection services, string baseAddress) =>
                services.AddScoped(sp => new HttpClient { BaseAddress = new Uri(baseAddress) });
        }
        """);

    [Fact]
    public Task DoesNotFlag_Main_and_top_level_statements_outside_loops() => new Verify.Test
    {
        OutputKind = OutputKind.ConsoleApplication,
        TestCode = Usings + """
            using var http = new HttpClient();
            Console.WriteLine(await http.GetStringAsync(args[0]));
            """,
    }.RunAsync();

    [Fact]
    public Task DoesNotFlag_test_projects() => new Verify.Test
    {
        AdditionalReferences = { Verifiers.TestReferences.Xunit[0], Verifiers.TestReferences.Xunit[1] },
        TestCode = Usings + """
            public class CatalogTests
            {
                [Xunit.Fact]
                public async Task Catalog_answers()
                {
                    using var http = new HttpClient();
                    Xunit.Assert.NotEmpty(await http.GetStringAsync("http://localhost:5000/catalog"));
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task DoesNotFlag_other_types_and_incomplete_code() => new Verify.Test
    {
        AllowCompilerErrors = true,
        TestCode = Usings + """
            class CatalogClient
            {
                public async Task<string> LoadAsync(string url)
                {
                    using var handler = new HttpClientHandler();
                    using var http = new UnknownClient();
                    using var other = new HttpClient(
                    return await http.GetStringAsync(url);
                }
            }
            """,
    }.RunAsync();

    // ---- Fix ----

    [Fact]
    public Task Fix_hoists_the_client_into_a_static_field_with_a_pooled_connection_lifetime() => Verify.VerifyCodeFixAsync(Usings + """
        class WeatherClient
        {
            private readonly string _apiKey = "demo";

            public async Task<string> ForecastAsync(string city)
            {
                // one request per city
                using var http = {|AP4001:new HttpClient()|};
                var body = await http.GetStringAsync($"https://weather.example.com/{city}?key={_apiKey}");
                return body.Trim();
            }
        }
        """, Usings + """
        class WeatherClient
        {
            private readonly string _apiKey = "demo";
            private static readonly HttpClient s_httpClient = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });

            public async Task<string> ForecastAsync(string city)
            {
                // one request per city
                var body = await s_httpClient.GetStringAsync($"https://weather.example.com/{city}?key={_apiKey}");
                return body.Trim();
            }
        }
        """);

    [Fact]
    public Task Fix_moves_constant_settings_into_the_initializer() => Verify.VerifyCodeFixAsync(Usings + """
        class StockClient
        {
            public async Task<string> StockAsync(string sku)
            {
                var http = {|AP4001:new HttpClient { Timeout = TimeSpan.FromSeconds(10) }|};
                http.BaseAddress = new Uri("https://stock.example.com/");
                return await http.GetStringAsync("items/" + sku);
            }
        }
        """, Usings + """
        class StockClient
        {
            private static readonly HttpClient s_httpClient = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = TimeSpan.FromSeconds(10), BaseAddress = new Uri("https://stock.example.com/") };

            public async Task<string> StockAsync(string sku)
            {
                return await s_httpClient.GetStringAsync("items/" + sku);
            }
        }
        """);

    [Fact]
    public Task Fix_moves_constant_default_headers_into_a_collection_initializer() => Verify.VerifyCodeFixAsync(Usings + """
        class CarrierClient
        {
            private const string Agent = "orders/1.0";

            public async Task<string> RatesAsync(string zone)
            {
                using var http = {|AP4001:new HttpClient()|};
                http.DefaultRequestHeaders.Add("User-Agent", Agent);
                http.DefaultRequestHeaders.Add("X-Api-Version", "2");
                http.Timeout = TimeSpan.FromSeconds(20);
                return await http.GetStringAsync("https://carrier.example.com/rates/" + zone);
            }
        }
        """, Usings + """
        class CarrierClient
        {
            private const string Agent = "orders/1.0";
            private static readonly HttpClient s_httpClient = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = TimeSpan.FromSeconds(20), DefaultRequestHeaders = { { "User-Agent", Agent }, { "X-Api-Version", "2" } } };

            public async Task<string> RatesAsync(string zone)
            {
                return await s_httpClient.GetStringAsync("https://carrier.example.com/rates/" + zone);
            }
        }
        """);

    [Fact]
    public Task NoFix_when_a_setting_is_assigned_twice() => Verify.VerifyCodeFixAsync(Usings + """
        class CarrierClient
        {
            public async Task<string> RatesAsync(string zone)
            {
                using var http = {|AP4001:new HttpClient { Timeout = TimeSpan.FromSeconds(5) }|};
                http.Timeout = TimeSpan.FromSeconds(20);
                return await http.GetStringAsync("https://carrier.example.com/rates/" + zone);
            }
        }
        """, Usings + """
        class CarrierClient
        {
            public async Task<string> RatesAsync(string zone)
            {
                using var http = {|AP4001:new HttpClient { Timeout = TimeSpan.FromSeconds(5) }|};
                http.Timeout = TimeSpan.FromSeconds(20);
                return await http.GetStringAsync("https://carrier.example.com/rates/" + zone);
            }
        }
        """);

    [Fact]
    public Task Fix_unwraps_a_using_statement_and_keeps_the_handler() => Verify.VerifyCodeFixAsync(Usings + """
        class InventoryClient
        {
            public async Task<string> StockAsync(string sku)
            {
                using (var http = {|AP4001:new HttpClient(new HttpClientHandler { UseCookies = false })|})
                {
                    var response = await http.GetAsync("https://stock.example.com/" + sku);
                    return await response.Content.ReadAsStringAsync();
                }
            }
        }
        """, Usings + """
        class InventoryClient
        {
            private static readonly HttpClient s_httpClient = new(new HttpClientHandler { UseCookies = false });

            public async Task<string> StockAsync(string sku)
            {
                var response = await s_httpClient.GetAsync("https://stock.example.com/" + sku);
                return await response.Content.ReadAsStringAsync();
            }
        }
        """);

    [Fact]
    public Task Fix_unwraps_a_using_statement_and_keeps_its_comment() => Verify.VerifyCodeFixAsync(Usings + """
        class InventoryClient
        {
            public async Task<int> CountAsync(string[] skus)
            {
                var count = 0;
                // ask the stock service for every SKU
                using (var http = {|AP4001:new HttpClient()|})
                {
                    foreach (var sku in skus)
                    {
                        count += (await http.GetStringAsync("https://stock.example.com/" + sku)).Length;
                    }
                }

                return count;
            }
        }
        """, Usings + """
        class InventoryClient
        {
            private static readonly HttpClient s_httpClient = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });

            public async Task<int> CountAsync(string[] skus)
            {
                var count = 0;
                // ask the stock service for every SKU
                foreach (var sku in skus)
                {
                    count += (await s_httpClient.GetStringAsync("https://stock.example.com/" + sku)).Length;
                }

                return count;
            }
        }
        """);

    [Fact]
    public Task Fix_in_a_record_with_a_primary_constructor_in_a_file_scoped_namespace() => Verify.VerifyCodeFixAsync(Usings + """
        namespace Orders.Shipping;

        public sealed record TrackingClient(string Carrier)
        {
            public async Task<string> StatusAsync(string parcel)
            {
                using var http = {|AP4001:new HttpClient()|};
                return await http.GetStringAsync($"https://track.example.com/{Carrier}/{parcel}");
            }
        }
        """, Usings + """
        namespace Orders.Shipping;

        public sealed record TrackingClient(string Carrier)
        {
            private static readonly HttpClient s_httpClient = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });

            public async Task<string> StatusAsync(string parcel)
            {
                return await s_httpClient.GetStringAsync($"https://track.example.com/{Carrier}/{parcel}");
            }
        }
        """);

    [Fact]
    public Task NoFix_in_top_level_statements_which_have_no_type_to_hold_the_field() => new Verify.Test
    {
        OutputKind = OutputKind.ConsoleApplication,
        TestCode = Usings + """
            foreach (var url in args)
            {
                using var http = {|AP4001:new HttpClient()|};
                Console.WriteLine(await http.GetStringAsync(url));
            }
            """,
        FixedCode = Usings + """
            foreach (var url in args)
            {
                using var http = {|AP4001:new HttpClient()|};
                Console.WriteLine(await http.GetStringAsync(url));
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Fix_replaces_a_client_used_as_a_receiver() => Verify.VerifyCodeFixAsync(Usings + """
        class WeatherClient
        {
            public Task<string> ForecastAsync(string city) => {|AP4001:new HttpClient()|}.GetStringAsync("https://weather.example.com/" + city);
        }
        """, Usings + """
        class WeatherClient
        {
            private static readonly HttpClient s_httpClient = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });

            public Task<string> ForecastAsync(string city) => s_httpClient.GetStringAsync("https://weather.example.com/" + city);
        }
        """);

    [Fact]
    public Task Fix_adds_a_PooledConnectionLifetime_to_a_SocketsHttpHandler() => Verify.VerifyCodeFixAsync(Usings + """
        class WeatherClient
        {
            public async Task<string> ForecastAsync(string city)
            {
                using var http = {|AP4001:new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4 })|};
                return await http.GetStringAsync("https://weather.example.com/" + city);
            }
        }
        """, Usings + """
        class WeatherClient
        {
            private static readonly HttpClient s_httpClient = new(new SocketsHttpHandler { MaxConnectionsPerServer = 4, PooledConnectionLifetime = TimeSpan.FromMinutes(2) });

            public async Task<string> ForecastAsync(string city)
            {
                return await s_httpClient.GetStringAsync("https://weather.example.com/" + city);
            }
        }
        """);

    [Fact]
    public Task Fix_picks_a_field_name_that_does_not_clash() => Verify.VerifyCodeFixAsync(Usings + """
        class WeatherClient
        {
            private static readonly string s_httpClient = "taken";

            public async Task<string> ForecastAsync(string city)
            {
                using var http = {|AP4001:new HttpClient()|};
                return await http.GetStringAsync(s_httpClient + city);
            }
        }
        """, Usings + """
        class WeatherClient
        {
            private static readonly string s_httpClient = "taken";
            private static readonly HttpClient s_httpClient2 = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });

            public async Task<string> ForecastAsync(string city)
            {
                return await s_httpClient2.GetStringAsync(s_httpClient + city);
            }
        }
        """);

    [Fact]
    public Task Fix_avoids_a_name_that_a_local_already_uses() => Verify.VerifyCodeFixAsync(Usings + """
        class WeatherClient
        {
            public async Task<string> ForecastAsync(string city)
            {
                var s_httpClient = "https://weather.example.com/";
                return await {|AP4001:new HttpClient()|}.GetStringAsync(s_httpClient + city);
            }
        }
        """, Usings + """
        class WeatherClient
        {
            private static readonly HttpClient s_httpClient2 = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });

            public async Task<string> ForecastAsync(string city)
            {
                var s_httpClient = "https://weather.example.com/";
                return await s_httpClient2.GetStringAsync(s_httpClient + city);
            }
        }
        """);

    [Fact]
    public Task Fix_places_the_field_after_the_last_static_field() => Verify.VerifyCodeFixAsync(Usings + """
        class WeatherClient
        {
            private static readonly Uri s_endpoint = new("https://weather.example.com/");
            private readonly string _city;

            public WeatherClient(string city) => _city = city;

            public async Task<string> ForecastAsync()
            {
                using var http = {|AP4001:new HttpClient()|};
                return await http.GetStringAsync(new Uri(s_endpoint, _city));
            }
        }
        """, Usings + """
        class WeatherClient
        {
            private static readonly Uri s_endpoint = new("https://weather.example.com/");
            private static readonly HttpClient s_httpClient = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
            private readonly string _city;

            public WeatherClient(string city) => _city = city;

            public async Task<string> ForecastAsync()
            {
                return await s_httpClient.GetStringAsync(new Uri(s_endpoint, _city));
            }
        }
        """);

    [Fact]
    public Task Fix_on_netstandard20_uses_the_default_handler() => new Verify.Test
    {
        References = Verifiers.TestReferences.NetStandard20,
        LanguageVersion = Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp8,
        TestCode = Usings + """
            class WeatherClient
            {
                public async Task<string> ForecastAsync(string city)
                {
                    using (var http = {|AP4001:new HttpClient()|})
                    {
                        return await http.GetStringAsync("https://weather.example.com/" + city);
                    }
                }
            }
            """,
        FixedCode = Usings + """
            class WeatherClient
            {
                private static readonly HttpClient s_httpClient = new HttpClient();

                public async Task<string> ForecastAsync(string city)
                {
                    return await s_httpClient.GetStringAsync("https://weather.example.com/" + city);
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task NoFix_when_a_setting_depends_on_the_call() => Verify.VerifyCodeFixAsync(Usings + """
        class TenantClient
        {
            public async Task<string> LoadAsync(Uri tenant, string path)
            {
                using var http = {|AP4001:new HttpClient { BaseAddress = tenant }|};
                return await http.GetStringAsync(path);
            }
        }
        """, Usings + """
        class TenantClient
        {
            public async Task<string> LoadAsync(Uri tenant, string path)
            {
                using var http = {|AP4001:new HttpClient { BaseAddress = tenant }|};
                return await http.GetStringAsync(path);
            }
        }
        """);

    [Fact]
    public Task NoFix_when_headers_are_set_on_the_client() => Verify.VerifyCodeFixAsync(Usings + """
        class TenantClient
        {
            public async Task<string> LoadAsync(string token, string url)
            {
                using var http = {|AP4001:new HttpClient()|};
                http.DefaultRequestHeaders.Add("Authorization", "Bearer " + token);
                return await http.GetStringAsync(url);
            }
        }
        """, Usings + """
        class TenantClient
        {
            public async Task<string> LoadAsync(string token, string url)
            {
                using var http = {|AP4001:new HttpClient()|};
                http.DefaultRequestHeaders.Add("Authorization", "Bearer " + token);
                return await http.GetStringAsync(url);
            }
        }
        """);

    [Fact]
    public Task NoFix_when_the_client_is_disposed_explicitly_or_configured_later() => Verify.VerifyCodeFixAsync(Usings + """
        class TenantClient
        {
            public async Task<string> LoadAsync(string url)
            {
                var http = {|AP4001:new HttpClient()|};
                var body = await http.GetStringAsync(url);
                http.Dispose();
                return body;
            }

            public async Task<string> SlowAsync(string url)
            {
                var http = {|AP4001:new HttpClient()|};
                var first = await http.GetStringAsync(url);
                http.Timeout = TimeSpan.FromMinutes(5);
                return first + await http.GetStringAsync(url);
            }
        }
        """, Usings + """
        class TenantClient
        {
            public async Task<string> LoadAsync(string url)
            {
                var http = {|AP4001:new HttpClient()|};
                var body = await http.GetStringAsync(url);
                http.Dispose();
                return body;
            }

            public async Task<string> SlowAsync(string url)
            {
                var http = {|AP4001:new HttpClient()|};
                var first = await http.GetStringAsync(url);
                http.Timeout = TimeSpan.FromMinutes(5);
                return first + await http.GetStringAsync(url);
            }
        }
        """);

    [Fact]
    public Task NoFix_when_a_setting_reads_a_static_field_of_the_same_type() => Verify.VerifyCodeFixAsync(Usings + """
        class CatalogClient
        {
            public async Task<string> LoadAsync(string path)
            {
                using var http = {|AP4001:new HttpClient { BaseAddress = s_base }|};
                return await http.GetStringAsync(path);
            }

            private static readonly Uri s_base = new("https://catalog.example.com/");
        }
        """, Usings + """
        class CatalogClient
        {
            public async Task<string> LoadAsync(string path)
            {
                using var http = {|AP4001:new HttpClient { BaseAddress = s_base }|};
                return await http.GetStringAsync(path);
            }

            private static readonly Uri s_base = new("https://catalog.example.com/");
        }
        """);

    // ---- FixAll ----

    [Fact]
    public Task FixAll_shares_one_field_between_clients_with_the_same_settings() => Verify.VerifyCodeFixAsync(Usings + """
        class OrderGateway
        {
            public async Task<string> StatusAsync(string id)
            {
                using var http = {|AP4001:new HttpClient()|};
                return await http.GetStringAsync("https://orders.example.com/status/" + id);
            }

            public async Task CancelAsync(string id)
            {
                using var http = {|AP4001:new HttpClient()|};
                await http.DeleteAsync("https://orders.example.com/" + id);
            }

            public Task<string> PingAsync() => {|AP4001:new HttpClient { Timeout = TimeSpan.FromSeconds(1) }|}.GetStringAsync("https://orders.example.com/ping");
        }
        """, Usings + """
        class OrderGateway
        {
            private static readonly HttpClient s_httpClient = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
            private static readonly HttpClient s_httpClient2 = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = TimeSpan.FromSeconds(1) };

            public async Task<string> StatusAsync(string id)
            {
                return await s_httpClient.GetStringAsync("https://orders.example.com/status/" + id);
            }

            public async Task CancelAsync(string id)
            {
                await s_httpClient.DeleteAsync("https://orders.example.com/" + id);
            }

            public Task<string> PingAsync() => s_httpClient2.GetStringAsync("https://orders.example.com/ping");
        }
        """);

    [Fact]
    public Task FixAll_fixes_nested_clients_in_a_loop_and_a_lambda() => Verify.VerifyCodeFixAsync(Usings + """
        class PriceFeed
        {
            public async Task<int> RefreshAsync(IEnumerable<string> urls)
            {
                var total = 0;
                foreach (var url in urls)
                {
                    using var http = {|AP4001:new HttpClient()|};
                    Func<Task<string>> again = () => {|AP4001:new HttpClient()|}.GetStringAsync(url);
                    total += (await http.GetStringAsync(url)).Length + (await again()).Length;
                }

                return total;
            }
        }
        """, Usings + """
        class PriceFeed
        {
            private static readonly HttpClient s_httpClient = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });

            public async Task<int> RefreshAsync(IEnumerable<string> urls)
            {
                var total = 0;
                foreach (var url in urls)
                {
                    Func<Task<string>> again = () => s_httpClient.GetStringAsync(url);
                    total += (await s_httpClient.GetStringAsync(url)).Length + (await again()).Length;
                }

                return total;
            }
        }
        """);

    [Fact]
    public Task FixAll_handles_a_client_nested_in_the_arguments_of_another() => Verify.VerifyCodeFixAsync(Usings + """
        class Redirects
        {
            public async Task<string> FollowAsync(string start) =>
                await {|AP4001:new HttpClient()|}.GetStringAsync(await {|AP4001:new HttpClient()|}.GetStringAsync(start));
        }
        """, Usings + """
        class Redirects
        {
            private static readonly HttpClient s_httpClient = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });

            public async Task<string> FollowAsync(string start) =>
                await s_httpClient.GetStringAsync(await s_httpClient.GetStringAsync(start));
        }
        """);

    [Fact]
    public Task FixAll_in_two_documents_gives_each_type_its_field()
    {
        var test = new Verify.Test();
        test.Sources.Add(Usings + """
            class OrderGateway
            {
                public Task<string> StatusAsync(string id) => {|AP4001:new HttpClient()|}.GetStringAsync("https://orders.example.com/" + id);
            }
            """);
        test.Sources.Add(Usings + """
            class RefundGateway
            {
                public Task<string> StatusAsync(string id) => {|AP4001:new HttpClient()|}.GetStringAsync("https://refunds.example.com/" + id);
            }
            """);
        test.FixedSources = new()
        {
            Usings + """
            class OrderGateway
            {
                private static readonly HttpClient s_httpClient = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });

                public Task<string> StatusAsync(string id) => s_httpClient.GetStringAsync("https://orders.example.com/" + id);
            }
            """,
            Usings + """
            class RefundGateway
            {
                private static readonly HttpClient s_httpClient = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });

                public Task<string> StatusAsync(string id) => s_httpClient.GetStringAsync("https://refunds.example.com/" + id);
            }
            """,
        };
        return test.RunAsync();
    }

    // ---- Options ----

    [Fact]
    public Task Option_include_tests_reports_in_test_projects() => new Verify.Test
    {
        EditorConfig = "asyncperf.AP4001.include_tests = true",
        AdditionalReferences = { Verifiers.TestReferences.Xunit[0], Verifiers.TestReferences.Xunit[1] },
        TestCode = Usings + """
            public class CatalogTests
            {
                [Xunit.Fact]
                public async Task Catalog_answers()
                {
                    using var http = {|AP4001:new HttpClient()|};
                    Xunit.Assert.NotEmpty(await http.GetStringAsync("http://localhost:5000/catalog"));
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Option_include_tests_false_is_the_default_and_can_be_explicit() => new Verify.Test
    {
        EditorConfig = "asyncperf.AP4001.include_tests = false",
        AdditionalReferences = { Verifiers.TestReferences.Xunit[0], Verifiers.TestReferences.Xunit[1] },
        TestCode = Usings + """
            public class CatalogTests
            {
                public async Task<string> LoadAsync()
                {
                    using var http = new HttpClient();
                    return await http.GetStringAsync("http://localhost:5000/catalog");
                }
            }
            """,
    }.RunAsync();
}
