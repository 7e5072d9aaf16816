using System.Net;
using Connect.Application.RateBudget;
using Connect.Testing.ClientJwts;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace Connect.Api.Tests.RevokeAll;

/// <summary>
/// Revoke-all's client JWT is recorded by the revoking statement (one transaction a request), yet every answer is the
/// one the contract's order gives: the replay and the application's status before the budget and the body, and a
/// replay costs the application none of its budget. Checked on the database afterwards.
/// </summary>
public sealed class RecordedWithTheRevocationTests : IAsyncLifetime
{
    // A still clock: the revoke-all bucket refills only when the test says so.
    private readonly ConnectApi _api = new(new ConnectApiOptions
    {
        Clock = ConnectApi.StillClock(),
        Settings = new Dictionary<string, string?>
        {
            ["Connect:RateLimit:BurstLimit"] = "2",
            ["Connect:RateLimit:TokensPerSecond"] = "1",
        },
    });

    public Task InitializeAsync() => _api.InitializeAsync();

    public Task DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task Replaying_a_token_spends_none_of_the_applications_revoke_all_budget()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var body = RevokeAllBodies.For("someone");
        var captured = _api.NewJwt(body, app).AuthorizationHeader();
        await ApiAssert.RevokedAsync(await _api.SendRevokeAllAsync(captured, body), 0);

        // Each replay passes the kept copy's checks and the budget, then the revoking statement finds its record.
        for (var i = 0; i < 5; i++)
        {
            await ApiAssert.ReasonAsync(await _api.SendRevokeAllAsync(captured, body), HttpStatusCode.Unauthorized, "ClientJwtReplayed");
        }

        // The burst of 2 had one token left before the replays, and has it still; then it is spent.
        await ApiAssert.RevokedAsync(await _api.RevokeAllAsync(app, "someone"), 0);
        await ApiAssert.ReasonAsync(await _api.RevokeAllAsync(app, "someone"), HttpStatusCode.TooManyRequests, "RateLimited");
    }

    [Fact]
    public async Task A_token_refused_by_the_budget_or_its_body_is_recorded_so_that_sending_it_again_is_a_replay()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var exhausted = Substitute.For<IApplicationRateBudget>();
        exhausted.TrySpendRevokeAll(default).ReturnsForAnyArgs(false);
        await using var limited = _api.With(services: services => services.AddSingleton(exhausted));
        var body = RevokeAllBodies.For("someone");
        var overBudget = _api.NewJwt(body, app).AuthorizationHeader();
        var invalid = "{}"u8.ToArray();
        var badBody = _api.NewJwt(invalid, app).AuthorizationHeader();

        await ApiAssert.ReasonAsync(await limited.SendRevokeAllAsync(overBudget, body), HttpStatusCode.TooManyRequests, "RateLimited");
        await ApiAssert.ReasonAsync(await limited.SendRevokeAllAsync(overBudget, body), HttpStatusCode.Unauthorized, "ClientJwtReplayed");
        await ApiAssert.ReasonAsync(await _api.SendRevokeAllAsync(badBody, invalid), HttpStatusCode.BadRequest, "InvalidBody");
        await ApiAssert.ReasonAsync(await _api.SendRevokeAllAsync(badBody, invalid), HttpStatusCode.Unauthorized, "ClientJwtReplayed");
        exhausted.DidNotReceiveWithAnyArgs().RefundRevokeAll(default);
    }

    [Fact]
    public async Task An_application_disabled_after_this_instance_kept_it_answers_ApplicationDisabled_and_revokes_nothing()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var (account, subject) = await _api.Db.CreateAccountWithSubjectAsync(app.Sector);
        await _api.Db.IssueSessionsAsync(account, app.Id, 3);
        await ApiAssert.RevokedAsync(await _api.RevokeAllAsync(app, "warms-the-kept-copy"), 0);

        // Disabled by another instance (or the command line): this instance's kept copy still says enabled.
        await _api.Db.Applications.SetEnabledAsync(app.Anchor, false, CancellationToken.None);
        var refused = await _api.RevokeAllAsync(app, subject.Value);

        await ApiAssert.ReasonAsync(refused, HttpStatusCode.Forbidden, "ApplicationDisabled");
        Assert.Equal(new(3, 0, 0), await _api.Db.CountSessionsAsync(account, app.Id));

        // Its token was given back: enabled again, the application has the one token left of its burst of 2.
        await _api.Db.Applications.SetEnabledAsync(app.Anchor, true, CancellationToken.None);
        await ApiAssert.RevokedAsync(await _api.RevokeAllAsync(app, subject.Value), 3);
        await ApiAssert.ReasonAsync(await _api.RevokeAllAsync(app, subject.Value), HttpStatusCode.TooManyRequests, "RateLimited");
    }
}
