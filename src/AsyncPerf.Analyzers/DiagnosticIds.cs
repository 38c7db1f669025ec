namespace AsyncPerf;

/// <summary>The rule IDs. They are fixed: never renumber a shipped rule.</summary>
internal static class DiagnosticIds
{
    public const string UnboundedFanOut = "AP1001";
    public const string AsyncVoidDelegate = "AP1002";
    public const string UnboundedQueue = "AP1003";
    public const string SemaphoreReleaseNotInFinally = "AP1004";

    public const string SyncOverAsync = "AP2001";
    public const string BlockingCallInAsyncCode = "AP2002";

    public const string CancellationTokenNotForwarded = "AP3001";
    public const string AsyncApiWithoutCancellationToken = "AP3002";
    public const string WhenAnyDelayTimeout = "AP3003";
    public const string InfiniteHttpClientTimeout = "AP3004";

    public const string HttpClientPerCall = "AP4001";
    public const string NoPooledConnectionLifetime = "AP4002";
    public const string FileStreamWithoutAsyncMode = "AP4003";

    public const string LinearLookupInLoop = "AP5001";
    public const string BufferedResponse = "AP5002";
    public const string JsonViaString = "AP5003";
    public const string WholeFileForOnePass = "AP5004";
}
