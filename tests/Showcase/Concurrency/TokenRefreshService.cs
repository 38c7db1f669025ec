using System.Net.Http;

namespace Showcase.Concurrency;

/// <summary>Keeps one access token for the warehouse API and refreshes it one caller at a time.</summary>
public sealed class TokenRefreshService
{
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private readonly HttpClient _identity;
    private string? _token;
    private DateTimeOffset _expires;

    public TokenRefreshService(HttpClient identity) => _identity = identity;

    public async Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        // showcase-marker: AP1004 a failed refresh skips Release and every later caller waits forever
        await _refreshGate.WaitAsync(cancellationToken);
        if (_token is null || _expires < DateTimeOffset.UtcNow)
        {
            _token = await _identity.GetStringAsync("/token", cancellationToken);
            _expires = DateTimeOffset.UtcNow.AddMinutes(5);
        }

        _refreshGate.Release();
        return _token;
    }
}
