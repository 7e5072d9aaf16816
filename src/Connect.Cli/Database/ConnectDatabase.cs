namespace Connect.Cli.Database;

/// <summary>
/// The database a command works on: <c>ConnectionStrings:Connect</c> when configured, else the embedded default,
/// a private cluster under <c>.data/postgres</c> in the checkout, started on demand. Disposing stops the
/// embedded cluster if (and only if) this process started it.
/// </summary>
internal sealed class ConnectDatabase : IAsyncDisposable
{
    public const string DatabaseName = "connect";

    private const int OtherClientChecks = 30;
    private static readonly TimeSpan OtherClientCheckPause = TimeSpan.FromMilliseconds(100);

    private readonly LocalPostgresCluster? _startedHere;

    private ConnectDatabase(
        string connectionString, string migrationConnectionString, LocalPostgresCluster? startedHere, string description,
        bool isEmbedded, string? keyEncryptionKey = null, string? issuer = null)
    {
        Issuer = issuer;
        ConnectionString = connectionString;
        MigrationConnectionString = migrationConnectionString;
        KeyEncryptionKey = keyEncryptionKey;
        _startedHere = startedHere;
        Description = description;
        IsEmbedded = isEmbedded;
    }

    /// <summary>What the service and the administrative commands use: on the embedded default, the service role.</summary>
    public string ConnectionString { get; }

    /// <summary>What migrations use: on the embedded default, the superuser; a configured database has one role.</summary>
    public string MigrationConnectionString { get; }

    /// <summary>True for the checkout's private cluster, which the CLI may migrate on its own.</summary>
    public bool IsEmbedded { get; }

    /// <summary>The embedded database's own key-encryption key for token-signing keys; <c>null</c> for a configured database.</summary>
    public string? KeyEncryptionKey { get; }

    /// <summary>The session tokens' issuer of the service on this database when it is not the configured or default one: the local cluster's front.</summary>
    public string? Issuer { get; }

    /// <summary>True when disposing may stop the embedded cluster, because this process started it.</summary>
    public bool StopsOnDispose => _startedHere is not null;

    /// <summary>Where the data lives, for a person (never the password).</summary>
    public string Description { get; }

    /// <summary>A database this command did not start and never stops, with the key-encryption key of its signing keys.</summary>
    public static ConnectDatabase Configured(string connectionString, string description, string? keyEncryptionKey, string? issuer = null) =>
        new(connectionString, connectionString, null, description, isEmbedded: false, keyEncryptionKey, issuer);

    /// <summary>
    /// The local HA cluster of this checkout (<c>./connect cluster up</c>): its KEK is the checkout's, its issuer the
    /// front's; the service role's password and, for migrations, the superuser's come from root's files there, so
    /// the connection string <c>cluster status</c> prints carries no secret.
    /// </summary>
    public static ConnectDatabase LocalCluster(string connectionString)
    {
        var layout = new ClusterLayout(CheckoutRoot());
        var migrations = File.Exists(layout.SuperuserPasswordFile) ? layout.SuperuserConnectionString() : connectionString;
        return new ConnectDatabase(
            layout.WithServicePassword(connectionString), migrations, null, "the local cluster", isEmbedded: false, layout.ExistingKeyEncryptionKey(), ClusterLayout.FrontUrl);
    }

    public static async Task<ConnectDatabase> OpenAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        var configured = configuration.GetConnectionString(Infrastructure.DependencyInjection.ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            // The connection string `cluster status` prints (docs/scaling.md): the cluster's own KEK and issuer, as
            // `cluster up` gives its instances, so that commands that sign work there too.
            if (ClusterLayout.IsClusterConnectionString(configured))
            {
                return LocalCluster(configured);
            }

            return new ConnectDatabase(configured, configured, null, "the database of ConnectionStrings:Connect", isEmbedded: false);
        }

        var port = configuration.GetValue("Connect:EmbeddedDatabase:Port", LocalPostgresCluster.DefaultPort);
        var dataDirectory = configuration["Connect:EmbeddedDatabase:DataDirectory"];
        var cluster = string.IsNullOrWhiteSpace(dataDirectory)
            ? LocalPostgresCluster.ForCheckout(CheckoutRoot(), port)
            : new LocalPostgresCluster(dataDirectory, port);
        var wasRunning = await cluster.IsRunningAsync(cancellationToken);
        var dataFolder = Path.GetDirectoryName(cluster.DataDirectory)!;
        try
        {
            await cluster.StartAsync(cancellationToken);
            await cluster.EnsureDatabaseAsync(DatabaseName, cancellationToken);
            await RefuseNewKeyEncryptionKeyOverSealedKeysAsync(dataFolder, cluster.ConnectionString(DatabaseName), cancellationToken);
        }
        catch when (!wasRunning)
        {
            // Interrupted (Ctrl-C) or failed after the server came up: no one else will stop what we started.
            await cluster.StopAsync(CancellationToken.None);
            throw;
        }

