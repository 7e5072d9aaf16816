namespace Connect.Infrastructure.Postgres;

/// <summary>Database settings beyond the connection string (configuration section <c>Connect:Postgres</c>).</summary>
public sealed class PostgresOptions
{
    public const string SectionName = "Connect:Postgres";

    /// <summary>How often expired replay records are deleted.</summary>
    public TimeSpan ReplayPurgeInterval { get; set; } = TimeSpan.FromMinutes(1);
}
