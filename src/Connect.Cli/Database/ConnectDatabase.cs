using Connect.Infrastructure;
using Connect.Infrastructure.LocalPostgres;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Connect.Cli.Database;

/// <summary>
/// The database a command works on: <c>ConnectionStrings:Connect</c> when configured, else the embedded default,
/// a private cluster under <c>.data/postgres</c> in the checkout, started on demand. Disposing stops the
/// embedded cluster if (and only if) this process started it.
/// </summary>
internal sealed class ConnectDatabase : IAsyncDisposable
{
    public const string DatabaseName = "connect";

    private readonly LocalPostgresCluster? _startedHere;

    private ConnectDatabase(string connectionString, LocalPostgresCluster? startedHere, string description, bool isEmbedded)
    {
        ConnectionString = connectionString;
        _startedHere = startedHere;
        Description = description;
        IsEmbedded = isEmbedded;
    }

    public string ConnectionString { get; }

    /// <summary>True for the checkout's private cluster, which the CLI may migrate on its own.</summary>
    public bool IsEmbedded { get; }

    /// <summary>Where the data lives, for a person (never the password).</summary>
    public string Description { get; }

    public static async Task<ConnectDatabase> OpenAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        var configured = configuration.GetConnectionString(DependencyInjection.ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new ConnectDatabase(configured, null, "the database of ConnectionStrings:Connect", isEmbedded: false);
        }

        var port = configuration.GetValue("Connect:EmbeddedDatabase:Port", LocalPostgresCluster.DefaultPort);
        var cluster = LocalPostgresCluster.ForCheckout(CheckoutRoot(), port);
        var wasRunning = await cluster.IsRunningAsync(cancellationToken);
        await cluster.StartAsync(cancellationToken);
        await cluster.EnsureDatabaseAsync(DatabaseName, cancellationToken);
        return new ConnectDatabase(
            cluster.ConnectionString(DatabaseName),
            wasRunning ? null : cluster,
            $"the embedded PostgreSQL at {cluster.DataDirectory} (127.0.0.1:{cluster.Port})",
            isEmbedded: true);
    }

    /// <summary>
    /// Stops the embedded cluster if this process started it and no one else is using it: an `up` that came
    /// along meanwhile (from another terminal) keeps its database.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_startedHere is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        if (!await PostgresDatabases.HasOtherClientsAsync(ConnectionString))
        {
            await _startedHere.StopAsync(CancellationToken.None);
        }
    }

    /// <summary><c>./connect</c> exports CONNECT_ROOT; otherwise the nearest folder holding Connect.sln.</summary>
    public static string CheckoutRoot()
    {
        if (Environment.GetEnvironmentVariable("CONNECT_ROOT") is { Length: > 0 } root)
        {
            return root;
        }

        for (var folder = new DirectoryInfo(Environment.CurrentDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Connect.sln")))
            {
                return folder.FullName;
            }
        }

        return Environment.CurrentDirectory;
    }
}
