namespace Connect.Cli.Administration;

/// <summary>
/// The Application and Infrastructure layers over the database <see cref="ConnectDatabase"/> resolves, for one
/// administrative command: it sends the command through the mediator and prints its outcome.
/// </summary>
internal static class AdministrationServices
{
    public static async Task<int> SendAsync<TResult>(
        ParseResult parse,
        IConfiguration configuration,
        IRequest<AdministrationOutcome<TResult>> request,
        Func<TResult, object> print,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(print);
        await using var database = await OpenDatabaseAsync(configuration, cancellationToken);
        await using var services = Build(configuration, database);
        if (await FindKeyProblemAsync(services, cancellationToken) is { } problem)
        {
            return Output.Fail(parse, problem);
        }

        var outcome = await services.GetRequiredService<IMediator>().Send(request, cancellationToken);
        return outcome.Succeeded ? Output.Json(parse, print(outcome.Value)) : Output.Fail(parse, outcome.Failure.Message);
    }

    /// <summary>
    /// The command's database. The checkout's private database is brought up to date as `up` does; a configured
    /// one is left to `./connect migrate`, so that an administrative command never changes a schema by surprise.
    /// </summary>
    public static async Task<ConnectDatabase> OpenDatabaseAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        var database = await ConnectDatabase.OpenAsync(configuration, cancellationToken);
        if (database.IsEmbedded)
        {
            DatabaseMigrator.Migrate(database.MigrationConnectionString);
        }

        return database;
    }

    /// <summary>
    /// The service's start check, before any command that has a key-encryption key: keys another KEK sealed are
    /// refused with one line before the command changes anything (keys made under the wrong one would strand the
    /// rest). A command without any KEK is left to fail on its own only if it needs one.
    /// </summary>
    public static async Task<string?> FindKeyProblemAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var encryption = services.GetRequiredService<SigningKeyEncryption>();
        if (!encryption.IsConfigured && encryption.ConfigurationProblem is null)
        {
            return null;
        }

        return await services.GetRequiredService<SigningKeyStartCheck>().FindProblemAsync(cancellationToken);
    }

    /// <summary>The Application and Infrastructure layers over one database, as the service wires them.</summary>
    public static ServiceProvider Build(IConfiguration configuration, ConnectDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        var settings = new ConfigurationBuilder()
            .AddConfiguration(configuration)
            .AddInMemoryCollection(database.Settings(configuration))
            .Build();
        return new ServiceCollection()
            .AddSingleton<IConfiguration>(settings)
            // Stdout carries the one JSON object; anything worth logging goes to stderr, one line each.
            .AddLogging(logging => logging
                .SetMinimumLevel(LogLevel.Warning)
                .AddSimpleConsole(console => console.SingleLine = true)
                .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace))
            .AddConnectApplication()
            .AddConnectInfrastructure()
            .BuildServiceProvider();
    }
}
