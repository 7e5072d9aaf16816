namespace Connect.Cli.Demo;

/// <summary>
/// <c>./connect up --demo</c>: a real signed <c>POST /revoke-all</c> over HTTP against the running service,
/// set up through the same administrative commands an operator uses.
/// </summary>
internal sealed class RevokeAllDemo(IMediator mediator, HttpClient http, TimeProvider clock, TextWriter output) : IDisposable
{
    public const int Sessions = 3;

    private readonly RSA _key = RSA.Create(2048);

    /// <summary>The demo application, once <see cref="RunAsync"/> registered it: the sign-in demo signs as it too.</summary>
    public DemoApplication? Registered { get; private set; }

    public void Dispose() => _key.Dispose();

    /// <returns>The revokedCount of the first call and of the repeat.</returns>
    public async Task<(int First, int Repeat)> RunAsync(CancellationToken cancellationToken)
    {
        var key = _key;
        var anchor = $"demo-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}-{RandomNumberGenerator.GetHexString(4, lowercase: true)}";
        var registered = Expect(await mediator.Send(
            new RegisterApplicationCommand(anchor, key.ExportSubjectPublicKeyInfoPem(), Sector: null), cancellationToken));
        var account = Expect(await mediator.Send(new CreateAccountCommand(), cancellationToken)).Account;
        var subject = Expect(await mediator.Send(new IssueSubjectCommand(account, anchor), cancellationToken)).Subject;
        var issued = Expect(await mediator.Send(
            new IssueSessionsCommand(account, anchor, Sessions, IssueSessionsCommand.DefaultExpiresInSeconds), cancellationToken));
        var first = issued.Sessions[0];
        Registered = new DemoApplication(anchor, registered.KeyId.Value, key);

        await output.WriteLineAsync($"""

            == Demo: log one user out everywhere ==
            Registered application '{anchor}' (key id {registered.KeyId}) in sector {registered.Sector},
            an account with subject {subject} in that sector, and {Sessions} active sessions for it.

            The first session's token pair, as a client holds it (signed by the application's token-signing key,
            published at {new Uri(http.BaseAddress!, $"/applications/{Uri.EscapeDataString(anchor)}/jwks.json")}):
              sessionId:    {first.SessionId}
              accessToken:  {first.AccessToken}
              refreshToken: {first.RefreshToken}
            """);

        var firstCount = await SendAsync(anchor, registered.KeyId.Value, key, subject.Value, "The call", cancellationToken);
        var repeat = await SendAsync(anchor, registered.KeyId.Value, key, subject.Value, "The same call again, with a new JWT", cancellationToken);
        return (firstCount, repeat);
    }

    private async Task<int> SendAsync(
        string anchor, string keyId, RSA key, string subject, string title, CancellationToken cancellationToken)
    {
        var body = ClientRequests.RevokeAllBody(subject);
        var jwt = MintedClientJwt.Mint(anchor, keyId, key, body, clock.GetUtcNow());
        using var request = new HttpRequestMessage(HttpMethod.Post, ClientRequests.RevokeAllPath) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue(ClientRequests.Scheme, jwt.Token);

        using var response = await http.SendAsync(request, cancellationToken);
        var answer = await response.Content.ReadAsStringAsync(cancellationToken);

        await output.WriteLineAsync($"""

            -- {title} --
            POST {new Uri(http.BaseAddress!, ClientRequests.RevokeAllPath)}
            Content-Type: application/json
            Authorization: {ClientRequests.Authorization(jwt.Token)}
              JWT header:  {jwt.HeaderJson}
              JWT payload: {jwt.PayloadJson}

            {Encoding.UTF8.GetString(body)}

            HTTP {(int)response.StatusCode} {response.ReasonPhrase}
            {answer}
            """);

        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(answer);
        return json.RootElement.GetProperty("revokedCount").GetInt32();
    }

    private static T Expect<T>(AdministrationOutcome<T> outcome) =>
        outcome.Succeeded ? outcome.Value : throw new InvalidOperationException($"demo setup failed: {outcome.Failure.Message}");
}

/// <summary>The application the demo registered, with the private half of its client-auth key.</summary>
internal sealed record DemoApplication(string Anchor, string KeyId, RSA Key);
