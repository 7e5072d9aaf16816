using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Connect.Benchmarks.Data;
using Connect.Infrastructure.Postgres;
using Connect.Infrastructure.Processes;

namespace Connect.Benchmarks.Baselines;

internal sealed record PgbenchScript(string Name, string Text, int Statements);

/// <summary>
/// The database's limit for the work of one request: pgbench (PostgreSQL's own load generator, next to initdb)
/// running the request's statements exactly as the adapters send them (their SQL constants, extended protocol,
/// one autocommit statement each), and the same work as one statement. The application's id, sector and
/// revision, which the service keeps in memory, are computed from the anchor (see DataShape) or passed in. Every transaction targets a pair no other
/// transaction of the batch targets, so each one revokes 2..6 tokens as a request does.
/// </summary>
internal static partial class Pgbench
{
    // pgbench has integer variables only; anchors and subjects are built to be named by them (see DataShape).
    private static string Header(int applications) => $"""
        \set k :k + 1
        \set n permute(:k * :clients + :client_id, :pairs, :permseed)
        \set anchor {DataShape.PgbenchApplicationExpression(applications)}
        \set subject hash_murmur2(:n, :subjectseed)
        \set jti random(1, 9223372036854775806)

        """;

    /// <summary>
    /// The adapters' one statement of a request whose application is in the service's cache (every request of a run
    /// but the first per application): the replay record written with the subject's lookup and its revocation.
    /// </summary>
    public static PgbenchScript Statements(int applications)
    {
        var text = new StringBuilder(Header(applications))
            .AppendLine(Bind(PostgresRefreshTokenRevoker.RecordAndRevokeAllActiveSql) + ";");
        return new PgbenchScript("pgbench_statements", text.ToString(), 1);
    }

    /// <summary>
    /// The same reads and writes as one statement: the replay record (only at the application's revision), the
    /// subject's account, and the revocation with its audit row (only when the replay record was new, as in the
    /// service).
    /// </summary>
    public static PgbenchScript Single(int applications) => new("pgbench_single", Header(applications) + Bind("""
        WITH application AS (
                SELECT id, revision FROM applications WHERE id = @Application),
             replay AS (
                INSERT INTO client_jwt_replays (application_id, jti, expires_at)
                SELECT id, @Jti, @KeepUntil FROM application WHERE revision = @Revision
                ON CONFLICT (application_id, jti) DO NOTHING
                RETURNING application_id),
             account AS (
                SELECT account_id FROM sector_subjects
                 WHERE sector_id = @Sector AND subject = @Subject),
             revoked AS (
                -- Scalar subqueries rather than a join, so that the plan is the service's: the partial index
                -- looked up by (account, application), as with the parameters of the revoker.
                UPDATE sessions t
                   SET revoked_at = now(), revoked_reason = 'revoke_all'
                 WHERE t.account_id = (SELECT account_id FROM account)
                   AND t.application_id = (SELECT application_id FROM replay)
                   AND t.revoked_at IS NULL
                   AND t.expires_at > now()
                RETURNING t.id),
             audited AS (
                INSERT INTO revocation_audit (application_id, account_id, revoked_count, kind)
                SELECT replay.application_id, account.account_id, (SELECT count(*) FROM revoked), 'revoke_all'
                  FROM replay, account
                RETURNING revoked_count)
        SELECT (SELECT revoked_count FROM audited) AS revoked;
        """) + "\n\n", 1);

    /// <summary>Dapper's @Names become pgbench variables, or the expressions that compute the ids from them.</summary>
    private static string Bind(string sql) => sql
        .Replace("@Anchor", ":anchor", StringComparison.Ordinal)
        .Replace("@Application", DataShape.PgbenchIdExpression(DataShape.ApplicationIdPrefix), StringComparison.Ordinal)
        .Replace("@Revision", ":revision", StringComparison.Ordinal)
        .Replace("@Jti", ":jti", StringComparison.Ordinal)
        .Replace("@KeepUntil", ":keep", StringComparison.Ordinal)
        // The service keeps a record for the token's remaining validity plus the skew, on the database's clock.
        .Replace("@KeepFor", "interval '90 seconds'", StringComparison.Ordinal)
        .Replace("@Sector", DataShape.PgbenchIdExpression(DataShape.SectorIdPrefix), StringComparison.Ordinal)
        .Replace("@Subject", ":subject", StringComparison.Ordinal)
        .TrimEnd();

    public sealed record Batch(long Transactions, long Failed, double Tps, string? Error);

    /// <summary>
    /// One pgbench invocation: <paramref name="clients"/> connections, each running its share of
    /// <paramref name="pairs"/> distinct targets once.
    /// </summary>
    public static async Task<Batch> RunBatchAsync(
        string binDirectory, string connectionPassword, int port, string database, string scriptFile, int clients, int pairs,
        long revision, int permutationSeed, CancellationToken cancellationToken)
    {
        var keepUntil = DateTimeOffset.UtcNow.AddSeconds(90).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        string[] arguments =
        [
            "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-U", "postgres",
            "-n", "-M", "extended",
            "-c", clients.ToString(CultureInfo.InvariantCulture),
            "-j", Math.Min(clients, Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture),
            "-t", (pairs / clients).ToString(CultureInfo.InvariantCulture),
            "-D", "k=-1",
            "-D", $"clients={clients}",
            "-D", $"pairs={pairs}",
            "-D", $"permseed={permutationSeed}",
            "-D", string.Create(CultureInfo.InvariantCulture, $"subjectseed={DataShape.SubjectSeed}"),
            "-D", $"keep={keepUntil}",
            "-D", string.Create(CultureInfo.InvariantCulture, $"revision={revision}"),
            "-f", scriptFile,
            database,
        ];
        var pgbench = new ProgramCommand(Path.Combine(binDirectory, "pgbench"), arguments)
        {
            Environment = new Dictionary<string, string> { ["PGPASSWORD"] = connectionPassword },
        };
        var (exitCode, output, errors) = await ChildProcess.RunAsync(pgbench, cancellationToken);
        var processed = ProcessedPattern().Match(output);
        var failed = FailedPattern().Match(output);
        var tps = TpsPattern().Match(output);
        var error = exitCode != 0 || !processed.Success || !tps.Success
            ? $"pgbench exited with {exitCode}: {errors.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? output}"
            : null;
        return new Batch(
            processed.Success ? long.Parse(processed.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            failed.Success ? long.Parse(failed.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            tps.Success ? double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            error);
    }

    [GeneratedRegex(@"number of transactions actually processed: (\d+)")]
    private static partial Regex ProcessedPattern();

    [GeneratedRegex(@"number of failed transactions: (\d+)")]
    private static partial Regex FailedPattern();

    [GeneratedRegex(@"tps = ([0-9.]+)")]
    private static partial Regex TpsPattern();
}
