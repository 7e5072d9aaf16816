using Npgsql;

namespace Connect.Infrastructure.Postgres;

/// <summary>Tells a database outage from a bug, and gets the pool ready for the database's return.</summary>
public sealed class PostgresOutages(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Connection failures, timeouts and server shutdowns are outages; a constraint violation or a bad
    /// statement is a bug.
    /// </summary>
    public static bool IsOutage(Exception? exception) => exception switch
    {
        NpgsqlException { IsTransient: true } => true,
        NpgsqlException { InnerException: TimeoutException or System.Net.Sockets.SocketException or IOException } => true,

        // A multi-host data source (several nodes, Target Session Attributes=read-write) that reached no
        // writable node: every attempt failed (the inner exceptions), or every node is known to be down or
        // read-only, as during a failover (no inner exception at all).
        NpgsqlException { InnerException: AggregateException attempts } => attempts.InnerExceptions.All(IsOutage),
        NpgsqlException { InnerException: null } plain when plain.GetType() == typeof(NpgsqlException) => true,
        _ => false,
    };

    /// <summary>
    /// Drops the idle pooled connections: after a server restart they are all dead, and each would fail one
    /// more request before the pool noticed.
    /// </summary>
    public void ForgetIdleConnections() => dataSource.Clear();
}
