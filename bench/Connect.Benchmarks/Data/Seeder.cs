using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using Connect.Application.Administration;
using Connect.Application.SigningKeys;
using Connect.Infrastructure.LocalPostgres;
using Npgsql;
using NpgsqlTypes;

namespace Connect.Benchmarks.Data;

/// <summary>
/// Fills a migrated database with a <see cref="DataShape"/> through binary COPY. The two big tables lose their
/// secondary indexes and constraints for the load and get them back, rebuilt from the catalog's own
/// definitions, in the same transaction: the schema afterwards is exactly the migrated one.
/// </summary>
internal static class Seeder
{
    private static readonly string[] BulkTables = ["sector_subjects", "sessions"];

    public static async Task<TimeSpan> SeedAsync(
        string connectionString, DataShape shape, IReadOnlyList<ClientPublicKey> keys, SigningKeyPool signingKeys, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var applications = Enumerable.Range(0, shape.Applications).Select(DataShape.ApplicationId).ToArray();
        var sectors = Enumerable.Range(0, shape.Applications).Select(DataShape.SectorId).ToArray();
        var accounts = Enumerable.Range(0, shape.Accounts).Select(_ => Guid.CreateVersion7()).ToArray();
        var now = DateTime.UtcNow;

        var settings = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, CommandTimeout = 0 };
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "SET maintenance_work_mem = '1GB'", cancellationToken);

        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            var deferred = await DropSecondaryAsync(connection, cancellationToken);

            Copy(connection, "COPY sectors (id, name) FROM STDIN (FORMAT BINARY)", shape.Applications, (row, j) =>
            {
                row.Write(sectors[j], NpgsqlDbType.Uuid);
                row.Write("bench", NpgsqlDbType.Text);
            }, cancellationToken);
            Copy(connection, "COPY applications (id, anchor, sector_id) FROM STDIN (FORMAT BINARY)", shape.Applications, (row, j) =>
            {
                row.Write(applications[j], NpgsqlDbType.Uuid);
                row.Write(DataShape.Anchor(j), NpgsqlDbType.Text);
                row.Write(sectors[j], NpgsqlDbType.Uuid);
            }, cancellationToken);
            Copy(connection, "COPY application_keys (application_id, key_id, public_key_spki) FROM STDIN (FORMAT BINARY)", shape.Applications, (row, j) =>
            {
                var key = keys[j % keys.Count];
                row.Write(applications[j], NpgsqlDbType.Uuid);
                row.Write(key.Id.Value, NpgsqlDbType.Text);
                row.Write(key.SubjectPublicKeyInfo.ToArray(), NpgsqlDbType.Bytea);
            }, cancellationToken);

            // Revoke-all signs nothing, but its signals do: an application that has receivers already signs tokens.
            signingKeys.Copy(connection, shape.Applications, now.AddDays(-1), SigningKeyLifecycle.SignsUntilFor(now.AddDays(32)).UtcDateTime);
            Copy(connection, "COPY accounts (id) FROM STDIN (FORMAT BINARY)", shape.Accounts, (row, i) =>
                row.Write(accounts[i], NpgsqlDbType.Uuid), cancellationToken);
            Copy(connection, "COPY sector_subjects (sector_id, subject, account_id) FROM STDIN (FORMAT BINARY)", shape.Pairs, (row, n) =>
            {
                row.Write(sectors[shape.ApplicationOf(n)], NpgsqlDbType.Uuid);
                row.Write(DataShape.Subject(n), NpgsqlDbType.Text);
                row.Write(accounts[DataShape.AccountOf(n)], NpgsqlDbType.Uuid);
            }, cancellationToken);
            CopyTokens(connection, shape, accounts, applications, now, cancellationToken);

            await RestoreAsync(connection, deferred, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        // Hint bits, visibility map and statistics now, not during the first timed requests.
        foreach (var table in new[] { "sectors", "applications", "application_keys", "signing_keys", "accounts", "sector_subjects", "sessions" })
        {
            await ExecuteAsync(connection, $"VACUUM (FREEZE, ANALYZE) {table}", cancellationToken);
        }

        // Write the seeded gigabytes out now: the next timed checkpoint would otherwise flush them in the middle
        // of a measurement (one full run measured pgbench_single at a fifth of its usual rate, most likely then).
        await ExecuteAsync(connection, "CHECKPOINT", cancellationToken);

        return clock.Elapsed;
    }

    /// <summary>Sessions as the service issues them: a random sid and a random current jti of 256 bits each.</summary>
    private static void CopyTokens(
        NpgsqlConnection connection, DataShape shape, Guid[] accounts, Guid[] applications, DateTime now, CancellationToken cancellationToken)
    {
        using var writer = connection.BeginBinaryImport(
            "COPY sessions (account_id, application_id, sid, current_jti, rotated_at, issued_at, expires_at) FROM STDIN (FORMAT BINARY)");
        var random = new byte[64 * 4096];
        var used = random.Length;
        for (var n = 0; n < shape.Pairs; n++)
        {
            if (n % 100_000 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var account = accounts[DataShape.AccountOf(n)];
            var application = applications[shape.ApplicationOf(n)];
            for (var t = 0; t < DataShape.TokensOf(n); t++)
            {
                if (used == random.Length)
                {
                    RandomNumberGenerator.Fill(random);
                    used = 0;
                }

                // Issued over the last ~4 weeks (whole seconds, as a token's iat), all valid for another day at least.
                var issuedAt = now.AddMinutes(-((n * 7 + t) % 40_000));
                issuedAt = issuedAt.AddTicks(-(issuedAt.Ticks % TimeSpan.TicksPerSecond));
                writer.StartRow();
                writer.Write(account, NpgsqlDbType.Uuid);
                writer.Write(application, NpgsqlDbType.Uuid);
                writer.Write(Base64Url.EncodeToString(random.AsSpan(used, 32)), NpgsqlDbType.Text);
                writer.Write(Base64Url.EncodeToString(random.AsSpan(used + 32, 32)), NpgsqlDbType.Text);
                writer.Write(issuedAt, NpgsqlDbType.TimestampTz);
                writer.Write(issuedAt, NpgsqlDbType.TimestampTz);
                writer.Write(issuedAt.AddDays(30), NpgsqlDbType.TimestampTz);
                used += 64;
            }
        }

        writer.Complete();
    }

    private static void Copy(
        NpgsqlConnection connection, string copy, int rows, Action<NpgsqlBinaryImporter, int> write, CancellationToken cancellationToken)
    {
        using var writer = connection.BeginBinaryImport(copy);
        for (var i = 0; i < rows; i++)
        {
            if (i % 100_000 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            writer.StartRow();
            write(writer, i);
        }

        writer.Complete();
    }

    private sealed record Deferred(string Table, string Name, string Definition, char Kind);

    /// <summary>
    /// Foreign keys, unique and primary keys, and plain indexes of the bulk tables, and the foreign keys of other
    /// tables that reference them (the audit's session_id), as the catalog states them.
    /// </summary>
    private static async Task<List<Deferred>> DropSecondaryAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        const string constraints = """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype::text
              FROM pg_constraint c
             WHERE (c.conrelid = ANY (SELECT unnest(@tables)::regclass) AND c.contype IN ('p', 'u', 'f'))
                OR (c.confrelid = ANY (SELECT unnest(@tables)::regclass) AND c.contype = 'f')
            """;
        const string indexes = """
            SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), 'i'
              FROM pg_index i
             WHERE i.indrelid = ANY (SELECT unnest(@tables)::regclass)
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
            """;
        var deferred = new List<Deferred>();
        foreach (var sql in new[] { constraints, indexes })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("tables", BulkTables);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                deferred.Add(new Deferred(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)[0]));
            }
        }

        foreach (var item in deferred.OrderBy(d => d.Kind switch { 'f' => 0, 'i' => 1, _ => 2 }))
        {
            var drop = item.Kind == 'i'
                ? $"DROP INDEX {item.Name}"
                : $"ALTER TABLE {item.Table} DROP CONSTRAINT {PostgresDatabases.QuoteIdentifier(item.Name)}";
            await ExecuteAsync(connection, drop, cancellationToken);
        }

        return deferred;
    }

    private static async Task RestoreAsync(NpgsqlConnection connection, List<Deferred> deferred, CancellationToken cancellationToken)
    {
        foreach (var item in deferred.OrderBy(d => d.Kind switch { 'p' => 0, 'u' => 1, 'i' => 2, _ => 3 }))
        {
            var create = item.Kind == 'i'
                ? item.Definition
                : $"ALTER TABLE {item.Table} ADD CONSTRAINT {PostgresDatabases.QuoteIdentifier(item.Name)} {item.Definition}";
            await ExecuteAsync(connection, create, cancellationToken);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
