using System.Net;
using Connect.Application.Inquiries;
using Connect.Application.SigningKeys;
using Connect.Infrastructure;
using Connect.Testing.Seeding;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Connect.Api.Tests.SignInPage;

/// <summary>
/// A person's browser against the real service: Debian's chromium (never a downloaded one) driven by Playwright,
/// with a virtual WebAuthn authenticator over the DevTools protocol, talking to the service's whole pipeline on a
/// real loopback socket over a fresh database. The page is opened as http://localhost:PORT because WebAuthn refuses
/// an IP address as relying-party id, and localhost is a secure context.
/// </summary>
public sealed class SignInBrowser : ConnectApi
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright _playwright = null!;

    public SignInBrowser()
        : this(LoopbackPort.Free())
    {
    }

    // The public URL must name the port before the host starts, so the port is chosen first.
    private SignInBrowser(int port)
        : base(new ConnectApiOptions
        {
            Loopback = true,
            LoopbackPort = port,
            SeedApplication = false,
            Settings = new Dictionary<string, string?>
            {
                ["Connect:SigningKeys:KeyEncryptionKey"] = SigningKeyEncryption.NewKeyEncryptionKey(),
                ["Connect:SessionTokens:Issuer"] = $"http://localhost:{port}",
                ["Connect:SignInPage:CallsPerMinutePerAddress"] = "1000",
            },
        }) =>
        PublicAddress = new Uri($"http://localhost:{port}");

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The service's public URL, as the page and its origin check know it.</summary>
    public Uri PublicAddress { get; }

    public CallbackReceiver Callbacks { get; } = new();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Callbacks.Start();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
    }

    public override async Task DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
        Callbacks.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>A new person: a browser context of their own with a platform authenticator that verifies them.</summary>
    public async Task<Person> NewPersonAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 900, Height = 820 } });
        var page = await context.NewPageAsync();
        var devTools = await context.NewCDPSessionAsync(page);
        await devTools.SendAsync("WebAuthn.enable");
        var added = await devTools.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
        return new Person(context, page, devTools, added!.Value.GetProperty("authenticatorId").GetString()!, this);
    }

    /// <summary>An inquiry opened through the inquiry use cases' own store, as /establish opens one.</summary>
    public async Task<string> NewInquiryAsync(
        TestApplication app, string? callbackUrl = null, IReadOnlyList<string>? allowedSubjects = null, bool expired = false)
    {
        var exposureKey = InquiryKeys.NewKey();
        var now = DateTimeOffset.UtcNow;
        var created = expired ? now.AddMinutes(-20) : now;
        await Services.GetRequiredService<IInquiryStore>().CreateAsync(
            new NewInquiry(
                Guid.CreateVersion7(), app.Id, exposureKey, InquiryKeys.Hash(InquiryKeys.NewKey()), allowedSubjects,
                null, null, callbackUrl, created, created.AddMinutes(10)),
            CancellationToken.None);
        return exposureKey;
    }

    public Task<StoredInquiry?> FindInquiryAsync(string exposureKey) =>
        Services.GetRequiredService<IInquiryStore>().FindAsync(exposureKey, CancellationToken.None);

    public Uri SignInUrl(string exposureKey) => new(PublicAddress, $"/sign-in?exposure-key={exposureKey}");
}

/// <summary>One person's browser and authenticator.</summary>
public sealed class Person(IBrowserContext context, IPage page, ICDPSession devTools, string authenticator, SignInBrowser browser)
    : IAsyncDisposable
{
    public IPage Page => page;

    /// <summary>
    /// Puts every credential back into the authenticator with its signature counter at 0: what a clone made before
    /// the last uses would hold.
    /// </summary>
    public async Task RewindCountersAsync()
    {
        var held = await devTools.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = authenticator });
        foreach (var credential in held!.Value.GetProperty("credentials").EnumerateArray())
        {
            var id = credential.GetProperty("credentialId").GetString()!;
            await devTools.SendAsync("WebAuthn.removeCredential", new Dictionary<string, object> { ["authenticatorId"] = authenticator, ["credentialId"] = id });
            await devTools.SendAsync("WebAuthn.addCredential", new Dictionary<string, object>
            {
                ["authenticatorId"] = authenticator,
                ["credential"] = new Dictionary<string, object>
                {
                    ["credentialId"] = id,
                    ["isResidentCredential"] = true,
                    ["rpId"] = credential.GetProperty("rpId").GetString()!,
                    ["privateKey"] = credential.GetProperty("privateKey").GetString()!,
                    ["userHandle"] = credential.GetProperty("userHandle").GetString()!,
                    ["signCount"] = 0,
                },
            });
        }
    }

    public async Task OpenAsync(Uri url) => await page.GotoAsync(url.AbsoluteUri);

    /// <summary>Clicks the action and waits for the page's outcome element to say how it ended.</summary>
    public async Task<(string State, string Text)> ActAsync(string action)
    {
        await page.Locator($"[data-connect-action=\"{action}\"]").ClickAsync();
        var outcome = page.Locator("[data-connect-outcome][data-connect-state]:not([data-connect-state=\"working\"])");
        await outcome.WaitForAsync();
        return ((await outcome.GetAttributeAsync("data-connect-state"))!, await outcome.InnerTextAsync());
    }

    /// <summary>Signs up (or in) on a fresh inquiry of <paramref name="app"/>, which must end realized.</summary>
    public async Task<StoredInquiry> RealizeAsync(TestApplication app, string action)
    {
        var exposureKey = await browser.NewInquiryAsync(app);
        await OpenAsync(browser.SignInUrl(exposureKey));
        var (state, text) = await ActAsync(action);
        Assert.True(state == "realized", text);
        return (await browser.FindInquiryAsync(exposureKey))!;
    }

    public async ValueTask DisposeAsync() => await context.CloseAsync();
}

/// <summary>A tiny loopback web server standing for the application's callback URL: it records each query it gets.</summary>
public sealed class CallbackReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource<Uri>> _waiting = new();

    public Uri BaseAddress { get; private set; } = null!;

    public void Start()
    {
        BaseAddress = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");

        _listener.Prefixes.Add(BaseAddress.AbsoluteUri);
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    /// <summary>The request that arrives on <paramref name="path"/>, once it does.</summary>
    public Task<Uri> RequestTo(string path) =>
        _waiting.GetOrAdd(path, _ => new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Dispose() => _listener.Close();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            var url = context.Request.Url!;
            _waiting.GetOrAdd(url.AbsolutePath, _ => new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(url);
            var body = "<!doctype html><title>Signed in</title><p>Back at the application.</p>"u8.ToArray();
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SignInBrowserGroup : ICollectionFixture<SignInBrowser>
{
    public const string Name = "sign-in page in a real browser";
}
