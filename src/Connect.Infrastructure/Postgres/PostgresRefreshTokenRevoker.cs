using Connect.Domain.Sessions;

namespace Connect.Infrastructure.Postgres;

internal sealed class PostgresRefreshTokenRevoker(NpgsqlDataSource dataSource) : IRefreshTokenRevoker
{
    // One statement, so the batch, its audit row and its signals are atomic: all land or none. Under READ COMMITTED a
    // concurrent call (or a rotation of one of these sessions) blocks on each row this one locked and re-checks "revoked_at IS NULL" after it commits,
    // so no session is counted twice; the count answered is read back from the audit row, so it is the count
    // audited. The aggregate always yields one row, so a call that revoked nothing is audited with 0.
    //
    // The signals (docs/contract/signals.md, "What sends a signal"): one subject-wide signal per receiver of the
    // application, about the account's subject in the application's sector, ended when the last of these sessions
    // was revoked; HAVING makes a call that revoked nothing signal nothing, so of two concurrent calls only the one
    // that revoked sessions writes them.
    internal const string RevokeAllActiveSql = """
        WITH revoked AS (
            UPDATE sessions
               -- issued_at is the issuing instance's clock, which may run a moment ahead of the database's.
               SET revoked_at = GREATEST(now(), issued_at), revoked_reason = 'revoke_all'
             WHERE account_id = @Account
               AND application_id = @Application
               AND revoked_at IS NULL
               AND expires_at > now()
            RETURNING revoked_at),
        audited AS (
            INSERT INTO revocation_audit (application_id, account_id, revoked_count, kind)
            SELECT @Application, @Account, count(*), 'revoke_all' FROM revoked
            RETURNING revoked_count),
        signalled AS (
            INSERT INTO signals (receiver_id, subject, initiating_entity, ended_at)
            SELECT receiver.id, subject.subject, 'admin', ended.at
              FROM (SELECT max(revoked_at) AS at FROM revoked HAVING count(*) > 0) AS ended
              JOIN applications application ON application.id = @Application
              JOIN sector_subjects subject ON subject.sector_id = application.sector_id AND subject.account_id = @Account
              JOIN signal_receivers receiver ON receiver.application_id = application.id AND receiver.removed_at IS NULL)
        SELECT revoked_count FROM audited
        """;

    public async Task<int> RevokeAllActiveAsync(AccountId account, AppId application, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            RevokeAllActiveSql,
            new { Account = account.Value, Application = application.Value },
            cancellationToken: cancellationToken));
    }
}
