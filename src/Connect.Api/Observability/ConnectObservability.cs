using System.Net;
using Connect.Application.Observability;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Connect.Api.Observability;

/// <summary>
/// Logs, metrics and traces. Metrics and spans are always produced in process; nothing leaves it unless an
/// operator asks: the Prometheus endpoint is off by default, and no trace exporter is configured.
/// </summary>
internal static class ConnectObservability
{
    /// <summary>Turns on <c>GET /metrics</c> (Prometheus text format), answered to loopback callers only.</summary>
    public const string PrometheusEnabledKey = "Connect:Metrics:Prometheus:Enabled";

    public const string MetricsPath = "/metrics";

    public static IServiceCollection AddConnectObservability(this IServiceCollection services, IConfiguration configuration)
    {
        // Decided once, here: the exporter and its endpoint must agree.
        var prometheus = new PrometheusSwitch(configuration.GetValue<bool>(PrometheusEnabledKey));
        services.AddSingleton(prometheus);
        services.AddSingleton<ConnectMetrics>();
        services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ConnectTelemetry.Name).AddAspNetCoreInstrumentation();
                if (prometheus.Enabled)
                {
                    metrics.AddPrometheusExporter();
                }
            })
            .WithTracing(tracing => tracing
                .AddSource(ConnectTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddNpgsql());
        return services;
    }

    /// <summary>First in the pipeline, so that the observer sees every answer, the exception handler's too.</summary>
    public static void UseConnectObservability(this WebApplication app)
    {
        app.UseMiddleware<RevokeAllObserver>();
        if (app.Services.GetRequiredService<PrometheusSwitch>().Enabled)
        {
            // Any other caller falls through to routing and gets the same empty 404 as when metrics are off,
            // so the endpoint's existence is not visible from outside the machine.
            app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
                HttpMethods.IsGet(context.Request.Method)
                && context.Request.Path.Equals(MetricsPath, StringComparison.OrdinalIgnoreCase)
                && IsLoopback(context.Connection.RemoteIpAddress));
        }
    }

    /// <summary>The socket's peer, not X-Forwarded-For: no forwarded-headers middleware runs in front of this.</summary>
    internal static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private sealed record PrometheusSwitch(bool Enabled);
}
