using Connect.Application.Administration;
using Connect.Domain.Accounts;
using Connect.Testing.Seeding;
using Connect.Testing.Signals;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres.Signals;

/// <summary>
/// <c>account delete</c> and <c>account disable</c> signal the subject, with <c>admin</c>, to every receiver of every
/// application where the account had a live session, in the same statement as the change (docs/contract/signals.md).
/// </summary>
public sealed class AccountSignalsTests : IAsyncLifetime
{
    private ConnectTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ConnectTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    /// <summary>
    /// An account with subjects in two sectors: live sessions in <c>Live</c> (two receivers) and <c>LiveElsewhere</c>
    /// (another sector, one receiver); only expired or revoked ones in <c>Ended</c>, none in <c>Untouched</c>, each
    /// with a receiver that is owed nothing.
    /// </summary>
    private async Task<Scene> SceneAsync()
    {
        var live = await _db.RegisterApplicationAsync();
        var ended = await _db.RegisterApplicationAsync(sector: live.Sector);
        var untouched = await _db.RegisterApplicationAsync(sector: live.Sector);
        var liveElsewhere = await _db.RegisterApplicationAsync();
        var (account, subject) = await _db.CreateAccountWithSubjectAsync(live.Sector);
        var subjectElsewhere = await _db.Accounts.IssueSubjectAsync(account, liveElsewhere.Sector, CancellationToken.None);
        await _db.IssueSessionsAsync(account, live.Id, 2);
        await _db.IssueSessionsAsync(account, liveElsewhere.Id, 1);
        await _db.IssueExpiredSessionsAsync(account, ended.Id, 1);
        await _db.IssueSessionsAsync(account, ended.Id, 1);
        await _db.Services.GetRequiredService<Domain.Sessions.IRefreshTokenRevoker>()
            .RevokeAllActiveAsync(ended.Sector, subject, ended.Id, CancellationToken.None);
        return new Scene(
            account,
            subject.Value,
            (subjectElsewhere ?? throw new InvalidOperationException("Subject not issued.")).Value,
            live,
            liveElsewhere,
            [await AddReceiverAsync(live), await AddReceiverAsync(live, "backchannel-logout")],
            await AddReceiverAsync(liveElsewhere),
            [await AddReceiverAsync(ended), await AddReceiverAsync(untouched)]);
    }

    private Task<Guid> AddReceiverAsync(TestApplication app, string format = "caep") =>
        SignalOutbox.AddReceiverAsync(_db.ConnectionString, app.Id, format);

    private Task<IReadOnlyList<OutboxSignal>> SignalsAsync() => SignalOutbox.ReadAsync(_db.ConnectionString);

    [Fact]
    public async Task Deleting_signals_the_subject_to_every_receiver_of_every_application_where_a_session_ended()
    {
        var scene = await SceneAsync();

        var deletion = await _db.Accounts.DeleteAsync(scene.Account, CancellationToken.None);

        Assert.Equal(new AccountDeletion(AccountDeletionOutcome.Deleted, 3), deletion);
        var revokedAt = Assert.Single(await OutboxTestRows.RevokedAtAsync(_db.ConnectionString, scene.Account, scene.Live.Id));
        var revokedElsewhereAt = Assert.Single(await OutboxTestRows.RevokedAtAsync(_db.ConnectionString, scene.Account, scene.LiveElsewhere.Id));
        Assert.Equal(
            new[]
            {
                (scene.LiveReceivers[0], scene.Subject, revokedAt),
                (scene.LiveReceivers[1], scene.Subject, revokedAt),
                (scene.ElsewhereReceiver, scene.SubjectElsewhere, revokedElsewhereAt),
            }.Order(),
            (await SignalsAsync()).Select(signal => (signal.ReceiverId, signal.Subject, signal.EndedAt)).Order());
        Assert.All(await SignalsAsync(), signal =>
            Assert.Equal(((string?)null, "admin", signal.CommittedAt), (signal.Sid, signal.InitiatingEntity, signal.EndedAt)));
    }

    [Fact]
    public async Task Deleting_an_account_without_live_sessions_writes_no_signal()
    {
        var app = await _db.RegisterApplicationAsync();
        var (account, subject) = await _db.CreateAccountWithSubjectAsync(app.Sector);
        await _db.IssueExpiredSessionsAsync(account, app.Id, 2);
        await AddReceiverAsync(app);

        var deletion = await _db.Accounts.DeleteAsync(account, CancellationToken.None);

        Assert.Equal(new AccountDeletion(AccountDeletionOutcome.Deleted, 0), deletion);
        Assert.Empty(await SignalsAsync());
    }

