namespace Connect.Infrastructure.Postgres;

internal sealed class PostgresClientJwtReplayStore(NpgsqlDataSource dataSource, TimeProvider clock) : IClientJwtReplayStore
{
    // One atomic insert instead of read-then-write: the unique key decides the race, on every instance at once.
    // It inserts only while the application is at the revision the request was checked against, read in the
    // same statement, so a request checked against a cached copy is accepted only if that copy is current.
    // Answers 0 first use, 1 replay, 2 application changed (or gone).
    // The record's expiry is set and purged on one clock, the database's: it is kept for as long as the token
    // stays valid on this instance's clock, plus the skew, counted from the database's now(). An instance whose
    // clock is behind the database's would otherwise see its records purged while it still accepts the token.
    internal const string RecordSql = RecordingCtes + "\nSELECT " + RecordingAnswer;

    // The record as the two CTEs a statement recording a jti starts with, so that every such statement records under
    // the same conditions (revoke-all's own statement does its work only if "recorded" holds a row).
    internal const string RecordingCtes = """
        WITH application AS (
            SELECT revision FROM applications WHERE id = @Application
        ), recorded AS (
            INSERT INTO client_jwt_replays (application_id, jti, expires_at)
            SELECT @Application, @Jti, now() + @KeepFor FROM application WHERE revision = @Revision
            ON CONFLICT (application_id, jti) DO NOTHING
            RETURNING 1
        )
        """;

    // What the recording found, read as Recording reads it.
    internal const string RecordingAnswer = """
        CASE
            WHEN EXISTS (SELECT 1 FROM recorded) THEN 0
            WHEN (SELECT revision FROM application) IS NOT DISTINCT FROM @Revision THEN 1
            ELSE 2
        END
        """;

    // At most @BatchSize records, the longest expired first (client_jwt_replays_expiry), deleted by row address.
    internal const string PurgeExpiredSql = """
        DELETE FROM client_jwt_replays
        WHERE ctid = ANY (ARRAY(
            SELECT ctid FROM client_jwt_replays WHERE expires_at < now() ORDER BY expires_at LIMIT @BatchSize
        ))
        """;

    public async Task<JtiRecording> TryRecordFirstUseAsync(
        AppId application, long revision, string jti, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        var keepFor = keepUntil - clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var recording = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            RecordSql,
            new { Application = application.Value, Revision = revision, Jti = jti, KeepFor = keepFor },
            cancellationToken: cancellationToken));
        return Recording(recording);
    }

    /// <summary>What <see cref="RecordSql"/> answers, and every statement that records a jti as it does.</summary>
    internal static JtiRecording Recording(int answer) => answer switch
    {
        0 => JtiRecording.FirstUse,
        1 => JtiRecording.Replayed,
        _ => JtiRecording.ApplicationChanged,
    };

    /// <summary>Deletes up to <paramref name="batchSize"/> expired records; fewer means none are left.</summary>
    public async Task<int> PurgeExpiredAsync(int batchSize, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(PurgeExpiredSql, new { BatchSize = batchSize }, cancellationToken: cancellationToken));
    }
}
