using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Connect.Testing.Seeding;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.Observability;

/// <summary>The per-endpoint instruments, and revoke-all's own names kept beside them.</summary>
public sealed class EndpointMetricsTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<Measured> _measured = new();
    private readonly MeterListener _listener = new();
    private readonly ConnectApi _api = new(new ConnectApiOptions { SeedApplication = false });

    public async Task InitializeAsync()
    {
        await _api.InitializeAsync();

        // Only this service's meter: other tests run their own services in this process at the same time.
        var meters = _api.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Connect" && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measured.Enqueue(new(instrument.Name, value, tags.ToArray().ToDictionary())));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _measured.Enqueue(new(instrument.Name, value, tags.ToArray().ToDictionary())));
        _listener.Start();
    }

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Every_endpoint_is_counted_and_timed_under_its_method_and_route()
    {
        var app = await _api.Db.RegisterApplicationAsync();

        await ApiAssert.RevokedAsync(await _api.RevokeAllAsync(app, "s"), 0);
        await _api.RevokeAllAsync(app, "s", jwt => jwt.Payload["aud"] = "someone-else");
        await _api.GetAsync("/health");
        await _api.GetAsync("/applications/nobody/jwks.json");

        await ObservabilityHarness.EventuallyAsync(() => Of("connect.endpoint.requests").Count == 4 ? _measured : null);
        Assert.Equal(
            [
                ("GET", "/applications/{anchor}/jwks.json", "ApplicationNotFound", 404),
                ("GET", "/health", "Answered", 200),
                ("POST", "/revoke-all", "ClientJwtAudienceMismatch", 401),
                ("POST", "/revoke-all", "Revoked", 200),
            ],
            Of("connect.endpoint.requests")
                .Select(m => ((string)m.Tags["http.request.method"]!, (string)m.Tags["http.route"]!, (string)m.Tags["reason"]!, (int)m.Tags["http.response.status_code"]!))
                .Order());
        Assert.Equal(4, Of("connect.endpoint.duration").Count);

        // Revoke-all's own names, which dashboards use, move only for revoke-all; client-JWT failures only for 401s
        // of an endpoint authenticated by client JWT.
        Assert.Equal(2, Of("connect.revoke_all.requests").Count);
        Assert.Equal(2, Of("connect.revoke_all.duration").Count);
        Assert.Equal(["ClientJwtAudienceMismatch"], Of("connect.client_authentication.failures").Select(m => (string)m.Tags["reason"]!));
    }

    private List<Measured> Of(string instrument) => _measured.Where(m => m.Instrument == instrument).ToList();

    private sealed record Measured(string Instrument, double Value, Dictionary<string, object?> Tags)
    {
        public Measured(string instrument, long value, Dictionary<string, object?> tags)
            : this(instrument, (double)value, tags)
        {
        }
    }
}
