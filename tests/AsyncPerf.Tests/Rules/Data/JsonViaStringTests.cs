using Microsoft.CodeAnalysis;
using Xunit;
using Verify = AsyncPerf.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPerf.Rules.Data.JsonViaStringAnalyzer, AsyncPerf.CodeFixes.Rules.Data.JsonViaStringCodeFix>;

namespace AsyncPerf.Tests.Rules.Data;

public class JsonViaStringTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Net.Http;
        using System.Text;
        using System.Text.Json;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    private const string UsingsWithHttpJson = """
        using System;
        using System.Collections.Generic;
        using System.Net.Http;
        using System.Net.Http.Json;
        using System.Text;
        using System.Text.Json;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    private const string Order = """

        record Order(int Id, decimal Total);
        """;

    /// <summary>.NET 10 without System.Net.Http.Json: the fixes fall back to JsonSerializer.DeserializeAsync or are not offered.</summary>
    private static IReadOnlyList<MetadataReference> WithoutHttpJson =>
        Verifiers.TestReferences.Net10.Where(r => !string.Equals(Path.GetFileName(r.Display), "System.Net.Http.Json.dll", StringComparison.OrdinalIgnoreCase)).ToList();

    // ---- Flags ----

    [Fact]
    public Task Flags_Deserialize_of_ReadAsStringAsync() => Verify.VerifyAnalyzerAsync(Usings + """
        class OrderClient
        {
            async Task<Order?> GetAsync(HttpResponseMessage response, CancellationToken ct)
            {
                return {|AP5003:JsonSerializer.Deserialize<Order>(await response.Content.ReadAsStringAsync(ct))|};
            }
        }
        """ + Order);

    [Fact]
    public Task Flags_with_a_message_that_names_the_call_and_the_replacement() => Verify.VerifyAnalyzerAsync(Usings + """
        class OrderClient
        {
            async Task<Order?> GetAsync(HttpClient client, string url)
            {
                return JsonSerializer.Deserialize<Order>(await client.GetStringAsync(url));
            }
        }
        """ + Order,
        Verify.Diagnostic("AP5003").WithSpan(12, 16, 12, 83)
            .WithMessage("'GetStringAsync' materialises the JSON as a UTF-16 string first; call GetFromJsonAsync instead"));

    [Fact]
    public Task Flags_through_a_local_read_once_and_with_options_and_ConfigureAwait() => Verify.VerifyAnalyzerAsync(Usings + """
        class OrderClient
        {
            static readonly JsonSerializerOptions s_options = new() { PropertyNameCaseInsensitive = true };

            async Task<Order?> GetAsync(HttpContent content)
            {
                var json = await content.ReadAsStringAsync().ConfigureAwait(false);
                Console.WriteLine("received");
                return {|AP5003:JsonSerializer.Deserialize<Order>(json, s_options)|};
            }
        }
        """ + Order);

    [Fact]
    public Task Flags_StringContent_of_Serialize() => Verify.VerifyAnalyzerAsync(Usings + """
        class OrderClient
        {
            Task<HttpResponseMessage> PostAsync(HttpClient client, Order order) =>
                client.PostAsync("orders", new StringContent(JsonSerializer.Serialize(order), Encoding.UTF8, "application/json"));
        }
        """ + Order,
        Verify.Diagnostic("AP5003").WithSpan(11, 36, 11, 121)
            .WithMessage("'JsonSerializer.Serialize' materialises the JSON as a UTF-16 string first; send the value with JsonContent.Create instead"));

    [Fact]
    public Task Flags_without_HttpJson_with_the_fallback_in_the_message() => new Verify.Test
    {
        References = WithoutHttpJson,
        TestCode = Usings + """
            class OrderClient
            {
                async Task<Order?> GetAsync(HttpContent content) => JsonSerializer.Deserialize<Order>(await content.ReadAsStringAsync());
            }
            """ + Order,
        ExpectedDiagnostics =
        {
            Verify.Diagnostic("AP5003").WithSpan(10, 57, 10, 125)
                .WithMessage("'ReadAsStringAsync' materialises the JSON as a UTF-16 string first; deserialize the stream of ReadAsStreamAsync with JsonSerializer.DeserializeAsync"),
        },
        FixedCode = Usings + """
            class OrderClient
            {
                async Task<Order?> GetAsync(HttpContent content) => await JsonSerializer.DeserializeAsync<Order>(await content.ReadAsStreamAsync());
            }
            """ + Order,
    }.RunAsync();

    // ---- Does not flag ----

    [Fact]
    public Task DoesNotFlag_Newtonsoft_Json() => Verify.VerifyAnalyzerAsync(Usings + """
        class OrderClient
        {
            async Task<Order?> GetAsync(HttpContent content, Order order)
            {
                var sent = new StringContent(Newtonsoft.Json.JsonConvert.SerializeObject(order), Encoding.UTF8, "application/json");
                return Newtonsoft.Json.JsonConvert.DeserializeObject<Order>(await content.ReadAsStringAsync());
            }
        }
        """ + Order + """

        namespace Newtonsoft.Json
        {
            public static class JsonConvert
            {
                public static T? DeserializeObject<T>(string value) => default;
                public static string SerializeObject(object? value) => "";
            }
        }
        """);

    [Fact]
    public Task DoesNotFlag_a_local_read_twice_or_parsed_in_a_loop_or_a_lambda() => Verify.VerifyAnalyzerAsync(Usings + """
        class OrderClient
        {
            async Task<Order?> GetAsync(HttpContent content, int times)
            {
                var json = await content.ReadAsStringAsync();
                Console.WriteLine(json);
                var order = JsonSerializer.Deserialize<Order>(json);

                var body = await content.ReadAsStringAsync();
                for (var i = 0; i < times; i++)
                {
                    order = JsonSerializer.Deserialize<Order>(body);
                }

                var text = await content.ReadAsStringAsync();
                Func<Order?> parse = () => JsonSerializer.Deserialize<Order>(text);
                return order ?? parse();
            }
        }
        """ + Order);

    [Fact]
    public Task DoesNotFlag_strings_that_do_not_come_from_HTTP_or_other_content() => Verify.VerifyAnalyzerAsync(Usings + """
        class OrderClient
        {
            async Task<Order?> GetAsync(string path, Order order, string text)
            {
                var fromFile = JsonSerializer.Deserialize<Order>(await System.IO.File.ReadAllTextAsync(path));
                var plain = new StringContent(JsonSerializer.Serialize(order), Encoding.UTF8, "text/plain");
                var latin = new StringContent(JsonSerializer.Serialize(order), Encoding.Latin1, "application/json");
                var notJson = new StringContent(text, Encoding.UTF8, "application/json");
                var twoArguments = new StringContent(JsonSerializer.Serialize(order), Encoding.UTF8);
                return fromFile;
            }
        }
        """ + Order);

    [Fact]
    public Task DoesNotFlag_when_System_Text_Json_is_absent() => new Verify.Test
    {
        References = Verifiers.TestReferences.NetStandard20,
        TestCode = """
            using System.Net.Http;
            using System.Threading.Tasks;

            class OrderClient
            {
                async Task<string> GetAsync(HttpContent content) => await content.ReadAsStringAsync();
            }
            """,
    }.RunAsync();

    [Fact]
    public Task DoesNotFlag_incomplete_code() => new Verify.Test
    {
        AllowCompilerErrors = true,
        TestCode = Usings + """
            class OrderClient
            {
                async Task<Order?> GetAsync(HttpContent content)
                {
                    var a = JsonSerializer.Deserialize<Order>(await content.ReadAsStringAsync(
                    var b = JsonSerializer.Deserialize<Unknown>(await Unknown.ReadAsStringAsync());
                    var c = new StringContent(JsonSerializer.Serialize(), Encoding.UTF8, "application/json");
                    return null;
                }
            }
            """ + Order,
    }.RunAsync();

    // ---- Fix ----

    [Fact]
    public Task Fix_reads_the_content_with_ReadFromJsonAsync_and_keeps_the_general_defaults() => Verify.VerifyCodeFixAsync(Usings + """
        class OrderClient
        {
            async Task<Order?> GetAsync(HttpResponseMessage response, CancellationToken ct)
            {
                // parse the order
                var order = {|AP5003:JsonSerializer.Deserialize<Order>(await response.Content.ReadAsStringAsync(ct))|}; // may be null
                return order;
            }
        }
        """ + Order, UsingsWithHttpJson + """
        class OrderClient
        {
            async Task<Order?> GetAsync(HttpResponseMessage response, CancellationToken ct)
            {
                // parse the order
                var order = await response.Content.ReadFromJsonAsync<Order>(JsonSerializerOptions.Default, ct); // may be null
                return order;
            }
        }
        """ + Order);

    [Fact]
    public Task Fix_keeps_the_options_and_ConfigureAwait_and_removes_the_local() => Verify.VerifyCodeFixAsync(Usings + """
        class OrderClient
        {
            static readonly JsonSerializerOptions s_options = new() { PropertyNameCaseInsensitive = true };

            async Task<Order?> GetAsync(HttpContent content, CancellationToken ct)
            {
                // the body is small
                var json = await content.ReadAsStringAsync(ct).ConfigureAwait(false); // UTF-8
                return {|AP5003:JsonSerializer.Deserialize<Order>(json, s_options)|};
            }
        }
        """ + Order, UsingsWithHttpJson + """
        class OrderClient
        {
            static readonly JsonSerializerOptions s_options = new() { PropertyNameCaseInsensitive = true };

            async Task<Order?> GetAsync(HttpContent content, CancellationToken ct)
            {
                // the body is small
                // UTF-8
                return await content.ReadFromJsonAsync<Order>(s_options, ct).ConfigureAwait(false);
            }
        }
        """ + Order);

    [Fact]
    public Task Fix_calls_GetFromJsonAsync() => Verify.VerifyCodeFixAsync(Usings + """
        class OrderClient
        {
            async Task<List<Order>?> ListAsync(HttpClient client, Uri uri, JsonSerializerOptions options, CancellationToken ct)
            {
                var json = await client.GetStringAsync(uri, ct);
                return {|AP5003:JsonSerializer.Deserialize<List<Order>>(json, options)|};
            }
        }
        """ + Order, UsingsWithHttpJson + """
        class OrderClient
        {
            async Task<List<Order>?> ListAsync(HttpClient client, Uri uri, JsonSerializerOptions options, CancellationToken ct)
            {
                return await client.GetFromJsonAsync<List<Order>>(uri, options, ct);
            }
        }
        """ + Order);

    [Fact]
    public Task Fix_sends_JsonContent() => Verify.VerifyCodeFixAsync(Usings + """
        class OrderClient
        {
            async Task PostAsync(HttpClient client, Order order, JsonSerializerOptions options)
            {
                await client.PostAsync("orders", {|AP5003:new StringContent(JsonSerializer.Serialize(order), Encoding.UTF8, "application/json")|});
                using var content = {|AP5003:new StringContent(JsonSerializer.Serialize(order, options), Encoding.UTF8, "application/json")|};
                content.Headers.Add("X-Source", "shop");
                var request = new HttpRequestMessage(HttpMethod.Put, "orders") { Content = {|AP5003:new StringContent(JsonSerializer.Serialize<object>(order), Encoding.UTF8, "application/json")|} };
                await client.PutAsync("orders/1", content);
            }
        }
        """ + Order, UsingsWithHttpJson + """
        class OrderClient
        {
            async Task PostAsync(HttpClient client, Order order, JsonSerializerOptions options)
            {
                await client.PostAsync("orders", JsonContent.Create(order, options: JsonSerializerOptions.Default));
                using var content = JsonContent.Create(order, options: options);
                content.Headers.Add("X-Source", "shop");
                var request = new HttpRequestMessage(HttpMethod.Put, "orders") { Content = JsonContent.Create<object>(order, options: JsonSerializerOptions.Default) };
                await client.PutAsync("orders/1", content);
            }
        }
        """ + Order);

    [Fact]
    public Task FixAll_fixes_every_pattern_in_the_document() => Verify.VerifyCodeFixAsync(Usings + """
        class OrderClient
        {
            async Task<Order?> SyncAsync(HttpClient client, HttpContent content, Order order, CancellationToken ct)
            {
                var first = {|AP5003:JsonSerializer.Deserialize<Order>(await content.ReadAsStringAsync(ct))|};
                var second = {|AP5003:JsonSerializer.Deserialize<Order>(await client.GetStringAsync("orders/2", ct))|};
                await client.PostAsync("orders", {|AP5003:new StringContent(JsonSerializer.Serialize(order), Encoding.UTF8, "application/json")|}, ct);
                return first ?? second;
            }
        }
        """ + Order, UsingsWithHttpJson + """
        class OrderClient
        {
            async Task<Order?> SyncAsync(HttpClient client, HttpContent content, Order order, CancellationToken ct)
            {
                var first = await content.ReadFromJsonAsync<Order>(JsonSerializerOptions.Default, ct);
                var second = await client.GetFromJsonAsync<Order>("orders/2", JsonSerializerOptions.Default, ct);
                await client.PostAsync("orders", JsonContent.Create(order, options: JsonSerializerOptions.Default), ct);
                return first ?? second;
            }
        }
        """ + Order);

    [Fact]
    public Task Fix_falls_back_to_DeserializeAsync_without_HttpJson() => new Verify.Test
    {
        References = WithoutHttpJson,
        TestCode = Usings + """
            class OrderClient
            {
                async Task<Order?> GetAsync(HttpContent content, JsonSerializerOptions options, CancellationToken ct)
                {
                    var a = {|AP5003:JsonSerializer.Deserialize<Order>(await content.ReadAsStringAsync(ct), options)|};
                    var b = {|AP5003:JsonSerializer.Deserialize<Order>(await content.ReadAsStringAsync(ct).ConfigureAwait(false))|};
                    return a ?? b;
                }
            }
            """ + Order,
        FixedCode = Usings + """
            class OrderClient
            {
                async Task<Order?> GetAsync(HttpContent content, JsonSerializerOptions options, CancellationToken ct)
                {
                    var a = await JsonSerializer.DeserializeAsync<Order>(await content.ReadAsStreamAsync(ct), options, ct);
                    var b = await JsonSerializer.DeserializeAsync<Order>(await content.ReadAsStreamAsync(ct).ConfigureAwait(false), cancellationToken: ct).ConfigureAwait(false);
                    return a ?? b;
                }
            }
            """ + Order,
    }.RunAsync();

    [Fact]
    public Task Fix_falls_back_on_netstandard20_with_a_System_Text_Json() => new Verify.Test
    {
        References = Verifiers.TestReferences.NetStandard20,
        TestCode = """
            using System.IO;
            using System.Net.Http;
            using System.Text.Json;
            using System.Threading;
            using System.Threading.Tasks;

            class OrderClient
            {
                async Task<Order> GetAsync(HttpContent content) => {|AP5003:JsonSerializer.Deserialize<Order>(await content.ReadAsStringAsync())|};
            }

            class Order { }

            namespace System.Text.Json
            {
                public sealed class JsonSerializerOptions { }

                public static class JsonSerializer
                {
                    public static T Deserialize<T>(string json, JsonSerializerOptions options = null) => default;
                    public static Task<T> DeserializeAsync<T>(Stream utf8Json, JsonSerializerOptions options = null, CancellationToken cancellationToken = default) => default;
                }
            }
            """,
        FixedCode = """
            using System.IO;
            using System.Net.Http;
            using System.Text.Json;
            using System.Threading;
            using System.Threading.Tasks;

            class OrderClient
            {
                async Task<Order> GetAsync(HttpContent content) => await JsonSerializer.DeserializeAsync<Order>(await content.ReadAsStreamAsync());
            }

            class Order { }

            namespace System.Text.Json
            {
                public sealed class JsonSerializerOptions { }

                public static class JsonSerializer
                {
                    public static T Deserialize<T>(string json, JsonSerializerOptions options = null) => default;
                    public static Task<T> DeserializeAsync<T>(Stream utf8Json, JsonSerializerOptions options = null, CancellationToken cancellationToken = default) => default;
                }
            }
            """,
    }.RunAsync();

    [Fact]
    public Task Fix_keeps_a_JsonTypeInfo() => Verify.VerifyCodeFixAsync(Usings + """
        class OrderClient
        {
            async Task<Order?> SyncAsync(HttpClient client, HttpContent content, Order order, System.Text.Json.Serialization.Metadata.JsonTypeInfo<Order> typeInfo)
            {
                await client.PostAsync("orders", {|AP5003:new StringContent(JsonSerializer.Serialize(order, typeInfo), Encoding.UTF8, "application/json")|});
                return {|AP5003:JsonSerializer.Deserialize(await content.ReadAsStringAsync(), typeInfo)|};
            }
        }
        """ + Order, UsingsWithHttpJson + """
        class OrderClient
        {
            async Task<Order?> SyncAsync(HttpClient client, HttpContent content, Order order, System.Text.Json.Serialization.Metadata.JsonTypeInfo<Order> typeInfo)
            {
                await client.PostAsync("orders", JsonContent.Create(order, typeInfo));
                return await content.ReadFromJsonAsync<Order>(typeInfo);
            }
        }
        """ + Order);

    [Fact]
    public Task Fix_adds_the_HttpJson_using_after_a_file_header() => Verify.VerifyCodeFixAsync("""
        // Copyright (c) Shop.
        using System.Net.Http;
        using System.Threading.Tasks;

        class OrderClient
        {
            async Task<int[]?> GetAsync(HttpClient client) => {|AP5003:System.Text.Json.JsonSerializer.Deserialize<int[]>(await client.GetStringAsync("ids"))|};
        }
        """, """
        // Copyright (c) Shop.
        using System.Net.Http;
        using System.Net.Http.Json;
        using System.Text.Json;
        using System.Threading.Tasks;

        class OrderClient
        {
            async Task<int[]?> GetAsync(HttpClient client) => await client.GetFromJsonAsync<int[]>("ids", JsonSerializerOptions.Default);
        }
        """);

    // ---- No fix ----

    [Fact]
    public Task NoFix_without_HttpJson_for_GetStringAsync_and_StringContent() => new Verify.Test
    {
        References = WithoutHttpJson,
        TestCode = Usings + """
            class OrderClient
            {
                async Task<Order?> SyncAsync(HttpClient client, Order order)
                {
                    await client.PostAsync("orders", {|AP5003:new StringContent(JsonSerializer.Serialize(order), Encoding.UTF8, "application/json")|});
                    return {|AP5003:JsonSerializer.Deserialize<Order>(await client.GetStringAsync("orders/1"))|};
                }
            }
            """ + Order,
        FixedCode = Usings + """
            class OrderClient
            {
                async Task<Order?> SyncAsync(HttpClient client, Order order)
                {
                    await client.PostAsync("orders", new StringContent(JsonSerializer.Serialize(order), Encoding.UTF8, "application/json"));
                    return JsonSerializer.Deserialize<Order>(await client.GetStringAsync("orders/1"));
                }
            }
            """ + Order,
    }.RunAsync();

    [Fact]
    public Task NoFix_when_the_read_is_not_right_before_the_parse_or_the_StringContent_type_is_needed() => new Verify.Test
    {
        TestCode = Usings + """
            class OrderClient
            {
                async Task<Order?> GetAsync(HttpResponseMessage response, Order order)
                {
                    var json = await response.Content.ReadAsStringAsync();
                    response.Dispose();
                    Console.WriteLine("parsing");
                    StringContent typed = {|AP5003:new StringContent(JsonSerializer.Serialize(order), Encoding.UTF8, "application/json")|};
                    var reassigned = {|AP5003:new StringContent(JsonSerializer.Serialize(order), Encoding.UTF8, "application/json")|};
                    reassigned = typed;
                    return {|AP5003:JsonSerializer.Deserialize<Order>(json)|};
                }
            }
            """ + Order,
        FixedCode = Usings + """
            class OrderClient
            {
                async Task<Order?> GetAsync(HttpResponseMessage response, Order order)
                {
                    var json = await response.Content.ReadAsStringAsync();
                    response.Dispose();
                    Console.WriteLine("parsing");
                    StringContent typed = new StringContent(JsonSerializer.Serialize(order), Encoding.UTF8, "application/json");
                    var reassigned = new StringContent(JsonSerializer.Serialize(order), Encoding.UTF8, "application/json");
                    reassigned = typed;
                    return JsonSerializer.Deserialize<Order>(json);
                }
            }
            """ + Order,
    }.RunAsync();
}
