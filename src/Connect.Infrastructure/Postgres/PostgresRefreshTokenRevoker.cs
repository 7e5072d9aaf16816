using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Domain.Sessions;
using Dapper;
using Npgsql;

namespace Connect.Infrastructure.Postgres;

internal sealed class PostgresRefreshTokenRevoker(NpgsqlDataSource dataSource) : IRefreshTokenRevoker
{
    // One statement, so the batch and its audit row are atomic: both land or neither. Under READ COMMITTED a
    // concurrent call (or a rotation of one of these sessions) blocks on each row this one locked and re-checks "revoked_at IS NULL" after it commits,
    // so no session is counted twice; the count answered is read back from the audit row, so it is the count
    // audited. The aggregate always yields one row, so a call that revoked nothing is audited with 0.
    internal const string RevokeAllActiveSql = """
        WITH revoked AS (
            UPDATE sessions
               -- issued_at is the issuing instance's clock, which may run a moment ahead of the database's.
               SET revoked_at = GREATEST(now(), issued_at), revoked_reason = 'revoke_all'
             WHERE account_id = @Account
               AND application_id = @Application
               AND revoked_at IS NULL
               AND expires_at > now()
            RETURNING 1)
        INSERT INTO revocation_audit (application_id, account_id, revoked_count, kind)
        SELECT @Application, @Account, count(*), 'revoke_all' FROM revoked
        RETURNING revoked_count
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
