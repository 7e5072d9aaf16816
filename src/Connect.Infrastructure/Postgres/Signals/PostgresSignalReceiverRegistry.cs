namespace Connect.Infrastructure.Postgres.Signals;

internal sealed class PostgresSignalReceiverRegistry(NpgsqlDataSource dataSource) : ISignalReceiverRegistry
{
    // Taken first, in its own statement, so that the count below is read after any concurrent addition to the same
    // application committed. NO KEY UPDATE serializes the additions without holding back inserts that only reference
    // the application (sessions, signals).
    internal const string LockApplicationSql = "SELECT id FROM applications WHERE anchor = @Anchor FOR NO KEY UPDATE";

    // The receiver and its audit row land together; nothing while the application has @MaxPerApplication receivers
    // in use (a removed one is kept, marked removed, and no longer counts).
    internal const string AddSql = """
        WITH added AS (
            INSERT INTO signal_receivers (id, application_id, url, format, audience)
            SELECT @Id, @Application, @Url, @Format, @Audience
             WHERE (SELECT count(*) FROM signal_receivers WHERE application_id = @Application AND removed_at IS NULL)
                   < @MaxPerApplication
            RETURNING id, application_id)
        INSERT INTO revocation_audit (application_id, kind, receiver_id)
        SELECT application_id, 'receiver_added', id FROM added
        """;

    // One row of NULLs for an application without receivers; no row for an unknown anchor.
    internal const string ListSql = """
        SELECT r.id, r.url, r.format, r.audience,
               (SELECT count(*) FROM signals s WHERE s.receiver_id = r.id AND s.state = 'pending')::int AS pending,
               (SELECT count(*) FROM signals s WHERE s.receiver_id = r.id AND s.state = 'dead')::int AS deadletters
          FROM applications a
          LEFT JOIN signal_receivers r ON r.application_id = a.id AND r.removed_at IS NULL
         WHERE a.anchor = @Anchor
         ORDER BY r.created_at, r.id
        """;

    // Locked first, in its own statement: a revocation writing this receiver's signals holds a key-share lock on it
    // until it commits, so once this lock is granted every signal written before is committed and visible to the next
    // statement, and counted. A revocation that started before the removal committed but reaches the receiver after
    // the lock waits for the removal, then still finds the row (only marked removed) and succeeds: the signal it
    // writes is deleted by the delivery worker's claim, never sent (PostgresSignalOutbox.ClaimSql).
    internal const string LockReceiverSql = """
        SELECT r.id
          FROM signal_receivers r
          JOIN applications a ON a.id = r.application_id
         WHERE a.anchor = @Anchor AND r.id = @Receiver AND r.removed_at IS NULL
           FOR UPDATE OF r
        """;

    internal const string ApplicationExistsSql = "SELECT EXISTS (SELECT 1 FROM applications WHERE anchor = @Anchor)";

    // The receiver is marked removed, not deleted: a racing revocation's foreign-key check must still find it
    // (docs/decisions.md, "A removed receiver is kept, marked removed"). Its signals go, counted for the audit row.
    internal const string RemoveSql = """
        WITH dropped AS (
            DELETE FROM signals WHERE receiver_id = @Receiver RETURNING 1
        ), removed AS (
            UPDATE signal_receivers SET removed_at = now()
             WHERE id = @Receiver AND removed_at IS NULL
            RETURNING id, application_id
        )
        INSERT INTO revocation_audit (application_id, kind, receiver_id, signal_count)
        SELECT application_id, 'receiver_removed', id, (SELECT count(*) FROM dropped) FROM removed
        RETURNING signal_count
        """;

    // Every receiver in use, with what it is owed; its last outcome is that of its newest signal that failed at least once
    // (a delivered signal leaves the outbox, so only failures keep an outcome).
    internal const string StatusSql = """
        SELECT a.anchor, r.id, r.url, r.format, c.pending, c.deadletters, c.oldestpending, o.lastoutcome
          FROM signal_receivers r
          JOIN applications a ON a.id = r.application_id
         CROSS JOIN LATERAL (
                SELECT count(*) FILTER (WHERE state = 'pending')::int AS pending,
                       count(*) FILTER (WHERE state = 'dead')::int AS deadletters,
                       min(committed_at) FILTER (WHERE state = 'pending') AS oldestpending
                  FROM signals
                 WHERE receiver_id = r.id) c
          LEFT JOIN LATERAL (
                SELECT last_outcome AS lastoutcome
                  FROM signals
                 WHERE receiver_id = r.id AND last_outcome IS NOT NULL
                 ORDER BY id DESC
                 LIMIT 1) o ON true
         WHERE r.removed_at IS NULL
         ORDER BY a.anchor, r.created_at, r.id
        """;

