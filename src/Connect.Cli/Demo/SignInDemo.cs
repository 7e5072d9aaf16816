namespace Connect.Cli.Demo;

/// <summary>
/// The sign-in half of <c>./connect up --demo</c>: the demo application opens an inquiry with a real signed
/// <c>POST /establish</c>, the demo prints the sign-in URL a person opens, then polls <c>/status-poll</c> with the
/// hidden key and, once the person has signed in with a passkey, redeems the inquiry for the session's token pair,
/// exactly as an application's back end would.
/// </summary>
internal sealed class SignInDemo(HttpClient http, TimeProvider clock, TextWriter output, string publicUrl)
{
    /// <summary>How often the demo asks whether the person signed in (an inquiry allows 600 polls).</summary>
    public TimeSpan PollEvery { get; init; } = TimeSpan.FromSeconds(2);

    public async Task<DemoInquiry> EstablishAsync(DemoApplication application, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            applicationAnchor = application.Anchor,
            returnMethods = new[] { new { type = "STATUS_POLL", payload = new { } } },
        });
        var jwt = MintedClientJwt.Mint(application.Anchor, application.KeyId, application.Key, body, clock.GetUtcNow());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/establish") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("SudomimusClientJWT", jwt.Token);

        using var response = await http.SendAsync(request, cancellationToken);
        var answer = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"demo: /establish answered {(int)response.StatusCode} {answer}");
        }

        using var json = JsonDocument.Parse(answer);
        var inquiry = new DemoInquiry(
            json.RootElement.GetProperty("exposureKey").GetString()!, json.RootElement.GetProperty("hiddenKey").GetString()!);
        var signInUrl = $"{publicUrl.TrimEnd('/')}/sign-in?exposure-key={Uri.EscapeDataString(inquiry.ExposureKey)}";

        await output.WriteLineAsync($"""

            == Demo: sign in with a passkey ==
            The demo application opened an inquiry:
            POST {new Uri(http.BaseAddress!, "/establish")}
            Authorization: SudomimusClientJWT {jwt.Token}

            {Encoding.UTF8.GetString(body)}

            HTTP {(int)response.StatusCode} {response.ReasonPhrase}
            {answer}

            Open this page in a browser on this machine, and create an account with a passkey (or sign in with one):

              {signInUrl}

            The demo polls /status-poll every {PollEvery.TotalSeconds:0} s with the hidden key, as an application's back
            end does, and redeems the inquiry once you have signed in. The inquiry expires after 10 minutes.
            """);
        return inquiry with { SignInUrl = signInUrl };
    }

    /// <summary>Polls until the inquiry is realized, then redeems it and prints the token pair.</summary>
    /// <returns>The <c>/redeem</c> answer, or <c>null</c> when the inquiry ended otherwise (expired, already used).</returns>
    public async Task<string?> RedeemWhenRealizedAsync(DemoInquiry inquiry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inquiry);
        while (true)
        {
            var (status, poll) = await PostAsync(
                "/status-poll", new { exposureKey = inquiry.ExposureKey, hiddenKey = inquiry.HiddenKey }, cancellationToken);
            if (status != 200)
            {
                await output.WriteLineAsync($"\n-- The inquiry ended without a sign-in: /status-poll answered {status} {poll} --");
                return null;
            }

            using (var json = JsonDocument.Parse(poll))
            {
                if (json.RootElement.GetProperty("status").GetString() == "REALIZED")
                {
                    var confirmationKey = json.RootElement.GetProperty("confirmationKey").GetString()!;
                    return await RedeemAsync(inquiry, poll, confirmationKey, cancellationToken);
                }
            }

            await Task.Delay(PollEvery, clock, cancellationToken);
        }
    }

    private async Task<string?> RedeemAsync(DemoInquiry inquiry, string poll, string confirmationKey, CancellationToken cancellationToken)
    {
        var (status, answer) = await PostAsync(
            "/redeem",
            new { exposureKey = inquiry.ExposureKey, hiddenKey = inquiry.HiddenKey, confirmationKey },
            cancellationToken);
        await output.WriteLineAsync($"""

            -- Signed in --
            POST /status-poll
            {poll}

            POST /redeem
            HTTP {status}
            {answer}

            The session is the account's in the demo application: refresh it with /refresh, end it with /logout.
            """);
        return status == 200 ? answer : null;
    }

    private async Task<(int Status, string Body)> PostAsync(string path, object body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), content, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }
}

/// <summary>The keys of the demo's inquiry: the exposure key travels in the URL, the hidden key stays here.</summary>
internal sealed record DemoInquiry(string ExposureKey, string HiddenKey, string? SignInUrl = null);
