using System.Net;
using Connect.Testing.Postgres;
using Npgsql;

namespace Connect.Api.Tests.Resilience;

/// <summary>The database fails in the middle of a revocation: the answer is 503, nothing is half done.</summary>
public sealed class FaultTests
{
    [Fact]
    public async Task Revocation_killed_mid_statement_answers_503_revokes_nothing_and_a_retry_revokes_all()
    {
        await using var api = await ConnectApi.StartAsync();
        var (db, app) = (api.Db, api.App);
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 20);
        await using var blocker = await RevocationBlocker.LockOneTokenAsync(db.ConnectionString, account);

        var request = api.RevokeAllAsync(app, subject.Value);
        await blocker.TerminateAsync(await blocker.WaitForBlockedRevocationAsync());
        var killed = await request;
        await blocker.ReleaseAsync();
        var countsAfterKill = await db.CountSessionsAsync(account, app.Id);
        var retry = await api.RevokeAllAsync(app, subject.Value);

        await ApiAssert.ReasonAsync(killed, HttpStatusCode.ServiceUnavailable, "ServiceUnavailable");
        Assert.NotNull(killed.Headers.RetryAfter);
        Assert.Equal(new(20, 0, 0), countsAfterKill);
        await ApiAssert.RevokedAsync(retry, 20);
    }

    [Fact]
    public async Task Server_crash_mid_revocation_answers_503_and_after_restart_the_counts_are_exact()
    {
        await using var cluster = await PrivatePostgresCluster.StartNewAsync();
        await using var api = await ConnectApi.StartAsync(new ConnectApiOptions { ConnectionString = cluster.ConnectionString });
        var db = api.Db;
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 30);
        // Test servers commit without waiting for the WAL flush (synchronous_commit off): the setup is made durable
        // before the crash, so that whatever is missing after it is the revocation's doing.
        await using (var admin = new NpgsqlConnection(cluster.ConnectionString))
        {
            await admin.OpenAsync();
            await using var checkpoint = new NpgsqlCommand("CHECKPOINT", admin);
            await checkpoint.ExecuteNonQueryAsync();
        }

        var blocker = await RevocationBlocker.LockOneTokenAsync(cluster.ConnectionString, account);

        var request = api.RevokeAllAsync(app, subject.Value);
        await blocker.WaitForBlockedRevocationAsync();
        // A crash, not a fast shutdown: that one ends the blocker's session first, and the revocation waiting on its
        // lock could then commit (and rightly answer 200) before its own session is ended.
        await cluster.Cluster.CrashAsync();
        var crashed = await request;
        await blocker.DisposeAsync();
        await cluster.Cluster.StartAsync();
        db.ForgetIdleConnections();
        var countsAfterRestart = await db.CountSessionsAsync(account, app.Id);
        var retry = await api.RevokeAllAsync(app, subject.Value);

        await ApiAssert.ReasonAsync(crashed, HttpStatusCode.ServiceUnavailable, "ServiceUnavailable");
        Assert.Equal(new(30, 0, 0), countsAfterRestart);
        await ApiAssert.RevokedAsync(retry, 30);
    }

    [Fact]
    public async Task Client_that_disconnects_mid_request_leaves_all_or_nothing()
    {
        await using var api = await ConnectApi.StartAsync();
        var (db, app) = (api.Db, api.App);
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 25);
        await using var blocker = await RevocationBlocker.LockOneTokenAsync(db.ConnectionString, account);
        using var hangUp = new CancellationTokenSource();
        var body = Testing.ClientJwts.RevokeAllBodies.For(subject.Value);
        var header = new Testing.ClientJwts.TestClientJwt(app.Anchor.Value, app.Key, DateTimeOffset.UtcNow, body).AuthorizationHeader();

        var request = api.Client.SendAsync(ConnectApiFactory.Request(header, body), hangUp.Token);
        await blocker.WaitForBlockedRevocationAsync();
        await hangUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        await blocker.ReleaseAsync();
        await Task.Delay(500);
        var counts = await db.CountSessionsAsync(account, app.Id);

        Assert.True(counts is { Active: 25, Revoked: 0 } or { Active: 0, Revoked: 25 }, $"partial state: {counts}");
    }

    [Fact]
    public async Task Statement_held_up_past_the_command_timeout_answers_503_and_changes_nothing()
    {
        await using var api = await ConnectApi.StartAsync(new ConnectApiOptions
        {
            Settings = new Dictionary<string, string?> { ["Connect:Postgres:CommandTimeoutSeconds"] = "1" },
        });
        var (db, app) = (api.Db, api.App);
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 10);
        await using var blocker = await RevocationBlocker.LockOneTokenAsync(db.ConnectionString, account);

        var slow = await api.RevokeAllAsync(app, subject.Value);
        await blocker.ReleaseAsync();

        await ApiAssert.ReasonAsync(slow, HttpStatusCode.ServiceUnavailable, "ServiceUnavailable");
        Assert.Equal(new(10, 0, 0), await db.CountSessionsAsync(account, app.Id));
    }
}
