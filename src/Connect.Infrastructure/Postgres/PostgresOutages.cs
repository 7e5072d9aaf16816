namespace Connect.Infrastructure.Postgres;

/// <summary>
/// Tells a database outage from a bug, gets the pool ready for the database's return, and tells the operator about
/// the outage a few lines a minute rather than one error per request.
/// </summary>
public sealed partial class PostgresOutages(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<PostgresOutages>? logger = null)
{
    /// <summary>
    /// The pool is cleared, and the outage logged, at most once per interval, however many requests fail together.
    /// </summary>
    public static readonly TimeSpan ClearInterval = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = logger ?? NullLogger<PostgresOutages>.Instance;
    private readonly Lock _gate = new();
    private long? _lastClear;
    private long? _lastReport;
    private int _unreported;

    /// <summary>
    /// Connection failures, timeouts (a full pool's too) and server shutdowns are outages, answered 503; a
    /// constraint violation or a bad statement is a bug.
    /// </summary>
    public static bool IsOutage([NotNullWhen(true)] Exception? exception) => exception switch
    {
        NpgsqlException { IsTransient: true } => true,
        NpgsqlException { InnerException: TimeoutException or SocketException or IOException } => true,

        // A multi-host data source (several nodes, Target Session Attributes=read-write) that reached no
        // writable node: every attempt failed (the inner exceptions), or every node is known to be down or
        // read-only, as during a failover (no inner exception at all).
        NpgsqlException { InnerException: AggregateException attempts } => attempts.InnerExceptions.All(IsOutage),
        NpgsqlException { InnerException: null } plain when plain.GetType() == typeof(NpgsqlException) => true,
        _ => false,
    };

    /// <summary>
    /// Whether the connection itself failed (refused, reset, or the server shutting down), which leaves the idle
    /// pooled connections dead too. A timeout is not: a wait for a full pool or a slow statement says the database
    /// is busy, and reconnecting everything would only add to its load.
    /// </summary>
    public static bool IsConnectionFailure(Exception? exception) => exception switch
    {
        PostgresException { SqlState: var state } =>
            state.StartsWith("08", StringComparison.Ordinal) || state is "57P01" or "57P02" or "57P03",
        NpgsqlException { InnerException: SocketException or IOException } => true,
        _ => false,
    };

    /// <summary>
    /// Drops the idle pooled connections after a real connection failure, at most once per
    /// <see cref="ClearInterval"/>: after a server restart they are all dead, and each would fail one more request
    /// before the pool noticed. Under overload every waiting request fails at once; one clear is enough.
    /// </summary>
    /// <returns>Whether the pool was cleared.</returns>
    public bool ForgetIdleConnectionsAfter(Exception? exception)
    {
        if (!IsConnectionFailure(exception))
        {
            return false;
        }

        lock (_gate)
        {
            if (_lastClear is { } last && clock.GetElapsedTime(last) < ClearInterval)
            {
                return false;
            }

            _lastClear = clock.GetTimestamp();
        }

        dataSource.Clear();
        return true;
    }

    /// <summary>
    /// Logs a request answered <c>503</c> because of an outage: the first at once, with its exception, then at most
    /// one line per <see cref="ClearInterval"/>, counting the answers since the line before. The framework's own
    /// error for each request (with its stack trace) is left out for outages (see <c>ConnectWebApplication</c>), so
    /// that a database down under load is a few warnings a minute, not an error per request.
    /// </summary>
    public void Report(Exception exception)
    {
        int answered;
        lock (_gate)
        {
            _unreported++;
            if (_lastReport is { } last && clock.GetElapsedTime(last) < ClearInterval)
            {
                return;
            }

            _lastReport = clock.GetTimestamp();
            answered = _unreported;
            _unreported = 0;
        }

        LogOutage(exception, answered);
    }

    [LoggerMessage(
        Level = LogLevel.Warning, EventName = "DatabaseUnavailable",
        Message = "The database cannot be reached: {Answered} requests answered 503 ServiceUnavailable since the last report")]
    private partial void LogOutage(Exception exception, int answered);
}
