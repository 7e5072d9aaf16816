using System.Net;
using Connect.Testing.Seeding;

namespace Connect.Api.Tests.RevokeAll;

public sealed class RevokeAllEndToEndTests : IAsyncLifetime
{
    private readonly ConnectApi _api = new(new ConnectApiOptions { SeedApplication = false });

    public Task InitializeAsync() => _api.InitializeAsync();

    public Task DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task Valid_call_revokes_exactly_the_accounts_active_tokens_for_the_calling_application()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var sibling = await _api.Db.RegisterApplicationAsync(sector: app.Sector);
        var (account, subject) = await _api.Db.CreateAccountWithSubjectAsync(app.Sector);
        var (neighbour, _) = await _api.Db.CreateAccountWithSubjectAsync(app.Sector);
        await _api.Db.IssueSessionsAsync(account, app.Id, 3);
        await _api.Db.IssueExpiredSessionsAsync(account, app.Id, 2);
        await _api.Db.IssueSessionsAsync(account, sibling.Id, 4);
        await _api.Db.IssueSessionsAsync(neighbour, app.Id, 5);

        var response = await _api.RevokeAllAsync(app, subject.Value);

        await ApiAssert.RevokedAsync(response, 3);
        Assert.Equal(new(0, 3, 2), await _api.Db.CountSessionsAsync(account, app.Id));
        Assert.Equal(new(4, 0, 0), await _api.Db.CountSessionsAsync(account, sibling.Id));
        Assert.Equal(new(5, 0, 0), await _api.Db.CountSessionsAsync(neighbour, app.Id));
    }

    [Fact]
    public async Task Repeat_call_with_a_new_jwt_revokes_nothing()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var (account, subject) = await _api.Db.CreateAccountWithSubjectAsync(app.Sector);
        await _api.Db.IssueSessionsAsync(account, app.Id, 3);
        await ApiAssert.RevokedAsync(await _api.RevokeAllAsync(app, subject.Value), 3);

        var repeat = await _api.RevokeAllAsync(app, subject.Value);

        await ApiAssert.RevokedAsync(repeat, 0);
    }

    [Fact]
    public async Task Subject_from_another_sector_and_unknown_subject_answer_alike_with_zero()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var stranger = await _api.Db.RegisterApplicationAsync();
        var (foreignAccount, foreignSubject) = await _api.Db.CreateAccountWithSubjectAsync(stranger.Sector);
        await _api.Db.IssueSessionsAsync(foreignAccount, stranger.Id, 2);

        var foreign = await _api.RevokeAllAsync(app, foreignSubject.Value);
        var unknown = await _api.RevokeAllAsync(app, "never-issued-subject");

        await ApiAssert.RevokedAsync(foreign, 0);
        await ApiAssert.RevokedAsync(unknown, 0);
        Assert.Equal(foreign.Content.Headers.ContentType, unknown.Content.Headers.ContentType);
        Assert.Equal(new(2, 0, 0), await _api.Db.CountSessionsAsync(foreignAccount, stranger.Id));
    }

    [Fact]
    public async Task Disabled_application_gets_403_only_after_a_valid_signature()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var (account, subject) = await _api.Db.CreateAccountWithSubjectAsync(app.Sector);
        await _api.Db.IssueSessionsAsync(account, app.Id, 2);
        await _api.Db.Applications.SetEnabledAsync(app.Anchor, false, CancellationToken.None);
        using var impostor = System.Security.Cryptography.RSA.Create(2048);

        var forged = await _api.RevokeAllAsync(app, subject.Value, jwt => jwt.Key = impostor);
        var genuine = await _api.RevokeAllAsync(app, subject.Value);

        await ApiAssert.ReasonAsync(forged, HttpStatusCode.Unauthorized, "ClientJwtInvalidSignature");
        await ApiAssert.ReasonAsync(genuine, HttpStatusCode.Forbidden, "ApplicationDisabled");
        Assert.Equal(new(2, 0, 0), await _api.Db.CountSessionsAsync(account, app.Id));
    }

    [Fact]
    public async Task Body_altered_after_signing_is_rejected_and_does_not_burn_the_genuine_jti()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var (account, subject) = await _api.Db.CreateAccountWithSubjectAsync(app.Sector);
        await _api.Db.IssueSessionsAsync(account, app.Id, 2);
        var genuineBody = Testing.ClientJwts.RevokeAllBodies.For(subject.Value);
        var jwt = new Testing.ClientJwts.TestClientJwt(app.Anchor.Value, app.Key, DateTimeOffset.UtcNow, genuineBody);
        var header = jwt.AuthorizationHeader();
        var client = _api.NewClient();

        var tampered = await client.SendAsync(ConnectApiFactory.Request(header, Testing.ClientJwts.RevokeAllBodies.For("someone-else")));
        var genuine = await client.SendAsync(ConnectApiFactory.Request(header, genuineBody));

        await ApiAssert.ReasonAsync(tampered, HttpStatusCode.Unauthorized, "ClientJwtBodyHashMismatch");
        await ApiAssert.RevokedAsync(genuine, 2);
    }

    [Fact]
    public async Task Twenty_four_identical_requests_at_once_yield_one_success_and_23_replays()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var (account, subject) = await _api.Db.CreateAccountWithSubjectAsync(app.Sector);
        await _api.Db.IssueSessionsAsync(account, app.Id, 5);
        var body = Testing.ClientJwts.RevokeAllBodies.For(subject.Value);
        var header = new Testing.ClientJwts.TestClientJwt(app.Anchor.Value, app.Key, DateTimeOffset.UtcNow, body).AuthorizationHeader();
        var client = _api.NewClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 24)
            .Select(_ => Task.Run(() => client.SendAsync(ConnectApiFactory.Request(header, body)))));

        var ok = Assert.Single(responses, response => response.StatusCode == HttpStatusCode.OK);
        await ApiAssert.RevokedAsync(ok, 5);
        foreach (var replay in responses.Where(response => response != ok))
        {
            await ApiAssert.ReasonAsync(replay, HttpStatusCode.Unauthorized, "ClientJwtReplayed");
        }
    }

    [Fact]
    public async Task Twelve_concurrent_revocations_of_150_tokens_add_up_to_150()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var (account, subject) = await _api.Db.CreateAccountWithSubjectAsync(app.Sector);
        await _api.Db.IssueSessionsAsync(account, app.Id, 150);

        var responses = await Task.WhenAll(Enumerable.Range(0, 12)
            .Select(_ => Task.Run(() => _api.RevokeAllAsync(app, subject.Value))));

        var counts = await Task.WhenAll(responses.Select(ApiAssert.RevokedCountAsync));
        Assert.Equal(150, counts.Sum());
        Assert.Equal(new(0, 150, 0), await _api.Db.CountSessionsAsync(account, app.Id));
    }

    [Fact]
    public async Task Key_rotation_keeps_working_and_a_retired_key_stops_verifying()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var (_, subject) = await _api.Db.CreateAccountWithSubjectAsync(app.Sector);
        using var next = System.Security.Cryptography.RSA.Create(2048);
        var nextKey = Connect.Application.Administration.ClientPublicKey.FromSubjectPublicKeyInfo(next.ExportSubjectPublicKeyInfo());
        await _api.Db.Applications.AddKeyAsync(app.Anchor, nextKey, CancellationToken.None);

        var withNewKey = await _api.RevokeAllAsync(app, subject.Value, jwt => { jwt.Key = next; jwt.Header["kid"] = nextKey.Id.Value; });
        await _api.Db.Applications.RetireKeyAsync(app.Anchor, app.KeyId, CancellationToken.None);
        var withRetiredKey = await _api.RevokeAllAsync(app, subject.Value);

        await ApiAssert.RevokedAsync(withNewKey, 0);
        await ApiAssert.ReasonAsync(withRetiredKey, HttpStatusCode.Unauthorized, "ClientJwtInvalidSignature");
    }
}
