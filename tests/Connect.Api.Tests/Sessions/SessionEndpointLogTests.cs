using System.Net;
using System.Security.Cryptography;
using System.Text;
using Connect.Api.Tests.Observability;
using Microsoft.Extensions.Logging;

namespace Connect.Api.Tests.Sessions;

/// <summary>No log line of any level carries a session token, a subject or a sid (issue 13 item 5).</summary>
public sealed class SessionEndpointLogTests : IAsyncLifetime
{
    private readonly CapturingLoggerProvider _logs = new();
    private readonly SessionEndpoints _api;

    public SessionEndpointLogTests() =>
        _api = new SessionEndpoints(new Dictionary<string, string?>(), services => _logs.CaptureEverything(services));

    public Task InitializeAsync() => _api.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        _logs.Dispose();
    }

    [Fact]
    public async Task No_log_line_of_any_level_carries_a_token_the_subject_or_the_sid()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);
        var forged = SessionEndpoints.ForgeSignature(session.AccessToken);

        var answers = new[]
        {
            await _api.IntrospectAsync(session.AccessToken),
            await _api.IntrospectAsync(forged),
            await _api.GetAsync("/userinfo", $"Bearer {session.AccessToken}"),
            await _api.GetAsync("/claim-state", $"Bearer {forged}"),
            await _api.LogoutAsync(SessionEndpoints.ForgeSignature(session.RefreshToken)),
            await _api.LogoutAsync(session.RefreshToken),
            await _api.GetAsync("/userinfo", $"Bearer {session.AccessToken}"),
        };

        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.OK,
             HttpStatusCode.OK, HttpStatusCode.Unauthorized],
            answers.Select(answer => answer.StatusCode));
        string[] secrets =
        [
            session.AccessToken, session.RefreshToken, forged, .. session.AccessToken.Split('.')[1..],
            .. session.RefreshToken.Split('.')[1..], session.Subject, session.Sid,
        ];
        Assert.Contains(_logs.Entries, entry => entry.Level == LogLevel.Debug);
        foreach (var entry in _logs.Entries)
        {
            foreach (var secret in secrets)
            {
                Assert.False(
                    entry.Text.Contains(secret, StringComparison.Ordinal),
                    $"{entry.Category} ({entry.Level}) logged a secret: {entry.Text}");
            }
        }
    }

    [Fact]
    public async Task The_access_log_names_the_application_and_a_session_hash_only_once_a_token_verified()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);

        await _api.IntrospectAsync(session.AccessToken);
        await _api.IntrospectAsync(SessionEndpoints.ForgeSignature(session.AccessToken));

        var lines = await ObservabilityHarness.EventuallyAsync(() =>
            _logs.Entries.Where(e => e.EventId.Name == "EndpointAnswered" && Equals(e.Fields["Endpoint"], "/introspect")).ToList() is { Count: 2 } both ? both : null);
        Assert.Equal(
            (session.App.Anchor.Value, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(session.Sid)))[..8]),
            (lines[0].Fields["Anchor"], lines[0].Fields["SessionHash"]));
        Assert.Equal(("AccessTokenInvalidSignature", null, null), (lines[1].Fields["Outcome"], lines[1].Fields["Anchor"], lines[1].Fields["SessionHash"]));
    }
}
