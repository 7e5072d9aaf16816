namespace Connect.Infrastructure.Postgres;

internal sealed class PostgresSessionStore(NpgsqlDataSource dataSource) : ISessionStore
{
    // One round trip gives every check of /refresh and /introspect what it reads: the session, its
    // application's status, its account's status and the account's subject in that application's sector; and the
    // whole seconds since its rotation committed, on the database's clock at both ends (the grace window's one clock).
    private const string SessionColumns = """
        s.sid, s.application_id AS applicationid, s.account_id AS accountid, ss.subject,
        a.enabled AS applicationenabled, s.rotation_version AS rotationversion,
        s.current_jti AS currentjti, s.previous_jti AS previousjti, s.rotated_at AS rotatedat,
        s.current_key_id AS currentkeyid, s.expires_at AS expiresat, s.revoked_at AS revokedat,
        (ac.enabled AND ac.deleted_at IS NULL) AS accountenabled, ac.deleted_at IS NOT NULL AS accountdeleted,
        s.access_token_ttl_seconds AS accesstokenttlseconds,
        floor(EXTRACT(EPOCH FROM now() - coalesce(s.rotation_committed_at, s.rotated_at)))::float8 AS sincerotationseconds
          FROM sessions s
          JOIN applications a ON a.id = s.application_id
          JOIN accounts ac ON ac.id = s.account_id
          LEFT JOIN sector_subjects ss ON ss.sector_id = a.sector_id AND ss.account_id = s.account_id
         WHERE s.sid = @Sid
        """;

    internal const string FindSql = "SELECT " + SessionColumns;

    // The session (if any) and the revision of the application the token named, in one snapshot: the caller verified
    // the token with a kept copy of that application's keys, and learns here, in the same round trip, whether the
    // copy was current (docs/decisions.md, "Session endpoints in one round trip"). Always one row.
    internal const string FindWithRevisionSql = """
        SELECT found.*, (SELECT revision FROM applications WHERE id = @Application) AS applicationrevision
          FROM (SELECT 1) AS one
          LEFT JOIN (
        """ + " SELECT " + SessionColumns + """
        ) AS found ON true
        """;

    // The rotation is one conditional write (RFC 9700 §4.14.2 strict rotation). Under READ COMMITTED a
    // concurrent rotation of the same version blocks on the row and, once the first commits, re-checks the
    // WHERE clause against the new row: the version has moved on, so it updates nothing. One version is
    // therefore rotated at most once, on any number of instances. The conditions are judged on the caller's
    // clock (@Now), the same one its checks used, so the two can never disagree about expiry. The same
    // statement returns the row as its snapshot saw it before the write, so the caller learns why nothing was
    // rotated without a second round trip, and can tell a lost race (that state allowed the rotation) from a
    // token that was never going to rotate.
    //
    // With @ApplicationRevision the write also confirms the caller's kept copy of the application's keys: it rotates
    // only while the application is at that revision (joined as the enabled check is, in the same snapshot), and
    // returns the revision it saw, so a caller whose copy had moved on learns that nothing was rotated and why. A
    // key removal that committed before this statement's snapshot is therefore seen by it; one that commits after is
    // ordered after this rotation. The statement answers one row even without a session, for the revision.
    internal const string RotateSql = """
        WITH application AS (
            SELECT revision FROM applications WHERE id = @Application
        ),
        before AS (
        """ + " SELECT " + SessionColumns + """
        ),
        rotated AS (
            UPDATE sessions s
               SET rotation_version = s.rotation_version + 1,
                   previous_jti = s.current_jti,
                   current_jti = @NewJti,
                   rotated_at = @RotatedAt,
                   rotation_committed_at = now(),
                   current_key_id = @KeyId
             WHERE s.sid = @Sid
               AND s.application_id = @Application
               AND s.rotation_version = @FromVersion
               AND s.current_jti = @PresentedJti
               AND s.revoked_at IS NULL
               AND s.expires_at > @Now
               AND EXISTS (SELECT 1 FROM applications a
                            WHERE a.id = s.application_id AND a.enabled
                              AND (CAST(@ApplicationRevision AS bigint) IS NULL OR a.revision = @ApplicationRevision))
               -- A disabled account's sessions keep their version: enabling it again lets them rotate on.
               AND EXISTS (SELECT 1 FROM accounts ac WHERE ac.id = s.account_id AND ac.enabled AND ac.deleted_at IS NULL)
            RETURNING 1)
        SELECT before.*, (SELECT count(*) FROM rotated) AS rotated, (SELECT revision FROM application) AS applicationrevision
          FROM (SELECT 1) AS one
          LEFT JOIN before ON true
        """;