    [Fact]
    public async Task A_deletion_whose_signals_cannot_be_written_deletes_nothing()
    {
        var scene = await SceneAsync();
        var refused = await AddReceiverAsync(scene.LiveElsewhere);
        await OutboxTestRows.RefuseSignalsForAsync(_db.ConnectionString, refused);
        var audited = await OutboxTestRows.AuditRowsAsync(_db.ConnectionString);

        await Assert.ThrowsAsync<PostgresException>(() => _db.Accounts.DeleteAsync(scene.Account, CancellationToken.None));

        Assert.Equal(AccountStatus.Enabled, await _db.Accounts.GetStatusAsync(scene.Account, CancellationToken.None));
        Assert.Equal(new(2, 0, 0), await _db.CountSessionsAsync(scene.Account, scene.Live.Id));
        Assert.Equal(audited, await OutboxTestRows.AuditRowsAsync(_db.ConnectionString));
        Assert.Empty(await SignalsAsync());
    }

    [Fact]
    public async Task Disabling_signals_the_subject_to_every_receiver_of_every_application_with_a_live_session_and_ends_none()
    {
        var scene = await SceneAsync();

        var status = await _db.Accounts.SetEnabledAsync(scene.Account, false, CancellationToken.None);

        Assert.Equal(AccountStatus.Disabled, status);
        Assert.Equal(new(2, 0, 0), await _db.CountSessionsAsync(scene.Account, scene.Live.Id));
        Assert.Equal(
            new[]
            {
                (scene.LiveReceivers[0], scene.Subject),
                (scene.LiveReceivers[1], scene.Subject),
                (scene.ElsewhereReceiver, scene.SubjectElsewhere),
            }.Order(),
            (await SignalsAsync()).Select(signal => (signal.ReceiverId, signal.Subject)).Order());
        Assert.All(await SignalsAsync(), signal =>
            Assert.Equal(((string?)null, "admin", signal.CommittedAt), (signal.Sid, signal.InitiatingEntity, signal.EndedAt)));
    }

    [Fact]
    public async Task Disabling_a_disabled_account_and_enabling_write_no_signal_and_a_new_disable_signals_again()
    {
        var scene = await SceneAsync();
        await _db.Accounts.SetEnabledAsync(scene.Account, false, CancellationToken.None);

        await _db.Accounts.SetEnabledAsync(scene.Account, false, CancellationToken.None);
        var afterSecondDisable = (await SignalsAsync()).Count;
        await _db.Accounts.SetEnabledAsync(scene.Account, true, CancellationToken.None);
        var afterEnable = (await SignalsAsync()).Count;
        await _db.Accounts.SetEnabledAsync(scene.Account, false, CancellationToken.None);

        Assert.Equal((3, 3, 6), (afterSecondDisable, afterEnable, (await SignalsAsync()).Count));
    }

    [Fact]
    public async Task Disabling_a_deleted_account_writes_no_signal()
    {
        var app = await _db.RegisterApplicationAsync();
        var (account, subject) = await _db.CreateAccountWithSubjectAsync(app.Sector);
        await AddReceiverAsync(app);
        await _db.Accounts.DeleteAsync(account, CancellationToken.None);

        var status = await _db.Accounts.SetEnabledAsync(account, false, CancellationToken.None);

        Assert.Equal(AccountStatus.Deleted, status);
        Assert.Empty(await SignalsAsync());
    }

    [Fact]
    public async Task Two_disables_at_once_write_exactly_one_set_of_signals()
    {
        var scene = await SceneAsync();
        // Both start while the account row is locked, so both are in flight at the same time.
        await using var holder = await RowLockHolder.LockAccountAsync(_db.ConnectionString, scene.Account);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return await _db.Accounts.SetEnabledAsync(scene.Account, false, CancellationToken.None);
        })).ToArray();
        start.SetResult();
        await holder.WaitForBlockedAsync(2);

        await holder.ReleaseAsync();
        var statuses = await Task.WhenAll(calls);

        Assert.Equal([AccountStatus.Disabled, AccountStatus.Disabled], statuses);
        Assert.Equal(3, (await SignalsAsync()).Count);
    }

    [Fact]
    public async Task A_disable_whose_signals_cannot_be_written_leaves_the_account_enabled()
    {
        var scene = await SceneAsync();
        var refused = await AddReceiverAsync(scene.Live);
        await OutboxTestRows.RefuseSignalsForAsync(_db.ConnectionString, refused);
        var audited = await OutboxTestRows.AuditRowsAsync(_db.ConnectionString);

        await Assert.ThrowsAsync<PostgresException>(() => _db.Accounts.SetEnabledAsync(scene.Account, false, CancellationToken.None));

        Assert.Equal(AccountStatus.Enabled, await _db.Accounts.GetStatusAsync(scene.Account, CancellationToken.None));
        Assert.Equal(audited, await OutboxTestRows.AuditRowsAsync(_db.ConnectionString));
        Assert.Empty(await SignalsAsync());
    }

    private sealed record Scene(
        AccountId Account,
        string Subject,
        string SubjectElsewhere,
        TestApplication Live,
        TestApplication LiveElsewhere,
        Guid[] LiveReceivers,
        Guid ElsewhereReceiver,
        Guid[] OwedNothing);
}
