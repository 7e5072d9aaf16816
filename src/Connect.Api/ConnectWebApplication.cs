namespace Connect.Api;

/// <summary>Builds the Connect web application; shared by <c>Program</c> and the CLI's <c>up</c>.</summary>
public static class ConnectWebApplication
{
    /// <param name="args">Command-line configuration, as for any ASP.NET Core host.</param>
    /// <param name="configure">Last changes to the builder (the CLI sets the connection string and URL here).</param>
    /// <param name="contentRoot">Where appsettings.json is read from; the current folder when null.</param>
    public static WebApplication Create(
        string[] args, Action<WebApplicationBuilder>? configure = null, string? contentRoot = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = contentRoot });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // Nothing Connect accepts comes close to these; they bound what one connection can make us hold.
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 50;
            kestrel.Limits.MaxRequestLineSize = 4 * 1024;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024;
        });
        configure?.Invoke(builder);
        builder.ListenForMetrics();
        builder.Logging.UseBatchedConsole();

        var services = builder.Services;
        services.AddConnectApplication();
        services.AddConnectInfrastructure();
        services.AddSignalDelivery();
        services.AddOptions<RequestLimitsOptions>().BindConfiguration(RequestLimitsOptions.SectionName);
        services.AddRateBudgets();
        services.AddOptions<SignInPageOptions>().BindConfiguration(SignInPageOptions.SectionName);
        services.AddSingleton<SignInPageGuard>();
        services.AddRequestTimeouts(timeouts => timeouts.DefaultPolicy = RequestTimeouts.Default);
        // Named explicitly: under the CLI the entry assembly is not this one. Each endpoint's contract becomes its
        // route and its metadata, once, when the application model is built.
        services.AddControllers(mvc => mvc.Conventions.Add(new EndpointContractConvention()))
            .AddApplicationPart(typeof(ConnectWebApplication).Assembly);
        services.AddConnectOpenApi();
        services.AddSingleton(provider => new ReadinessCache(
            provider.GetRequiredService<PostgresReadinessProbe>().IsReadyAsync, provider.GetRequiredService<TimeProvider>()));
        services.AddConnectObservability(builder.Configuration);

        var app = builder.Build();

        // Order is the contract's order of checks: size and media type (the gate), then the client JWT on the endpoints
        // whose contract's credential is one (the convention gives them an [Authorize] naming its scheme, which
        // ClientJwtAuthentication reads). It can only be checked once the raw body is read, so the host must not add
        // ASP.NET Core's authentication and authorization middleware at the top of the pipeline, as it does when MVC's
        // authorization services are registered and no Use* call marked them added: ClientJwtAuthentication stands in
        // for both, and the two marks below say so. The rate budget and the body come last, once the caller is known:
        // the contract's budget filter for a client JWT, the handler for a session token. The endpoints with no
        // credential step (the contract's client-address budget) spend their client address's budget first of all,
        // before the body is read: nothing else stands before their database work.
        app.UseConnectObservability();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = UnhandledExceptionResponder.RespondAsync,

            // A database outage is expected and answered 503; PostgresOutages.Report logs it a few times a minute.
            // Every other exception is a bug and keeps the framework's error with its stack trace.
            SuppressDiagnosticsCallback = handled => PostgresOutages.IsOutage(handled.Exception),
        });
        app.UseRouting();
        app.UseRequestTimeouts();
        app.UseRateLimiter();
        app.UseMiddleware<RawJsonBodyGate>();
        IApplicationBuilder pipeline = app;
        pipeline.Properties["__AuthenticationMiddlewareSet"] = true;
        pipeline.Properties["__AuthorizationMiddlewareSet"] = true;
        app.UseMiddleware<ClientJwtAuthentication>();
        app.MapControllers();
        app.MapConnectOpenApi();
        return app;
    }

    /// <summary>
    /// What must stop the service before it serves, as one plain line (never key material), or <c>null</c>: today,
    /// token-signing keys the configured key-encryption key cannot open. A database that cannot be reached is not
    /// such a reason: the service starts and answers 503 until it is back, and the keys are checked on first use.
    /// </summary>
    public static async Task<string?> FindStartProblemAsync(WebApplication app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            return await app.Services.GetRequiredService<SigningKeyStartCheck>().FindProblemAsync(cancellationToken);
        }
        catch (System.Data.Common.DbException)
        {
            return null;
        }
    }
}
