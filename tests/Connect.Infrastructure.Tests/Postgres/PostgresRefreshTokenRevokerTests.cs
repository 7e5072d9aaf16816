using Connect.Domain.Accounts;
using Connect.Domain.Sessions;
using Connect.Testing.Seeding;
using Connect.Testing.Signals;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Infrastructure.Tests.Postgres;

public sealed class PostgresRefreshTokenRevokerTests
{
    [Fact]
    public async Task Revokes_only_the_accounts_active_tokens_for_that_application()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var sibling = await db.RegisterApplicationAsync(sector: app.Sector);
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        var (otherAccount, _) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 4);
        await db.IssueExpiredSessionsAsync(account, app.Id, 2);
        await db.IssueSessionsAsync(account, sibling.Id, 3);
        await db.IssueSessionsAsync(otherAccount, app.Id, 5);
        var revoker = db.Services.GetRequiredService<IRefreshTokenRevoker>();

        var revoked = await revoker.RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None);

        Assert.Equal(4, revoked);
        Assert.Equal(new(0, 4, 2), await db.CountSessionsAsync(account, app.Id));
        Assert.Equal(new(3, 0, 0), await db.CountSessionsAsync(account, sibling.Id));
        Assert.Equal(new(5, 0, 0), await db.CountSessionsAsync(otherAccount, app.Id));
    }

    [Fact]
    public async Task Revoked_sessions_say_revoke_all_ended_them()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 3);
        var revoker = db.Services.GetRequiredService<IRefreshTokenRevoker>();

        await revoker.RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None);

        await using var connection = new Npgsql.NpgsqlConnection(db.ConnectionString);
        var reasons = await Dapper.SqlMapper.QueryAsync<string>(
            connection, "SELECT revoked_reason FROM sessions WHERE account_id = @Account", new { Account = account.Value });
        Assert.Equal(["revoke_all", "revoke_all", "revoke_all"], reasons);
    }

    [Fact]
    public async Task A_session_issued_by_an_instance_whose_clock_runs_ahead_of_the_database_is_still_revoked()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        // issued_at is the issuing instance's clock; revoked_at the database's, which may lag it by a moment.
        var ahead = DateTimeOffset.UtcNow.AddSeconds(30);
        await db.Services.GetRequiredService<ISessionStore>().IssueAsync(
            new NewSessions(account, app.Id, ahead, ahead.AddDays(1), "kid-1", [(new SessionId("sid-ahead"), "jti-ahead")]), CancellationToken.None);
        var revoker = db.Services.GetRequiredService<IRefreshTokenRevoker>();

        var revoked = await revoker.RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None);

        Assert.Equal(1, revoked);
        Assert.Equal(new(0, 1, 0), await db.CountSessionsAsync(account, app.Id));
    }

    [Fact]
    public async Task Second_revocation_revokes_nothing()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 3);
        var revoker = db.Services.GetRequiredService<IRefreshTokenRevoker>();
        await revoker.RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None);

        var revoked = await revoker.RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None);

        Assert.Equal(0, revoked);
    }

    [Fact]
    public async Task Concurrent_revocations_never_count_a_token_twice()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 200);
        var revoker = db.Services.GetRequiredService<IRefreshTokenRevoker>();

        var counts = await Task.WhenAll(Enumerable.Range(0, 10)
            .Select(_ => Task.Run(() => revoker.RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None))));

        Assert.Equal(200, counts.Sum());
        Assert.Equal(new(0, 200, 0), await db.CountSessionsAsync(account, app.Id));
    }

    [Fact]
    public async Task A_subject_of_another_sector_finds_no_account_and_nothing_is_revoked_or_audited()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var stranger = await db.RegisterApplicationAsync();
        // The account holds sessions of app, but the subject presented is its subject in the stranger's sector.
        var (account, foreignSubject) = await db.CreateAccountWithSubjectAsync(stranger.Sector);
        await db.IssueSessionsAsync(account, app.Id, 2);
        await SignalOutbox.AddReceiverAsync(db.ConnectionString, app.Id);
        var revoker = db.Services.GetRequiredService<IRefreshTokenRevoker>();

        var revoked = await revoker.RevokeAllActiveAsync(app.Sector, foreignSubject, app.Id, CancellationToken.None);

        Assert.Null(revoked);
        Assert.Equal(new(2, 0, 0), await db.CountSessionsAsync(account, app.Id));
        Assert.Equal(0L, await AuditRowsAsync(db));
        Assert.Empty(await SignalOutbox.ReadAsync(db.ConnectionString));
    }

    [Fact]
    public async Task An_unknown_subject_finds_no_account_and_nothing_is_audited()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var revoker = db.Services.GetRequiredService<IRefreshTokenRevoker>();

        var revoked = await revoker.RevokeAllActiveAsync(app.Sector, new SectorSubject("never-issued"), app.Id, CancellationToken.None);

        Assert.Null(revoked);
        Assert.Equal(0L, await AuditRowsAsync(db));
    }

    [Fact]
    public async Task A_known_subject_with_nothing_to_revoke_is_audited_with_zero()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var (_, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        var revoker = db.Services.GetRequiredService<IRefreshTokenRevoker>();

        var revoked = await revoker.RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None);

        Assert.Equal(0, revoked);
        Assert.Equal(1L, await AuditRowsAsync(db));
    }

    private static async Task<long> AuditRowsAsync(ConnectTestDatabase db)
    {
        await using var connection = new Npgsql.NpgsqlConnection(db.ConnectionString);
        return await Dapper.SqlMapper.ExecuteScalarAsync<long>(
            connection, "SELECT count(*) FROM revocation_audit WHERE kind = 'revoke_all'");
    }
}
