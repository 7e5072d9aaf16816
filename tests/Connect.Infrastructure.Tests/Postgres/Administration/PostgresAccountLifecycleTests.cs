using Connect.Application.Administration;
using Connect.Application.Audit;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Domain.Sessions;
using Connect.Testing.Seeding;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres.Administration;

/// <summary>Disabling, enabling and deleting accounts on the real database, and what the session store then reads.</summary>
public sealed class PostgresAccountLifecycleTests : IAsyncLifetime
{
    private ConnectTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ConnectTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private ISessionStore Sessions => _db.Services.GetRequiredService<ISessionStore>();

    private IRevocationAuditLog Audit => _db.Services.GetRequiredService<IRevocationAuditLog>();

    [Fact]
    public async Task Status_follows_disable_enable_and_delete_and_each_change_is_audited_without_an_application()
    {
        var account = await _db.Accounts.CreateAccountAsync(CancellationToken.None);
        var statuses = new List<AccountStatus> { await StatusAsync(account) };

        statuses.Add(await _db.Accounts.SetEnabledAsync(account, false, CancellationToken.None));
        statuses.Add(await _db.Accounts.SetEnabledAsync(account, false, CancellationToken.None));
        statuses.Add(await _db.Accounts.SetEnabledAsync(account, true, CancellationToken.None));
        await _db.Accounts.DeleteAsync(account, CancellationToken.None);
        statuses.Add(await StatusAsync(account));
        statuses.Add(await _db.Accounts.SetEnabledAsync(account, true, CancellationToken.None));
        statuses.Add(await StatusAsync(new AccountId(Guid.NewGuid())));

        Assert.Equal(
            [AccountStatus.Enabled, AccountStatus.Disabled, AccountStatus.Disabled, AccountStatus.Enabled, AccountStatus.Deleted,
             AccountStatus.Deleted, AccountStatus.Unknown],
            statuses);
        var events = await Audit.ListNewestFirstAsync(null, 10, CancellationToken.None);
        Assert.Equal(
            new (string, ApplicationAnchor?, AccountId?, int)[]
            {
                (AuditKinds.AccountDeleted, null, account, 0),
                (AuditKinds.AccountEnabled, null, account, 0),
                (AuditKinds.AccountDisabled, null, account, 0),
                (AuditKinds.AccountDisabled, null, account, 0),
            },
            events!.Select(e => (e.Kind, e.Anchor, e.Account, e.RevokedCount)));
    }

    [Fact]
    public async Task Unknown_account_is_neither_disabled_nor_deleted_and_nothing_is_audited()
    {
        var unknown = new AccountId(Guid.NewGuid());

        Assert.Equal(AccountStatus.Unknown, await _db.Accounts.SetEnabledAsync(unknown, false, CancellationToken.None));
        Assert.Equal(new AccountDeletion(AccountDeletionOutcome.UnknownAccount, 0), await _db.Accounts.DeleteAsync(unknown, CancellationToken.None));
        Assert.Empty((await Audit.ListNewestFirstAsync(null, 10, CancellationToken.None))!);
    }

    [Fact]
    public async Task Delete_ends_live_sessions_everywhere_removes_subjects_and_leaves_a_tombstone()
    {
        var first = await _db.RegisterApplicationAsync();
        var second = await _db.RegisterApplicationAsync();
        var (account, _) = await _db.CreateAccountWithSubjectAsync(first.Sector);
        await _db.Accounts.IssueSubjectAsync(account, second.Sector, CancellationToken.None);
        await _db.IssueSessionsAsync(account, first.Id, 3);
        await _db.IssueSessionsAsync(account, second.Id, 2);
        await _db.IssueExpiredSessionsAsync(account, first.Id, 4);
        var (bystander, _) = await _db.CreateAccountWithSubjectAsync(first.Sector);
        await _db.IssueSessionsAsync(bystander, first.Id, 1);

        var deletion = await _db.Accounts.DeleteAsync(account, CancellationToken.None);

        Assert.Equal(new AccountDeletion(AccountDeletionOutcome.Deleted, 5), deletion);
        Assert.Equal(new SessionCounts(0, 3, 4), await _db.CountSessionsAsync(account, first.Id));
        Assert.Equal(new SessionCounts(0, 2, 0), await _db.CountSessionsAsync(account, second.Id));
        Assert.Equal(new SessionCounts(1, 0, 0), await _db.CountSessionsAsync(bystander, first.Id));
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        Assert.Equal(["revoke_all"], await connection.QueryAsync<string>(
            "SELECT DISTINCT revoked_reason FROM sessions WHERE account_id = @Account AND revoked_at IS NOT NULL", new { Account = account.Value }));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM sector_subjects WHERE account_id = @Account", new { Account = account.Value }));
        Assert.Equal((false, true), await connection.QuerySingleAsync<(bool, bool)>(
            "SELECT enabled, deleted_at IS NOT NULL FROM accounts WHERE id = @Account", new { Account = account.Value }));
        var events = (await Audit.ListNewestFirstAsync(null, 10, CancellationToken.None))!;
        Assert.Equal(
            new[] { (AuditKinds.AccountDeleted, "", 5), (AuditKinds.RevokeAll, first.Anchor.Value, 3), (AuditKinds.RevokeAll, second.Anchor.Value, 2) }.Order(),
            events.Select(e => (e.Kind, e.Anchor?.Value ?? "", e.RevokedCount)).Order());
        Assert.All(events, e => Assert.Equal(account, e.Account));
    }

