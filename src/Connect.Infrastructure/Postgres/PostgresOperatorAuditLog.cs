namespace Connect.Infrastructure.Postgres;

internal sealed class PostgresOperatorAuditLog(NpgsqlDataSource dataSource) : IOperatorAuditLog
{
    // The application is named by its anchor, which never changes; one that vanished meanwhile writes nothing.
    internal const string RecordSql = """
        INSERT INTO revocation_audit (application_id, kind, key_id)
        SELECT id, @Kind, @KeyId FROM applications WHERE anchor = @Anchor
        """;

    public async Task RecordAsync(OperatorAuditEvent audited, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audited);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            RecordSql, new { audited.Kind, Anchor = audited.Anchor.Value, audited.KeyId }, cancellationToken: cancellationToken));
    }
}
