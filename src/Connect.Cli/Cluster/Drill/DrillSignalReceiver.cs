namespace Connect.Cli.Cluster.Drill;

/// <summary>
/// The drill's back-channel logout receiver on this machine: every logout token the cluster's instances post is
/// verified (signature against the application's JWKS served by the front, <c>iss</c>, <c>aud</c>, <c>typ</c>) with
/// Microsoft's JWT handler, never Connect's own code, and its subject and arrival time recorded. Answers 204, or 400 to
/// a token that does not verify, which the delivery worker turns into a dead letter, so a bad token shows as missing.
/// </summary>
internal sealed class DrillSignalReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly JsonWebTokenHandler _handler = new();
    private readonly ConcurrentQueue<DrillSignal> _signals = new();
    private readonly Stopwatch _clock;
    private readonly string _anchor;
    private readonly Uri _jwks;
    private readonly HttpClient _http;
    private readonly Task _serving;
    private IList<SecurityKey> _keys = [];
    private int _refused;

    private DrillSignalReceiver(int port, string anchor, HttpClient http, Stopwatch clock)
    {
        Url = $"http://127.0.0.1:{port}/backchannel-logout";
        _anchor = anchor;
        _http = http;
        _clock = clock;
        _jwks = new Uri($"{ClusterLayout.FrontUrl}/applications/{Uri.EscapeDataString(anchor)}/jwks.json");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public string Url { get; }

    public IReadOnlyCollection<DrillSignal> Signals => _signals;

    /// <summary>Tokens that did not verify (each one answered 400).</summary>
    public int Refused => Volatile.Read(ref _refused);

    public static DrillSignalReceiver Start(string anchor, HttpClient http, Stopwatch clock) =>
        new(LoopbackPort.Free(), anchor, http, clock);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var arrivedAt = _clock.Elapsed.TotalSeconds;
        using var reader = new StreamReader(context.Request.InputStream);
        var form = System.Web.HttpUtility.ParseQueryString(await reader.ReadToEndAsync());
        var subject = await VerifyAsync(form["logout_token"] ?? "");
        if (subject is null)
        {
            Interlocked.Increment(ref _refused);
        }
        else
        {
            _signals.Enqueue(new DrillSignal(subject.Value.Subject, subject.Value.Sid, subject.Value.Jti, arrivedAt));
        }

        context.Response.StatusCode = subject is null ? 400 : 204;
        context.Response.Close();
    }

    private async Task<(string Subject, string? Sid, string Jti)?> VerifyAsync(string token)
    {
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = ClusterLayout.FrontUrl,
            ValidAudience = _anchor,
            ValidTypes = ["logout+jwt"],
            ValidAlgorithms = ["RS256"],
            IssuerSigningKeys = _keys,
        };
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            _keys = new JsonWebKeySet(await _http.GetStringAsync(_jwks)).GetSigningKeys();
            parameters.IssuerSigningKeys = _keys;
            result = await _handler.ValidateTokenAsync(token, parameters);
        }

        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt
            || !jwt.TryGetPayloadValue<JsonElement>("events", out var events)
            || !events.TryGetProperty("http://schemas.openid.net/event/backchannel-logout", out _))
        {
            return null;
        }

        return (jwt.Subject, jwt.TryGetPayloadValue<string>("sid", out var sid) ? sid : null, jwt.Id);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}

/// <summary>One verified logout token: whose sessions ended, which one (none for a subject-wide signal), and when it came.</summary>
internal sealed record DrillSignal(string Subject, string? Sid, string Jti, double ArrivedAt);
