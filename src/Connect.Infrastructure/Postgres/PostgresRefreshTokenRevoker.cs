namespace Connect.Infrastructure.Postgres;

internal sealed class PostgresRefreshTokenRevoker(NpgsqlDataSource dataSource, TimeProvider clock) : IRefreshTokenRevoker, IRecordingRevoker
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
        """ + Revocation + """

        SELECT (SELECT revoked_count FROM audited)
        """;

    // Revoke-all with its client JWT's replay record, in one statement and so one transaction a request: the record is
    // written by the CTEs PostgresClientJwtReplayStore.RecordSql writes it with alone (only while the application is at
    // the revision the token was checked against; the unique key decides a race, on every instance at once), and the
    // account is looked up only when the record was written now, so a replay or a changed application revokes, audits
    // and signals nothing. Answers the recording (0 first use, 1 replay, 2 application changed or gone) and the count.
    internal const string RecordAndRevokeAllActiveSql = PostgresClientJwtReplayStore.RecordingCtes + """
        ,
        account AS (
            SELECT account_id FROM sector_subjects
             WHERE sector_id = @Sector AND subject = @Subject AND EXISTS (SELECT 1 FROM recorded)),
        """ + Revocation + "\nSELECT " + PostgresClientJwtReplayStore.RecordingAnswer + " AS recording,"
        + " (SELECT revoked_count FROM audited) AS revoked_count";

    // The revocation, its audit row and its signals, after a CTE "account" that found the subject's account or nothing.
    private const string Revocation = """
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

    public async Task<RecordedRevocation> RevokeAllActiveAsync(
        SectorId sector, SectorSubject subject, JtiFirstUse use, CancellationToken cancellationToken)
    {
        var keepFor = use.KeepUntil - clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (recording, revokedCount) = await connection.QuerySingleAsync<(int, int?)>(new CommandDefinition(
            RecordAndRevokeAllActiveSql,
            new
            {
                Sector = sector.Value,
                Subject = subject.Value,
                Application = use.Application.Value,
                use.Revision,
                use.Jti,
                KeepFor = keepFor,
            },
            cancellationToken: cancellationToken));
        return new RecordedRevocation(PostgresClientJwtReplayStore.Recording(recording), revokedCount);
    }
}
