using Connect.Application.ClientAuthentication;
using Connect.Domain.Applications;
using Dapper;
using Npgsql;

namespace Connect.Infrastructure.Postgres;

internal sealed class PostgresClientJwtReplayStore(NpgsqlDataSource dataSource) : IClientJwtReplayStore
{
    // One atomic insert instead of read-then-write: the unique key decides the race, on every instance at once.
    internal const string RecordSql = """
        INSERT INTO client_jwt_replays (application_id, jti, expires_at)
        VALUES (@Application, @Jti, @KeepUntil)
        ON CONFLICT (application_id, jti) DO NOTHING
        """;

    internal const string PurgeExpiredSql = """
        DELETE FROM client_jwt_replays WHERE expires_at < now()
        """;

    public async Task<bool> TryRecordFirstUseAsync(
        AppId application, string jti, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            RecordSql,
            new { Application = application.Value, Jti = jti, KeepUntil = keepUntil },
            cancellationToken: cancellationToken));
        return inserted == 1;
    }

    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(PurgeExpiredSql, cancellationToken: cancellationToken));
    }
}
