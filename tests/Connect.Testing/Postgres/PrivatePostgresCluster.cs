using Connect.Infrastructure.LocalPostgres;
using Connect.Infrastructure.Migrations;

namespace Connect.Testing.Postgres;

/// <summary>
/// A throwaway PostgreSQL server owned by one test, for tests that stop and restart it (database outages).
/// Disposing it stops the server and deletes its data.
/// </summary>
public sealed class PrivatePostgresCluster : IAsyncDisposable
{
    public const string DatabaseName = "connect";

    private readonly LocalPostgresCluster cluster;

    private PrivatePostgresCluster(LocalPostgresCluster cluster) => this.cluster = cluster;

    /// <summary>Connection string for the <see cref="DatabaseName"/> database; stays valid across Stop/Start.</summary>
    public string ConnectionString => cluster.ConnectionString(DatabaseName);

    /// <summary>The same database as the service role (may change rows, nothing else).</summary>
    public string ServiceConnectionString => cluster.ServiceConnectionString(DatabaseName);

    public int Port => cluster.Port;

    public LocalPostgresCluster Cluster => cluster;

    /// <summary>Creates and starts a new cluster with an (optionally migrated) <see cref="DatabaseName"/> database.</summary>
    public static async Task<PrivatePostgresCluster> StartNewAsync(bool migrate = true, CancellationToken ct = default)
    {
        var cluster = await LocalPostgresCluster.CreateTemporaryAsync(ct);
        try
        {
            await cluster.StartAsync(ct);
            await cluster.EnsureDatabaseAsync(DatabaseName, ct);
            if (migrate)
            {
                DatabaseMigrator.Migrate(cluster.ConnectionString(DatabaseName));
            }
        }
        catch
        {
            await cluster.DeleteAsync(CancellationToken.None);
            throw;
        }

        return new PrivatePostgresCluster(cluster);
    }

    /// <summary>Stops the server (fast shutdown: open connections are cut).</summary>
    public Task StopAsync(CancellationToken ct = default) => cluster.StopAsync(ct);

    /// <summary>Starts the server again on the same port with the same data.</summary>
    public Task StartAsync(CancellationToken ct = default) => cluster.StartAsync(ct);

    public Task<bool> IsRunningAsync(CancellationToken ct = default) => cluster.IsRunningAsync(ct);

    public async ValueTask DisposeAsync() => await cluster.DeleteAsync();
}
