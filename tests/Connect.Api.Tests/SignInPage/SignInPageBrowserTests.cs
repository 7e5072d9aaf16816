using System.Net;
using System.Text;
using Connect.Application.Passkeys.CreatePasskeyLink;
using Connect.Testing.Seeding;
using Dapper;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;

namespace Connect.Api.Tests.SignInPage;

/// <summary>The sign-in page as a person uses it: a real chromium, a virtual authenticator, the real service.</summary>
[Collection(SignInBrowserGroup.Name)]
public sealed class SignInPageBrowserTests(SignInBrowser browser)
{
    [Fact]
    public async Task Sign_up_creates_an_account_with_its_passkey_and_realizes_the_inquiry()
    {
        var app = await NewApplicationAsync("Northwind Shop");
        await using var person = await browser.NewPersonAsync();
        var exposureKey = await browser.NewInquiryAsync(app);

        await person.OpenAsync(browser.SignInUrl(exposureKey));
        Assert.Equal("Northwind Shop", await person.Page.Locator("[data-connect-application]").InnerTextAsync());
        await SaveScreenshotAsync(person.Page, "sign-in-page.png");
        var (state, text) = await person.ActAsync("sign-up");

        Assert.Equal("realized", state);
        Assert.Contains("You can return to the application", text, StringComparison.Ordinal);
        var inquiry = await browser.FindInquiryAsync(exposureKey);
        var account = inquiry!.RealizedBy!.Account;
        Assert.Single((await PasskeysOfAsync(account.Value)));
        Assert.Equal(0, await person.Page.Locator("[data-connect-action]:visible").CountAsync());
        await SaveScreenshotAsync(person.Page, "sign-in-page-realized.png");
    }

    [Fact]
    public async Task Signing_in_again_with_the_same_passkey_reaches_the_same_account()
    {
        var app = await NewApplicationAsync("Northwind Shop");
        await using var person = await browser.NewPersonAsync();
        var signedUp = await person.RealizeAsync(app, "sign-up");

        var signedIn = await person.RealizeAsync(app, "sign-in");

        Assert.Equal(signedUp.RealizedBy!.Account, signedIn.RealizedBy!.Account);
        Assert.NotNull(await ScalarAsync<DateTime?>("SELECT last_used_at FROM passkeys WHERE account_id = @Id", signedIn.RealizedBy.Account.Value));
    }

    [Fact]
    public async Task With_a_callback_the_browser_goes_to_it_with_both_keys_and_the_applications_own_query()
    {
        var app = await NewApplicationAsync("Northwind Shop");
        await using var person = await browser.NewPersonAsync();
        var path = $"/signed-in/{Guid.NewGuid():N}";
        var exposureKey = await browser.NewInquiryAsync(app, callbackUrl: new Uri(browser.Callbacks.BaseAddress, path + "?cart=42").AbsoluteUri);
        var arrived = browser.Callbacks.RequestTo(path);

        await person.OpenAsync(browser.SignInUrl(exposureKey));
        await person.Page.Locator("[data-connect-action=\"sign-up\"]").ClickAsync();
        var callback = await arrived.WaitAsync(TimeSpan.FromMinutes(2));

        var query = System.Web.HttpUtility.ParseQueryString(callback.Query);
        Assert.Equal("42", query["cart"]);
        Assert.Equal(exposureKey, query["exposure-key"]);
        Assert.False(string.IsNullOrEmpty(query["confirmation-key"]));
        Assert.NotNull((await browser.FindInquiryAsync(exposureKey))!.RealizedBy);
    }

    [Fact]
    public async Task A_person_a_SECTOR_SUBJECT_constraint_does_not_name_fails_and_the_inquiry_stays_unrealized()
    {
        var app = await NewApplicationAsync("Northwind Shop");
        await using var person = await browser.NewPersonAsync();
        var account = (await person.RealizeAsync(app, "sign-up")).RealizedBy!.Account;
        var subject = await browser.Db.Accounts.IssueSubjectAsync(account, app.Sector, CancellationToken.None);
        var exposureKey = await browser.NewInquiryAsync(app, allowedSubjects: ["someone-else-entirely-0000000000000000000"]);

        await person.OpenAsync(browser.SignInUrl(exposureKey));
        var (state, text) = await person.ActAsync("sign-in");

        Assert.Equal("failed", state);
        Assert.Contains("different account", text, StringComparison.Ordinal);
        Assert.Null((await browser.FindInquiryAsync(exposureKey))!.RealizedBy);
        var allowed = await browser.NewInquiryAsync(app, allowedSubjects: [subject!.Value.Value]);
        await person.OpenAsync(browser.SignInUrl(allowed));
        Assert.Equal("realized", (await person.ActAsync("sign-in")).State);
    }

