using System.Diagnostics;
using System.Security.Cryptography;
using Connect.Application.Inquiries;
using Connect.Application.SessionTokens;
using Connect.Application.SigningKeys;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Connect.Benchmarks.Data;

/// <summary>
/// The session lifecycle's data set, in a database of its own: one session per pair of the <see cref="DataShape"/>
/// (session <c>n</c> belongs to pair <c>n</c>'s account and application, its subject is pair <c>n</c>'s subject in
/// the application's sector, as issuance creates it), every application with one current token-signing key stored
/// as the service stores it (sealed by <see cref="SigningKeyEncryption"/> under the key-encryption key the service
/// is given), and for each session the refresh token of version 1 and an access token, minted once here with the
/// service's own <see cref="SessionTokenCodec"/> and issuer: signing costs ~1 ms a token, the client's side of the
/// bench must not pay it per batch. A quarter of the sessions (<see cref="IsRevoked"/>) are revoked, so that
/// <c>/introspect</c> answers both states. <c>bench_session_originals</c> keeps each session's seeded columns, from
/// which <see cref="RearmSql"/> restores every session a refresh batch rotated. For <c>/redeem</c> each pair also has
/// one inquiry of its application, realized by its account as <c>inquiry realize</c> realizes one (the confirmation
/// key made by the service's own <see cref="ConfirmationKeys"/> under the same key-encryption key), so that the timed
/// loop measures the redemption alone; <see cref="RedeemRearmSql"/> makes them redeemable again between batches.
/// </summary>
internal sealed class LifecycleData
{
    /// <summary>The service's <c>Connect:SessionTokens:Issuer</c> in the bench (passed through its environment).</summary>
    public const string Issuer = "https://connect.bench.invalid";

    /// <summary>Restores every session whose version, jti, key or revocation moved since seeding (outside the timed window).</summary>
    public const string RearmSql = """
        UPDATE sessions s
           SET rotation_version = o.rotation_version, current_jti = o.current_jti, previous_jti = o.previous_jti,
               rotated_at = o.rotated_at, current_key_id = o.current_key_id, revoked_at = o.revoked_at,
               revoked_reason = o.revoked_reason
          FROM bench_session_originals o
         WHERE o.sid = s.sid
           AND (s.rotation_version <> o.rotation_version OR s.revoked_at IS DISTINCT FROM o.revoked_at)
        """;

    /// <summary>The refresh read-back: sessions whose version advanced past the seeded one.</summary>
    public const string AdvancedSql = """
        SELECT count(*) FROM sessions s JOIN bench_session_originals o ON o.sid = s.sid WHERE s.rotation_version > o.rotation_version
        """;

    /// <summary>
    /// The introspect read-back: each named session's real state now, judged as docs/contract/sessions.md defines the statuses
    /// (0 active, 1 revoked, 2 expired, 3 not found: <see cref="Load.IntrospectStatus"/>), from the rows, not from
    /// what the harness meant to seed. The subject must be the one the token carries.
    /// </summary>
    public const string StatusesSql = """
        SELECT t.sid,
               CASE WHEN s.sid IS NULL OR ss.subject IS DISTINCT FROM t.subject THEN 3
                    WHEN s.revoked_at IS NOT NULL THEN 1
                    WHEN s.expires_at <= now() THEN 2
                    WHEN NOT a.enabled THEN 1
                    ELSE 0 END
          FROM unnest(@Sids, @Subjects) AS t (sid, subject)
          LEFT JOIN sessions s ON s.sid = t.sid
          LEFT JOIN applications a ON a.id = s.application_id
          LEFT JOIN sector_subjects ss ON ss.sector_id = a.sector_id AND ss.account_id = s.account_id
        """;

    /// <summary>
    /// Makes every inquiry redeemable again, outside the timed window: the sessions the last batch began are removed
    /// with their <c>inquiry_redeemed</c> audit rows (so the session table keeps its seeded size), the inquiries are
    /// unredeemed, and any inquiry that would expire within a few minutes is given a fresh 10-minute lifetime (the
    /// contract's default; a full run outlives it).
    /// </summary>
    public const string RedeemRearmSql = """
        WITH gone AS (DELETE FROM revocation_audit WHERE kind = 'inquiry_redeemed' RETURNING session_id)
        DELETE FROM sessions WHERE id IN (SELECT session_id FROM gone);
        UPDATE inquiries
           SET redeemed_at = NULL, created_at = now(), expires_at = now() + interval '10 minutes'
         WHERE redeemed_at IS NOT NULL OR expires_at < now() + interval '5 minutes';
        """;

    /// <summary>
    /// The redeem read-back: inquiries redeemed whose session exists, begun for the inquiry's account in its
    /// application at version 1, with its audit row (one inquiry per pair, so the join cannot count one twice).
    /// </summary>
    public const string RedeemedSql = """
        SELECT count(*)
          FROM inquiries i
          JOIN revocation_audit a ON a.kind = 'inquiry_redeemed' AND a.account_id = i.account_id AND a.application_id = i.application_id
          JOIN sessions s ON s.id = a.session_id AND s.account_id = i.account_id AND s.application_id = i.application_id
         WHERE i.redeemed_at IS NOT NULL AND s.rotation_version = 1
        """;

