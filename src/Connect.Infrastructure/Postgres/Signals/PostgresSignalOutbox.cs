namespace Connect.Infrastructure.Postgres.Signals;

/// <summary>
/// The outbox of migration 0016 as the delivery worker uses it. A claim is one statement: it locks due pending rows
/// with <c>FOR UPDATE SKIP LOCKED</c> (so concurrent claims on any number of instances take disjoint rows), moves each
/// one's <c>next_attempt_at</c> to the end of the lease and counts the attempt. Every outcome is one statement
/// fenced by <c>leased_by</c> and <c>attempts</c>: the late answer of an expired lease that another claim has since
/// taken matches no row and changes nothing.
/// </summary>
internal sealed class PostgresSignalOutbox(NpgsqlDataSource dataSource) : ISignalOutbox
{
    // Rows looked at per claimed slot: enough that one receiver's backlog (capped in "chosen") leaves room for others.
    private const int ScanFactor = 4;

    // The scan locks due rows in due order, skipping rows another claim holds and receivers already at this instance's
    // cap; "chosen" then keeps at most the cap, minus what is in flight, per receiver. Rows scanned but not chosen are
    // unlocked when the statement ends, untouched.
    //
    // A signal of a removed receiver (written by a revocation that raced the removal: docs/decisions.md, "A removed
    // receiver is kept, marked removed") is deleted here, never sent. The claim is the cheapest place: such a signal
    // is due at once, so the next scan reaches it among the rows it locks anyway, and the receiver row it needs is the
    // one the claim reads for every signal; the gauge refresh would need a scan of its own and the claim would still
    // have to skip the row until then. What a removal leaves is rare, so the scan slots it takes cost nothing.
    internal const string ClaimSql = """
        WITH scanned AS (
            SELECT s.id, s.receiver_id, s.next_attempt_at, r.removed_at IS NOT NULL AS removed
            FROM signals s
            JOIN signal_receivers r ON r.id = s.receiver_id
            WHERE s.state = 'pending' AND s.next_attempt_at <= now() AND s.receiver_id <> ALL (@FullReceivers)
            ORDER BY s.next_attempt_at, s.id
            LIMIT @Scan
            FOR UPDATE OF s SKIP LOCKED
        ), purged AS (
            DELETE FROM signals WHERE id IN (SELECT id FROM scanned WHERE removed)
        ), ranked AS (
            SELECT sc.id, sc.next_attempt_at,
                   row_number() OVER (PARTITION BY sc.receiver_id ORDER BY sc.next_attempt_at, sc.id)
                       + coalesce(busy.in_flight, 0) AS slot
            FROM scanned sc
            LEFT JOIN unnest(@BusyReceivers, @BusyCounts) AS busy (receiver_id, in_flight) ON busy.receiver_id = sc.receiver_id
            WHERE NOT sc.removed
        ), chosen AS (
            SELECT id FROM ranked WHERE slot <= @PerReceiverCap ORDER BY next_attempt_at, id LIMIT @Limit
        )
        UPDATE signals s
        SET next_attempt_at = now() + make_interval(secs => @LeaseSeconds), attempts = s.attempts + 1, leased_by = @Instance
        FROM chosen, signal_receivers r
        WHERE s.id = chosen.id AND r.id = s.receiver_id
        RETURNING s.id AS SignalId, s.attempts AS Attempt, s.receiver_id AS ReceiverId, r.application_id AS ApplicationId,
                  r.url AS Url, r.format AS Format, r.audience AS Audience, s.subject AS Subject, s.sid AS SessionId,
                  s.initiating_entity AS InitiatingEntity, s.ended_at AS EndedAt, s.committed_at AS CommittedAt
        """;

    // The time since commit is measured by the database's clock, which also wrote committed_at.
    internal const string DeliveredSql = """
        DELETE FROM signals
        WHERE id = @SignalId AND leased_by = @LeasedBy AND attempts = @Attempt AND state = 'pending'
        RETURNING extract(epoch FROM clock_timestamp() - committed_at)::float8
        """;

    internal const string RetrySql = """
        UPDATE signals SET next_attempt_at = @NextAttemptAt, last_outcome = @Outcome
        WHERE id = @SignalId AND leased_by = @LeasedBy AND attempts = @Attempt AND state = 'pending'
        """;

    // The dead letter and its audit row in one statement: no dead letter goes unaudited, none is audited twice.
    internal const string DeadLetterSql = """
        WITH dead AS (
            UPDATE signals s SET state = 'dead', dead_at = now(), last_outcome = @Outcome
            FROM signal_receivers r
            WHERE s.id = @SignalId AND s.leased_by = @LeasedBy AND s.attempts = @Attempt AND s.state = 'pending'
              AND r.id = s.receiver_id
            RETURNING s.receiver_id, r.application_id
        )
        INSERT INTO revocation_audit (application_id, kind, receiver_id, detail)
        SELECT application_id, 'signal_dead_lettered', receiver_id, @Outcome FROM dead
        """;

