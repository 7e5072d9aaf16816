namespace Connect.Api.SignIn;

/// <summary>
/// The sign-in page's HTML, rendered on the server: every value that came from outside (the application's name, the
/// exposure key, the token) is HTML-encoded, and nothing inline runs or styles: the script and the stylesheet are
/// the two files the page loads from its own origin.
/// </summary>
internal static class SignInPageMarkup
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    /// <summary>A pending inquiry: who asks, what they will see, and the buttons.</summary>
    public static string SignIn(string applicationName, string exposureKey, bool signUpOpen)
    {
        var name = Html.Encode(applicationName);
        var signUp = signUpOpen
            ? """
                  <button type="button" class="secondary" data-connect-action="sign-up">Create an account with a passkey</button>
              """
            : "";
        return Document($"Sign in to {name}", $"""
              <main class="card" data-connect-page="sign-in" data-connect-exposure-key="{Html.Encode(exposureKey)}">
                {Brand}
                <h1>Sign in to <span data-connect-application>{name}</span></h1>
                <p class="lead">Use the passkey on this device, your phone or your security key. No password, no user name.</p>
                <section class="shares" aria-labelledby="shares-title">
                  <h2 id="shares-title">What {name} will receive</h2>
                  <ul>
                    <li>A private identifier made for {name} alone: other applications get a different one.</li>
                    <li>Nothing else: not your name, your email address or the other applications you use.</li>
                  </ul>
                </section>
                <div class="actions" data-connect-actions>
                  <button type="button" class="primary" data-connect-action="sign-in">Sign in with a passkey</button>
              {signUp}
                </div>
                <p class="outcome" data-connect-outcome role="status" aria-live="polite" hidden></p>
                {Footer}
              </main>
            """);
    }

    /// <summary>An inquiry that cannot be signed into: a plain explanation and no button.</summary>
    public static string Unavailable(string? applicationName, string explanation)
    {
        var title = applicationName is null ? "Sign-in unavailable" : $"Sign in to {Html.Encode(applicationName)}";
        var application = applicationName is null
            ? "<h1>This sign-in link cannot be used</h1>"
            : $"<h1>Sign in to <span data-connect-application>{Html.Encode(applicationName)}</span></h1>";
        return Document(title, $"""
              <main class="card" data-connect-page="unavailable">
                {Brand}
                {application}
                <p class="outcome" data-connect-outcome data-connect-state="failed" role="status">{Html.Encode(explanation)}</p>
                {Footer}
              </main>
            """);
    }

    /// <summary>An enrollment link that can still add a passkey to its account.</summary>
    /// <param name="exposureKey">An inquiry to realize once the passkey is added, when the link names one.</param>
    public static string Enroll(string token, DateTimeOffset expiresAt, string? exposureKey)
    {
        var inquiry = exposureKey is null ? "" : $" data-connect-exposure-key=\"{Html.Encode(exposureKey)}\"";
        var until = Html.Encode(expiresAt.UtcDateTime.ToString("d MMMM yyyy, HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture));
        return Document("Add a passkey to your account", $"""
              <main class="card" data-connect-page="enroll" data-connect-token="{Html.Encode(token)}"{inquiry}>
                {Brand}
                <h1>Add a passkey to your account</h1>
                <p class="lead">This one-time link adds a passkey to an existing account, so that you can sign in with it from now on. It works once, until {until}.</p>
                <section class="shares" aria-labelledby="shares-title">
                  <h2 id="shares-title">Before you go on</h2>
                  <ul>
                    <li>Only continue if someone you trust sent you this link for your own account.</li>
                    <li>Your passkey stays on your device; Connect keeps only its public key.</li>
                  </ul>
                </section>
                <div class="actions" data-connect-actions>
                  <button type="button" class="primary" data-connect-action="enroll">Add a passkey</button>
                </div>
                <p class="outcome" data-connect-outcome role="status" aria-live="polite" hidden></p>
                {Footer}
              </main>
            """);
    }

    private const string Brand = """<header class="brand"><span class="mark" aria-hidden="true"></span>Connect</header>""";

    private const string Footer = "<footer>Connect signs you in with passkeys: your private key never leaves your device, and no password is kept anywhere.</footer>";

    private static string Document(string title, string main) => $"""
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>{title} · Connect</title>
          <link rel="stylesheet" href="{SignInPageController.StylesheetRoute}">
          <script src="{SignInPageController.ScriptRoute}" defer></script>
        </head>
        <body>
        {main}
        </body>
        </html>
        """;
}