    private LifecycleData(DataShape shape, string[] sids, string[] refreshTokens, string[] accessTokens, InquiryKeysOfPair[] inquiries)
    {
        Shape = shape;
        Sids = sids;
        RefreshTokens = refreshTokens;
        AccessTokens = accessTokens;
        Inquiries = inquiries;
    }

    /// <summary>The three keys an application holds for its realized inquiry, as /redeem takes them.</summary>
    internal sealed record InquiryKeysOfPair(string ExposureKey, string HiddenKey, string ConfirmationKey);

    public DataShape Shape { get; }

    public IReadOnlyList<string> Sids { get; }

    public IReadOnlyList<string> RefreshTokens { get; }

    public IReadOnlyList<string> AccessTokens { get; }

    /// <summary>Pair <c>n</c>'s realized inquiry: its account in its application.</summary>
    public IReadOnlyList<InquiryKeysOfPair> Inquiries { get; }

    public int Sessions => Sids.Count;

    /// <summary>A quarter of the sessions, spread over every account and application.</summary>
    public static bool IsRevoked(int session) => session % 4 == 3;

    public IEnumerable<int> ActiveSessions => Enumerable.Range(0, Sessions).Where(session => !IsRevoked(session));

    public IEnumerable<int> AllSessions => Enumerable.Range(0, Sessions);

    public static async Task<(LifecycleData Data, TimeSpan Took)> SeedAsync(
        string connectionString, DataShape shape, SigningKeyPool keys, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var codec = new SessionTokenCodec(TimeProvider.System, Options.Create(new SessionTokenOptions { Issuer = Issuer }));

        // Whole seconds, as issuance stores them: the refresh token's iat is the session's rotated_at.
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds());
        var expiresAt = issuedAt.AddDays(30);
        var sessions = shape.Pairs;
        var sids = new string[sessions];
        var jtis = new string[sessions];
        for (var n = 0; n < sessions; n++)
        {
            sids[n] = SessionTokenCodec.NewOpaqueId();
            jtis[n] = SessionTokenCodec.NewOpaqueId();
        }

        var confirmations = new ConfirmationKeys(keys.Encryption);
        var inquiries = new SeededInquiry[sessions];
        for (var n = 0; n < sessions; n++)
        {
            var id = Guid.CreateVersion7();
            var nonce = ConfirmationKeys.NewNonce();
            inquiries[n] = new SeededInquiry(
                id, new InquiryKeysOfPair(InquiryKeys.NewKey(), InquiryKeys.NewKey(), confirmations.Make(id, nonce)), nonce);
        }

        await WriteAsync(connectionString, shape, keys, sids, jtis, inquiries, issuedAt, expiresAt, cancellationToken);

