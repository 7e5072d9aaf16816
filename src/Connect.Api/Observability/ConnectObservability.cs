namespace Connect.Api.Observability;

/// <summary>
/// Logs, metrics and traces. Instruments and spans are defined in the code and cost almost nothing until
/// something listens; the OpenTelemetry providers, which listen to every request, are registered only when
/// they have somewhere to send what they collect: the Prometheus endpoint (off by default) or an OTLP
/// collector (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, unset by default). By default nothing leaves the process.
/// </summary>
internal static class ConnectObservability
{
    /// <summary>
    /// Turns on <c>GET /metrics</c> (Prometheus text format), answered on its own listener
    /// (<see cref="PrometheusUrlKey"/>) to loopback callers only.
    /// </summary>
    public const string PrometheusEnabledKey = "Connect:Metrics:Prometheus:Enabled";

    /// <summary>Where the metrics listener binds; never the service's own port.</summary>
    public const string PrometheusUrlKey = "Connect:Metrics:Prometheus:Url";

    public const string DefaultPrometheusUrl = "http://127.0.0.1:9464";

    /// <summary>The standard OpenTelemetry variable; when set, traces and metrics are exported there over OTLP.</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public const string MetricsPath = "/metrics";

    public static IServiceCollection AddConnectObservability(this IServiceCollection services, IConfiguration configuration)
    {
        // Decided once, here: the exporter and its endpoint must agree.
        var prometheus = new PrometheusSwitch(
            configuration.GetValue<bool>(PrometheusEnabledKey),
            new Uri(configuration[PrometheusUrlKey] is { Length: > 0 } url ? url : DefaultPrometheusUrl).Port);
        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]);
        services.AddSingleton(prometheus);
        services.AddSingleton<ConnectMetrics>();
        services.AddHttpContextAccessor();
        services.Replace(ServiceDescriptor.Singleton<IRequestObservation, HttpRequestObservation>());
        if (!prometheus.Enabled && !otlp)
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry();
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(ConnectTelemetry.Name).AddAspNetCoreInstrumentation();
            if (prometheus.Enabled)
            {
                metrics.AddPrometheusExporter();
            }

            if (otlp)
            {
                metrics.AddOtlpExporter();
            }
        });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(ConnectTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter());
        }

        return services;
    }

    /// <summary>
    /// Adds the metrics listener to the service's URLs when metrics are on. Loopback alone is no boundary: behind
    /// a reverse proxy on the same host every caller arrives from loopback, so <c>/metrics</c> is answered only on
    /// its own port, which the proxy does not forward to.
    /// </summary>
    public static void ListenForMetrics(this WebApplicationBuilder builder)
    {
        if (!builder.Configuration.GetValue<bool>(PrometheusEnabledKey))
        {
            return;
        }

        var metricsUrl = builder.Configuration[PrometheusUrlKey] is { Length: > 0 } url ? url : DefaultPrometheusUrl;
        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        builder.WebHost.UseUrls([.. (urls ?? "http://localhost:5000").Split(';', StringSplitOptions.RemoveEmptyEntries), metricsUrl]);
    }

    /// <summary>
    /// Replaces the framework's console logger, where the host has one, by <see cref="BatchedConsoleLoggerProvider"/>
    /// with the same options and formatters. A host whose console logging was removed (tests that capture logs)
    /// keeps what it has.
    /// </summary>
    public static ILoggingBuilder UseBatchedConsole(this ILoggingBuilder logging)
    {
        var stock = logging.Services
            .Where(service => service.ServiceType == typeof(ILoggerProvider) && service.ImplementationType == typeof(ConsoleLoggerProvider))
            .ToList();
        if (stock.Count == 0)
        {
            return logging;
        }

        foreach (var service in stock)
        {
            logging.Services.Remove(service);
        }

        logging.Services.AddSingleton<ILoggerProvider, BatchedConsoleLoggerProvider>();
        return logging;
    }

    /// <summary>First in the pipeline, so that the observer sees every answer, the exception handler's too.</summary>
    public static void UseConnectObservability(this WebApplication app)
    {
        app.UseMiddleware<EndpointObserver>();
        if (app.Services.GetRequiredService<PrometheusSwitch>().Enabled)
        {
            // Any other caller, and any caller on the service's own port, falls through to routing and gets the same
            // empty 404 as when metrics are off, so the endpoint's existence is not visible through the service.
            var port = app.Services.GetRequiredService<PrometheusSwitch>().Port;
            app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
                HttpMethods.IsGet(context.Request.Method)
                && context.Request.Path.Equals(MetricsPath, StringComparison.OrdinalIgnoreCase)
                && context.Connection.LocalPort == port
                && IsLoopback(context.Connection.RemoteIpAddress));
        }
    }

    /// <summary>
    /// The socket's peer, not X-Forwarded-For: no middleware rewrites the connection's address. A trusted proxy's
    /// X-Forwarded-For is read only by the per-address budgets (<see cref="Authentication.ClientAddresses"/>).
    /// </summary>
    internal static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private sealed record PrometheusSwitch(bool Enabled, int Port);
}
