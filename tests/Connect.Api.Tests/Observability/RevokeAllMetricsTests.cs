using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Connect.Testing.ClientJwts;
using Connect.Testing.Seeding;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.Observability;

public sealed class RevokeAllMetricsTests : IAsyncLifetime
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
    public async Task Counters_move_with_the_outcome_of_each_request()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var (account, subject) = await _api.Db.CreateAccountWithSubjectAsync(app.Sector);
        await _api.Db.IssueSessionsAsync(account, app.Id, 3);

        await ApiAssert.RevokedAsync(await _api.RevokeAllAsync(app, subject.Value), 3);
        await _api.RevokeAllAsync(app, subject.Value, jwt => jwt.Payload["aud"] = "someone-else");
        await _api.Client.SendAsync(ConnectApiFactory.Request(null, RevokeAllBodies.For(subject.Value)));

        await ObservabilityHarness.EventuallyAsync(() => Of("connect.revoke_all.requests").Count == 3 ? _measured : null);
        Assert.Equal(
            [("Revoked", 200), ("ClientJwtAudienceMismatch", 401), ("ClientJwtMissing", 401)],
            Of("connect.revoke_all.requests").Select(m => ((string)m.Tags["reason"]!, (int)m.Tags["http.response.status_code"]!)));
        Assert.All(Of("connect.revoke_all.requests"), m => Assert.Equal(1.0, m.Value));
        Assert.Equal(3.0, Assert.Single(Of("connect.revoke_all.revoked_tokens")).Value);
        Assert.Equal(
            ["ClientJwtAudienceMismatch", "ClientJwtMissing"],
            Of("connect.client_authentication.failures").Select(m => (string)m.Tags["reason"]!));
        Assert.Equal(3, Of("connect.revoke_all.duration").Count);
        Assert.All(Of("connect.revoke_all.duration"), m => Assert.InRange(m.Value, 0.0, 30.0));
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
