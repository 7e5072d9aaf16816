namespace Connect.Infrastructure.LocalPostgres;

/// <summary>Database housekeeping that works against any PostgreSQL server.</summary>
public static class PostgresDatabases
{
    /// <summary>Whether any client other than this check itself is connected to the server.</summary>
    public static async Task<bool> HasOtherClientsAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var count = new NpgsqlCommand(
            "select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()",
            connection);
        return (long)(await count.ExecuteScalarAsync(cancellationToken))! > 0;
    }

    /// <summary>
    /// Creates database <paramref name="name"/> unless it exists, connecting with
    /// <paramref name="adminConnectionString"/> (a role allowed to CREATE DATABASE).
    /// </summary>
    public static async Task EnsureDatabaseAsync(string adminConnectionString, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        // A one-off connection: pooled ones would outlive restarts of throwaway servers.
        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);

        await using (var exists = new NpgsqlCommand("select 1 from pg_database where datname = @name", connection))
        {
            exists.Parameters.AddWithValue("name", name);
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
            {
                return;
            }
        }

        await using var create = new NpgsqlCommand("create database " + QuoteIdentifier(name), connection);
        try
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Someone else created it between our check and our CREATE.
        }
    }

    /// <summary>
    /// Creates database <paramref name="name"/> as a copy of database <paramref name="template"/>
    /// (<c>CREATE DATABASE ... TEMPLATE</c>): its schema, rows and the grants and default privileges inside it, but
    /// not the grants on the database itself. PostgreSQL refuses while anyone else is connected to the template
    /// (<see cref="CloseToConnectionsAsync"/>). Fails if <paramref name="name"/> exists.
    /// </summary>
    public static async Task CopyDatabaseAsync(string adminConnectionString, string template, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(template);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await ExecuteAsync(
            adminConnectionString,
            $"create database {QuoteIdentifier(name)} template {QuoteIdentifier(template)}",
            cancellationToken);
    }

    /// <summary>
    /// Refuses new connections to database <paramref name="name"/>, so that a copy of it never fails on one that
    /// something opened meanwhile (autovacuum too then leaves it alone). Existing sessions are not cut.
    /// </summary>
    public static async Task CloseToConnectionsAsync(string adminConnectionString, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await ExecuteAsync(
            adminConnectionString,
            $"alter database {QuoteIdentifier(name)} with allow_connections false",
            cancellationToken);
    }

    /// <summary>Quotes an SQL identifier ("name", with embedded quotes doubled).</summary>
    public static string QuoteIdentifier(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        if (identifier.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("Identifiers cannot contain NUL characters.", nameof(identifier));
        }

        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    private static async Task ExecuteAsync(string adminConnectionString, string sql, CancellationToken cancellationToken)
    {
        // A one-off connection: pooled ones would outlive restarts of throwaway servers.
        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