    // Due now, with a new deadline (committed_at restarts it: docs/decisions.md "Signal receivers"); attempts are kept,
    // since the attempt number fences the late answer of an expired lease and must never repeat.
    internal const string RequeueSql = """
        WITH receiver AS (
            SELECT id FROM signal_receivers WHERE id = @Receiver AND removed_at IS NULL
        ), requeued AS (
            UPDATE signals
               SET state = 'pending', dead_at = NULL, next_attempt_at = now(), committed_at = now()
             WHERE receiver_id IN (SELECT id FROM receiver) AND state = 'dead'
            RETURNING 1
        )
        SELECT EXISTS (SELECT 1 FROM receiver) AS found, (SELECT count(*) FROM requeued)::int AS requeued
        """;

    public async Task<ReceiverAddition> AddAsync(
        ApplicationAnchor anchor, string url, SignalFormat format, string audience, int maxPerApplication,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var application = await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
            LockApplicationSql, new { Anchor = anchor.Value }, transaction, cancellationToken: cancellationToken));
        if (application is null)
        {
            return new ReceiverAddition(ReceiverAdditionOutcome.UnknownAnchor);
        }

        var id = Guid.CreateVersion7();
        var added = await connection.ExecuteAsync(new CommandDefinition(
            AddSql,
            new
            {
                Id = id,
                Application = application.Value,
                Url = url,
                Format = SignalNames.Of(format),
                Audience = audience,
                MaxPerApplication = maxPerApplication,
            },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return added == 1
            ? new ReceiverAddition(ReceiverAdditionOutcome.Added, new ReceiverId(id))
            : new ReceiverAddition(ReceiverAdditionOutcome.TooManyReceivers);
    }

    public async Task<IReadOnlyList<SignalReceiverSummary>?> ListAsync(ApplicationAnchor anchor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<ListRow>(new CommandDefinition(
            ListSql, new { Anchor = anchor.Value }, cancellationToken: cancellationToken))).AsList();
        if (rows.Count == 0)
        {
            return null;
        }

        return rows
            .Where(row => row.Id is not null)
            .Select(row => new SignalReceiverSummary(
                new ReceiverId(row.Id!.Value), row.Url!, Format(row.Format!), row.Audience!, row.Pending!.Value, row.DeadLetters!.Value))
            .ToList();
    }

    public async Task<ReceiverRemoval> RemoveAsync(ApplicationAnchor anchor, ReceiverId receiver, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var parameters = new { Anchor = anchor.Value, Receiver = receiver.Value };
        var locked = await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
            LockReceiverSql, parameters, transaction, cancellationToken: cancellationToken));
        if (locked is null)
        {
            var known = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                ApplicationExistsSql, parameters, transaction, cancellationToken: cancellationToken));
            return new ReceiverRemoval(known ? ReceiverRemovalOutcome.UnknownReceiver : ReceiverRemovalOutcome.UnknownAnchor);
        }

        var dropped = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            RemoveSql, parameters, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new ReceiverRemoval(ReceiverRemovalOutcome.Removed, dropped);
    }

    public async Task<IReadOnlyList<SignalReceiverStatus>> StatusAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<StatusRow>(new CommandDefinition(StatusSql, cancellationToken: cancellationToken));
        return rows
            .Select(row => new SignalReceiverStatus(
                new ApplicationAnchor(row.Anchor),
                new ReceiverId(row.Id),
                row.Url,
                Format(row.Format),
                row.Pending,
                row.DeadLetters,
                row.OldestPending is { } oldest ? new DateTimeOffset(DateTime.SpecifyKind(oldest, DateTimeKind.Utc)) : null,
                row.LastOutcome))
            .ToList();
    }

    public async Task<int?> RequeueDeadLettersAsync(ReceiverId receiver, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<RequeueRow>(new CommandDefinition(
            RequeueSql, new { Receiver = receiver.Value }, cancellationToken: cancellationToken));
        return row.Found ? row.Requeued : null;
    }

    private static SignalFormat Format(string stored) =>
        SignalNames.TryParseFormat(stored, out var format)
            ? format
            : throw new InvalidOperationException($"signal_receivers holds the unknown format '{stored}'");

    private sealed record ListRow(Guid? Id, string? Url, string? Format, string? Audience, int? Pending, int? DeadLetters);

    private sealed record StatusRow(
        string Anchor, Guid Id, string Url, string Format, int Pending, int DeadLetters, DateTime? OldestPending, string? LastOutcome);

    private sealed record RequeueRow(bool Found, int Requeued);
}
