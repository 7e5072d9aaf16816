using System.Net;
using System.Text;
using Connect.Application.SessionTokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Connect.Api.Tests.SignIn;

/// <summary>A whole sign-in as an application and a person go through it: establish, realize, poll, redeem, refresh.</summary>
public sealed class SignInEndToEndTests(SignInEndpoints api) : IClassFixture<SignInEndpoints>
{
    [Fact]
    public async Task Establish_realize_poll_redeem_gives_a_session_whose_tokens_verify_and_refresh()
    {
        var app = await api.RegisterAsync();
        var (account, subject) = await api.Db.CreateAccountWithSubjectAsync(app.Sector);

        var established = await api.SignIn.EstablishAsync(app.Anchor.Value, app.Key, new EstablishBody(
            app.Anchor.Value,
            [AuthenticationConstraint.Passkey],
            ReturnMethods: [new StatusPollReturn()]));
        SignInAssert.CarriesNoStoreNoCache(established);
        var inquiry = await SignInClient.ReadAsync<EstablishAnswer>(established);
        var pending = await api.SignIn.StatusPollAsync(inquiry.ExposureKey, inquiry.HiddenKey);
        Assert.True((await api.RealizeAsync(inquiry.ExposureKey, account)).Realized);
        var first = await api.SignIn.StatusPollAsync(inquiry.ExposureKey, inquiry.HiddenKey);
        var second = await api.SignIn.StatusPollAsync(inquiry.ExposureKey, inquiry.HiddenKey);
        var confirmationKey = Assert.IsType<Realized>(await SignInClient.ReadAsync<StatusPollAnswer>(first)).ConfirmationKey;
        var redeemed = await api.SignIn.RedeemAsync(inquiry.ExposureKey, inquiry.HiddenKey, confirmationKey);

        Assert.Equal(app.Anchor.Value, inquiry.ApplicationAnchor);
        Assert.Equal("""{"status":"PENDING"}""", await pending.Content.ReadAsStringAsync());
        SignInAssert.CarriesNoStoreNoCache(first);
        Assert.StartsWith("""{"status":"REALIZED","confirmationKey":""", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        SignInAssert.CarriesNoStoreNoCache(redeemed);
        var tokens = await SignInClient.ReadAsync<RedeemAnswer>(redeemed);
        Assert.Equal(app.Anchor.Value, tokens.ApplicationAnchor);
        Assert.Contains(
            "\"claims\":{\"email\":{\"requirement\":\"OFF\",\"state\":\"UNKNOWN\"},", await redeemed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var validation = await ValidationAsync(app.Anchor.Value);
        var access = await new JsonWebTokenHandler().ValidateTokenAsync(tokens.AccessToken, validation);
        var refresh = await new JsonWebTokenHandler().ValidateTokenAsync(tokens.RefreshToken, validation);
        Assert.True(access.IsValid, access.Exception?.Message);
        Assert.True(refresh.IsValid, refresh.Exception?.Message);
        Assert.Equal(subject.Value, access.Claims["sub"]);
        Assert.Equal(1, Convert.ToInt32(refresh.Claims["rotationVersion"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM sessions WHERE account_id = @Account AND application_id = @App AND rotation_version = 1",
            new { Account = account.Value, App = app.Id.Value }));

        var refreshed = await api.SignIn.PostAsync("/refresh", Encoding.UTF8.GetBytes($$"""{"refreshToken":"{{tokens.RefreshToken}}"}"""));
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        await SignInAssert.ReasonAsync(
            await api.SignIn.RedeemAsync(inquiry.ExposureKey, inquiry.HiddenKey, confirmationKey), HttpStatusCode.BadRequest, "InquiryAlreadyRedeemed");
        await SignInAssert.ReasonAsync(
            await api.SignIn.StatusPollAsync(inquiry.ExposureKey, inquiry.HiddenKey), HttpStatusCode.BadRequest, "InquiryAlreadyRedeemed");
    }

    [Fact]
    public async Task A_returning_person_signs_in_under_the_same_subject_and_the_audit_says_how()
    {
        var app = await api.RegisterAsync();
        var (account, subject) = await api.Db.CreateAccountWithSubjectAsync(app.Sector);
        var body = new EstablishBody(
            app.Anchor.Value,
            RealizeConstraints: [new RealizeConstraint("SECTOR_SUBJECT", new SectorSubjectPayload([subject.Value]))]);

        var inquiry = await api.EstablishAsync(app, body);
        Assert.True((await api.RealizeAsync(inquiry.ExposureKey, account)).Realized);
        var poll = Assert.IsType<Realized>(await SignInClient.ReadAsync<StatusPollAnswer>(
            await api.SignIn.StatusPollAsync(inquiry.ExposureKey, inquiry.HiddenKey)));
        var tokens = await SignInClient.ReadAsync<RedeemAnswer>(
            await api.SignIn.RedeemAsync(inquiry.ExposureKey, inquiry.HiddenKey, poll.ConfirmationKey));

        using var payload = Connect.Testing.SessionTokens.JwksCheck.Payload(tokens.AccessToken);
        Assert.Equal(subject.Value, payload.RootElement.GetProperty("sub").GetString());
        Assert.Equal(
            ["inquiry_realized:passkey", "inquiry_redeemed:"],
            (await api.ScalarAsync<string>(
                "SELECT string_agg(kind || ':' || coalesce(detail, ''), ',' ORDER BY id) FROM revocation_audit WHERE account_id = @Account AND application_id = @App",
                new { Account = account.Value, App = app.Id.Value })).Split(','));
    }

    [Fact]
    public async Task A_new_account_gets_its_subject_on_first_need()
    {
        var app = await api.RegisterAsync();
        var account = await api.Db.Accounts.CreateAccountAsync(CancellationToken.None);
        var inquiry = await api.EstablishAsync(app);
        Assert.True((await api.RealizeAsync(inquiry.ExposureKey, account)).Realized);
        var poll = Assert.IsType<Realized>(await SignInClient.ReadAsync<StatusPollAnswer>(
            await api.SignIn.StatusPollAsync(inquiry.ExposureKey, inquiry.HiddenKey)));

        var tokens = await SignInClient.ReadAsync<RedeemAnswer>(
            await api.SignIn.RedeemAsync(inquiry.ExposureKey, inquiry.HiddenKey, poll.ConfirmationKey));

        using var payload = Connect.Testing.SessionTokens.JwksCheck.Payload(tokens.AccessToken);
        Assert.Equal(
            await api.ScalarAsync<string>(
                "SELECT subject FROM sector_subjects WHERE account_id = @Account AND sector_id = @Sector",
                new { Account = account.Value, Sector = app.Sector.Value }),
            payload.RootElement.GetProperty("sub").GetString());
    }

    [Fact]
    public async Task The_constraints_lifetimes_set_the_sessions_and_the_shortest_wins()
    {
        var app = await api.RegisterAsync();
        var body = new EstablishBody(
            app.Anchor.Value,
            [AuthenticationConstraint.Passkey with { AccessTokenTtlSeconds = 7200, RefreshTokenTtlSeconds = 172_800 }],
            [new RealizeConstraint("EVERYONE", new SectorSubjectPayload(), AccessTokenTtlSeconds: 120)]);
        var realized = await api.RealizedInquiryAsync(app, body);

        var tokens = await SignInClient.ReadAsync<RedeemAnswer>(await api.SignIn.RedeemAsync(
            realized.Inquiry.ExposureKey, realized.Inquiry.HiddenKey, realized.ConfirmationKey));

        using var access = Connect.Testing.SessionTokens.JwksCheck.Payload(tokens.AccessToken);
        using var refresh = Connect.Testing.SessionTokens.JwksCheck.Payload(tokens.RefreshToken);
        var now = api.Clock.GetUtcNow().ToUnixTimeSeconds();
        Assert.Equal(now + 120, access.RootElement.GetProperty("exp").GetInt64());
        Assert.Equal(now + 172_800, refresh.RootElement.GetProperty("exp").GetInt64());
    }

    [Fact]
    public async Task Info_answers_the_name_and_the_current_signing_key_that_verifies_the_tokens()
    {
        var app = await api.RegisterAsync();
        var realized = await api.RealizedInquiryAsync(app);
        var tokens = await SignInClient.ReadAsync<RedeemAnswer>(await api.SignIn.RedeemAsync(
            realized.Inquiry.ExposureKey, realized.Inquiry.HiddenKey, realized.ConfirmationKey));
        await api.ExecuteAsync("UPDATE applications SET display_name = 'The Shop' WHERE id = @Id", new { Id = app.Id.Value });

        var info = await SignInClient.ReadAsync<InfoAnswer>(await api.SignIn.InfoAsync(app.Anchor.Value, "de-CH"));

        Assert.Equal((app.Anchor.Value, "The Shop"), (info.ApplicationAnchor, info.ApplicationName));
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", info.ApplicationPublicKey, StringComparison.Ordinal);
        using var rsa = System.Security.Cryptography.RSA.Create();
        rsa.ImportFromPem(info.ApplicationPublicKey);
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(tokens.AccessToken, new TokenValidationParameters
        {
            IssuerSigningKey = new RsaSecurityKey(rsa),
            ValidateIssuer = false,
            ValidAudience = app.Anchor.Value,
            ValidateLifetime = false,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
    }

    private async Task<TokenValidationParameters> ValidationAsync(string anchor)
    {
        var jwks = new JsonWebKeySet(await api.Client.GetStringAsync(new Uri($"/applications/{anchor}/jwks.json", UriKind.Relative)));
        return new TokenValidationParameters
        {
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidIssuer = api.Services.GetRequiredService<SessionTokenCodec>().Issuer,
            ValidAudience = anchor,
            // The service's clock is a fake standing at the test's start; the tokens are judged on it.
            LifetimeValidator = (_, expires, _, _) => expires > api.Clock.GetUtcNow().UtcDateTime,
        };
    }
}
