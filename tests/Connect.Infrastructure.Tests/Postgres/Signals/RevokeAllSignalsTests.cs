using System.Collections.Concurrent;
using System.Diagnostics;
using Connect.Domain.Sessions;
using Connect.Testing.Seeding;
using Connect.Testing.Signals;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres.Signals;

/// <summary>
/// <c>/revoke-all</c>'s statement writes the signals it owes (docs/contract/signals.md, "What sends a signal"): one
/// subject-wide <c>admin</c> signal per receiver of the application, in the same statement as the revocation.
/// </summary>
public sealed class RevokeAllSignalsTests
{
    [Fact]
    public async Task Revoke_all_writes_one_subject_wide_admin_signal_per_receiver_of_the_application()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var elsewhere = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        // The same account is someone else in another sector: that subject must not be the one signalled.
        await db.Accounts.IssueSubjectAsync(account, elsewhere.Sector, CancellationToken.None);
        await db.IssueSessionsAsync(account, app.Id, 3);
        await db.IssueSessionsAsync(account, elsewhere.Id, 2);
        var caep = await SignalOutbox.AddReceiverAsync(db.ConnectionString, app.Id, "caep");
        var backchannel = await SignalOutbox.AddReceiverAsync(db.ConnectionString, app.Id, "backchannel-logout");
        await SignalOutbox.AddReceiverAsync(db.ConnectionString, elsewhere.Id);

        var revoked = await db.Services.GetRequiredService<IRefreshTokenRevoker>()
            .RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None);

        Assert.Equal(3, revoked);
        var revokedAt = Assert.Single(await OutboxTestRows.RevokedAtAsync(db.ConnectionString, account, app.Id));
        var signals = await SignalOutbox.ReadAsync(db.ConnectionString);
        Assert.Equal(
            new[] { caep, backchannel }.Order(),
            signals.Select(signal => signal.ReceiverId).Order());
        Assert.All(signals, signal =>
            Assert.Equal((subject.Value, (string?)null, "admin", revokedAt, revokedAt, "pending"),
                (signal.Subject, signal.Sid, signal.InitiatingEntity, signal.EndedAt, signal.CommittedAt, signal.State)));
    }

    [Fact]
    public async Task Revoke_all_that_revoked_nothing_writes_no_signal()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueExpiredSessionsAsync(account, app.Id, 2);
        await SignalOutbox.AddReceiverAsync(db.ConnectionString, app.Id);
        var revoker = db.Services.GetRequiredService<IRefreshTokenRevoker>();

        var revoked = await revoker.RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None);

        Assert.Equal(0, revoked);
        Assert.Empty(await SignalOutbox.ReadAsync(db.ConnectionString));
    }

    [Fact]
    public async Task A_second_revoke_all_writes_no_second_signal()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 2);
        await SignalOutbox.AddReceiverAsync(db.ConnectionString, app.Id);
        var revoker = db.Services.GetRequiredService<IRefreshTokenRevoker>();
        await revoker.RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None);

        var again = await revoker.RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None);

        Assert.Equal(0, again);
        Assert.Single(await SignalOutbox.ReadAsync(db.ConnectionString));
    }

    [Fact]
    public async Task An_application_without_receivers_is_owed_no_signal_and_another_applications_receiver_gets_none()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var sibling = await db.RegisterApplicationAsync(sector: app.Sector);
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 2);
        await db.IssueSessionsAsync(account, sibling.Id, 2);
        await SignalOutbox.AddReceiverAsync(db.ConnectionString, sibling.Id);

        var revoked = await db.Services.GetRequiredService<IRefreshTokenRevoker>()
            .RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None);

        Assert.Equal(2, revoked);
        Assert.Empty(await SignalOutbox.ReadAsync(db.ConnectionString));
    }

    [Fact]
    public async Task Two_revoke_alls_at_once_write_exactly_one_set_of_signals()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 20);
        var receivers = new[]
        {
            await SignalOutbox.AddReceiverAsync(db.ConnectionString, app.Id),
            await SignalOutbox.AddReceiverAsync(db.ConnectionString, app.Id),
        };
        var revoker = db.Services.GetRequiredService<IRefreshTokenRevoker>();
        // Both statements start while one of the sessions is locked, so both are inside their UPDATE at the same time.
        await using var holder = await RowLockHolder.LockSessionAsync(
            db.ConnectionString, (await OutboxTestRows.SidsAsync(db.ConnectionString, account, app.Id))[^1]);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return await revoker.RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None);
        })).ToArray();
        start.SetResult();
        await holder.WaitForBlockedAsync(2);

        await holder.ReleaseAsync();
        var counts = await Task.WhenAll(calls);

        Assert.Equal([0, 20], counts.Order());
        var signals = await SignalOutbox.ReadAsync(db.ConnectionString);
        Assert.Equal(receivers.Order(), signals.Select(signal => signal.ReceiverId).Order());
        Assert.All(signals, signal => Assert.Equal((subject.Value, (string?)null), (signal.Subject, signal.Sid)));
    }

    [Fact]
    public async Task A_revocation_whose_signals_cannot_be_written_is_not_committed()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 3);
        await SignalOutbox.AddReceiverAsync(db.ConnectionString, app.Id);
        var refused = await SignalOutbox.AddReceiverAsync(db.ConnectionString, app.Id);
        await OutboxTestRows.RefuseSignalsForAsync(db.ConnectionString, refused);
        var audited = await OutboxTestRows.AuditRowsAsync(db.ConnectionString);

        await Assert.ThrowsAsync<PostgresException>(() => db.Services.GetRequiredService<IRefreshTokenRevoker>()
            .RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None));

        Assert.Equal(new(3, 0, 0), await db.CountSessionsAsync(account, app.Id));
        Assert.Equal(audited, await OutboxTestRows.AuditRowsAsync(db.ConnectionString));
        Assert.Empty(await SignalOutbox.ReadAsync(db.ConnectionString));
    }

    [Fact]
    public async Task Revoke_all_with_its_signals_is_still_one_round_trip()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 2);
        await SignalOutbox.AddReceiverAsync(db.ConnectionString, app.Id);
        var revoker = db.Services.GetRequiredService<IRefreshTokenRevoker>();
        // Npgsql traces every command it sends as a span; our own trace id picks this call's out of every other test's.
        var commands = new ConcurrentQueue<string>();
        using var parent = new Activity("revoke-all under test");
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span =>
            {
                if (span.TraceId == parent.TraceId && (span.GetTagItem("db.query.text") ?? span.GetTagItem("db.statement")) is { } text)
                {
                    commands.Enqueue(text.ToString()!);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        parent.Start();

        var revoked = await revoker.RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None);

        parent.Stop();
        Assert.Equal(2, revoked);
        Assert.Equal([Infrastructure.Postgres.PostgresRefreshTokenRevoker.RevokeAllActiveSql], commands);
        Assert.Single(await SignalOutbox.ReadAsync(db.ConnectionString));
    }
}