    [Fact]
    public async Task A_passkey_whose_counter_went_backwards_is_refused_and_audited()
    {
        var app = await NewApplicationAsync("Northwind Shop");
        await using var person = await browser.NewPersonAsync();
        var account = (await person.RealizeAsync(app, "sign-up")).RealizedBy!.Account;
        await person.RealizeAsync(app, "sign-in");
        await person.RewindCountersAsync();
        var exposureKey = await browser.NewInquiryAsync(app);

        await person.OpenAsync(browser.SignInUrl(exposureKey));
        var (state, _) = await person.ActAsync("sign-in");

        Assert.Equal("failed", state);
        Assert.Null((await browser.FindInquiryAsync(exposureKey))!.RealizedBy);
        Assert.Equal(1, await ScalarAsync<long>(
            "SELECT count(*) FROM revocation_audit WHERE kind = 'passkey_counter_regressed' AND account_id = @Id", account.Value));
    }

    [Fact]
    public async Task An_expired_inquiry_shows_a_plain_explanation_and_no_button()
    {
        var app = await NewApplicationAsync("Northwind Shop");
        await using var person = await browser.NewPersonAsync();
        var exposureKey = await browser.NewInquiryAsync(app, expired: true);

        await person.OpenAsync(browser.SignInUrl(exposureKey));

        Assert.Equal(0, await person.Page.Locator("button, [data-connect-action]").CountAsync());
        var outcome = person.Page.Locator("[data-connect-state=\"failed\"]");
        Assert.Contains("expired", await outcome.InnerTextAsync(), StringComparison.Ordinal);
        await SaveScreenshotAsync(person.Page, "sign-in-page-expired.png");
    }

