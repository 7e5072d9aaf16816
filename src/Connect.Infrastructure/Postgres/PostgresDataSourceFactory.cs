namespace Connect.Infrastructure.Postgres;

/// <summary>
/// Builds the process's one <see cref="NpgsqlDataSource"/>. Npgsql's own defaults (15 s to connect, 30 s per
/// command) would let a slow database pile up requests for half a minute; Connect's defaults are short so that
/// an outage becomes a prompt 503; the pool and statement preparation are sized for a few hot statements.
/// Whatever the connection string states explicitly wins.
/// </summary>
internal static class PostgresDataSourceFactory
{
    public static NpgsqlDataSource Create(string connectionString, PostgresOptions options)
    {
        // The base builder keeps only the keywords actually written, which is what "explicit" means here.
        var written = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var settings = builder.ConnectionStringBuilder;

        if (!Writes(written, "Timeout", "Connect Timeout", "ConnectTimeout"))
        {
            settings.Timeout = options.ConnectTimeoutSeconds;
        }

        if (!Writes(written, "Command Timeout", "CommandTimeout"))
        {
            settings.CommandTimeout = options.CommandTimeoutSeconds;
        }

        if (!Writes(written, "Application Name", "ApplicationName"))
        {
            settings.ApplicationName = "connect";
        }

        // PostgreSQL does best with about as many busy backends as cores; more only queue inside it.
        if (!Writes(written, "Maximum Pool Size", "Max Pool Size", "MaxPoolSize"))
        {
            settings.MaxPoolSize = options.MaxPoolSize ?? Math.Max(4, 2 * Environment.ProcessorCount);
        }

        // The same few statements run on every request: let Npgsql prepare them once per connection.
        if (!Writes(written, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            settings.MaxAutoPrepare = 32;
        }

        // Connect never changes session state (no SET, no temp tables, no LISTEN), so the reset round trip
        // on returning a connection to the pool buys nothing.
        if (!Writes(written, "No Reset On Close", "NoResetOnClose"))
        {
            settings.NoResetOnClose = true;
        }

        return builder.Build();
    }

    private static bool Writes(DbConnectionStringBuilder written, params string[] keywords) =>
        keywords.Any(written.ContainsKey);
}
