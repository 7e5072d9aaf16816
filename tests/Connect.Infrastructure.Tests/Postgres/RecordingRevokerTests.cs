using Connect.Application.ClientAuthentication;
using Connect.Application.RevokeAll;
using Connect.Testing.Seeding;
using Connect.Testing.Signals;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres;

/// <summary>
/// Revoke-all's one statement: the client JWT's replay record written with the revocation, so that a request is one
/// transaction. Checked on the database afterwards, not only on what the statement answered.
/// </summary>
public sealed class RecordingRevokerTests
{
    [Fact]
    public async Task A_first_use_is_recorded_and_revokes_in_the_same_statement()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 3);
        var use = new JtiFirstUse(app.Id, await db.CurrentRevisionAsync(app.Anchor), "jti-1", DateTimeOffset.UtcNow.AddMinutes(1));

        var revoked = await Revoker(db).RevokeAllActiveAsync(app.Sector, subject, use, CancellationToken.None);

        Assert.Equal(new RecordedRevocation(JtiRecording.FirstUse, 3), revoked);
        Assert.Equal(new(0, 3, 0), await db.CountSessionsAsync(account, app.Id));
        Assert.Equal(1, await CountAsync(db, "SELECT count(*) FROM client_jwt_replays WHERE jti = 'jti-1'"));
        Assert.Equal(1, await CountAsync(db, "SELECT count(*) FROM revocation_audit"));
    }

    [Fact]
    public async Task A_first_use_naming_no_account_is_still_recorded()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var use = new JtiFirstUse(app.Id, await db.CurrentRevisionAsync(app.Anchor), "jti-1", DateTimeOffset.UtcNow.AddMinutes(1));

        var revoked = await Revoker(db).RevokeAllActiveAsync(app.Sector, new("nobody"), use, CancellationToken.None);

        Assert.Equal(new RecordedRevocation(JtiRecording.FirstUse, null), revoked);
        Assert.Equal(1, await CountAsync(db, "SELECT count(*) FROM client_jwt_replays"));
        Assert.Equal(0, await CountAsync(db, "SELECT count(*) FROM revocation_audit"));
    }

    [Fact]
    public async Task A_replay_revokes_audits_and_signals_nothing()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        var use = new JtiFirstUse(app.Id, await db.CurrentRevisionAsync(app.Anchor), "jti-1", DateTimeOffset.UtcNow.AddMinutes(1));
        await db.Services.GetRequiredService<IClientJwtReplayStore>()
            .TryRecordFirstUseAsync(use.Application, use.Revision, use.Jti, use.KeepUntil, CancellationToken.None);
        await db.IssueSessionsAsync(account, app.Id, 2);
        await SignalOutbox.AddReceiverAsync(db.ConnectionString, app.Id);

        var revoked = await Revoker(db).RevokeAllActiveAsync(app.Sector, subject, use, CancellationToken.None);

        Assert.Equal(new RecordedRevocation(JtiRecording.Replayed, null), revoked);
        Assert.Equal(new(2, 0, 0), await db.CountSessionsAsync(account, app.Id));
        Assert.Equal(0, await CountAsync(db, "SELECT count(*) FROM revocation_audit"));
        Assert.Equal(0, await CountAsync(db, "SELECT count(*) FROM signals"));
    }

    [Fact]
    public async Task An_application_changed_since_the_check_records_and_revokes_nothing()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 2);
        var use = new JtiFirstUse(app.Id, await db.CurrentRevisionAsync(app.Anchor), "jti-1", DateTimeOffset.UtcNow.AddMinutes(1));
        await db.Applications.SetEnabledAsync(app.Anchor, false, CancellationToken.None);

        var revoked = await Revoker(db).RevokeAllActiveAsync(app.Sector, subject, use, CancellationToken.None);

        Assert.Equal(new RecordedRevocation(JtiRecording.ApplicationChanged, null), revoked);
        Assert.Equal(new(2, 0, 0), await db.CountSessionsAsync(account, app.Id));
        Assert.Equal(0, await CountAsync(db, "SELECT count(*) FROM client_jwt_replays"));
        Assert.Equal(0, await CountAsync(db, "SELECT count(*) FROM revocation_audit"));
    }

    [Fact]
    public async Task Of_concurrent_statements_with_one_jti_exactly_one_records_and_revokes()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 4);
        var use = new JtiFirstUse(app.Id, await db.CurrentRevisionAsync(app.Anchor), "race", DateTimeOffset.UtcNow.AddMinutes(1));
        var revoker = Revoker(db);

        var results = await Task.WhenAll(Enumerable.Range(0, 16)
            .Select(_ => Task.Run(() => revoker.RevokeAllActiveAsync(app.Sector, subject, use, CancellationToken.None))));

        var winner = Assert.Single(results, result => result.Recording == JtiRecording.FirstUse);
        Assert.Equal(4, winner.RevokedCount);
        Assert.All(results.Where(result => result != winner), result => Assert.Equal(new RecordedRevocation(JtiRecording.Replayed, null), result));
        Assert.Equal(new(0, 4, 0), await db.CountSessionsAsync(account, app.Id));
        Assert.Equal(1, await CountAsync(db, "SELECT count(*) FROM revocation_audit"));
    }

    private static IRecordingRevoker Revoker(ConnectTestDatabase db) => db.Services.GetRequiredService<IRecordingRevoker>();

    private static async Task<long> CountAsync(ConnectTestDatabase db, string sql)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        return await connection.ExecuteScalarAsync<long>(sql);
    }
}
