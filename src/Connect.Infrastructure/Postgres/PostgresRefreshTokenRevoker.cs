using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Domain.Sessions;
using Dapper;
using Npgsql;

namespace Connect.Infrastructure.Postgres;

internal sealed class PostgresRefreshTokenRevoker(NpgsqlDataSource dataSource) : IRefreshTokenRevoker
{
    // One statement, so the batch is atomic. Under READ COMMITTED a concurrent call blocks on each row this
    // one locked and re-checks "revoked_at IS NULL" after it commits, so no token is counted twice.
    internal const string RevokeAllActiveSql = """
        UPDATE refresh_tokens
           SET revoked_at = now()
         WHERE account_id = @Account
           AND application_id = @Application
           AND revoked_at IS NULL
           AND expires_at > now()
        """;

    public async Task<int> RevokeAllActiveAsync(AccountId account, AppId application, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            RevokeAllActiveSql,
            new { Account = account.Value, Application = application.Value },
            cancellationToken: cancellationToken));
    }
}
