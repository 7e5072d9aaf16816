using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Connect.Api.Endpoints;
using Connect.Domain.Outcomes;
using Connect.Testing.Seeding;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.Observability;

/// <summary>
/// The access log line and the request metrics of every endpoint, one request each, iterating the endpoints'
/// contracts: a new endpoint is observed here without being named. Revoke-all's older names (its log line and its
/// <c>connect.revoke_all.*</c> instruments) move for the endpoint whose contract keeps them, and for no other.
/// </summary>
public sealed partial class EveryEndpointObservationTests : IAsyncLifetime
{
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ConcurrentQueue<Measured> _measured = new();
    private readonly MeterListener _listener = new();
    private ConnectTestDatabase _db = null!;
    private ConnectApiFactory _api = null!;
    private WebApplicationFactory<Program> _logged = null!;

    public async Task InitializeAsync()
    {
        _db = await ConnectTestDatabase.CreateAsync();
        _api = new ConnectApiFactory(_db.ConnectionString);
        _logged = _api.WithWebHostBuilder(web => web.ConfigureServices(services => _logs.CaptureEverything(services)));

        // Only this service's meter: other tests run their own services in this process at the same time.
        var meters = _logged.Services.GetRequiredService<IMeterFactory>();
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
        await _logged.DisposeAsync();
        await _api.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Every_endpoint_logs_one_line_and_is_counted_and_timed_under_its_method_route_outcome_and_status()
    {
        var contracts = EndpointContracts.All.Select(endpoint => endpoint.Contract).ToList();
        Assert.True(contracts.Count >= 12, $"only {contracts.Count} endpoints describe themselves");
        var client = _logged.CreateClient();

        foreach (var contract in contracts)
        {
            var (outcome, status) = Expected(contract);
            var path = Parameter().Replace(contract.Route, "nobody");
            var request = new HttpRequestMessage(new HttpMethod(contract.Method), path);
            if (contract.Body is not null)
            {
                request.Content = new ByteArrayContent("{}"u8.ToArray());
                request.Content.Headers.ContentType = new("text/plain");
            }

            var response = await client.SendAsync(request);

            var where = $"{contract.Method} {contract.Route}";
            Assert.True(status == (int)response.StatusCode, $"{where} answered {(int)response.StatusCode}, not {status}");
            var requests = await ObservabilityHarness.EventuallyAsync(() => Of("connect.endpoint.requests", contract) is [var one] ? one : null);
            Assert.Equal((outcome, status), ((string)requests.Tags["reason"]!, (int)requests.Tags["http.response.status_code"]!));
            Assert.Single(Of("connect.endpoint.duration", contract));

            var keepsRevokeAllNames = contract.Observation.Aliases == ObservationAliases.RevokeAll;
            var line = await ObservabilityHarness.EventuallyAsync(() => LineOf(contract, keepsRevokeAllNames));
            Assert.Equal(contract.Observation.AccessLogLevel, line.Level);
            Assert.Equal((outcome, status), (line.Fields["Outcome"], line.Fields["StatusCode"]));
            Assert.Equal("Connect.Api.Observability.EndpointObserver", line.Category);
            if (keepsRevokeAllNames)
            {
                Assert.Equal(
                    [(outcome, status)],
                    Recorded("connect.revoke_all.requests").Select(m => ((string)m.Tags["reason"]!, (int)m.Tags["http.response.status_code"]!)));
                Assert.Single(Recorded("connect.revoke_all.duration"));
            }

            Assert.True(
                _logs.Entries.Count(entry => entry.EventId.Name is "EndpointAnswered" or "RevokeAllAnswered") == 1,
                $"{where} wrote one access log line, and only one");
            Assert.True(
                Recorded("connect.revoke_all.requests").Count == (keepsRevokeAllNames ? 1 : 0),
                $"{where} moved revoke-all's own instruments");
            _logs.Entries.Clear();
            _measured.Clear();
        }
    }

    /// <summary>
    /// One request each endpoint answers without a credential or a seeded row: a body sent as text/plain is the body
    /// gate's 415, the first check of every endpoint that reads one; a Bearer endpoint without its header is a 401;
    /// the JWKS of an unknown application a 404; an endpoint that answers no reason, 200.
    /// </summary>
    private static (string Outcome, int Status) Expected(EndpointContract contract) => contract switch
    {
        { Body: not null } => (ReasonCode.UnsupportedMediaType.Name, 415),
        { Credential: EndpointCredential.BearerAccessToken } => (ReasonCode.AccessTokenInvalid.Name, 401),
        { Reasons: [] } => ("Answered", 200),
        _ when contract.Reasons.Contains(ReasonCode.ApplicationNotFound) && contract.Route.Contains("{anchor}", StringComparison.Ordinal) =>
            (ReasonCode.ApplicationNotFound.Name, 404),
        _ => throw new InvalidOperationException($"{contract.Method} {contract.Route}: say here which request it answers without setup"),
    };

    private CapturedLog? LineOf(EndpointContract contract, bool revokeAllLine) =>
        _logs.Entries.SingleOrDefault(entry => revokeAllLine
            ? entry.EventId.Name == "RevokeAllAnswered"
            : entry.EventId.Name == "EndpointAnswered"
              && Equals(entry.Fields["Method"], contract.Method) && Equals(entry.Fields["Endpoint"], contract.Route));

    private List<Measured> Of(string instrument, EndpointContract contract) =>
        [.. Recorded(instrument).Where(m => Equals(m.Tags["http.request.method"], contract.Method) && Equals(m.Tags["http.route"], contract.Route))];

    private List<Measured> Recorded(string instrument) => [.. _measured.Where(m => m.Instrument == instrument)];

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();

    private sealed record Measured(string Instrument, double Value, Dictionary<string, object?> Tags)
    {
        public Measured(string instrument, long value, Dictionary<string, object?> tags)
            : this(instrument, (double)value, tags)
        {
        }
    }
}