    // Every session of one issue in one statement: all of them land or none, and none for a disabled or deleted
    // account. The account row is share-locked: a concurrent disable or delete (which lock it) either commits first and
    // is seen here after the wait, or waits for these sessions and then finds them (a delete revokes them).
    internal const string IssueSql = """
        INSERT INTO sessions (account_id, application_id, sid, current_jti, rotated_at, current_key_id, issued_at, expires_at)
        SELECT account.id, @Application, issued.sid, issued.jti, @IssuedAt, @KeyId, @IssuedAt, @ExpiresAt
          FROM (SELECT id FROM accounts WHERE id = @Account AND enabled AND deleted_at IS NULL FOR SHARE) AS account
         CROSS JOIN unnest(@Sids, @Jtis) AS issued (sid, jti)
        """;

    // Ends an active session, audits it and writes its signals in one statement: all land or none, and of two
    // concurrent calls only the one whose UPDATE found the session still active writes an audit row and signals. The
    // signals (docs/contract/signals.md, "What sends a signal"): one per receiver of the session's application, about
    // that session of the account's subject in the application's sector, ended when it was revoked. Answers 1 when it
    // ended the session, 0 otherwise.
    internal const string EndSql = """
        WITH ended AS (
            UPDATE sessions
               SET revoked_at = GREATEST(now(), issued_at), revoked_reason = @Reason
             WHERE sid = @Sid
               AND revoked_at IS NULL
               AND expires_at > @Now
            RETURNING id, sid, application_id, account_id, revoked_at),
        audited AS (
            INSERT INTO revocation_audit (application_id, account_id, revoked_count, kind, session_id)
            SELECT application_id, account_id, 1, @Kind, id FROM ended),
        signalled AS (
            INSERT INTO signals (receiver_id, subject, sid, initiating_entity, ended_at)
            SELECT receiver.id, subject.subject, ended.sid, @InitiatingEntity, ended.revoked_at
              FROM ended
              JOIN applications application ON application.id = ended.application_id
              JOIN sector_subjects subject ON subject.sector_id = application.sector_id AND subject.account_id = ended.account_id
              JOIN signal_receivers receiver ON receiver.application_id = ended.application_id AND receiver.removed_at IS NULL)
        SELECT count(*) FROM ended
        """;

    // One adoption counted, and the alert audited by the same statement exactly when the count passes the threshold,
    // so of any number of concurrent adoptions on any number of instances exactly one writes it.
    internal const string CountAdoptionSql = """
        WITH counted AS (
            UPDATE sessions SET adoptions = adoptions + 1
             WHERE sid = @Sid
            RETURNING id, application_id, account_id, adoptions),
        alerted AS (
            INSERT INTO revocation_audit (application_id, account_id, kind, session_id)
            SELECT application_id, account_id, 'adoption_threshold_exceeded', id FROM counted WHERE adoptions = @AlertAfter + 1
            RETURNING 1)
        SELECT count(*) FROM alerted
        """;

