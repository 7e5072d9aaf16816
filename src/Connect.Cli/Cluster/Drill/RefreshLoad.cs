namespace Connect.Cli.Cluster.Drill;

/// <summary>
/// The drill's other load: <c>POST /refresh</c> through the front, each session driven as one honest client drives
/// it. A client sends one refresh at a time; on 200 it keeps the new refresh token; on anything else (a 503, a
/// dropped connection) it keeps the token it has and presents it again on its next turn, as the official rotating
/// clients do. A rotation whose answer was lost must then be adopted within the grace window, never taken for theft.
/// </summary>
internal sealed class RefreshLoad(HttpClient http, IReadOnlyList<DrillSessionClient> clients, int ratePerSecond)
{
    private readonly ConcurrentQueue<DrillAnswer> answers = new();
    private int next;

    public IReadOnlyCollection<DrillAnswer> Answers => answers;

    /// <summary>Sends until <paramref name="stop"/> is cancelled, then waits for the answers still in flight.</summary>
    public Task RunAsync(Stopwatch phaseClock, CancellationToken stop) =>
        PacedRequests.RunAsync(ratePerSecond, () => NextIdleClient() is { } client
            ? async () =>
            {
                try
                {
                    answers.Enqueue(await SendAsync(client, phaseClock));
                }
                finally
                {
                    client.Release();
                }
            }
            : null, stop);

    /// <summary>The next client in turn that has no refresh in flight; a client never sends two at once.</summary>
    private DrillSessionClient? NextIdleClient()
    {
        for (var tried = 0; tried < clients.Count; tried++)
        {
            var client = clients[(int)((uint)Interlocked.Increment(ref next) % (uint)clients.Count)];
            if (client.TryTake())
            {
                return client;
            }
        }

        return null;
    }

    private async Task<DrillAnswer> SendAsync(DrillSessionClient client, Stopwatch phaseClock)
    {
        var presented = client.RefreshToken;
        var presentedClaims = DrillRefreshToken.Read(presented);
        var request = new DrillRequest(ClientRequests.RefreshPath, Authorization: null, ClientRequests.RefreshBody(presented));
        var sentAt = phaseClock.Elapsed.TotalSeconds;
        var (status, reason, retryAfter, failure, json) = await RevokeAllLoad.SendAsync(http, request);
        string? answered = null;
        long? answeredVersion = null;
        if (status == 200 && json is { } root && root.TryGetProperty("refreshToken", out var token) && token.GetString() is { } text)
        {
            answered = text;
            answeredVersion = DrillRefreshToken.Read(text).Version;
            client.RefreshToken = text;
        }

        return new DrillAnswer("refresh", client.Index, presentedClaims.Jti, sentAt, phaseClock.Elapsed.TotalSeconds, status, reason, retryAfter, failure, answeredVersion, request)
        {
            PresentedVersion = presentedClaims.Version,
            AnsweredToken = answered,
        };
    }
}

/// <summary>One session as its client holds it: the refresh token it will present next.</summary>
internal sealed class DrillSessionClient(int index, string sessionId, string refreshToken)
{
    private int busy;

    public int Index { get; } = index;

    public string SessionId { get; } = sessionId;

    public string RefreshToken { get; set; } = refreshToken;

    public bool TryTake() => Interlocked.CompareExchange(ref busy, 1, 0) == 0;

    public void Release() => Volatile.Write(ref busy, 0);
}

/// <summary>The two claims the drill reads back from a refresh token it holds (it trusts the server that signed it).</summary>
internal static class DrillRefreshToken
{
    public static (string Jti, int Version) Read(string token)
    {
        var payload = token.Split('.')[1];
        using var json = JsonDocument.Parse(Base64Url.DecodeFromChars(payload));
        return (json.RootElement.GetProperty("jti").GetString()!, json.RootElement.GetProperty("rotationVersion").GetInt32());
    }
}
