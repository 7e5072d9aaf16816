using System.Net;
using Connect.Application.Audit;
using Connect.Testing.Seeding;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.RevokeAll;

/// <summary>docs/contract/sessions.md "/revoke-all and /health for both generations of clients": one work, two answer shapes.</summary>
public sealed class ClientGenerationTests : IAsyncLifetime
{
    private const string SessionAudience = "sudomimus-session";

    private readonly ConnectApi _api = new(new ConnectApiOptions { SeedApplication = false });

    public Task InitializeAsync() => _api.InitializeAsync();

    public Task DisposeAsync() => _api.DisposeAsync();

    private IRevocationAuditLog Audit => _api.Db.Services.GetRequiredService<IRevocationAuditLog>();

    [Fact]
    public async Task Session_API_client_gets_exactly_revoked_true_and_its_sessions_are_revoked_and_audited()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var (account, subject) = await _api.Db.CreateAccountWithSubjectAsync(app.Sector);
        await _api.Db.IssueSessionsAsync(account, app.Id, 3);

        var response = await _api.RevokeAllAsync(app, subject.Value, jwt => jwt.Payload["aud"] = SessionAudience);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal((HttpStatusCode.OK, """{"revoked":true}"""), (response.StatusCode, body));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var counts = await _api.Db.CountSessionsAsync(account, app.Id);
        Assert.Equal((0, 3), (counts.Active, counts.Revoked));
        var audited = Assert.Single((await Audit.ListNewestFirstAsync(app.Anchor, 1000, CancellationToken.None))!);
        Assert.Equal(("revoke_all", account, 3), (audited.Kind, audited.Account, audited.RevokedCount));
    }

    [Fact]
    public async Task Session_API_client_gets_the_same_answer_when_nothing_was_revoked()
    {
        var app = await _api.Db.RegisterApplicationAsync();

        var response = await _api.RevokeAllAsync(app, "never-issued", jwt => jwt.Payload["aud"] = SessionAudience);

        Assert.Equal((HttpStatusCode.OK, """{"revoked":true}"""), (response.StatusCode, await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Connect_API_client_still_gets_its_count()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var (account, subject) = await _api.Db.CreateAccountWithSubjectAsync(app.Sector);
        await _api.Db.IssueSessionsAsync(account, app.Id, 2);

        await ApiAssert.RevokedAsync(await _api.RevokeAllAsync(app, subject.Value), 2);
        await ApiAssert.RevokedAsync(await _api.RevokeAllAsync(app, subject.Value), 0);
    }

    [Fact]
    public async Task Session_API_client_is_refused_with_the_same_reasons()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var off = await _api.Db.RegisterApplicationAsync();
        await _api.Db.Applications.SetEnabledAsync(off.Anchor, false, CancellationToken.None);

        var disabled = await _api.RevokeAllAsync(off, "s", jwt => jwt.Payload["aud"] = SessionAudience);
        var invalidBody = await _api.RevokeAllAsync(app, "{}"u8.ToArray(), jwt => jwt.Payload["aud"] = SessionAudience);
        var forged = await _api.RevokeAllAsync(app, "s", jwt =>
        {
            jwt.Payload["aud"] = SessionAudience;
            jwt.Key = System.Security.Cryptography.RSA.Create(2048);
        });

        await ApiAssert.ReasonAsync(disabled, HttpStatusCode.Forbidden, "ApplicationDisabled");
        await ApiAssert.ReasonAsync(invalidBody, HttpStatusCode.BadRequest, "InvalidBody");
        await ApiAssert.ReasonAsync(forged, HttpStatusCode.Unauthorized, "ClientJwtInvalidSignature");
    }

    [Fact]
    public async Task An_audience_an_operator_added_gets_the_Connect_API_answer()
    {
        await using var api = _api.With(new Dictionary<string, string?> { ["Connect:ClientJwt:AcceptedAudiences:0"] = "connect.internal.example" });
        var app = await _api.Db.RegisterApplicationAsync();

        var response = await api.RevokeAllAsync(app, "s", jwt => jwt.Payload["aud"] = "connect.internal.example");

        await ApiAssert.RevokedAsync(response, 0);
    }
}
