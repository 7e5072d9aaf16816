namespace Connect.Infrastructure.Postgres;

/// <summary>Database settings beyond the connection string (configuration section <c>Connect:Postgres</c>).</summary>
public sealed class PostgresOptions
{
    public const string SectionName = "Connect:Postgres";

    /// <summary>How often expired replay records are deleted.</summary>
    public TimeSpan ReplayPurgeInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Most replay records one purge statement deletes; a round runs as many as it needs.</summary>
    public int ReplayPurgeBatchSize { get; set; } = 1000;

    /// <summary>The pause between two purge statements of a round, which leaves the database to requests.</summary>
    public TimeSpan ReplayPurgeBatchPause { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long to wait for a connection, also from a full pool, unless the connection string says.</summary>
    public int ConnectTimeoutSeconds { get; set; } = 5;

    /// <summary>How long one statement may run, unless the connection string says.</summary>
    public int CommandTimeoutSeconds { get; set; } = 5;

    /// <summary>Most connections open at once; by default twice the core count (at least 4).</summary>
    public int? MaxPoolSize { get; set; }
}
