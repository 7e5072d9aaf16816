using System.Data.Common;
using Npgsql;

namespace Connect.Infrastructure.Postgres;

/// <summary>
/// Builds the process's one <see cref="NpgsqlDataSource"/>. Npgsql's own defaults (15 s to connect, 30 s per
/// command) would let a slow database pile up requests for half a minute; Connect's defaults are short so that
/// an outage becomes a prompt 503. Whatever the connection string states explicitly wins.
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

        return builder.Build();
    }

    private static bool Writes(DbConnectionStringBuilder written, params string[] keywords) =>
        keywords.Any(written.ContainsKey);
}
