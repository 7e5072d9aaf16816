namespace Connect.Infrastructure.Postgres.Administration;

internal sealed class PostgresAccountRegistry(NpgsqlDataSource dataSource) : IAccountRegistry
{
    internal const string CreateAccountSql = "INSERT INTO accounts (id) VALUES (@Id)";

    // Insert-or-read in one statement. The outer SELECT cannot see the row its own INSERT adds (one
    // snapshot), so the two branches never both answer. The account row is share-locked, so a concurrent delete
    // (which locks it for update first) either removes this subject with the others or is seen here and refuses it.
    internal const string IssueSubjectSql = """
        WITH inserted AS (
            INSERT INTO sector_subjects (sector_id, subject, account_id)
            SELECT @Sector, @Subject, id FROM accounts WHERE id = @Account AND deleted_at IS NULL FOR SHARE
            ON CONFLICT (sector_id, account_id) DO NOTHING
            RETURNING subject)
        SELECT subject FROM inserted
        UNION ALL
        SELECT subject FROM sector_subjects WHERE sector_id = @Sector AND account_id = @Account
        LIMIT 1
        """;

    internal const string AccountExistsSql = "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = @Account)";

    internal const string AccountLiveSql = "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = @Account AND deleted_at IS NULL)";

    internal const string StatusSql = """
        SELECT CASE WHEN deleted_at IS NOT NULL THEN 'Deleted' WHEN enabled THEN 'Enabled' ELSE 'Disabled' END
          FROM accounts WHERE id = @Account
        """;

    // The change, its audit row and its signals in one statement, run after LockAccountSql in the same transaction: a
    // concurrent delete, disable or enable has committed before this statement's snapshot or waits for its commit, so
    // "target" is the state this change starts from and "live" holds every session issued before it (an issue
    // share-locks the row). A tombstone changes nothing (the target row then says Deleted, not Unknown).
    //
    // Disabling does not end the sessions (they come back on enable), but the applications are told, as for a deletion
    // (docs/contract/signals.md, "What sends a signal"; docs/decisions.md): one subject-wide signal per receiver of
    // every application where the account has a live session. Only a disable of an enabled account signals.
    internal const string SetEnabledSql = """
        WITH target AS (
            SELECT enabled FROM accounts WHERE id = @Account
        ), changed AS (
            UPDATE accounts SET enabled = @Enabled WHERE id = @Account AND deleted_at IS NULL
            RETURNING id
        ), audited AS (
            INSERT INTO revocation_audit (account_id, kind)
            SELECT id, @Kind FROM changed
        ), live AS (
            SELECT DISTINCT application_id FROM sessions
             WHERE account_id = @Account AND revoked_at IS NULL AND expires_at > now()
        ), signalled AS (
            INSERT INTO signals (receiver_id, subject, initiating_entity, ended_at)
            SELECT receiver.id, subject.subject, 'admin', now()
              FROM changed
              JOIN target ON target.enabled AND NOT @Enabled
              CROSS JOIN live
              JOIN applications application ON application.id = live.application_id
              JOIN sector_subjects subject ON subject.sector_id = application.sector_id AND subject.account_id = @Account
              JOIN signal_receivers receiver ON receiver.application_id = live.application_id AND receiver.removed_at IS NULL
        )
        SELECT CASE WHEN EXISTS (SELECT 1 FROM changed) THEN CAST(@Set AS text)
                    WHEN EXISTS (SELECT 1 FROM target) THEN 'Deleted'
                    ELSE 'Unknown' END
        """;

    // Taken first, in its own statement (by a delete, a disable and an enable): from here until commit no session of the
    // account can be issued (the issue share-locks this row) and no other delete, disable or enable runs, and the next
    // statement's snapshot sees everything committed before.
    internal const string LockAccountSql = "SELECT deleted_at IS NOT NULL FROM accounts WHERE id = @Account FOR UPDATE";

    // Every live session of the account ends as revoke-all ends it (same reason, one audit row per application with
    // its count), its subjects go and the row becomes a tombstone; answers the total. Each UPDATE of a session waits
    // for a rotation holding it and re-checks "revoked_at IS NULL" after, so a rotation either committed before (and
    // its new version is revoked here) or finds the session revoked.
    //
    // The signals (docs/contract/signals.md, "What sends a signal"): one subject-wide signal per receiver of every
    // application where a session ended here. Every part of one statement reads the same snapshot, so the signals still
    // find the subjects the statement's own DELETE removes: the subject is captured as it was.
    internal const string DeleteSql = """
        WITH revoked AS (
            UPDATE sessions
               SET revoked_at = GREATEST(now(), issued_at), revoked_reason = 'revoke_all'
             WHERE account_id = @Account
               AND revoked_at IS NULL
               AND expires_at > now()
            RETURNING application_id, revoked_at
        ), per_application AS (
            INSERT INTO revocation_audit (application_id, account_id, revoked_count, kind)
            SELECT application_id, @Account, count(*), 'revoke_all' FROM revoked GROUP BY application_id
            RETURNING revoked_count
        ), signalled AS (
            INSERT INTO signals (receiver_id, subject, initiating_entity, ended_at)
            SELECT receiver.id, subject.subject, 'admin', ended.at
              FROM (SELECT application_id, max(revoked_at) AS at FROM revoked GROUP BY application_id) AS ended
              JOIN applications application ON application.id = ended.application_id
              JOIN sector_subjects subject ON subject.sector_id = application.sector_id AND subject.account_id = @Account
              JOIN signal_receivers receiver ON receiver.application_id = ended.application_id AND receiver.removed_at IS NULL
        ), subjects AS (
            DELETE FROM sector_subjects WHERE account_id = @Account
        ), tombstone AS (
            UPDATE accounts SET enabled = false, deleted_at = now() WHERE id = @Account
        )
        SELECT CAST(coalesce(sum(revoked_count), 0) AS integer) FROM per_application
        """;

