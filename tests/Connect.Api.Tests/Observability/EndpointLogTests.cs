using System.Net;
using System.Security.Cryptography;
using System.Text;
using Connect.Application.Jwks;
using Connect.Application.Observability;
using Connect.Domain.Applications;
using Connect.Domain.Outcomes;
using Connect.Domain.Sessions;
using Connect.Testing.Seeding;
using MediatR;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Connect.Api.Tests.Observability;

/// <summary>The one access log of every endpoint, named by endpoint (issue 13 item 5).</summary>
public sealed class EndpointLogTests : IAsyncLifetime
{
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ConnectApi _api;

    public EndpointLogTests()
    {
        _api = new ConnectApi(new ConnectApiOptions
        {
            SeedApplication = false,
            Services = services => _logs.CaptureEverything(services),
        });
    }

    public Task InitializeAsync() => _api.InitializeAsync();

    public Task DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task Another_endpoint_logs_one_line_named_by_its_method_and_route_template()
    {
        var response = await _api.Client.GetAsync("/applications/nobody/jwks.json");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var line = await ObservabilityHarness.EventuallyAsync(() => Answered().SingleOrDefault());
        Assert.Equal(("GET", "/applications/{anchor}/jwks.json"), (line.Fields["Method"], line.Fields["Endpoint"]));
        Assert.Equal(("ApplicationNotFound", 404), (line.Fields["Outcome"], line.Fields["StatusCode"]));
        Assert.Null(line.Fields["Anchor"]);
        Assert.Null(line.Fields["SessionHash"]);
        Assert.IsType<double>(line.Fields["DurationMs"]);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Equal("Connect.Api.Observability.EndpointObserver", line.Category);
        Assert.DoesNotContain(_logs.Entries, entry => entry.EventId.Name == "RevokeAllAnswered");
    }

    [Fact]
    public async Task A_use_case_names_the_application_that_signed_and_a_hash_of_the_session_never_the_sid()
    {
        const string Sid = "sid-that-must-never-be-logged-0123456789abcdef";
        await using var observing = _api.With(services: services =>
            services.AddTransient<IRequestHandler<GetJwksQuery, Outcome<JwksResult>>>(provider =>
                new ObservingHandler(provider.GetRequiredService<IRequestObservation>(), Sid)));

        var response = await observing.Client.GetAsync("/applications/signed.example/jwks.json");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var line = await ObservabilityHarness.EventuallyAsync(() => Answered().SingleOrDefault());
        Assert.Equal("signed.example", line.Fields["Anchor"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sid)))[..8], line.Fields["SessionHash"]);
        Assert.DoesNotContain(_logs.Entries, entry => entry.Text.Contains(Sid, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Health_is_observed_at_debug_so_probes_do_not_fill_the_log()
    {
        var response = await _api.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var line = await ObservabilityHarness.EventuallyAsync(() => Answered().SingleOrDefault());
        Assert.Equal((LogLevel.Debug, "/health", 200, "Answered"), (line.Level, line.Fields["Endpoint"], line.Fields["StatusCode"], line.Fields["Outcome"]));
    }

    private List<CapturedLog> Answered() =>
        _logs.Entries.Where(entry => entry.EventId.Name == "EndpointAnswered").ToList();

    /// <summary>A use case that verified a token of <c>signed.example</c> for session <c>sid</c>, then refused.</summary>
    private sealed class ObservingHandler(IRequestObservation observation, string sid) : IRequestHandler<GetJwksQuery, Outcome<JwksResult>>
    {
        public Task<Outcome<JwksResult>> Handle(GetJwksQuery request, CancellationToken cancellationToken)
        {
            observation.SignedBy(new ApplicationAnchor(request.Anchor));
            observation.ConcernsSession(new SessionId(sid));
            return Task.FromResult<Outcome<JwksResult>>(ReasonCode.ApplicationNotFound);
        }
    }
}
