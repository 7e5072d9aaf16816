using System.Buffers.Text;
using System.Security.Cryptography;
using Connect.Application.Administration;
using Connect.Application.Audit;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Dapper;
using Npgsql;

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

    // The change and its audit row in one statement. A concurrent delete holds the row: this UPDATE waits, re-reads it
    // and changes nothing once it is a tombstone (the snapshot's target row then says Deleted, not Unknown).
    internal const string SetEnabledSql = """
        WITH target AS (
            SELECT 1 FROM accounts WHERE id = @Account
        ), changed AS (
            UPDATE accounts SET enabled = @Enabled WHERE id = @Account AND deleted_at IS NULL
            RETURNING id
        ), audited AS (
            INSERT INTO revocation_audit (account_id, kind)
            SELECT id, @Kind FROM changed
        )
        SELECT CASE WHEN EXISTS (SELECT 1 FROM changed) THEN CAST(@Set AS text)
                    WHEN EXISTS (SELECT 1 FROM target) THEN 'Deleted'
                    ELSE 'Unknown' END
        """;

    // Taken first, in its own statement: from here until commit no session of the account can be issued (the issue
    // share-locks this row) and no other delete, disable or enable runs.
    internal const string LockAccountSql = "SELECT deleted_at IS NOT NULL FROM accounts WHERE id = @Account FOR UPDATE";

    // Every live session of the account ends as revoke-all ends it (same reason, one audit row per application with
    // its count), its subjects go and the row becomes a tombstone; answers the total. Each UPDATE of a session waits
    // for a rotation holding it and re-checks "revoked_at IS NULL" after, so a rotation either committed before (and
    // its new version is revoked here) or finds the session revoked.
    internal const string DeleteSql = """
        WITH revoked AS (
            UPDATE sessions
               SET revoked_at = GREATEST(now(), issued_at), revoked_reason = 'revoke_all'
             WHERE account_id = @Account
               AND revoked_at IS NULL
               AND expires_at > now()
            RETURNING application_id
        ), per_application AS (
            INSERT INTO revocation_audit (application_id, account_id, revoked_count, kind)
            SELECT application_id, @Account, count(*), 'revoke_all' FROM revoked GROUP BY application_id
            RETURNING revoked_count
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
        var status = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            SetEnabledSql,
            new
            {
                Account = account.Value,
                Enabled = enabled,
                Kind = enabled ? AuditKinds.AccountEnabled : AuditKinds.AccountDisabled,
                Set = enabled ? nameof(AccountStatus.Enabled) : nameof(AccountStatus.Disabled),
            },
            cancellationToken: cancellationToken));
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