        return new ConnectDatabase(
            cluster.ServiceConnectionString(DatabaseName),
            cluster.ConnectionString(DatabaseName),
            wasRunning ? null : cluster,
            $"the embedded PostgreSQL at {cluster.DataDirectory} (127.0.0.1:{cluster.Port})",
            isEmbedded: true,
            EmbeddedKeyEncryptionKey.LoadOrCreate(dataFolder));
    }

    /// <summary>
    /// A KEK is made only while no key is sealed: a lost one replaced by a new one would seal new keys beside old
    /// ones that nothing opens, and every existing application's tokens would fail, request by request.
    /// </summary>
    /// <exception cref="SigningKeysUnavailableException">The KEK file is missing and the database holds keys.</exception>
    private static async Task RefuseNewKeyEncryptionKeyOverSealedKeysAsync(string dataFolder, string connectionString, CancellationToken cancellationToken)
    {
        var path = Path.Combine(dataFolder, EmbeddedKeyEncryptionKey.FileName);
        if (File.Exists(path))
        {
            return;
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var hasTable = new NpgsqlCommand("SELECT to_regclass('public.signing_keys') IS NOT NULL", connection);
        if (await hasTable.ExecuteScalarAsync(cancellationToken) is not true)
        {
            return;
        }

        await using var hasKeys = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM signing_keys WHERE removed_at IS NULL)", connection);
        if (await hasKeys.ExecuteScalarAsync(cancellationToken) is true)
        {
            throw new SigningKeysUnavailableException(
                $"the embedded database holds token-signing keys sealed under its key-encryption key, and {path} is missing; " +
                "put that file back (a new key-encryption key would open none of them)");
        }
    }

    /// <summary>
    /// Stops the embedded cluster if this process started it and no one else is using it: an `up` that came
    /// along meanwhile (from another terminal) keeps its database. Dispose what used the database first (the
    /// service host, whose pool would otherwise count as someone else).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_startedHere is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        for (var attempt = 1; ; attempt++)
        {
            if (!await PostgresDatabases.HasOtherClientsAsync(MigrationConnectionString))
            {
                await _startedHere.StopAsync(CancellationToken.None);
                return;
            }

            // Connections this process just closed linger a moment in pg_stat_activity; anyone else stays.
            if (attempt == OtherClientChecks)
            {
                return;
            }

            await Task.Delay(OtherClientCheckPause);
        }
    }

    /// <summary>
    /// What the service's layers need to know of this database, over the command's <paramref name="configuration"/>:
    /// its connection string, the key-encryption key (the configured one, else the embedded database's own), and on the
    /// embedded database loopback signal receivers allowed unless configured.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        yield return new($"ConnectionStrings:{Infrastructure.DependencyInjection.ConnectionStringName}", ConnectionString);
        var kekSetting = $"{SigningKeyOptions.SectionName}:{nameof(SigningKeyOptions.KeyEncryptionKey)}";
        var kek = string.IsNullOrWhiteSpace(configuration[kekSetting]) ? KeyEncryptionKey : configuration[kekSetting];
        if (kek is not null)
        {
            yield return new(kekSetting, kek);
        }

        // The checkout's private database is a developer's: receivers on this machine are allowed unless configured
        // otherwise (docs/contract/signals.md "Receivers"). A configured database keeps the service's default, off.
        var loopbackSetting = $"{SignalOptions.SectionName}:{nameof(SignalOptions.AllowLoopbackReceivers)}";
        if (IsEmbedded && string.IsNullOrWhiteSpace(configuration[loopbackSetting]))
        {
            yield return new(loopbackSetting, "true");
        }

        var issuerSetting = $"{SessionTokenOptions.SectionName}:{nameof(SessionTokenOptions.Issuer)}";
        if (Issuer is not null && string.IsNullOrWhiteSpace(configuration[issuerSetting]))
        {
            yield return new(issuerSetting, Issuer);
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