    [Fact]
    public async Task Delete_of_an_account_without_sessions_audits_only_account_deleted_with_zero()
    {
        var account = await _db.Accounts.CreateAccountAsync(CancellationToken.None);

        var deletion = await _db.Accounts.DeleteAsync(account, CancellationToken.None);
        var again = await _db.Accounts.DeleteAsync(account, CancellationToken.None);

        Assert.Equal(new AccountDeletion(AccountDeletionOutcome.Deleted, 0), deletion);
        Assert.Equal(new AccountDeletion(AccountDeletionOutcome.AlreadyDeleted, 0), again);
        var audited = Assert.Single((await Audit.ListNewestFirstAsync(null, 10, CancellationToken.None))!);
        Assert.Equal((AuditKinds.AccountDeleted, account, 0), (audited.Kind, audited.Account!.Value, audited.RevokedCount));
    }

    [Fact]
    public async Task Session_store_issues_nothing_for_a_disabled_or_deleted_account_and_reads_the_accounts_state()
    {
        var app = await _db.RegisterApplicationAsync();
        var (account, _) = await _db.CreateAccountWithSubjectAsync(app.Sector);
        var (issued, sid) = await IssueOneAsync(account, app.Id);
        var enabled = await Sessions.FindAsync(sid, CancellationToken.None);

        await _db.Accounts.SetEnabledAsync(account, false, CancellationToken.None);
        var whileDisabled = await IssueOneAsync(account, app.Id);
        var disabled = await Sessions.FindAsync(sid, CancellationToken.None);
        await _db.Accounts.DeleteAsync(account, CancellationToken.None);
        var afterDelete = await IssueOneAsync(account, app.Id);
        var deleted = (await Sessions.FindAsync(sid, app.Id, CancellationToken.None)).Session;

        Assert.Equal((true, false, false), (issued, whileDisabled.Stored, afterDelete.Stored));
        Assert.Equal((true, false), (enabled!.AccountEnabled, enabled.AccountDeleted));
        Assert.Equal((false, false, null), (disabled!.AccountEnabled, disabled.AccountDeleted, disabled.RevokedAt));
        Assert.Equal((false, true, (SectorSubject?)null), (deleted!.AccountEnabled, deleted.AccountDeleted, deleted.Subject));
        Assert.NotNull(deleted.RevokedAt);
        Assert.Equal(0, await _db.IssueSessionsAsync(account, app.Id, 2));
    }

    [Fact]
    public async Task Rotation_of_a_disabled_accounts_session_writes_nothing_and_shows_why()
    {
        var app = await _db.RegisterApplicationAsync();
        var (account, _) = await _db.CreateAccountWithSubjectAsync(app.Sector);
        var (_, sid) = await IssueOneAsync(account, app.Id);
        var before = (await Sessions.FindAsync(sid, CancellationToken.None))!;
        await _db.Accounts.SetEnabledAsync(account, false, CancellationToken.None);

        var attempt = await Sessions.TryRotateAsync(
            new SessionRotation(sid, app.Id, 1, before.CurrentJti, "next-jti", DateTimeOffset.UtcNow, "kid", DateTimeOffset.UtcNow),
            CancellationToken.None);

        Assert.False(attempt.Rotated);
        Assert.False(attempt.Before!.AccountEnabled);
        Assert.Equal(1, (await Sessions.FindAsync(sid, CancellationToken.None))!.RotationVersion);
    }

    /// <summary>Issues race a delete: each either landed before it (and is revoked by it) or stored nothing.</summary>
    [Fact]
    public async Task Issues_racing_a_delete_leave_no_live_session()
    {
        var app = await _db.RegisterApplicationAsync();
        var (account, _) = await _db.CreateAccountWithSubjectAsync(app.Sector);
        await _db.IssueSessionsAsync(account, app.Id, 1);

        var issues = Enumerable.Range(0, 40).Select(_ => Task.Run(() => IssueOneAsync(account, app.Id))).ToList();
        var deletion = await _db.Accounts.DeleteAsync(account, CancellationToken.None);
        var stored = (await Task.WhenAll(issues)).Count(issue => issue.Stored);

        var counts = await _db.CountSessionsAsync(account, app.Id);
        Assert.Equal(0, counts.Active);
        Assert.Equal(1 + stored, counts.Revoked);
        Assert.Equal(counts.Revoked, deletion.SessionsRevoked);
    }

    [Fact]
    public async Task Issuing_twice_returns_the_same_subject_and_sectors_get_unrelated_subjects()
    {
        var first = await _db.RegisterApplicationAsync();
        var second = await _db.RegisterApplicationAsync();
        var (account, subject) = await _db.CreateAccountWithSubjectAsync(first.Sector);

        var again = await _db.Accounts.IssueSubjectAsync(account, first.Sector, CancellationToken.None);
        var elsewhere = await _db.Accounts.IssueSubjectAsync(account, second.Sector, CancellationToken.None);

        Assert.Equal(subject, again);
        Assert.NotEqual(subject, elsewhere);
        Assert.DoesNotContain(account.Value.ToString("N"), subject.Value, StringComparison.OrdinalIgnoreCase);
    }

    private Task<AccountStatus> StatusAsync(AccountId account) => _db.Accounts.GetStatusAsync(account, CancellationToken.None);

    private async Task<(bool Stored, SessionId Sid)> IssueOneAsync(AccountId account, AppId application)
    {
        var sid = new SessionId(Guid.NewGuid().ToString("N"));
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var stored = await Sessions.IssueAsync(
            new NewSessions(account, application, now, now.AddHours(1), "kid", [(sid, Guid.NewGuid().ToString("N"))]),
            CancellationToken.None);
        return (stored, sid);
    }
}
