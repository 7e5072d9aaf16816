using Connect.Domain.Sessions;
using Connect.Testing.Seeding;
using Connect.Testing.Signals;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres.Signals;

/// <summary>
/// Ending one session (<c>/logout</c>, reuse detected, a lost rotation race) writes that session's signals in the same
/// statement (docs/contract/signals.md, "What sends a signal"): one per receiver of its application, with its sid.
/// </summary>
public sealed class SessionEndSignalsTests : IAsyncLifetime
{
    private ConnectTestDatabase _db = null!;
    private TestApplication _app = null!;
    private ISessionStore _store = null!;

    public async Task InitializeAsync()
    {
        _db = await ConnectTestDatabase.CreateAsync();
        _app = await _db.RegisterApplicationAsync();
        _store = _db.Services.GetRequiredService<ISessionStore>();
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    /// <summary>A new account's one session in the application; its subject and sid.</summary>
    private async Task<(string Subject, SessionId Sid)> NewSessionAsync(TestApplication app)
    {
        var (account, subject) = await _db.CreateAccountWithSubjectAsync(app.Sector);
        await _db.IssueSessionsAsync(account, app.Id, 1);
        return (subject.Value, new SessionId(Assert.Single(await OutboxTestRows.SidsAsync(_db.ConnectionString, account, app.Id))));
    }

    private async Task<DateTime?> RevokedAtAsync(SessionId sid) =>
        (await _store.FindAsync(sid, CancellationToken.None))?.RevokedAt?.UtcDateTime;

    public static TheoryData<SessionEndReason, string> Reasons => new()
    {
        { SessionEndReason.Logout, "user" },
        { SessionEndReason.ReuseDetected, "policy" },
        { SessionEndReason.RotationRaceLost, "policy" },
    };

    [Theory]
    [MemberData(nameof(Reasons))]
    public async Task Ending_a_session_writes_one_signal_of_that_session_per_receiver(SessionEndReason reason, string initiatingEntity)
    {
        var (subject, sid) = await NewSessionAsync(_app);
        var caep = await SignalOutbox.AddReceiverAsync(_db.ConnectionString, _app.Id, "caep");
        var backchannel = await SignalOutbox.AddReceiverAsync(_db.ConnectionString, _app.Id, "backchannel-logout");

        var ended = await _store.EndAsync(sid, reason, DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.True(ended);
        var revokedAt = await RevokedAtAsync(sid);
        var signals = await SignalOutbox.ReadAsync(_db.ConnectionString);
        Assert.Equal(new[] { caep, backchannel }.Order(), signals.Select(signal => signal.ReceiverId).Order());
        Assert.All(signals, signal =>
            Assert.Equal((subject, sid.Value, initiatingEntity, revokedAt, revokedAt, "pending"),
                (signal.Subject, signal.Sid, signal.InitiatingEntity, (DateTime?)signal.EndedAt, (DateTime?)signal.CommittedAt, signal.State)));
    }

    [Fact]
    public async Task A_second_logout_of_the_same_session_writes_no_second_signal()
    {
        var (_, sid) = await NewSessionAsync(_app);
        await SignalOutbox.AddReceiverAsync(_db.ConnectionString, _app.Id);
        await _store.EndAsync(sid, SessionEndReason.Logout, DateTimeOffset.UtcNow, CancellationToken.None);

        var again = await _store.EndAsync(sid, SessionEndReason.Logout, DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.False(again);
        Assert.Single(await SignalOutbox.ReadAsync(_db.ConnectionString));
    }

    [Fact]
    public async Task An_expired_or_unknown_session_ends_nothing_and_writes_no_signal()
    {
        var (account, _) = await _db.CreateAccountWithSubjectAsync(_app.Sector);
        await _db.IssueExpiredSessionsAsync(account, _app.Id, 1);
        var expired = new SessionId(Assert.Single(await OutboxTestRows.SidsAsync(_db.ConnectionString, account, _app.Id)));
        await SignalOutbox.AddReceiverAsync(_db.ConnectionString, _app.Id);

        var endedExpired = await _store.EndAsync(expired, SessionEndReason.Logout, DateTimeOffset.UtcNow, CancellationToken.None);
        var endedUnknown = await _store.EndAsync(new SessionId("no-such-session"), SessionEndReason.ReuseDetected, DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.False(endedExpired);
        Assert.False(endedUnknown);
        Assert.Empty(await SignalOutbox.ReadAsync(_db.ConnectionString));
    }

    [Fact]
    public async Task An_application_without_receivers_is_owed_nothing_and_another_applications_receiver_gets_none()
    {
        var other = await _db.RegisterApplicationAsync(sector: _app.Sector);
        var (_, sid) = await NewSessionAsync(_app);
        await NewSessionAsync(other);
        await SignalOutbox.AddReceiverAsync(_db.ConnectionString, other.Id);

        var ended = await _store.EndAsync(sid, SessionEndReason.Logout, DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.True(ended);
        Assert.Empty(await SignalOutbox.ReadAsync(_db.ConnectionString));
    }

    [Fact]
    public async Task Two_logouts_at_once_write_exactly_one_set_of_signals()
    {
        var (_, sid) = await NewSessionAsync(_app);
        var receivers = new[]
        {
            await SignalOutbox.AddReceiverAsync(_db.ConnectionString, _app.Id),
            await SignalOutbox.AddReceiverAsync(_db.ConnectionString, _app.Id),
        };
        // Both statements start while the session is locked, so both are inside their UPDATE at the same time.
        await using var holder = await RowLockHolder.LockSessionAsync(_db.ConnectionString, sid.Value);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return await _store.EndAsync(sid, SessionEndReason.Logout, DateTimeOffset.UtcNow, CancellationToken.None);
        })).ToArray();
        start.SetResult();
        await holder.WaitForBlockedAsync(2);

        await holder.ReleaseAsync();
        var ended = await Task.WhenAll(calls);

        Assert.Equal([false, true], ended.Order());
        var signals = await SignalOutbox.ReadAsync(_db.ConnectionString);
        Assert.Equal(receivers.Order(), signals.Select(signal => signal.ReceiverId).Order());
        Assert.All(signals, signal => Assert.Equal(sid.Value, signal.Sid));
    }

    [Fact]
    public async Task A_logout_whose_signals_cannot_be_written_leaves_the_session_active_and_unaudited()
    {
        var (_, sid) = await NewSessionAsync(_app);
        await SignalOutbox.AddReceiverAsync(_db.ConnectionString, _app.Id);
        var refused = await SignalOutbox.AddReceiverAsync(_db.ConnectionString, _app.Id);
        await OutboxTestRows.RefuseSignalsForAsync(_db.ConnectionString, refused);
        var audited = await OutboxTestRows.AuditRowsAsync(_db.ConnectionString);

        await Assert.ThrowsAsync<PostgresException>(
            () => _store.EndAsync(sid, SessionEndReason.Logout, DateTimeOffset.UtcNow, CancellationToken.None));

        Assert.Null(await RevokedAtAsync(sid));
        Assert.Equal(audited, await OutboxTestRows.AuditRowsAsync(_db.ConnectionString));
        Assert.Empty(await SignalOutbox.ReadAsync(_db.ConnectionString));
    }
}
