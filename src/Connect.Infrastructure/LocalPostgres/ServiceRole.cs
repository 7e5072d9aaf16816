namespace Connect.Infrastructure.LocalPostgres;

/// <summary>
/// The login role the service runs as on a local cluster: it may read and change the rows of Connect's tables
/// and nothing else (no DDL, no TRUNCATE, no other database's objects, no superuser). Migrations keep running
/// as the superuser; default privileges grant every table a later migration creates to this role, so a
/// migration never needs to know about it.
/// </summary>
internal static class ServiceRole
{
    public const string Name = "connect_service";

    private const string RoleExists = "select 1 from pg_roles where rolname = 'connect_service'";

    // A utility statement takes no parameters: the password travels as one, in a setting local to the transaction,
    // and format(%L) quotes it. SCRAM is set explicitly: the server stores the verifier, never the password.
    private const string CreateRole = """
        select set_config('password_encryption', 'scram-sha-256', true), set_config('connect.service_password', @password, true);
        do $$ begin
            execute format('create role connect_service login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password %L',
                           current_setting('connect.service_password'));
        end $$;
        """;

    private const string SetPassword = """
        select set_config('password_encryption', 'scram-sha-256', true), set_config('connect.service_password', @password, true);
        do $$ begin
            execute format('alter role connect_service password %L', current_setting('connect.service_password'));
        end $$;
        """;

    // Per database. Existing tables (a database migrated before the role existed) are granted here; tables a later
    // migration creates as the superuser get the same through the default privileges. PUBLIC loses CREATE on the
    // schema (PostgreSQL 15 already does this) and TEMP on the database: the service needs neither.
    private const string GrantDataAccess = """
        do $$ begin
            execute format('revoke all on database %I from public', current_database());
            execute format('grant connect on database %I to connect_service', current_database());
        end $$;
        revoke create on schema public from public;
        grant usage on schema public to connect_service;
        alter default privileges for role postgres in schema public
            grant select, insert, update, delete on tables to connect_service;
        alter default privileges for role postgres in schema public
            grant usage, select on sequences to connect_service;
        grant select, insert, update, delete on all tables in schema public to connect_service;
        grant usage, select on all sequences in schema public to connect_service;
        """;

    /// <summary>
    /// Creates the role unless it exists, with the password kept in <paramref name="passwordFile"/> (made here
    /// if missing, and then also set on an existing role). Returns the password.
    /// </summary>
    public static async Task<string> EnsureAsync(string superuserConnectionString, string passwordFile, CancellationToken cancellationToken)
    {
        var madeNow = !File.Exists(passwordFile) && SecretFile.TryCreate(passwordFile, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));
        var password = SecretFile.Read(passwordFile);

        await using var connection = await OpenAsync(superuserConnectionString, cancellationToken);
        await using (var exists = new NpgsqlCommand(RoleExists, connection))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
            {
                if (madeNow)
                {
                    await ExecuteWithPasswordAsync(connection, SetPassword, password, cancellationToken);
                }

                return password;
            }
        }

        try
        {
            await ExecuteWithPasswordAsync(connection, CreateRole, password, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateObject)
        {
            // Another process created it between our check and our CREATE, from the same password file.
        }

        return password;
    }

    /// <summary>Lets the role use database <paramref name="superuserConnectionString"/> names (idempotent).</summary>
    public static async Task GrantDataAccessAsync(string superuserConnectionString, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(superuserConnectionString, cancellationToken);
        await ExecuteAsync(connection, GrantDataAccess, cancellationToken);
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        // A one-off connection: pooled ones would outlive restarts of throwaway servers.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static async Task ExecuteWithPasswordAsync(NpgsqlConnection connection, string sql, string password, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("password", password);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
