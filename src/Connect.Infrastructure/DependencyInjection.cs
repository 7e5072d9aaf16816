namespace Connect.Infrastructure;

public static class DependencyInjection
{
    public const string ConnectionStringName = "Connect";

    /// <summary>
    /// One <see cref="NpgsqlDataSource"/> for the process (it owns the connection pool) and one Dapper adapter
    /// per port over it.
    /// </summary>
    public static IServiceCollection AddConnectInfrastructure(this IServiceCollection services)
    {
        // Read when first resolved, so that hosts and tests may still change the configuration after this call.
        services.AddSingleton(provider =>
        {
            var connectionString = provider.GetRequiredService<IConfiguration>().GetConnectionString(ConnectionStringName)
                ?? throw new InvalidOperationException(
                    $"The connection string 'ConnectionStrings:{ConnectionStringName}' is not set " +
                    "(environment variable ConnectionStrings__Connect).");
            return PostgresDataSourceFactory.Create(connectionString, provider.GetRequiredService<IOptions<PostgresOptions>>().Value);
        });
        services.AddOptions<PostgresOptions>().BindConfiguration(PostgresOptions.SectionName)
            .Validate(
                options => options.ReplayPurgeInterval > TimeSpan.Zero
                    && options.ReplayPurgeBatchSize is >= 1 and <= 100_000
                    && options.ReplayPurgeBatchPause >= TimeSpan.Zero,
                $"{PostgresOptions.SectionName}: ReplayPurgeInterval must be positive, ReplayPurgeBatchSize 1 to 100000, ReplayPurgeBatchPause not negative.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IRefreshTokenRevoker, PostgresRefreshTokenRevoker>();
        services.AddSingleton<IRecordingRevoker, PostgresRefreshTokenRevoker>();
        services.AddSingleton<ISessionStore, PostgresSessionStore>();
        services.AddSingleton<IRevocationAuditLog, PostgresRevocationAuditLog>();
        services.AddSingleton<IOperatorAuditLog, PostgresOperatorAuditLog>();
        services.AddSingleton<IClientApplicationDirectory, PostgresClientApplicationDirectory>();
        services.AddSingleton<PostgresClientJwtReplayStore>();
        services.AddSingleton<IClientJwtReplayStore>(provider => provider.GetRequiredService<PostgresClientJwtReplayStore>());
        services.AddSingleton<IApplicationRegistry, PostgresApplicationRegistry>();
        services.AddSingleton<ISigningKeyStore, PostgresSigningKeyStore>();
        services.AddSingleton<IAccountRegistry, PostgresAccountRegistry>();
        services.AddSingleton<IPasskeyStore, PostgresPasskeyStore>();
        services.AddSingleton<IEnrollmentLinks, PostgresEnrollmentLinks>();
        services.AddSingleton<IWebAuthnChallengeStore, PostgresWebAuthnChallengeStore>();
        services.AddSingleton<IPasskeyCeremony, Fido2PasskeyCeremony>();
        services.AddSingleton<IInquiryStore, PostgresInquiryStore>();
        services.AddSingleton<ISignInApplicationDirectory, PostgresSignInApplicationDirectory>();
        services.AddSingleton<ISignalReceiverRegistry, PostgresSignalReceiverRegistry>();
        services.AddSingleton<PostgresReadinessProbe>();
        services.AddSingleton<PostgresOutages>();
        services.AddHostedService<ReplayRecordPurger>();
        services.AddSingleton<ISignalOutbox, PostgresSignalOutbox>();
        return services;
    }

    /// <summary>
    /// The signals' delivery (docs/contract/signals.md "Delivery"), for a host that serves: the worker, the sender
    /// and its HTTP client. The administrative commands do not send, so they do not add it.
    /// </summary>
    public static IServiceCollection AddSignalDelivery(this IServiceCollection services)
    {
        services.TryAddSingleton<IReceiverHostResolver, DnsReceiverHostResolver>();
        services.AddSingleton<ISignalSender, HttpSignalSender>();
        services.AddSingleton<SignalDeliverer>();
        services.AddHttpClient(HttpSignalSender.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(provider => HttpSignalSender.CreateHandler(
                provider.GetRequiredService<IReceiverHostResolver>(), provider.GetRequiredService<IOptions<SignalOptions>>().Value))
            // The factory's default loggers write the full URL, whose query may hold a receiver's secret.
            .RemoveAllLoggers();
        services.AddHostedService<SignalDeliveryWorker>();
        return services;
    }
}