        var refreshTokens = new string[sessions];
        var accessTokens = new string[sessions];
        Parallel.For(0, sessions, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, n =>
        {
            var application = shape.ApplicationOf(n);
            var key = keys.SigningKeyOf(application);
            var anchor = DataShape.Anchor(application);
            refreshTokens[n] = codec.Mint(
                new RefreshTokenClaims(Issuer, anchor, sids[n], jtis[n], issuedAt.ToUnixTimeSeconds(), expiresAt.ToUnixTimeSeconds(), RotationVersion: 1),
                key);
            accessTokens[n] = codec.Mint(codec.NewAccessClaims(new ApplicationAnchor(anchor), new SectorSubject(DataShape.Subject(n)), sids[n], expiresAt), key);
        });
        return (new LifecycleData(shape, sids, refreshTokens, accessTokens, [.. inquiries.Select(inquiry => inquiry.Keys)]), clock.Elapsed);
    }

    private static async Task WriteAsync(
        string connectionString, DataShape shape, SigningKeyPool keys, string[] sids, string[] jtis,
        SeededInquiry[] inquiries, DateTimeOffset issuedAt, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, CommandTimeout = 0 };
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var accounts = Enumerable.Range(0, shape.Accounts).Select(_ => Guid.CreateVersion7()).ToArray();
        var keyCreated = issuedAt.AddDays(-1).UtcDateTime;

        // Never raised by a request: later than every seeded session's expiry and than a redeemed session's (30 days
        // from the redemption, a day's margin for a run that crosses midnight), so no signing writes signs_until (a
        // write that bumps the application's revision, which the service does about once a day per key).
        var signsUntil = SigningKeyLifecycle.SignsUntilFor(expiresAt.AddDays(2)).UtcDateTime;

        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            Copy(connection, "COPY sectors (id, name) FROM STDIN (FORMAT BINARY)", shape.Applications, (row, j) =>
            {
                row.Write(DataShape.SectorId(j), NpgsqlDbType.Uuid);
                row.Write("bench", NpgsqlDbType.Text);
            });
            Copy(connection, "COPY applications (id, anchor, sector_id) FROM STDIN (FORMAT BINARY)", shape.Applications, (row, j) =>
            {
                row.Write(DataShape.ApplicationId(j), NpgsqlDbType.Uuid);
                row.Write(DataShape.Anchor(j), NpgsqlDbType.Text);
                row.Write(DataShape.SectorId(j), NpgsqlDbType.Uuid);
            });
            Copy(connection, "COPY accounts (id) FROM STDIN (FORMAT BINARY)", shape.Accounts, (row, i) => row.Write(accounts[i], NpgsqlDbType.Uuid));
            Copy(connection, "COPY sector_subjects (sector_id, subject, account_id) FROM STDIN (FORMAT BINARY)", shape.Pairs, (row, n) =>
            {
                row.Write(DataShape.SectorId(shape.ApplicationOf(n)), NpgsqlDbType.Uuid);
                row.Write(DataShape.Subject(n), NpgsqlDbType.Text);
                row.Write(accounts[DataShape.AccountOf(n)], NpgsqlDbType.Uuid);
            });

            keys.Copy(connection, shape.Applications, keyCreated, signsUntil);

            Copy(connection,
                "COPY sessions (account_id, application_id, sid, current_jti, rotation_version, rotated_at, current_key_id, issued_at, "
                + "expires_at, revoked_at, revoked_reason) FROM STDIN (FORMAT BINARY)",
                shape.Pairs, (row, n) =>
                {
                    var application = shape.ApplicationOf(n);
                    row.Write(accounts[DataShape.AccountOf(n)], NpgsqlDbType.Uuid);
                    row.Write(DataShape.ApplicationId(application), NpgsqlDbType.Uuid);
                    row.Write(sids[n], NpgsqlDbType.Text);
                    row.Write(jtis[n], NpgsqlDbType.Text);
                    row.Write(1, NpgsqlDbType.Integer);
                    row.Write(issuedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                    row.Write(keys.KeyIdOf(application), NpgsqlDbType.Text);
                    row.Write(issuedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                    row.Write(expiresAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                    if (IsRevoked(n))
                    {
                        row.Write(issuedAt.AddMinutes(1).UtcDateTime, NpgsqlDbType.TimestampTz);
                        row.Write("logout", NpgsqlDbType.Text);
                    }
                    else
                    {
                        row.WriteNull();
                        row.WriteNull();
                    }
                });

            // Realized by the pair's account, as `inquiry realize` leaves one: redeemable once the re-arm has given it
            // a fresh lifetime.
            var realizedAt = DateTime.UtcNow;
            Copy(connection,
                "COPY inquiries (id, application_id, exposure_key, hidden_key_hash, created_at, expires_at, account_id, realized_at, "
                + "realized_how, confirmation_nonce, confirmation_key_hash) FROM STDIN (FORMAT BINARY)",
                shape.Pairs, (row, n) =>
                {
                    var inquiry = inquiries[n];
                    row.Write(inquiry.Id, NpgsqlDbType.Uuid);
                    row.Write(DataShape.ApplicationId(shape.ApplicationOf(n)), NpgsqlDbType.Uuid);
                    row.Write(inquiry.Keys.ExposureKey, NpgsqlDbType.Text);
                    row.Write(InquiryKeys.Hash(inquiry.Keys.HiddenKey), NpgsqlDbType.Bytea);
                    row.Write(realizedAt.AddSeconds(-30), NpgsqlDbType.TimestampTz);
                    row.Write(realizedAt.AddMinutes(10), NpgsqlDbType.TimestampTz);
                    row.Write(accounts[DataShape.AccountOf(n)], NpgsqlDbType.Uuid);
                    row.Write(realizedAt, NpgsqlDbType.TimestampTz);
                    row.Write("operator", NpgsqlDbType.Text);
                    row.Write(inquiry.Nonce, NpgsqlDbType.Bytea);
                    row.Write(InquiryKeys.Hash(inquiry.Keys.ConfirmationKey), NpgsqlDbType.Bytea);
                });

            // Bench-only: the seeded state the re-arm restores. Not the service's table; it never reads it.
            await ExecuteAsync(connection, """
                CREATE TABLE bench_session_originals AS
                SELECT sid, rotation_version, current_jti, previous_jti, rotated_at, current_key_id, revoked_at, revoked_reason FROM sessions;
                ALTER TABLE bench_session_originals ADD PRIMARY KEY (sid);
                """, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        foreach (var table in new[] { "sectors", "applications", "accounts", "sector_subjects", "signing_keys", "sessions", "bench_session_originals", "inquiries" })
        {
            await ExecuteAsync(connection, $"VACUUM (FREEZE, ANALYZE) {table}", cancellationToken);
        }

        await ExecuteAsync(connection, "CHECKPOINT", cancellationToken);
    }

    private sealed record SeededInquiry(Guid Id, InquiryKeysOfPair Keys, byte[] Nonce);

    private static void Copy(NpgsqlConnection connection, string copy, int rows, Action<NpgsqlBinaryImporter, int> write)
    {
        using var writer = connection.BeginBinaryImport(copy);
        for (var i = 0; i < rows; i++)
        {
            writer.StartRow();
            write(writer, i);
        }

        writer.Complete();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
