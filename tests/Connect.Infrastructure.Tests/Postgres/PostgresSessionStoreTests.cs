using Connect.Domain.Sessions;
using Connect.Testing.Seeding;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres;

public sealed class PostgresSessionStoreTests : IAsyncLifetime
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

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    /// <summary>One new session of a new account; its sid and current jti read back from the table.</summary>
    private async Task<(SessionId Sid, string Jti)> NewSessionAsync(TimeSpan? expiresIn = null)
    {
        var (account, _) = await _db.CreateAccountWithSubjectAsync(_app.Sector);
        await _db.IssueSessionsAsync(account, _app.Id, 1, expiresIn);
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        var (sid, jti) = await connection.QuerySingleAsync<(string, string)>(
            "SELECT sid, current_jti FROM sessions WHERE account_id = @Account", new { Account = account.Value });
        return (new SessionId(sid), jti);
    }

    private SessionRotation Rotation(SessionId sid, int from, string presentedJti, string newJti) =>
        new(sid, _app.Id, from, presentedJti, newJti, DateTimeOffset.FromUnixTimeSeconds(Now.ToUnixTimeSeconds()), "kid-1", Now);

    [Fact]
    public async Task Issued_sessions_start_at_version_1_with_their_first_jti_and_signing_key()
    {
        var (account, subject) = await _db.CreateAccountWithSubjectAsync(_app.Sector);
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(Now.ToUnixTimeSeconds());

        await _store.IssueAsync(
            new NewSessions(account, _app.Id, issuedAt, issuedAt.AddDays(1), "kid-1", [(new SessionId("sid-a"), "jti-a"), (new SessionId("sid-b"), "jti-b")]),
            CancellationToken.None);

        var a = await _store.FindAsync(new SessionId("sid-a"), CancellationToken.None);
        var b = await _store.FindAsync(new SessionId("sid-b"), CancellationToken.None);
        Assert.Equal((1, "jti-a", issuedAt, "kid-1", issuedAt.AddDays(1), subject), (a!.RotationVersion, a.CurrentJti, a.RotatedAt, a.CurrentKeyId, a.ExpiresAt, a.Subject));
        Assert.Equal((account, "jti-b", (DateTimeOffset?)null), (b!.Account, b.CurrentJti, b.RevokedAt));
    }

    [Fact]
    public async Task Find_reads_the_session_with_its_subject_and_application_status()
    {
        var (sid, jti) = await NewSessionAsync();

        var state = await _store.FindAsync(sid, CancellationToken.None);

        Assert.NotNull(state);
        Assert.Equal(_app.Id, state.Application);
        Assert.Equal(1, state.RotationVersion);
        Assert.Equal(jti, state.CurrentJti);
        Assert.Null(state.PreviousJti);
        Assert.True(state.ApplicationEnabled);
        Assert.NotNull(state.Subject);
        Assert.Null(state.RevokedAt);
        Assert.Null(await _store.FindAsync(new SessionId("no-such-session"), CancellationToken.None));
    }

    [Fact]
    public async Task A_rotation_moves_the_version_on_and_keeps_the_consumed_jti_as_previous()
    {
        var (sid, jti) = await NewSessionAsync();

        var attempt = await _store.TryRotateAsync(Rotation(sid, 1, jti, "jti-2"), CancellationToken.None);

        Assert.True(attempt.Rotated);
        Assert.Equal((1, jti), (attempt.Before!.RotationVersion, attempt.Before.CurrentJti));
        var state = await _store.FindAsync(sid, CancellationToken.None);
        Assert.Equal((2, "jti-2", jti, "kid-1"), (state!.RotationVersion, state.CurrentJti, state.PreviousJti, state.CurrentKeyId));
        var again = await _store.TryRotateAsync(Rotation(sid, 1, jti, "jti-2b"), CancellationToken.None);
        Assert.False(again.Rotated);
        Assert.Equal(2, again.Before!.RotationVersion);
    }

    [Fact]
    public async Task Twenty_four_simultaneous_rotations_of_one_version_make_exactly_one_new_version()
    {
        var (sid, jti) = await NewSessionAsync();
        using var start = new ManualResetEventSlim();

        var attempts = Enumerable.Range(0, 24).Select(n => Task.Run(async () =>
        {
            start.Wait();
            return await _store.TryRotateAsync(Rotation(sid, 1, jti, $"jti-2-{n}"), CancellationToken.None);
        })).ToList();
        start.Set();
        var results = (await Task.WhenAll(attempts)).Select(attempt => attempt.Rotated).ToArray();

        Assert.Single(results, rotated => rotated);
        var state = await _store.FindAsync(sid, CancellationToken.None);
        Assert.Equal(2, state!.RotationVersion);
        Assert.Equal($"jti-2-{Array.IndexOf(results, true)}", state.CurrentJti);
    }

    [Fact]
    public async Task No_rotation_of_a_wrong_jti_a_revoked_an_expired_or_a_disabled_applications_session()
    {
        var (wrongJti, jti1) = await NewSessionAsync();
        var (revoked, jti2) = await NewSessionAsync();
        var (expired, jti3) = await NewSessionAsync(TimeSpan.FromSeconds(1));
        await _store.EndAsync(revoked, SessionEndReason.Logout, Now, CancellationToken.None);

        Assert.False((await _store.TryRotateAsync(Rotation(wrongJti, 1, jti1 + "x", "n1"), CancellationToken.None)).Rotated);
        Assert.False((await _store.TryRotateAsync(Rotation(revoked, 1, jti2, "n2"), CancellationToken.None)).Rotated);
        Assert.False((await _store.TryRotateAsync(Rotation(expired, 1, jti3, "n3") with { Now = Now.AddSeconds(2) }, CancellationToken.None)).Rotated);
        await _db.Applications.SetEnabledAsync(_app.Anchor, false, CancellationToken.None);
        var disabled = await _store.TryRotateAsync(Rotation(wrongJti, 1, jti1, "n4"), CancellationToken.None);
        Assert.False(disabled.Rotated);
        Assert.False(disabled.Before!.ApplicationEnabled);
        Assert.Equal(new RotationAttempt(false, null), await _store.TryRotateAsync(Rotation(new SessionId("none"), 1, "j", "n5"), CancellationToken.None));
        Assert.Equal(1, (await _store.FindAsync(wrongJti, CancellationToken.None))!.RotationVersion);
    }

    [Fact]
    public async Task Rotation_at_the_applications_revision_rotates_and_at_any_other_rotates_nothing_and_says_so()
    {
        var (sid, jti) = await NewSessionAsync();
        var revision = await _db.CurrentRevisionAsync(_app.Anchor);

        var stale = await _store.TryRotateAsync(Rotation(sid, 1, jti, "n1") with { ApplicationRevision = revision - 1 }, CancellationToken.None);
        var current = await _store.TryRotateAsync(Rotation(sid, 1, jti, "n2") with { ApplicationRevision = revision }, CancellationToken.None);

        Assert.Equal((false, true, 1), (stale.Rotated, stale.ApplicationChanged, stale.Before!.RotationVersion));
        Assert.Equal((true, false), (current.Rotated, current.ApplicationChanged));
        Assert.Equal(("n2", 2), ((await _store.FindAsync(sid, CancellationToken.None))!.CurrentJti, (await _store.FindAsync(sid, CancellationToken.None))!.RotationVersion));
    }

    [Fact]
    public async Task Rotation_naming_a_revision_says_the_application_changed_even_without_a_session_or_an_application()
    {
        var revision = await _db.CurrentRevisionAsync(_app.Anchor);

        var noSession = await _store.TryRotateAsync(Rotation(new SessionId("none"), 1, "j", "n1") with { ApplicationRevision = revision }, CancellationToken.None);
        var noSessionStale = await _store.TryRotateAsync(Rotation(new SessionId("none"), 1, "j", "n2") with { ApplicationRevision = revision + 1 }, CancellationToken.None);
        var noApplication = await _store.TryRotateAsync(
            Rotation(new SessionId("none"), 1, "j", "n3") with { Application = new Domain.Applications.AppId(Guid.NewGuid()), ApplicationRevision = 1 },
            CancellationToken.None);

        Assert.Equal(new RotationAttempt(false, null, ApplicationChanged: false), noSession);
        Assert.Equal(new RotationAttempt(false, null, ApplicationChanged: true), noSessionStale);
        Assert.Equal(new RotationAttempt(false, null, ApplicationChanged: true), noApplication);
    }

    [Fact]
    public async Task Find_with_the_application_reads_the_session_and_that_applications_revision_in_one_statement()
    {
        var (sid, _) = await NewSessionAsync();
        var revision = await _db.CurrentRevisionAsync(_app.Anchor);

        var read = await _store.FindAsync(sid, _app.Id, CancellationToken.None);
        var none = await _store.FindAsync(new SessionId("none"), _app.Id, CancellationToken.None);
        var noApplication = await _store.FindAsync(sid, new Domain.Applications.AppId(Guid.NewGuid()), CancellationToken.None);
        await _db.Applications.SetEnabledAsync(_app.Anchor, false, CancellationToken.None);
        var disabled = await _store.FindAsync(sid, _app.Id, CancellationToken.None);

        Assert.Equal(new SessionRead((await _store.FindAsync(sid, CancellationToken.None))! with { ApplicationEnabled = true }, revision), read);
        Assert.Equal(new SessionRead(null, revision), none);
        Assert.Equal((sid, (long?)null), (noApplication.Session!.Id, noApplication.ApplicationRevision));
        Assert.Equal((false, revision + 1), (disabled.Session!.ApplicationEnabled, disabled.ApplicationRevision));
    }

    [Fact]
    public async Task Ending_a_session_is_audited_once_and_is_idempotent()
    {
        var (sid, _) = await NewSessionAsync();

        var first = await _store.EndAsync(sid, SessionEndReason.Logout, Now, CancellationToken.None);
        var second = await _store.EndAsync(sid, SessionEndReason.Logout, Now, CancellationToken.None);

        Assert.True(first);
        Assert.False(second);
        Assert.NotNull((await _store.FindAsync(sid, CancellationToken.None))!.RevokedAt);
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        var audited = (await connection.QueryAsync<(string, int)>(
            "SELECT kind, revoked_count FROM revocation_audit WHERE application_id = @App", new { App = _app.Id.Value })).ToList();
        Assert.Equal([("logout", 1)], audited);
    }

    [Fact]
    public async Task A_lost_race_and_a_reuse_are_both_audited_as_reuse_detected_with_their_own_reason()
    {
        var (race, _) = await NewSessionAsync();
        var (reuse, _) = await NewSessionAsync();

        await _store.EndAsync(race, SessionEndReason.RotationRaceLost, Now, CancellationToken.None);
        await _store.EndAsync(reuse, SessionEndReason.ReuseDetected, Now, CancellationToken.None);

        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        var rows = (await connection.QueryAsync<(string, string)>("""
            SELECT s.revoked_reason, e.kind FROM sessions s JOIN revocation_audit e ON e.session_id = s.id ORDER BY e.id
            """)).ToList();
        Assert.Equal([("rotation_race_lost", "reuse_detected"), ("reuse_detected", "reuse_detected")], rows);
    }

    [Fact]
    public async Task Logout_racing_rotations_leaves_the_session_revoked()
    {
        for (var round = 0; round < 10; round++)
        {
            var (sid, jti) = await NewSessionAsync();
            using var start = new ManualResetEventSlim();

            var rotate = Task.Run(async () => { start.Wait(); return (await _store.TryRotateAsync(Rotation(sid, 1, jti, $"n-{round}"), CancellationToken.None)).Rotated; });
            var logout = Task.Run(async () => { start.Wait(); return await _store.EndAsync(sid, SessionEndReason.Logout, Now, CancellationToken.None); });
            start.Set();
            await Task.WhenAll(rotate, logout);

            Assert.True(await logout);
            Assert.NotNull((await _store.FindAsync(sid, CancellationToken.None))!.RevokedAt);
        }
    }
}
