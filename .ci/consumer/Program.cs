// A throwaway consumer of the packed AsyncPerf.Analyzers package (copied by .ci/run outside the repository).
using System.Net.Http;
using System.Threading.Channels;

public static class Orders
{
    private static readonly HttpClient s_http = new();

    // AP2001 (Warning by default).
    public static string LoadSync(string url) => s_http.GetStringAsync(url).Result;

    // AP1003 (Info by default: a message; a warning under AsyncPerfMode=Strict).
    public static Channel<string> CreateQueue() => Channel.CreateUnbounded<string>();
}
