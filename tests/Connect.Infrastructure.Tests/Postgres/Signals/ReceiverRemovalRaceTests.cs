using Connect.Application.Administration;
using Connect.Application.Signals;
using Connect.Domain.Sessions;
using Connect.Domain.Signals;
using Connect.Testing.Seeding;
using Connect.Testing.Signals;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres.Signals;

/// <summary>
/// A revocation racing <c>app receiver remove</c> (docs/decisions.md "A removed receiver is kept, marked removed"):
/// the revocation never fails because of the removal, and the removed receiver is never sent, nor left owed, a signal.
/// </summary>
public sealed class ReceiverRemovalRaceTests : IAsyncLifetime
{
    private ConnectTestDatabase _db = null!;
    private TestApplication _app = null!;

    public async Task InitializeAsync()
    {
        _db = await ConnectTestDatabase.CreateAsync();
        _app = await _db.RegisterApplicationAsync();
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private ISignalReceiverRegistry Receivers => _db.Services.GetRequiredService<ISignalReceiverRegistry>();

    private async Task<ReceiverId> AddReceiverAsync(string url = "https://rp.example/signals") =>
        (await Receivers.AddAsync(_app.Anchor, url, SignalFormat.Caep, "rp", 16, CancellationToken.None)).Receiver;

    [Fact]
    public async Task Revoke_all_racing_a_receiver_removal_succeeds_and_the_removed_receiver_gets_nothing()
    {
        var (account, subject) = await _db.CreateAccountWithSubjectAsync(_app.Sector);
        await _db.IssueSessionsAsync(account, _app.Id, 2);
        var kept = await AddReceiverAsync("https://kept.example/signals");
        var removed = await AddReceiverAsync();

        var revoked = await RaceRemovalAsync(removed, () => _db.Services.GetRequiredService<IRefreshTokenRevoker>()
            .RevokeAllActiveAsync(_app.Sector, subject, _app.Id, CancellationToken.None));

        Assert.Equal(2, revoked);
        await AssertOnlyKeptReceiverIsSignalledAsync(kept, removed);
    }

    [Fact]
    public async Task Logout_racing_a_receiver_removal_succeeds_and_the_removed_receiver_gets_nothing()
    {
        var (account, subject) = await _db.CreateAccountWithSubjectAsync(_app.Sector);
        await _db.IssueSessionsAsync(account, _app.Id, 1);
        var sid = new SessionId(Assert.Single(await OutboxTestRows.SidsAsync(_db.ConnectionString, account, _app.Id)));
        var kept = await AddReceiverAsync("https://kept.example/signals");
        var removed = await AddReceiverAsync();

        var ended = await RaceRemovalAsync(removed, () => _db.Services.GetRequiredService<ISessionStore>()
            .EndAsync(sid, SessionEndReason.Logout, DateTimeOffset.UtcNow, CancellationToken.None));

        Assert.True(ended);
        await AssertOnlyKeptReceiverIsSignalledAsync(kept, removed);
    }

    [Fact]
    public async Task Account_deletion_racing_a_receiver_removal_succeeds_and_the_removed_receiver_gets_nothing()
    {
        var (account, subject) = await _db.CreateAccountWithSubjectAsync(_app.Sector);
        await _db.IssueSessionsAsync(account, _app.Id, 2);
        var kept = await AddReceiverAsync("https://kept.example/signals");
        var removed = await AddReceiverAsync();

        var deletion = await RaceRemovalAsync(removed, () => _db.Accounts.DeleteAsync(account, CancellationToken.None));

        Assert.Equal(new AccountDeletion(AccountDeletionOutcome.Deleted, 2), deletion);
        await AssertOnlyKeptReceiverIsSignalledAsync(kept, removed);
    }

    [Fact]
    public async Task Account_disabling_racing_a_receiver_removal_succeeds_and_the_removed_receiver_gets_nothing()
    {
        var (account, subject) = await _db.CreateAccountWithSubjectAsync(_app.Sector);
        await _db.IssueSessionsAsync(account, _app.Id, 1);
        var kept = await AddReceiverAsync("https://kept.example/signals");
        var removed = await AddReceiverAsync();

        var status = await RaceRemovalAsync(removed, () => _db.Accounts.SetEnabledAsync(account, false, CancellationToken.None));

        Assert.Equal(AccountStatus.Disabled, status);
        await AssertOnlyKeptReceiverIsSignalledAsync(kept, removed);
    }

    [Fact]
    public async Task A_removed_receiver_is_out_of_list_status_retry_and_the_limit_and_its_url_can_be_added_again()
    {
        var removed = await AddReceiverAsync();
        await InsertSignalAsync(removed, "dead");
        Assert.Equal(ReceiverRemovalOutcome.Removed, (await Receivers.RemoveAsync(_app.Anchor, removed, CancellationToken.None)).Outcome);

        Assert.Empty((await Receivers.ListAsync(_app.Anchor, CancellationToken.None))!);
        Assert.DoesNotContain(await Receivers.StatusAsync(CancellationToken.None), status => status.Id == removed);
        Assert.Null(await Receivers.RequeueDeadLettersAsync(removed, CancellationToken.None));
        Assert.Equal(
            new ReceiverRemoval(ReceiverRemovalOutcome.UnknownReceiver),
            await Receivers.RemoveAsync(_app.Anchor, removed, CancellationToken.None));

        // A limit of one: the removed receiver no longer takes the application's only place, and its URL is free.
        var again = await Receivers.AddAsync(
            _app.Anchor, "https://rp.example/signals", SignalFormat.Caep, "rp", 1, CancellationToken.None);

        Assert.Equal(ReceiverAdditionOutcome.Added, again.Outcome);
        Assert.NotEqual(removed, again.Receiver);
        var listed = Assert.Single((await Receivers.ListAsync(_app.Anchor, CancellationToken.None))!);
        Assert.Equal((again.Receiver, "https://rp.example/signals"), (listed.Id, listed.Url));
    }

    /// <summary>
    /// Holds the removal after it locked the receiver (its delete waits on a signal row this test locks), fires the
    /// revocation, sees it wait on the receiver, then lets the removal commit first.
    /// </summary>
    private async Task<T> RaceRemovalAsync<T>(ReceiverId receiver, Func<Task<T>> revocation)
    {
        await InsertSignalAsync(receiver, "pending");
        await using var holder = await RowLockHolder.LockReceiverSignalsAsync(_db.ConnectionString, receiver);
        var removing = Task.Run(() => Receivers.RemoveAsync(_app.Anchor, receiver, CancellationToken.None));
        await holder.WaitForBlockedAsync(1);
        var revoking = Task.Run(revocation);
        await holder.WaitForBlockedAsync(2);

        await holder.ReleaseAsync();

        var removal = await removing;
        var result = await revoking;
        // The audit still counts what the removal dropped: the one signal committed before it.
        Assert.Equal(new ReceiverRemoval(ReceiverRemovalOutcome.Removed, 1), removal);
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
            "SELECT signal_count FROM revocation_audit WHERE kind = 'receiver_removed' AND receiver_id = @Receiver",
            new { Receiver = receiver.Value }));
        return result;
    }

    private async Task AssertOnlyKeptReceiverIsSignalledAsync(ReceiverId kept, ReceiverId removed)
    {
        var outbox = _db.Services.GetRequiredService<ISignalOutbox>();

        var claimed = await outbox.ClaimDueAsync(
            "race-test", 100, TimeSpan.FromMinutes(5), new Dictionary<ReceiverId, int>(), 16, CancellationToken.None);

        Assert.Equal(kept, Assert.Single(claimed).Receiver);
        Assert.DoesNotContain(await SignalOutbox.ReadAsync(_db.ConnectionString), signal => signal.ReceiverId == removed.Value);
        Assert.Equal(1, (await outbox.MeasureBacklogAsync(CancellationToken.None)).Pending);
        var status = Assert.Single(await Receivers.StatusAsync(CancellationToken.None));
        Assert.Equal((kept, 1), (status.Id, status.Pending));
    }

    private async Task InsertSignalAsync(ReceiverId receiver, string state)
    {
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        await connection.ExecuteAsync(
            """
            INSERT INTO signals (receiver_id, subject, initiating_entity, ended_at, state, dead_at)
            VALUES (@Receiver, 'subject', 'admin', now(), @State, CASE WHEN @State = 'dead' THEN now() END)
            """,
            new { Receiver = receiver.Value, State = state });
    }
}
