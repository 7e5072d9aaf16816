namespace Connect.Infrastructure.Postgres;

internal sealed class PostgresRevocationAuditLog(NpgsqlDataSource dataSource) : IRevocationAuditLog
{
    // The id breaks ties between calls of the same instant (at is the transaction's start time).
    // An operator's change has no account and no count (0 is listed); logout and reuse_detected name their session;
    // the signal kinds name their receiver, a removal the number of signals it dropped.
    // Account and passkey events may name no application: joined left, so that they are listed too.
    internal const string ListAllSql = """
        SELECT a.anchor, e.at, e.kind, e.account_id AS accountid, coalesce(e.revoked_count, 0) AS revokedcount,
               s.sid AS sessionid, e.key_id AS keyid, e.detail, e.receiver_id AS receiverid, e.signal_count AS signalcount
          FROM revocation_audit e
          LEFT JOIN applications a ON a.id = e.application_id
          LEFT JOIN sessions s ON s.id = e.session_id
         ORDER BY e.at DESC, e.id DESC
         LIMIT @Limit
        """;

    // One round trip that also tells an unknown anchor (no row) from an application without events (one row
    // of nulls); the lateral subquery walks revocation_audit_by_application newest first.
    internal const string ListByAnchorSql = """
        SELECT a.anchor, e.at, e.kind, e.account_id AS accountid, coalesce(e.revoked_count, 0) AS revokedcount,
               s.sid AS sessionid, e.key_id AS keyid, e.detail, e.receiver_id AS receiverid, e.signal_count AS signalcount
          FROM applications a
          LEFT JOIN LATERAL (
                SELECT id, at, kind, account_id, revoked_count, session_id, key_id, detail, receiver_id, signal_count
                  FROM revocation_audit
                 WHERE application_id = a.id
                 ORDER BY at DESC, id DESC
                 LIMIT @Limit) e ON true
          LEFT JOIN sessions s ON s.id = e.session_id
         WHERE a.anchor = @Anchor
         ORDER BY e.at DESC, e.id DESC
        """;

    public async Task<IReadOnlyList<AuditEvent>?> ListNewestFirstAsync(
        ApplicationAnchor? anchor, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<Row>(new CommandDefinition(
            anchor is null ? ListAllSql : ListByAnchorSql,
            new { Anchor = anchor?.Value, Limit = limit },
            cancellationToken: cancellationToken))).AsList();
        if (anchor is not null && rows.Count == 0)
        {
            return null;
        }

        return rows
            .Where(row => row.At is not null)
            .Select(row => new AuditEvent(
                new DateTimeOffset(row.At!.Value, TimeSpan.Zero),
                row.Kind!,
                row.Anchor is null ? null : new ApplicationAnchor(row.Anchor),
                row.AccountId is { } account ? new AccountId(account) : null,
                row.RevokedCount!.Value,
                row.SessionId,
                row.KeyId,
                row.Detail,
                row.ReceiverId,
                row.SignalCount))
            .ToList();
    }

    private sealed record Row(
        string? Anchor, DateTime? At, string? Kind, Guid? AccountId, int? RevokedCount, string? SessionId, string? KeyId,
        string? Detail, Guid? ReceiverId, int? SignalCount);
}