    // Its own statement after the revocations, so that it is the newest row of the deletion and lists first.
    internal const string AuditDeletionSql = """
        INSERT INTO revocation_audit (account_id, revoked_count, kind) VALUES (@Account, @Revoked, 'account_deleted')
        """;

    // None for a disabled or deleted account, judged under a share lock on it as the session store's issue is.
    internal const string IssueSessionsSql = """
        INSERT INTO sessions (account_id, application_id, sid, current_jti, rotated_at, issued_at, expires_at)
        SELECT account.id, @Application, ids.sid, ids.jti, date_trunc('second', @IssuedAt::timestamptz), @IssuedAt, @ExpiresAt
          FROM (SELECT id FROM accounts WHERE id = @Account AND enabled AND deleted_at IS NULL FOR SHARE) AS account
         CROSS JOIN unnest(@Sids, @Jtis) AS ids (sid, jti)
        """;

    internal const string CountSessionsSql = """
        SELECT count(*) FILTER (WHERE revoked_at IS NULL AND expires_at > now())  AS active,
               count(*) FILTER (WHERE revoked_at IS NOT NULL)                     AS revoked,
               count(*) FILTER (WHERE revoked_at IS NULL AND expires_at <= now()) AS expired
          FROM sessions
         WHERE account_id = @Account AND application_id = @Application
        """;

    public async Task<AccountId> CreateAccountAsync(CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(CreateAccountSql, new { Id = id }, cancellationToken: cancellationToken));
        return new AccountId(id);
    }

    public async Task<bool> AccountExistsAsync(AccountId account, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            AccountExistsSql, new { Account = account.Value }, cancellationToken: cancellationToken));
    }

    public async Task<SectorSubject?> IssueSubjectAsync(AccountId account, SectorId sector, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // A concurrent first issue can make both branches miss (its row is newer than our snapshot): ask again.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var subject = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
                IssueSubjectSql,
                new { Sector = sector.Value, Account = account.Value, Subject = NewSubject() },
                cancellationToken: cancellationToken));
            if (subject is not null)
            {
                return new SectorSubject(subject);
            }

            var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                AccountLiveSql, new { Account = account.Value }, cancellationToken: cancellationToken));
            if (!exists)
            {
                return null;
            }
        }

        throw new InvalidOperationException("The sector subject could not be issued.");
    }

    public async Task<int> IssueSessionsAsync(
        AccountId account, AppId application, int count, DateTimeOffset issuedAt, DateTimeOffset expiresAt,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);

        var sids = Enumerable.Range(0, count).Select(_ => NewOpaqueId()).ToArray();
        var jtis = Enumerable.Range(0, count).Select(_ => NewOpaqueId()).ToArray();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            IssueSessionsSql,
            new { Account = account.Value, Application = application.Value, Sids = sids, Jtis = jtis, IssuedAt = issuedAt, ExpiresAt = expiresAt },
            cancellationToken: cancellationToken));
    }

    public async Task<SessionCounts> CountSessionsAsync(AccountId account, AppId application, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (active, revoked, expired) = await connection.QuerySingleAsync<(long, long, long)>(new CommandDefinition(
            CountSessionsSql, new { Account = account.Value, Application = application.Value }, cancellationToken: cancellationToken));
        return new SessionCounts((int)active, (int)revoked, (int)expired);
    }

    public async Task<AccountStatus> GetStatusAsync(AccountId account, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var status = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            StatusSql, new { Account = account.Value }, cancellationToken: cancellationToken));
        return status is null ? AccountStatus.Unknown : Enum.Parse<AccountStatus>(status);
    }

    public async Task<AccountStatus> SetEnabledAsync(AccountId account, bool enabled, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            LockAccountSql, new { Account = account.Value }, transaction, cancellationToken: cancellationToken));
        var status = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            SetEnabledSql,
            new
            {
                Account = account.Value,
                Enabled = enabled,
                Kind = enabled ? AuditKinds.AccountEnabled : AuditKinds.AccountDisabled,
                Set = enabled ? nameof(AccountStatus.Enabled) : nameof(AccountStatus.Disabled),
            },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return Enum.Parse<AccountStatus>(status!);
    }

    public async Task<AccountDeletion> DeleteAsync(AccountId account, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var deleted = await connection.QuerySingleOrDefaultAsync<bool?>(new CommandDefinition(
            LockAccountSql, new { Account = account.Value }, transaction, cancellationToken: cancellationToken));
        if (deleted is not false)
        {
            return new AccountDeletion(
                deleted is null ? AccountDeletionOutcome.UnknownAccount : AccountDeletionOutcome.AlreadyDeleted, 0);
        }

        var revoked = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            DeleteSql, new { Account = account.Value }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            AuditDeletionSql, new { Account = account.Value, Revoked = revoked }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new AccountDeletion(AccountDeletionOutcome.Deleted, revoked);
    }

    /// <summary>256 random bits, base64url: opaque, unguessable, unrelated to the account id.</summary>
    private static string NewSubject() => NewOpaqueId();

    private static string NewOpaqueId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
