using Connect.Domain.Sessions;

namespace Connect.Infrastructure.Postgres;

internal sealed class PostgresRefreshTokenRevoker(NpgsqlDataSource dataSource) : IRefreshTokenRevoker
{
    // One statement, so the lookup, the batch, its audit row and its signals are atomic: all land or none, in one round
    // trip. The subject is looked up by the primary key (sector_id, subject), so it can never reach outside the
    // caller's sector; a subject never issued there finds no account, and then nothing is revoked, audited or
    // signalled and the answer is NULL. Under READ COMMITTED a concurrent call (or a rotation of one of these sessions)
    // blocks on each row this one locked and re-checks "revoked_at IS NULL" after it commits, so no session is counted
    // twice; the count answered is read back from the audit row, so it is the count audited. A call that finds the
    // account but revokes nothing is audited with 0.
    //
    // The account is a scalar subquery rather than a join, so that the revocation is planned as an index scan on the
    // partial index sessions_active whatever the account turns out to be.
    //
    // The signals (docs/contract/signals.md, "What sends a signal"): one subject-wide signal per receiver of the
    // application, about the subject revoke-all named (the account's subject in the application's sector, which is the
    // caller's), ended when the last of these sessions was revoked; HAVING makes a call that revoked nothing signal
    // nothing, so of two concurrent calls only the one that revoked sessions writes them.
    internal const string RevokeAllActiveSql = """
        WITH account AS (
            SELECT account_id FROM sector_subjects WHERE sector_id = @Sector AND subject = @Subject),
        revoked AS (
            UPDATE sessions
               -- issued_at is the issuing instance's clock, which may run a moment ahead of the database's.
               SET revoked_at = GREATEST(now(), issued_at), revoked_reason = 'revoke_all'
             WHERE account_id = (SELECT account_id FROM account)
               AND application_id = @Application
               AND revoked_at IS NULL
               AND expires_at > now()
            RETURNING revoked_at),
        audited AS (
            INSERT INTO revocation_audit (application_id, account_id, revoked_count, kind)
            SELECT @Application, account.account_id, (SELECT count(*) FROM revoked), 'revoke_all' FROM account
            RETURNING revoked_count),
        signalled AS (
            INSERT INTO signals (receiver_id, subject, initiating_entity, ended_at)
            SELECT receiver.id, @Subject, 'admin', ended.at
              FROM (SELECT max(revoked_at) AS at FROM revoked HAVING count(*) > 0) AS ended
              JOIN signal_receivers receiver ON receiver.application_id = @Application AND receiver.removed_at IS NULL)
        SELECT (SELECT revoked_count FROM audited)
        """;

    public async Task<int?> RevokeAllActiveAsync(
        SectorId sector, SectorSubject subject, AppId application, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            RevokeAllActiveSql,
            new { Sector = sector.Value, Subject = subject.Value, Application = application.Value },
            cancellationToken: cancellationToken));
    }
}