    public async Task<bool> IssueAsync(NewSessions sessions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            IssueSql,
            new
            {
                Account = sessions.Account.Value,
                Application = sessions.Application.Value,
                sessions.IssuedAt,
                sessions.ExpiresAt,
                sessions.KeyId,
                Sids = sessions.Sessions.Select(session => session.Id.Value).ToArray(),
                Jtis = sessions.Sessions.Select(session => session.FirstJti).ToArray(),
            },
            cancellationToken: cancellationToken)) > 0;
    }

    public async Task<SessionState?> FindAsync(SessionId id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            FindSql, new { Sid = id.Value }, cancellationToken: cancellationToken));
        return row?.ToState();
    }

    public async Task<SessionRead> FindAsync(SessionId id, AppId application, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<RowWithRevision>(new CommandDefinition(
            FindWithRevisionSql, new { Sid = id.Value, Application = application.Value }, cancellationToken: cancellationToken));
        return new SessionRead(row.ToState(), row.ApplicationRevision);
    }

    public async Task<RotationAttempt> TryRotateAsync(SessionRotation rotation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<RowWithRevision>(new CommandDefinition(
            RotateSql,
            new
            {
                Sid = rotation.Id.Value,
                Application = rotation.Application.Value,
                rotation.FromVersion,
                rotation.PresentedJti,
                rotation.NewJti,
                rotation.RotatedAt,
                rotation.KeyId,
                rotation.Now,
                rotation.ApplicationRevision,
            },
            cancellationToken: cancellationToken));
        var changed = rotation.ApplicationRevision is { } expected && row.ApplicationRevision != expected;
        return new RotationAttempt(row.Rotated == 1, row.ToState(), changed);
    }

    public async Task<bool> EndAsync(SessionId id, SessionEndReason reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var ended = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            EndSql,
            new
            {
                Sid = id.Value,
                Reason = StoredReason(reason),
                Kind = AuditKind(reason),
                InitiatingEntity = SignalNames.Of(Initiator(reason)),
                Now = now,
            },
            cancellationToken: cancellationToken));
        return ended == 1;
    }

    public async Task<bool> CountAdoptionAsync(SessionId id, int alertAfter, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            CountAdoptionSql, new { Sid = id.Value, AlertAfter = alertAfter }, cancellationToken: cancellationToken)) == 1;
    }

    private static string StoredReason(SessionEndReason reason) => reason switch
    {
        SessionEndReason.RevokeAll => "revoke_all",
        SessionEndReason.Logout => "logout",
        SessionEndReason.ReuseDetected => "reuse_detected",
        SessionEndReason.RotationRaceLost => "rotation_race_lost",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    // docs/contract/sessions.md audits a family compromise and a lost race alike, as reuse_detected with the session.
    private static string AuditKind(SessionEndReason reason) => reason switch
    {
        SessionEndReason.Logout => "logout",
        SessionEndReason.ReuseDetected or SessionEndReason.RotationRaceLost => "reuse_detected",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "revoke-all is audited by its own statement"),
    };

    // docs/contract/signals.md: the holder ends its session by logout; Connect's own rules end it on reuse or a lost race.
    private static InitiatingEntity Initiator(SessionEndReason reason) => reason switch
    {
        SessionEndReason.Logout => InitiatingEntity.User,
        SessionEndReason.ReuseDetected or SessionEndReason.RotationRaceLost => InitiatingEntity.Policy,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "revoke-all signals by its own statement"),
    };

    private sealed record Row(
        string Sid, Guid ApplicationId, Guid AccountId, string? Subject, bool ApplicationEnabled, int RotationVersion,
        string CurrentJti, string? PreviousJti, DateTime RotatedAt, string? CurrentKeyId, DateTime ExpiresAt,
        DateTime? RevokedAt, bool AccountEnabled, bool AccountDeleted, int? AccessTokenTtlSeconds, double SinceRotationSeconds)
    {
        public SessionState ToState() => new(
            new SessionId(Sid), new AppId(ApplicationId), new AccountId(AccountId),
            Subject is null ? null : new SectorSubject(Subject), ApplicationEnabled, RotationVersion, CurrentJti,
            PreviousJti, Utc(RotatedAt), CurrentKeyId, Utc(ExpiresAt), RevokedAt is { } revoked ? Utc(revoked) : null,
            AccountEnabled, AccountDeleted, AccessTokenTtlSeconds, TimeSpan.FromSeconds(SinceRotationSeconds));

        private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
    }

    // A session left-joined to one row: every session column is null when there is no session. Mapped by property
    // name, so the find (no rotated column) and the rotation share it.
    private sealed class RowWithRevision
    {
        public string? Sid { get; set; }

        public Guid? ApplicationId { get; set; }

        public Guid? AccountId { get; set; }

        public string? Subject { get; set; }

        public bool? ApplicationEnabled { get; set; }

        public int? RotationVersion { get; set; }

        public string? CurrentJti { get; set; }

        public string? PreviousJti { get; set; }

        public DateTime? RotatedAt { get; set; }

        public string? CurrentKeyId { get; set; }

        public DateTime? ExpiresAt { get; set; }

        public DateTime? RevokedAt { get; set; }

        public bool? AccountEnabled { get; set; }

        public bool? AccountDeleted { get; set; }

        public int? AccessTokenTtlSeconds { get; set; }

        public double? SinceRotationSeconds { get; set; }

        public long? ApplicationRevision { get; set; }

        public long Rotated { get; set; }

        public SessionState? ToState() => Sid is null
            ? null
            : new Row(Sid, ApplicationId!.Value, AccountId!.Value, Subject, ApplicationEnabled!.Value, RotationVersion!.Value,
                CurrentJti!, PreviousJti, RotatedAt!.Value, CurrentKeyId, ExpiresAt!.Value, RevokedAt, AccountEnabled!.Value,
                AccountDeleted!.Value, AccessTokenTtlSeconds, SinceRotationSeconds!.Value).ToState();
    }
}
