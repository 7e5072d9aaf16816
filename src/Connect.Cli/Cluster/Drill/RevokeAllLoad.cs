namespace Connect.Cli.Cluster.Drill;

/// <summary>
/// The drill's load: real signed <c>POST /revoke-all</c> requests through the front at a steady rate, each
/// with a fresh client JWT from the CLI's own minter, every answer recorded. Targets cycle through the
/// accounts prepared for the drill, so a target's first revocation ends its sessions and later ones end none.
/// </summary>
internal sealed class RevokeAllLoad(HttpClient http, DrillApplication application, int ratePerSecond)
{
    private readonly ConcurrentQueue<DrillAnswer> answers = new();
    private int next;

    public IReadOnlyCollection<DrillAnswer> Answers => answers;

    /// <summary>Sends until <paramref name="stop"/> is cancelled, then waits for the answers still in flight.</summary>
    public Task RunAsync(Stopwatch phaseClock, CancellationToken stop) =>
        PacedRequests.RunAsync(ratePerSecond, () =>
        {
            var target = application.Accounts[Interlocked.Increment(ref next) % application.Accounts.Count];
            return async () => answers.Enqueue(await SendAsync(target, phaseClock));
        }, stop);

    private async Task<DrillAnswer> SendAsync(DrillAccount target, Stopwatch phaseClock)
    {
        var body = ClientRequests.RevokeAllBody(target.Subject);
        var jwt = MintedClientJwt.Mint(application.Anchor, application.KeyId, application.Key, body, DateTimeOffset.UtcNow);
        using var payload = JsonDocument.Parse(jwt.PayloadJson);
        var jti = payload.RootElement.GetProperty("jti").GetString()!;
        var request = new DrillRequest(ClientRequests.RevokeAllPath, ClientRequests.Authorization(jwt.Token), body);
        var sentAt = phaseClock.Elapsed.TotalSeconds;
        var (status, reason, retryAfter, failure, json) = await SendAsync(http, request);
        long? revoked = status == 200 && json is { } root && root.TryGetProperty("revokedCount", out var count) ? count.GetInt64() : null;
        return new DrillAnswer("revoke-all", target.Index, jti, sentAt, phaseClock.Elapsed.TotalSeconds, status, reason, retryAfter, failure, revoked, request);
    }

    /// <summary>Sends one recorded request and reads the answer the way a client would.</summary>
    public static async Task<(int? Status, string? Reason, bool RetryAfter, string? Failure, JsonElement? Json)> SendAsync(
        HttpClient http, DrillRequest request)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, request.Path) { Content = new ByteArrayContent(request.Body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (request.Authorization is { } authorization)
        {
            message.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        try
        {
            using var response = await http.SendAsync(message);
            var text = await response.Content.ReadAsStringAsync();
            JsonElement? json = null;
            string? reason = null;
            if (text.Length > 0)
            {
                try
                {
                    json = JsonDocument.Parse(text).RootElement.Clone();
                    reason = json.Value.TryGetProperty("reason", out var r) ? r.GetString() : null;
                }
                catch (JsonException)
                {
                    reason = "not-json";
                }
            }

            return ((int)response.StatusCode, reason, response.Headers.RetryAfter is not null, null, json);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            return (null, null, false, "refused", null);
        }
        catch (HttpRequestException e)
        {
            // What the client saw, kept for the report: "dropped" covers a reset, an answer cut short, a bad header.
            return (null, Describe(e), false, "dropped", null);
        }
        catch (TaskCanceledException)
        {
            return (null, null, false, "timeout", null);
        }
    }

    private static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (var current = e; current is not null; current = current.InnerException)
        {
            parts.Add(current is System.Net.Sockets.SocketException socket ? $"{socket.SocketErrorCode}" : current.Message);
        }

        return string.Join(" <- ", parts);
    }
}

/// <summary>The application the drill signs as, and the accounts it revokes.</summary>
internal sealed record DrillApplication(string Anchor, string KeyId, RSA Key, IReadOnlyList<DrillAccount> Accounts);

/// <summary>An account with <see cref="Sessions"/> sessions at the start of the drill.</summary>
internal sealed record DrillAccount(int Index, Connect.Domain.Accounts.AccountId Account, string Subject, int Sessions);