    internal const string ReleaseSql = """
        UPDATE signals s SET next_attempt_at = now()
        FROM unnest(@SignalIds, @Attempts) AS held (id, attempts)
        WHERE s.id = held.id AND s.attempts = held.attempts AND s.leased_by = @LeasedBy AND s.state = 'pending'
        """;

    // Pending rows of receivers in use (a removed receiver's left-over signal is deleted by the next claim, not
    // counted meanwhile); the age by the database's clock.
    internal const string BacklogSql = """
        SELECT count(*) AS Pending, coalesce(extract(epoch FROM now() - min(s.committed_at)), 0)::float8 AS OldestSeconds
        FROM signals s
        JOIN signal_receivers r ON r.id = s.receiver_id AND r.removed_at IS NULL
        WHERE s.state = 'pending'
        """;

    public async Task<IReadOnlyList<DueSignal>> ClaimDueAsync(
        string instance, int limit, TimeSpan lease, IReadOnlyDictionary<ReceiverId, int> inFlight, int perReceiverCap,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inFlight);
        if (limit <= 0)
        {
            return [];
        }

        var busy = inFlight.Where(entry => entry.Value > 0).ToArray();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ClaimedRow>(new CommandDefinition(
            ClaimSql,
            new
            {
                Instance = instance,
                Limit = limit,
                Scan = limit * ScanFactor,
                LeaseSeconds = lease.TotalSeconds,
                PerReceiverCap = perReceiverCap,
                FullReceivers = busy.Where(entry => entry.Value >= perReceiverCap).Select(entry => entry.Key.Value).ToArray(),
                BusyReceivers = busy.Select(entry => entry.Key.Value).ToArray(),
                BusyCounts = busy.Select(entry => entry.Value).ToArray(),
            },
            cancellationToken: cancellationToken));
        return rows.Select(row => row.ToDueSignal(instance)).ToList();
    }

    public async Task<TimeSpan?> RecordDeliveredAsync(SignalLease lease, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var seconds = await connection.QuerySingleOrDefaultAsync<double?>(new CommandDefinition(
            DeliveredSql, new { lease.SignalId, lease.LeasedBy, lease.Attempt }, cancellationToken: cancellationToken));
        return seconds is { } s ? TimeSpan.FromSeconds(s) : null;
    }

    public async Task<bool> RecordRetryAsync(SignalLease lease, DateTimeOffset nextAttemptAt, string outcome, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            RetrySql,
            new { lease.SignalId, lease.LeasedBy, lease.Attempt, NextAttemptAt = nextAttemptAt, Outcome = outcome },
            cancellationToken: cancellationToken)) == 1;
    }

    public async Task<bool> RecordDeadLetterAsync(SignalLease lease, string outcome, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            DeadLetterSql, new { lease.SignalId, lease.LeasedBy, lease.Attempt, Outcome = outcome },
            cancellationToken: cancellationToken)) == 1;
    }

    public async Task<int> ReleaseAsync(IReadOnlyCollection<SignalLease> leases, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leases);
        var released = 0;
        foreach (var byHolder in leases.GroupBy(lease => lease.LeasedBy, StringComparer.Ordinal))
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            released += await connection.ExecuteAsync(new CommandDefinition(
                ReleaseSql,
                new
                {
                    LeasedBy = byHolder.Key,
                    SignalIds = byHolder.Select(lease => lease.SignalId).ToArray(),
                    Attempts = byHolder.Select(lease => lease.Attempt).ToArray(),
                },
                cancellationToken: cancellationToken));
        }

        return released;
    }

    public async Task<SignalBacklog> MeasureBacklogAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<BacklogRow>(new CommandDefinition(BacklogSql, cancellationToken: cancellationToken));
        return new SignalBacklog(row.Pending, TimeSpan.FromSeconds(row.OldestSeconds));
    }

    private sealed record BacklogRow(long Pending, double OldestSeconds);

    private sealed record ClaimedRow(
        long SignalId, int Attempt, Guid ReceiverId, Guid ApplicationId, string Url, string Format, string Audience,
        string Subject, string? SessionId, string InitiatingEntity, DateTime EndedAt, DateTime CommittedAt)
    {
        public DueSignal ToDueSignal(string instance) => new(
            new SignalLease(SignalId, instance, Attempt),
            new ReceiverId(ReceiverId),
            new AppId(ApplicationId),
            Url,
            SignalNames.TryParseFormat(Format, out var format)
                ? format
                : throw new InvalidOperationException($"Signal {SignalId} has a receiver of unknown format."),
            Audience,
            Subject,
            SessionId,
            SignalNames.ParseInitiatingEntity(InitiatingEntity),
            new DateTimeOffset(DateTime.SpecifyKind(EndedAt, DateTimeKind.Utc)),
            new DateTimeOffset(DateTime.SpecifyKind(CommittedAt, DateTimeKind.Utc)));
    }
}
