using System.Net;
using Connect.Api.Tests.Refresh;
using Connect.Api.Tests.Sessions;
using Connect.Testing.ClientJwts;
using Connect.Testing.Signals;
using Dapper;
using Npgsql;

namespace Connect.Api.Tests.Signals;

/// <summary>
/// Real requests through the HTTP pipeline leave the signals docs/contract/signals.md owes ("What sends a signal") in
/// the outbox: <c>/revoke-all</c> one subject-wide <c>admin</c> signal, <c>/logout</c> one <c>user</c> signal of the
/// session, a reused refresh token one <c>policy</c> signal of the session; each per receiver of the application.
/// </summary>
public sealed class SignalOutboxEndpointTests(SessionEndpoints api) : IClassFixture<SessionEndpoints>
{
    [Fact]
    public async Task Revoke_all_leaves_one_subject_wide_admin_signal_per_receiver()
    {
        var app = await api.RegisterAsync();
        var other = await api.RegisterAsync();
        var first = await api.IssueAsync(app);
        var second = await api.IssueAsync(app, account: first.Account);
        var receivers = new[] { await AddReceiverAsync(app), await AddReceiverAsync(app, "backchannel-logout") };
        await AddReceiverAsync(other);
        var body = RevokeAllBodies.For(first.Subject);
        var jwt = new TestClientJwt(app.Anchor.Value, app.Key, api.Clock.GetUtcNow(), body);

        var response = await api.Client.SendAsync(ConnectApiFactory.Request(jwt.AuthorizationHeader(), body));

        await ApiAssert.RevokedAsync(response, 2);
        var revokedAt = await RevokedAtAsync(first.Sid);
        Assert.Equal(revokedAt, await RevokedAtAsync(second.Sid));
        var signals = await SignalsOfAsync(app);
        Assert.Equal(receivers.Order(), signals.Select(signal => signal.ReceiverId).Order());
        Assert.All(signals, signal => Assert.Equal(
            (first.Subject, (string?)null, "admin", revokedAt, "pending"),
            (signal.Subject, signal.Sid, signal.InitiatingEntity, signal.EndedAt, signal.State)));
        Assert.Empty(await SignalsOfAsync(other));
    }

    [Fact]
    public async Task Logout_leaves_one_user_signal_of_that_session_per_receiver_and_a_second_logout_none()
    {
        var app = await api.RegisterAsync();
        var session = await api.IssueAsync(app);
        var untouched = await api.IssueAsync(app, account: session.Account);
        var receivers = new[] { await AddReceiverAsync(app), await AddReceiverAsync(app, "backchannel-logout") };

        await SessionAssert.LogoutAsync(await api.LogoutAsync(session.RefreshToken), revoked: true);
        await SessionAssert.LogoutAsync(await api.LogoutAsync(session.RefreshToken), revoked: true);

        var revokedAt = await RevokedAtAsync(session.Sid);
        var signals = await SignalsOfAsync(app);
        Assert.Equal(receivers.Order(), signals.Select(signal => signal.ReceiverId).Order());
        Assert.All(signals, signal => Assert.Equal(
            (session.Subject, session.Sid, "user", revokedAt, "pending"),
            (signal.Subject, signal.Sid, signal.InitiatingEntity, signal.EndedAt, signal.State)));
        Assert.False((await api.RowAsync(untouched.Sid)).Revoked);
    }

    [Fact]
    public async Task A_reused_refresh_token_leaves_one_policy_signal_of_that_session()
    {
        var app = await api.RegisterAsync();
        var session = await api.IssueAsync(app);
        var receiver = await AddReceiverAsync(app);
        var (_, second) = await RefreshAssert.RefreshedAsync(await RefreshAsync(session.RefreshToken));
        await RefreshAssert.RefreshedAsync(await RefreshAsync(second));

        // Two versions behind: no grace window covers it, so it is reuse of the family.
        var response = await RefreshAsync(session.RefreshToken);

        await RefreshAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "RefreshTokenFamilyCompromised");
        Assert.Equal("reuse_detected", (await api.RowAsync(session.Sid)).RevokedReason);
        var signal = Assert.Single(await SignalsOfAsync(app));
        Assert.Equal(
            (receiver, session.Subject, session.Sid, "policy", await RevokedAtAsync(session.Sid)),
            (signal.ReceiverId, signal.Subject, signal.Sid, signal.InitiatingEntity, signal.EndedAt));
    }

    private Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        api.PostAsync("/refresh", $$"""{"refreshToken":"{{refreshToken}}"}""");

    private Task<Guid> AddReceiverAsync(Testing.Seeding.TestApplication app, string format = "caep") =>
        SignalOutbox.AddReceiverAsync(api.Db.ConnectionString, app.Id, format);

    /// <summary>The outbox rows of <paramref name="app"/>'s receivers (the fixture's database is shared by the class).</summary>
    private async Task<IReadOnlyList<OutboxSignal>> SignalsOfAsync(Testing.Seeding.TestApplication app)
    {
        await using var connection = new NpgsqlConnection(api.Db.ConnectionString);
        var receivers = (await connection.QueryAsync<Guid>(
            "SELECT id FROM signal_receivers WHERE application_id = @Application", new { Application = app.Id.Value })).ToHashSet();
        return [.. (await SignalOutbox.ReadAsync(api.Db.ConnectionString)).Where(signal => receivers.Contains(signal.ReceiverId))];
    }

    private async Task<DateTime> RevokedAtAsync(string sid)
    {
        await using var connection = new NpgsqlConnection(api.Db.ConnectionString);
        return await connection.QuerySingleAsync<DateTime>("SELECT revoked_at FROM sessions WHERE sid = @Sid", new { Sid = sid });
    }
}
