using System.Net;
using Connect.Application.RevokeAll;
using Connect.Testing.ClientJwts;
using Connect.Testing.Seeding;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NSubstitute;

namespace Connect.Api.Tests.Observability;

public sealed class RevokeAllLogTests : IAsyncLifetime
{
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ConnectApi _api;

    public RevokeAllLogTests()
    {
        // Every category at every level, whatever appsettings.json filters for the other providers.
        _api = new ConnectApi(new ConnectApiOptions
        {
            SeedApplication = false,
            Services = services => _logs.CaptureEverything(services),
        });
    }

    public Task InitializeAsync() => _api.InitializeAsync();

    public Task DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task A_revocation_logs_one_line_with_anchor_outcome_count_and_status()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var (account, subject) = await _api.Db.CreateAccountWithSubjectAsync(app.Sector);
        await _api.Db.IssueSessionsAsync(account, app.Id, 2);
        var body = RevokeAllBodies.For(subject.Value);

        var response = await _api.Client.SendAsync(ConnectApiFactory.Request(Sign(app, body), body));

        await ApiAssert.RevokedAsync(response, 2);
        var line = await ObservabilityHarness.EventuallyAsync(() => Answered().SingleOrDefault());
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Equal(app.Anchor.Value, line.Fields["Anchor"]);
        Assert.Equal("Revoked", line.Fields["Outcome"]);
        Assert.Equal(2, line.Fields["RevokedCount"]);
        Assert.Equal(200, line.Fields["StatusCode"]);
        Assert.IsType<double>(line.Fields["DurationMs"]);
        Assert.Matches("^[0-9a-f]{8}$", (string)line.Fields["SubjectHash"]!);
    }

    [Fact]
    public async Task A_rejection_before_authentication_names_no_application()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var body = RevokeAllBodies.For("anyone");
        var forged = new TestClientJwt(app.Anchor.Value, System.Security.Cryptography.RSA.Create(2048), DateTimeOffset.UtcNow, body);

        var response = await _api.Client.SendAsync(ConnectApiFactory.Request(forged.AuthorizationHeader(), body));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var line = await ObservabilityHarness.EventuallyAsync(() => Answered().SingleOrDefault());
        Assert.Equal("ClientJwtInvalidSignature", line.Fields["Outcome"]);
        Assert.Null(line.Fields["Anchor"]);
        Assert.Equal(401, line.Fields["StatusCode"]);
    }

    [Fact]
    public async Task A_refusal_after_the_signature_verified_names_the_application()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var body = RevokeAllBodies.For("anyone");
        var wrongAudience = new TestClientJwt(app.Anchor.Value, app.Key, DateTimeOffset.UtcNow, body);
        wrongAudience.Payload["aud"] = "another-service";

        var response = await _api.Client.SendAsync(ConnectApiFactory.Request(wrongAudience.AuthorizationHeader(), body));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var line = await ObservabilityHarness.EventuallyAsync(() => Answered().SingleOrDefault());
        Assert.Equal(("ClientJwtAudienceMismatch", 401, app.Anchor.Value), (line.Fields["Outcome"], line.Fields["StatusCode"], line.Fields["Anchor"]));
    }

    [Fact]
    public async Task A_disabled_application_is_named_in_its_refusal()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        await _api.Db.Applications.SetEnabledAsync(app.Anchor, false, CancellationToken.None);
        var body = RevokeAllBodies.For("anyone");

        var response = await _api.Client.SendAsync(ConnectApiFactory.Request(Sign(app, body), body));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var line = await ObservabilityHarness.EventuallyAsync(() => Answered().SingleOrDefault());
        Assert.Equal(("ApplicationDisabled", 403, app.Anchor.Value), (line.Fields["Outcome"], line.Fields["StatusCode"], line.Fields["Anchor"]));
    }

    [Fact]
    public async Task No_log_line_of_any_level_carries_the_jwt_or_the_subject()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var (account, subject) = await _api.Db.CreateAccountWithSubjectAsync(app.Sector);
        await _api.Db.IssueSessionsAsync(account, app.Id, 2);
        var body = RevokeAllBodies.For(subject.Value);
        var jwt = Sign(app, body);
        var tamperedBody = RevokeAllBodies.For(subject.Value + "x");
        var client = _api.Client;

        var answers = new[]
        {
            await client.SendAsync(ConnectApiFactory.Request(jwt, tamperedBody)),       // body hash mismatch
            await client.SendAsync(ConnectApiFactory.Request(jwt, body)),               // revoked
            await client.SendAsync(ConnectApiFactory.Request(jwt, body)),               // replayed
            await client.SendAsync(ConnectApiFactory.Request(jwt + "x", body)),         // malformed
            await client.SendAsync(ConnectApiFactory.Request(Sign(app, "{\"subject\":\"\"}"u8.ToArray()), "{\"subject\":\"\"}"u8.ToArray())),
        };

        Assert.Equal(
            [HttpStatusCode.Unauthorized, HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.BadRequest],
            answers.Select(answer => answer.StatusCode));
        await ObservabilityHarness.EventuallyAsync(() => Answered().Count == answers.Length ? Answered() : null);
        var token = jwt["SudomimusClientJWT ".Length..];
        string[] secrets = [jwt, token, .. token.Split('.'), subject.Value, subject.Value + "x"];
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
    public async Task An_unexpected_failure_is_logged_once_as_the_private_500_with_its_application()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var (_, subject) = await _api.Db.CreateAccountWithSubjectAsync(app.Sector);
        var broken = Substitute.For<IRecordingRevoker>();
        broken.RevokeAllActiveAsync(default, default, default!, default)
            .ReturnsForAnyArgs<RecordedRevocation>(_ => throw new InvalidOperationException("bug"));
        await using var failing = _api.With(services: services => services.AddSingleton(broken));
        var body = RevokeAllBodies.For(subject.Value);

        var response = await failing.Client.SendAsync(ConnectApiFactory.Request(Sign(app, body), body));

        await ApiAssert.EmptyAsync(response, HttpStatusCode.InternalServerError);
        var line = await ObservabilityHarness.EventuallyAsync(() => Answered().SingleOrDefault());
        Assert.Equal(("InternalError", 500, app.Anchor.Value), (line.Fields["Outcome"], line.Fields["StatusCode"], line.Fields["Anchor"]));
    }

    private List<CapturedLog> Answered() =>
        _logs.Entries.Where(entry => entry.EventId.Name == "RevokeAllAnswered").ToList();

    private static string Sign(TestApplication app, byte[] body) =>
        new TestClientJwt(app.Anchor.Value, app.Key, DateTimeOffset.UtcNow, body).AuthorizationHeader();
}