    [Fact]
    public async Task An_unknown_or_realized_inquiry_shows_no_button_either()
    {
        var app = await NewApplicationAsync("Northwind Shop");
        await using var person = await browser.NewPersonAsync();
        var realized = (await person.RealizeAsync(app, "sign-up")).ExposureKey;

        foreach (var exposureKey in new[] { realized, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not a key" })
        {
            await person.OpenAsync(browser.SignInUrl(Uri.EscapeDataString(exposureKey)));
            Assert.Equal(0, await person.Page.Locator("button, [data-connect-action]").CountAsync());
            Assert.Equal(1, await person.Page.Locator("[data-connect-state=\"failed\"]").CountAsync());
        }
    }

    [Fact]
    public async Task Sign_up_is_offered_only_when_the_application_allows_it()
    {
        var app = await NewApplicationAsync("Closed Club", signUpOpen: false);
        await using var person = await browser.NewPersonAsync();

        await person.OpenAsync(browser.SignInUrl(await browser.NewInquiryAsync(app)));

        Assert.Equal(1, await person.Page.Locator("[data-connect-action=\"sign-in\"]").CountAsync());
        Assert.Equal(0, await person.Page.Locator("[data-connect-action=\"sign-up\"]").CountAsync());
    }

    [Fact]
    public async Task An_enrollment_link_adds_a_passkey_that_then_signs_in_to_the_same_account()
    {
        var app = await NewApplicationAsync("Northwind Shop");
        await using var first = await browser.NewPersonAsync();
        var account = (await first.RealizeAsync(app, "sign-up")).RealizedBy!.Account;
        var link = await browser.Services.GetRequiredService<IMediator>().Send(new CreatePasskeyLinkCommand(account, null));
        await using var secondDevice = await browser.NewPersonAsync();

        await secondDevice.OpenAsync(link.Value!.Url);
        await SaveScreenshotAsync(secondDevice.Page, "sign-in-enroll.png");
        var (state, _) = await secondDevice.ActAsync("enroll");
        var signedIn = await secondDevice.RealizeAsync(app, "sign-in");

        Assert.Equal("enrolled", state);
        Assert.Equal(account, signedIn.RealizedBy!.Account);
        Assert.Equal(2, (await PasskeysOfAsync(account.Value)).Count);
        await secondDevice.OpenAsync(link.Value.Url);
        Assert.Equal(0, await secondDevice.Page.Locator("button").CountAsync());
    }

    [Fact]
    public async Task An_enrollment_link_that_names_a_waiting_inquiry_realizes_it_as_enrollment()
    {
        var app = await NewApplicationAsync("Northwind Shop");
        var account = await browser.Db.Accounts.CreateAccountAsync(CancellationToken.None);
        var link = await browser.Services.GetRequiredService<IMediator>().Send(new CreatePasskeyLinkCommand(account, null));
        var exposureKey = await browser.NewInquiryAsync(app);
        await using var person = await browser.NewPersonAsync();

        await person.OpenAsync(new Uri(link.Value!.Url.AbsoluteUri + "&exposure-key=" + exposureKey));
        var (state, text) = await person.ActAsync("enroll");

        Assert.Equal("realized", state);
        Assert.Contains("You can return to the application", text, StringComparison.Ordinal);
        Assert.Equal(account, (await browser.FindInquiryAsync(exposureKey))!.RealizedBy!.Account);
        Assert.Equal("enrollment", await ScalarAsync<string>(
            "SELECT detail FROM revocation_audit WHERE kind = 'inquiry_realized' AND account_id = @Id", account.Value));
    }

    [Fact]
    public async Task A_page_call_from_a_foreign_origin_or_with_none_is_refused()
    {
        var app = await NewApplicationAsync("Northwind Shop");
        var exposureKey = await browser.NewInquiryAsync(app);
        var body = $$"""{"exposureKey":"{{exposureKey}}","mode":"sign-up"}""";

        var foreign = await PostAsync("/sign-in/passkey/begin", body, "https://attacker.example");
        var none = await PostAsync("/sign-in/passkey/begin", body, origin: null);
        var own = await PostAsync("/sign-in/passkey/begin", body, browser.PublicAddress.GetLeftPart(UriPartial.Authority));

        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, none.StatusCode);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Contains("\"state\":\"ready\"", await own.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Only the page's own call got a challenge.
        Assert.Equal(1, await ScalarAsync<long>(
            "SELECT count(*) FROM webauthn_challenges c JOIN inquiries i ON i.id = c.inquiry_id WHERE i.exposure_key = @Id", exposureKey));
    }

    [Fact]
    public async Task A_page_call_with_an_oversized_body_is_refused_before_it_is_read()
    {
        var body = "{\"exposureKey\":\"" + new string('A', 2000) + "\"}";

        var response = await PostAsync("/sign-in/passkey/begin", body, browser.PublicAddress.GetLeftPart(UriPartial.Authority));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task The_page_and_its_files_carry_the_contracts_security_headers_and_no_inline_code()
    {
        var app = await NewApplicationAsync("Northwind <Shop>");
        var exposureKey = await browser.NewInquiryAsync(app);

        foreach (var path in new[] { $"/sign-in?exposure-key={exposureKey}", "/sign-in?exposure-key=unknown", "/sign-in/sign-in.js", "/sign-in/sign-in.css" })
        {
            var response = await browser.Client.GetAsync(path);
            Assert.Equal(
                "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
                response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        }

        var html = await browser.Client.GetStringAsync($"/sign-in?exposure-key={exposureKey}");
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("style=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<style", html, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "<script "));
        Assert.Contains("Northwind &lt;Shop&gt;", html, StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string body, string? origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return await browser.Client.SendAsync(request);
    }

    private async Task<TestApplication> NewApplicationAsync(string displayName, bool signUpOpen = true)
    {
        var app = await browser.Db.RegisterApplicationAsync();
        // What `app update --name --sign-up` sets (another slice's command), written directly.
        await using var connection = await DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "UPDATE applications SET display_name = @Name, sign_up_open = @Open WHERE id = @Id",
            new { Name = displayName, Open = signUpOpen, Id = app.Id.Value });
        return app;
    }

    private NpgsqlDataSource DataSource => browser.Db.Services.GetRequiredService<NpgsqlDataSource>();

    private async Task<List<Guid>> PasskeysOfAsync(Guid account)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return [.. await connection.QueryAsync<Guid>("SELECT id FROM passkeys WHERE account_id = @Id", new { Id = account })];
    }

    private async Task<T> ScalarAsync<T>(string sql, object id)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, new { Id = id }))!;
    }

    /// <summary>Kept beside the test binaries (screenshots/), to be looked at by a person.</summary>
    private static async Task SaveScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = true });
    }
}
